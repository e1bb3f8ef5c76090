"""Failures of the data API, each with the status and error code Salesforce answers with.

:class:`ApiError` fails a whole request: Salesforce answers it with an HTTP status and a list of
``{"message", "errorCode"}``. :class:`RecordError` fails one record of a save: it becomes an entry
``{"statusCode", "message", "fields"}`` of that record's result, or, for a single-record call, a 400
answer with ``fields``.
"""

from collections.abc import Sequence

NOT_FOUND_MESSAGE = "The requested resource does not exist"


class ApiError(Exception):
    """Base of every request-level failure."""

    status = 400
    error_code = "BAD_REQUEST"

    def __init__(self, message: str, *, fields: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = list(fields) if fields is not None else None

    def body(self) -> list[dict[str, object]]:
        entry: dict[str, object] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            entry["fields"] = self.fields
        return [entry]


class InvalidSessionError(ApiError):
    status, error_code = 401, "INVALID_SESSION_ID"


class RequestLimitExceededError(ApiError):
    status, error_code = 403, "REQUEST_LIMIT_EXCEEDED"


class ServerUnavailableError(ApiError):
    status, error_code = 503, "SERVER_UNAVAILABLE"


class NotFoundError(ApiError):
    status, error_code = 404, "NOT_FOUND"


class MethodNotAllowedError(ApiError):
    status, error_code = 405, "METHOD_NOT_ALLOWED"


class MalformedQueryError(ApiError):
    error_code = "MALFORMED_QUERY"


class InvalidFieldError(ApiError):
    error_code = "INVALID_FIELD"


class InvalidTypeError(ApiError):
    error_code = "INVALID_TYPE"


class InvalidQueryFilterError(ApiError):
    error_code = "INVALID_QUERY_FILTER_OPERATOR"


class InvalidQueryLocatorError(ApiError):
    error_code = "INVALID_QUERY_LOCATOR"


class NumberOutsideValidRangeError(ApiError):
    error_code = "NUMBER_OUTSIDE_VALID_RANGE"


class JsonParserError(ApiError):
    error_code = "JSON_PARSER_ERROR"


class MissingArgumentError(ApiError):
    error_code = "MISSING_ARGUMENT"


class ExceededIdLimitError(ApiError):
    error_code = "EXCEEDED_ID_LIMIT"


class InvalidJobError(ApiError):
    error_code = "INVALIDJOB"


class InvalidJobStateError(ApiError):
    error_code = "INVALIDJOBSTATE"


class RecordError(Exception):
    """One record could not be saved or deleted."""

    def __init__(self, status_code: str, message: str, fields: Sequence[str] = ()) -> None:
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.fields = list(fields)
        # The record's ID when it is known (an update or delete): results name it even on failure.
        self.record_id: str | None = None

    def about(self, record_id: str) -> "RecordError":
        """The same error, naming the record it is about."""
        self.record_id = record_id
        return self

    def result_error(self) -> dict[str, object]:
        """The entry of a save result's ``errors`` list."""
        return {"statusCode": self.status_code, "message": self.message, "fields": self.fields}

    def as_api_error(self) -> ApiError:
        """The same failure as a whole single-record call answers it."""
        error = ApiError(self.message, fields=self.fields)
        error.error_code = self.status_code
        return error
