"""The fixed JSON shapes of the banking API, described for the OpenAPI schema.

The pure package renders the JSON (``banking.formats.statements_to_json``); these serializers only
document it, so the two cannot drift apart silently: tests/banking/test_api.py compares them.
"""

from rest_framework import serializers

Serializer = serializers.Serializer


class AccountSerializer(Serializer):
    iban = serializers.CharField(allow_null=True)
    other_id = serializers.CharField(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    bic = serializers.CharField(allow_null=True)


# "from" is a Python keyword, so this one is declared with type().
PeriodSerializer = type(
    "PeriodSerializer",
    (Serializer,),
    {
        "from": serializers.CharField(allow_null=True),
        "to": serializers.CharField(allow_null=True),
    },
)


class BalanceSerializer(Serializer):
    type = serializers.CharField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()
    date = serializers.CharField(allow_null=True)


class BankTransactionCodeSerializer(Serializer):
    domain = serializers.CharField(allow_null=True)
    family = serializers.CharField(allow_null=True)
    sub_family = serializers.CharField(allow_null=True)
    proprietary = serializers.CharField(allow_null=True)
    issuer = serializers.CharField(allow_null=True)


class ChargesSerializer(Serializer):
    amount = serializers.CharField()
    currency = serializers.CharField()
    included = serializers.BooleanField(allow_null=True)


class StatementItemSerializer(Serializer):
    amount = serializers.CharField(help_text="Signed decimal string; positive is money in.")
    currency = serializers.CharField()
    booking_date = serializers.CharField(allow_null=True)
    value_date = serializers.CharField(allow_null=True)
    status = serializers.CharField(help_text="BOOK, PDNG or INFO.")
    account_servicer_reference = serializers.CharField(allow_null=True)
    end_to_end_id = serializers.CharField(allow_null=True)
    transaction_id = serializers.CharField(allow_null=True)
    instruction_id = serializers.CharField(allow_null=True)
    mandate_id = serializers.CharField(allow_null=True)
    creditor_id = serializers.CharField(allow_null=True)
    uetr = serializers.CharField(allow_null=True)
    counterparty_name = serializers.CharField(allow_null=True)
    counterparty_iban = serializers.CharField(allow_null=True)
    counterparty_bic = serializers.CharField(allow_null=True)
    ultimate_counterparty_name = serializers.CharField(allow_null=True)
    remittance_information = serializers.CharField(allow_null=True)
    creditor_reference = serializers.CharField(allow_null=True)
    creditor_reference_type = serializers.CharField(allow_null=True)
    referred_document_numbers = serializers.ListField(child=serializers.CharField())
    bank_transaction_code = BankTransactionCodeSerializer()
    is_reversal = serializers.BooleanField()
    return_reason = serializers.CharField(allow_null=True)
    return_information = serializers.CharField(allow_null=True)
    charges = ChargesSerializer(allow_null=True)
    batch_reference = serializers.CharField(allow_null=True)
    batch_total = serializers.CharField(allow_null=True)
    original_amount = serializers.CharField(allow_null=True)
    original_currency = serializers.CharField(allow_null=True)
    exchange_rate = serializers.CharField(allow_null=True)


class StatementSerializer(Serializer):
    message_type = serializers.CharField()
    statement_id = serializers.CharField(allow_null=True)
    account = AccountSerializer()
    sequence_number = serializers.CharField(allow_null=True)
    legal_sequence_number = serializers.CharField(allow_null=True)
    created_at = serializers.CharField(allow_null=True)
    period = PeriodSerializer()
    balances = BalanceSerializer(many=True)
    items = StatementItemSerializer(many=True)


class EntryErrorSerializer(Serializer):
    statement_id = serializers.CharField(allow_null=True)
    entry = serializers.CharField(allow_null=True)
    line = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


# "errors" is a Serializer attribute, so this one is declared with type() too.
ParsedStatementsSerializer = type(
    "ParsedStatementsSerializer",
    (Serializer,),
    {
        "statements": StatementSerializer(many=True),
        "errors": EntryErrorSerializer(many=True),
    },
)


class ErrorSerializer(Serializer):
    detail = serializers.CharField()


class ProblemSerializer(Serializer):
    transaction = serializers.IntegerField(allow_null=True)
    end_to_end_id = serializers.CharField(allow_null=True)
    field = serializers.CharField()
    message = serializers.CharField()


class ProblemsSerializer(Serializer):
    detail = serializers.CharField()
    problems = ProblemSerializer(many=True)


class StatusReasonSerializer(Serializer):
    code = serializers.CharField(allow_null=True)
    proprietary = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    additional_information = serializers.CharField(allow_null=True)
    originator = serializers.CharField(allow_null=True)


class TransactionStatusSerializer(Serializer):
    original_end_to_end_id = serializers.CharField(allow_null=True)
    original_instruction_id = serializers.CharField(allow_null=True)
    original_uetr = serializers.CharField(allow_null=True)
    status_id = serializers.CharField(allow_null=True)
    status = serializers.CharField(
        allow_null=True, help_text="ACCP, ACSC, ACSP, ACTC, PDNG, RJCT..."
    )
    status_text = serializers.CharField(allow_null=True)
    reasons = StatusReasonSerializer(many=True)
    amount = serializers.CharField(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    requested_date = serializers.CharField(allow_null=True)
    account_servicer_reference = serializers.CharField(allow_null=True)


class PaymentInformationStatusSerializer(Serializer):
    original_payment_information_id = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    status_text = serializers.CharField(allow_null=True)
    reasons = StatusReasonSerializer(many=True)
    transactions = TransactionStatusSerializer(many=True)


StatusReportSerializer = type(
    "StatusReportSerializer",
    (Serializer,),
    {
        "version": serializers.CharField(),
        "message_id": serializers.CharField(allow_null=True),
        "created_at": serializers.CharField(allow_null=True),
        "original_message_id": serializers.CharField(allow_null=True),
        "original_message_type": serializers.CharField(allow_null=True),
        "original_created_at": serializers.CharField(allow_null=True),
        "group_status": serializers.CharField(allow_null=True),
        "group_status_text": serializers.CharField(allow_null=True),
        "group_reasons": StatusReasonSerializer(many=True),
        "payment_informations": PaymentInformationStatusSerializer(many=True),
        "errors": EntryErrorSerializer(many=True),
    },
)
