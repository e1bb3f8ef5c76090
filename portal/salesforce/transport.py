"""The HTTP session every Salesforce call goes through: a timeout on every request.

simple-salesforce builds ``https://`` URLs from the instance. The local stand-in serves plain
HTTP, so for its origin alone (and only when it is configured) the scheme is switched back.
"""

from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter


class _TimeoutSession(requests.Session):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.default_timeout)
        if kwargs["timeout"] is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


class _PlainHttpAdapter(HTTPAdapter):
    """Sends requests for ``https://<stand-in>`` to ``http://<stand-in>``."""

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if request.url and request.url.startswith("https://"):
            request.url = "http://" + request.url.removeprefix("https://")
        return super().send(request, *args, **kwargs)


def build_http_session(*, timeout: float, local_salesforce_url: str = "") -> requests.Session:
    session = _TimeoutSession(timeout)
    if local_salesforce_url:
        netloc = urlsplit(local_salesforce_url).netloc
        session.mount(f"https://{netloc}/", _PlainHttpAdapter())
    return session


def instance_host(instance_url: str) -> str:
    """simple-salesforce wants the host (and port) of the instance, not its URL."""
    return urlsplit(instance_url).netloc
