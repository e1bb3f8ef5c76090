"""The API's one exception handler: expected failures become clear 4xx answers."""

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from banking.formats import FormatError, PaymentOrderInvalid
from portal.errors import PortalError
from settlement.matching import InvalidMatchingInput


def handle_exception(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, PaymentOrderInvalid):
        return Response(
            {
                "detail": "The payment order is invalid; nothing was built.",
                "problems": [
                    {
                        "transaction": problem.transaction_index,
                        "end_to_end_id": problem.end_to_end_id,
                        "field": problem.field,
                        "message": problem.message,
                    }
                    for problem in error.problems
                ],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(error, InvalidMatchingInput):
        return Response(
            {
                "detail": str(error),
                "problems": [
                    {"path": problem.path, "message": problem.message} for problem in error.problems
                ],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(error, PortalError | FormatError):
        return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(error, context)


# The shapes of the 400 answers above, for the OpenAPI schema (drf-spectacular raw schemas), so
# that a client (and the schema fuzzing in tests/security) knows every refusal it can get.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}},
}
# DRF's own answer to a request of the wrong shape: messages by field, nested like the input.
FIELD_ERRORS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Messages by field, nested like the request (DRF's validation errors).",
    "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
}


def problems_schema(problem_properties: dict[str, Any]) -> dict[str, Any]:
    """The ``{"detail", "problems": [...]}`` answer, each problem with the given properties."""
    return {
        "type": "object",
        "required": ["detail", "problems"],
        "properties": {
            "detail": {"type": "string"},
            "problems": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": sorted(problem_properties),
                    "properties": problem_properties,
                },
            },
        },
    }
