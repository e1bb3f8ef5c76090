"""Payment orders from the API's JSON: validated shapes in, the pure package's dataclasses out.

The serializers check types and required fields (every problem at once); the pure package then
checks what only SEPA knows (IBANs, dates, character set), also every problem at once.
"""

import hashlib
import json
from datetime import date, datetime
from typing import Any

from rest_framework import serializers

from banking.formats import build_credit_transfer, build_direct_debit
from banking.formats.money import Money
from banking.formats.payment_order import (
    AccountHolder,
    CreditTransfer,
    CreditTransferOrder,
    DirectDebit,
    DirectDebitOrder,
    Mandate,
    MandateAmendment,
    PostalAddress,
    derive_message_id,
)

Serializer = serializers.Serializer
Data = dict[str, Any]


class AddressInput(Serializer):
    country = serializers.CharField(max_length=2, required=False, allow_null=True)
    street_name = serializers.CharField(max_length=70, required=False, allow_null=True)
    building_number = serializers.CharField(max_length=16, required=False, allow_null=True)
    post_code = serializers.CharField(max_length=16, required=False, allow_null=True)
    town_name = serializers.CharField(max_length=35, required=False, allow_null=True)
    address_lines = serializers.ListField(
        child=serializers.CharField(max_length=70), required=False, max_length=2
    )


class PartyInput(Serializer):
    name = serializers.CharField(max_length=140)
    iban = serializers.CharField(max_length=34)
    bic = serializers.CharField(max_length=11, required=False, allow_null=True, allow_blank=True)
    address = AddressInput(required=False, allow_null=True)


class AmendmentInput(Serializer):
    original_mandate_id = serializers.CharField(required=False, allow_null=True)
    original_creditor_id = serializers.CharField(required=False, allow_null=True)
    original_creditor_name = serializers.CharField(required=False, allow_null=True)
    original_debtor_iban = serializers.CharField(required=False, allow_null=True)
    debtor_agent_changed = serializers.BooleanField(required=False, default=False)


class MandateInput(Serializer):
    mandate_id = serializers.CharField(max_length=35)
    signed_on = serializers.DateField()
    amendment = AmendmentInput(required=False, allow_null=True)


class TransactionInput(Serializer):
    end_to_end_id = serializers.CharField(max_length=35)
    amount = serializers.DecimalField(max_digits=13, decimal_places=2)
    currency = serializers.CharField(max_length=3, default="EUR")
    creditor = PartyInput(required=False, help_text="Credit transfers: who is paid.")
    debtor = PartyInput(required=False, help_text="Direct debits: who is collected from.")
    mandate = MandateInput(required=False)
    sequence_type = serializers.ChoiceField(["FRST", "RCUR", "OOFF", "FNAL"], required=False)
    remittance_information = serializers.CharField(required=False, allow_null=True)
    creditor_reference = serializers.CharField(required=False, allow_null=True)
    purpose_code = serializers.CharField(required=False, allow_null=True)
    ultimate_debtor = serializers.CharField(required=False, allow_null=True)
    ultimate_creditor = serializers.CharField(required=False, allow_null=True)
    instruction_id = serializers.CharField(required=False, allow_null=True)


class PaymentOrderInput(Serializer):
    type = serializers.ChoiceField(["credit_transfer", "direct_debit"])
    version = serializers.ChoiceField(
        ["pain.001.001.09", "pain.001.001.03", "pain.008.001.08", "pain.008.001.02"],
        required=False,
    )
    message_id = serializers.CharField(max_length=35, required=False)
    payment_information_id = serializers.CharField(max_length=35, required=False)
    initiating_party = serializers.CharField(max_length=70)
    debtor = PartyInput(required=False, help_text="Credit transfers: the paying account.")
    creditor = PartyInput(required=False, help_text="Direct debits: the collecting account.")
    creditor_id = serializers.CharField(max_length=35, required=False)
    requested_date = serializers.DateField(
        help_text="Execution date (credit transfers) or collection date (direct debits)."
    )
    local_instrument = serializers.ChoiceField(["CORE", "B2B"], default="CORE")
    batch_booking = serializers.BooleanField(default=True)
    category_purpose = serializers.CharField(max_length=4, required=False, allow_null=True)
    # ListSerializer takes max_length; the stubs do not know it yet.
    transactions = TransactionInput(many=True, allow_empty=False, max_length=100_000)  # type: ignore[call-arg]

    def validate(self, attrs: Data) -> Data:
        """Which parties are required depends on the type; list every one that is missing."""
        problems: dict[str, Any] = {}
        is_transfer = attrs["type"] == "credit_transfer"
        order_party = "debtor" if is_transfer else "creditor"
        if order_party not in attrs:
            problems[order_party] = ["This field is required for this type of order."]
        if not is_transfer and "creditor_id" not in attrs:
            problems["creditor_id"] = ["This field is required for direct debits."]
        needed = ("creditor",) if is_transfer else ("debtor", "mandate", "sequence_type")
        transaction_problems = {
            str(index): {
                name: ["This field is required for this type of order."] for name in missing
            }
            for index, transaction in enumerate(attrs["transactions"])
            if (missing := [name for name in needed if name not in transaction])
        }
        if transaction_problems:
            problems["transactions"] = transaction_problems
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


def _address(data: Data | None) -> PostalAddress | None:
    if not data:
        return None
    return PostalAddress(
        country=data.get("country"),
        street_name=data.get("street_name"),
        building_number=data.get("building_number"),
        post_code=data.get("post_code"),
        town_name=data.get("town_name"),
        address_lines=tuple(data.get("address_lines", ())),
    )


def _party(data: Data) -> AccountHolder:
    return AccountHolder(
        name=data["name"],
        iban=data["iban"],
        bic=data.get("bic") or None,
        address=_address(data.get("address")),
    )


def _common(transaction: Data) -> Data:
    return {
        "end_to_end_id": transaction["end_to_end_id"],
        "amount": Money(transaction["amount"], transaction["currency"]),
        "remittance_information": transaction.get("remittance_information"),
        "creditor_reference": transaction.get("creditor_reference"),
        "purpose_code": transaction.get("purpose_code"),
        "ultimate_debtor": transaction.get("ultimate_debtor"),
        "ultimate_creditor": transaction.get("ultimate_creditor"),
        "instruction_id": transaction.get("instruction_id"),
    }


def _mandate(data: Data) -> Mandate:
    amendment = data.get("amendment")
    return Mandate(
        mandate_id=data["mandate_id"],
        signed_on=data["signed_on"],
        amendment=MandateAmendment(**amendment) if amendment else None,
    )


def build_payment_order(
    data: Data, *, raw_json: bytes, created_at: datetime, today: date
) -> tuple[str, bytes]:
    """Build the XML of a validated order; returns (message ID, XML).

    Without a message ID, one is derived from the request's content, so sending the same order
    twice yields the same message ID and the bank's duplicate check catches a double upload.
    Raises PaymentOrderInvalid listing every SEPA problem.
    """
    content_key = hashlib.sha256(raw_json).hexdigest()
    message_id = data.get("message_id") or derive_message_id("LL", content_key)
    payment_information_id = data.get("payment_information_id") or message_id
    common = {
        "message_id": message_id,
        "payment_information_id": payment_information_id,
        "created_at": created_at,
        "initiating_party": data["initiating_party"],
        "batch_booking": data["batch_booking"],
        "category_purpose": data.get("category_purpose"),
    }
    if data["type"] == "credit_transfer":
        transfer = CreditTransferOrder(
            **common,
            debtor=_party(data["debtor"]),
            requested_execution_date=data["requested_date"],
            transactions=tuple(
                CreditTransfer(**_common(item), creditor=_party(item["creditor"]))
                for item in data["transactions"]
            ),
            version=data.get("version", "pain.001.001.09"),
        )
        return message_id, build_credit_transfer(transfer, today=today)
    debit = DirectDebitOrder(
        **common,
        creditor=_party(data["creditor"]),
        creditor_id=data["creditor_id"],
        requested_collection_date=data["requested_date"],
        local_instrument=data["local_instrument"],
        transactions=tuple(
            DirectDebit(
                **_common(item),
                debtor=_party(item["debtor"]),
                mandate=_mandate(item["mandate"]),
                sequence_type=item["sequence_type"],
            )
            for item in data["transactions"]
        ),
        version=data.get("version", "pain.008.001.08"),
    )
    return message_id, build_direct_debit(debit, today=today)


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
