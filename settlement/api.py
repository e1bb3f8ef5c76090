"""The matching REST endpoint: statement items and open items in, scored suggestions out."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_errors import ERROR_SCHEMA, problems_schema
from portal.roles import Role
from settlement.matching import match_json

_EXAMPLE = {
    "statement_items": [
        {
            "id": "S1",
            "amount": "1190.00",
            "currency": "EUR",
            "booking_date": "2026-11-20",
            "counterparty_name": "MUELLER GMBH",
            "remittance_information": "RE 2026-0042",
        }
    ],
    "open_items": [
        {
            "id": "E1",
            "open_amount": "1190.00",
            "currency": "EUR",
            "document_number": "2026-0042",
            "account_name": "Müller GmbH",
        }
    ],
}


class MatchingSuggestionsApi(APIView):
    """Match statement items against open items; nothing is stored or written anywhere.

    The answer lists suggestions (allocations, score, band, evidence, alternatives) and what
    stayed unmatched on both sides. Malformed input is a 400 listing every problem.
    """

    required_role = Role.VIEWER

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={
            200: {"type": "object"},
            400: {
                "anyOf": [
                    problems_schema({"path": {"type": "string"}, "message": {"type": "string"}}),
                    ERROR_SCHEMA,
                ]
            },
        },
        operation_id="matching_suggestions",
        examples=[OpenApiExample("One invoice paid", value=_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data
        return Response(match_json(data))
