"""The banking REST endpoints: stateless reading of bank files (one APIView each)."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiRequest, extend_schema
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from banking import payment_orders, schema
from banking.formats import (
    parse_statement_file,
    parse_status_report,
    statements_to_json,
    status_report_to_json,
)
from portal.api_errors import ERROR_SCHEMA, FIELD_ERRORS_SCHEMA, problems_schema
from portal.roles import Role


class RawBodyParser(BaseParser):
    """Leaves the body unread: the view streams it into the parser, so memory stays flat."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return stream


def _uploaded_file(request: Request) -> Any:
    """The statement as a binary stream: a multipart ``file`` field, or the raw request body."""
    upload = request.FILES.get("file") if request.content_type.startswith("multipart/") else None
    if upload is not None:
        return upload
    return request._request  # Django's request reads its body as a stream.


_FILE_REQUEST = OpenApiRequest(
    request={
        "multipart/form-data": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
        },
        "application/octet-stream": {"type": "string", "format": "binary"},
        "application/xml": {"type": "string", "format": "binary"},
        "text/plain": {"type": "string", "format": "binary"},
    }
)


class StatementParseApi(APIView):
    """Read a statement file (camt.052/053/054, MT940/MT942; format detected) into JSON.

    Good entries are returned even when others are bad; the bad ones are listed in ``errors``.
    """

    parser_classes = [MultiPartParser, RawBodyParser]
    required_role = Role.VIEWER

    @extend_schema(
        request=_FILE_REQUEST,
        responses={200: schema.ParsedStatementsSerializer, 400: schema.ErrorSerializer},
        operation_id="statements_parse",
        examples=[OpenApiExample("An MT940 file", value=":20:STARTUMS\n...", request_only=True)],
    )
    def post(self, request: Request) -> Response:
        result = parse_statement_file(
            _uploaded_file(request), max_bytes=settings.BANK_FILE_MAX_BYTES
        )
        return Response(statements_to_json(result))


class StatusReportParseApi(APIView):
    """Read a pain.002 payment status report into JSON."""

    parser_classes = [MultiPartParser, RawBodyParser]
    required_role = Role.VIEWER

    @extend_schema(
        request=_FILE_REQUEST,
        responses={200: schema.StatusReportSerializer, 400: schema.ErrorSerializer},
        operation_id="status_reports_parse",
    )
    def post(self, request: Request) -> Response:
        report = parse_status_report(
            _uploaded_file(request), max_bytes=settings.BANK_FILE_MAX_BYTES
        )
        return Response(status_report_to_json(report))


class PaymentOrderApi(APIView):
    """Build a SEPA payment order: pain.001 (credit transfer) or pain.008 (direct debit).

    Answers the XML, validated against its XSD, or 400 listing every problem at once.
    Nothing is stored and nothing is sent to a bank.
    """

    required_role = Role.CLERK

    @extend_schema(
        request=payment_orders.PaymentOrderInput,
        responses={
            (200, "application/xml"): {"type": "string", "format": "binary"},
            400: {
                "anyOf": [
                    problems_schema(
                        {
                            "transaction": {"type": "integer", "nullable": True},
                            "end_to_end_id": {"type": "string", "nullable": True},
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                        }
                    ),
                    FIELD_ERRORS_SCHEMA,
                    ERROR_SCHEMA,
                ]
            },
        },
        operation_id="payment_orders_build",
    )
    def post(self, request: Request) -> HttpResponse:
        payload = payment_orders.PaymentOrderInput(data=request.data)
        payload.is_valid(raise_exception=True)
        now = timezone.now()
        message_id, xml = payment_orders.build_payment_order(
            payload.validated_data,
            raw_json=payment_orders.canonical_json(request.data),
            created_at=now,
            today=timezone.localdate(now),
        )
        response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{message_id}.xml"'
        return response
