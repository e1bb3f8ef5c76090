"""What every REST data API view shares: versions, the session, API usage, the failure switch and
Salesforce's error answers.

A view decorated with :func:`data_api` receives an :class:`ApiCall` (who calls, with which access,
on which connection) and raises :class:`ApiError` for failures; the decorator turns those into the
JSON list Salesforce answers with and stamps every answer with ``Sforce-Limit-Info``.
"""

import functools
import json
import logging
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from standins.salesforce import authentication, tokens
from standins.salesforce.app import Runtime, runtime_of
from standins.salesforce.canvas import API_VERSION
from standins.salesforce.data import failures, permissions, usage
from standins.salesforce.data.errors import (
    NOT_FOUND_MESSAGE,
    ApiError,
    InvalidSessionError,
    JsonParserError,
    MethodNotAllowedError,
    NotFoundError,
    RequestLimitExceededError,
)
from standins.salesforce.data.permissions import Access
from standins.salesforce.data.querying import Caller
from standins.salesforce.data.records import Actor
from standins.salesforce.data.schema import Schema, SObjectType
from standins.salesforce.tokens import AccessGrant

logger = logging.getLogger("standins.salesforce")

# Salesforce retired versions up to 30.0; the newest is the release the stand-in plays.
OLDEST_VERSION = 31
LATEST_VERSION = int(float(API_VERSION))
JSON_CONTENT_TYPE = "application/json;charset=UTF-8"


def supported_versions() -> list[str]:
    return [f"{number}.0" for number in range(OLDEST_VERSION, LATEST_VERSION + 1)]


def json_answer(body: object, status: int = 200) -> HttpResponse:
    """A compact JSON answer, as Salesforce sends without ``X-PrettyPrint``."""
    return HttpResponse(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status=status,
        content_type=JSON_CONTENT_TYPE,
    )


def error_answer(error: ApiError) -> HttpResponse:
    return json_answer(error.body(), status=error.status)


@dataclass(frozen=True)
class ApiCall:
    """One authenticated call of the data API."""

    request: HttpRequest
    runtime: Runtime
    db: sqlite3.Connection
    grant: AccessGrant
    access: Access
    version: str
    now: datetime

    @property
    def schema(self) -> Schema:
        return self.runtime.schema

    @property
    def org_id(self) -> str:
        return self.grant.org.id

    @property
    def user_id(self) -> str:
        return self.grant.user.id

    def actor(self) -> Actor:
        return Actor(org_id=self.org_id, user_id=self.user_id, access=self.access, now=self.now)

    def caller(self) -> Caller:
        return Caller(
            org_id=self.org_id,
            user_id=self.user_id,
            access=self.access,
            now=self.now,
            time_zone=self.grant.user.time_zone,
            locale=self.grant.user.locale,
        )

    def sobject(self, name: str) -> SObjectType:
        """An object the caller may see; ``NOT_FOUND`` otherwise, as Salesforce answers."""
        sobject = self.schema.get(name)
        if sobject is None or not self.access.on(sobject).read:
            raise NotFoundError(NOT_FOUND_MESSAGE)
        return sobject

    def json_body(self) -> Any:
        """The request body as JSON, numbers as ``Decimal`` so that amounts stay exact."""
        try:
            return json.loads(self.request.body or b"null", parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as error:
            raise JsonParserError(f"Unexpected character in JSON body: {error}") from None

    def url(self, path: str) -> str:
        return f"/services/data/v{self.version}/{path}"


ApiView = Callable[..., HttpResponse]


def _version_supported(version: str) -> bool:
    try:
        number = float(version)
    except ValueError:
        return False
    return number.is_integer() and OLDEST_VERSION <= number <= LATEST_VERSION


def _authenticate(request: HttpRequest, db: sqlite3.Connection, now: datetime) -> AccessGrant:
    access_token = authentication.bearer_token(request)
    grant = None if access_token is None else tokens.find_access_grant(db, access_token, now)
    if grant is None:
        raise InvalidSessionError("Session expired or invalid")
    return grant


def data_api(*methods: str) -> Callable[[ApiView], ApiView]:
    """Make a view a data API endpoint answering ``methods``, with everything that implies."""

    def decorate(view: ApiView) -> ApiView:
        @csrf_exempt
        @functools.wraps(view)
        def handle(request: HttpRequest, version: str, **kwargs: str) -> HttpResponse:
            runtime = runtime_of(request)
            now = timezone.now()
            counted: usage.Usage | None = None
            with runtime.store.connect() as db:
                try:
                    if not _version_supported(version):
                        raise NotFoundError(NOT_FOUND_MESSAGE)
                    api_path = request.path.split(f"/v{version}/", 1)[-1]
                    failure = failures.take(db, request.path, api_path)
                    if failure is not None:
                        raise failure
                    grant = _authenticate(request, db, now)
                    counted = usage.count_request(
                        db, grant.org.id, now, runtime.configuration.daily_api_limit
                    )
                    if counted.refused:
                        raise RequestLimitExceededError("TotalRequests Limit exceeded.")
                    if request.method not in methods:
                        raise MethodNotAllowedError(
                            f"HTTP Method '{request.method}' not allowed. Allowed are "
                            f"{','.join(methods)}"
                        )
                    access = permissions.access_for(db, runtime.permission_sets, grant.user.id)
                    call = ApiCall(request, runtime, db, grant, access, version, now)
                    response = view(call, **kwargs)
                except ApiError as error:
                    response = error_answer(error)
                except Exception:
                    # Salesforce's answer to its own bugs; the traceback goes to the log.
                    error_id = secrets.randbelow(10**9)
                    logger.exception("unexpected error %s in %s", error_id, request.path)
                    response = json_answer(
                        [
                            {
                                "message": "An unexpected error occurred. Please include this "
                                f"ErrorId if you contact support: {error_id}-0 ({error_id})",
                                "errorCode": "UNKNOWN_EXCEPTION",
                            }
                        ],
                        status=500,
                    )
            if counted is not None:
                response["Sforce-Limit-Info"] = counted.header
            # With a length, Django's server keeps the connection open for the client's next call.
            response["Content-Length"] = str(len(response.content))
            return response

        return handle

    return decorate
