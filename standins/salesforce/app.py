"""The WSGI application: Django's handler, with the running stand-in handed to every request.

Passing the store and configuration through the WSGI environ keeps them out of Django settings and
module globals: views get them with :func:`runtime_of`, and nothing is set up at import time.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from wsgiref.types import StartResponse, WSGIEnvironment

from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from standins.salesforce.configuration import Configuration
from standins.salesforce.data.permissions import PermissionSet
from standins.salesforce.data.schema import Schema
from standins.salesforce.store import Store

if TYPE_CHECKING:
    from standins.salesforce.data.bulk import BulkWorker
    from standins.salesforce.demo.generator import DemoSettings

_ENVIRON_KEY = "standins.salesforce.runtime"


@dataclass(frozen=True)
class Runtime:
    """What every view of the running stand-in needs."""

    configuration: Configuration
    store: Store
    schema: Schema
    permission_sets: Mapping[str, PermissionSet]
    bulk: "BulkWorker"
    # What to fill the store with after a reset, if the stand-in was started with demo data.
    demo: "DemoSettings | None" = None


class StandinApplication(WSGIHandler):
    """Django's WSGI handler that puts the :class:`Runtime` into each request's environ."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> HttpResponseBase:
        environ[_ENVIRON_KEY] = self.runtime
        return super().__call__(environ, start_response)


def runtime_of(request: HttpRequest) -> Runtime:
    """The runtime of the stand-in serving ``request``."""
    runtime = request.META[_ENVIRON_KEY]
    if not isinstance(runtime, Runtime):
        raise TypeError("request was not served by StandinApplication")
    return runtime
