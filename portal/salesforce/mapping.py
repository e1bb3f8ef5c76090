"""Ledgerlink's concepts and the Salesforce objects and fields they live in.

The defaults point at the Ledgerlink package (``salesforce/force-app``); a tenant may map a concept
onto objects its org already has, as long as every field exists there with a fitting type.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from portal.salesforce.client import ObjectDescription


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    MONEY = "money"
    DATE = "date"
    BOOLEAN = "boolean"
    REFERENCE = "reference"
    CHOICE = "choice"


# Salesforce field types (describe's "type") that can carry each kind of value.
ACCEPTED_TYPES: dict[Kind, frozenset[str]] = {
    Kind.TEXT: frozenset({"string", "picklist", "id", "email", "phone", "url", "textarea"}),
    Kind.LONG_TEXT: frozenset({"textarea", "string"}),
    Kind.MONEY: frozenset({"currency", "double"}),
    Kind.DATE: frozenset({"date"}),
    Kind.BOOLEAN: frozenset({"boolean"}),
    Kind.REFERENCE: frozenset({"reference"}),
    Kind.CHOICE: frozenset({"picklist", "string"}),
}


@dataclass(frozen=True)
class ConceptField:
    name: str
    label: str
    kind: Kind
    default_field: str
    # Fields Ledgerlink writes must be updateable; fields it only reads need not be.
    is_written: bool = False


@dataclass(frozen=True)
class Concept:
    name: str
    label: str
    default_object: str
    external_id: str
    fields: tuple[ConceptField, ...]

    def field(self, name: str) -> ConceptField:
        return next(item for item in self.fields if item.name == name)


def _f(name: str, label: str, kind: Kind, default: str, *, written: bool = False) -> ConceptField:
    return ConceptField(name, label, kind, default, written)


T, L, M, D, B, R, C = (
    Kind.TEXT,
    Kind.LONG_TEXT,
    Kind.MONEY,
    Kind.DATE,
    Kind.BOOLEAN,
    Kind.REFERENCE,
    Kind.CHOICE,
)

CONCEPTS: dict[str, Concept] = {
    concept.name: concept
    for concept in (
        Concept(
            "entry",
            "Entry (receivable or payable)",
            "Ledgerlink_Entry__c",
            "External_Id__c",
            (
                _f("external_id", "External ID", T, "External_Id__c"),
                _f("account", "Account", R, "Account__c"),
                _f("direction", "Direction", C, "Direction__c"),
                _f("type", "Type", C, "Type__c"),
                _f("document_number", "Document number", T, "Document_Number__c"),
                _f("document_date", "Document date", D, "Document_Date__c"),
                _f("due_date", "Due date", D, "Due_Date__c"),
                _f("amount", "Amount", M, "Amount__c"),
                _f("open_amount", "Open amount", M, "Open_Amount__c", written=True),
                _f("currency", "Currency", T, "Currency__c"),
                _f("status", "Status", C, "Status__c", written=True),
                _f("payment_reference", "Payment reference", T, "Payment_Reference__c"),
                _f("direct_debit", "Direct debit", B, "Direct_Debit__c"),
                _f("payment_instrument", "Payment instrument", R, "Payment_Instrument__c"),
                _f(
                    "exclude_from_payment_run",
                    "Exclude from payment run",
                    B,
                    "Exclude_From_Payment_Run__c",
                ),
                _f("approval_status", "Approval status", C, "Approval_Status__c"),
            ),
        ),
        Concept(
            "payment",
            "Payment",
            "Ledgerlink_Payment__c",
            "End_To_End_Id__c",
            (
                _f("end_to_end_id", "End-to-end ID", T, "End_To_End_Id__c", written=True),
                _f("type", "Type", C, "Type__c", written=True),
                _f("account", "Account", R, "Account__c", written=True),
                _f("amount", "Amount", M, "Amount__c", written=True),
                _f("currency", "Currency", T, "Currency__c", written=True),
                _f("status", "Status", C, "Status__c", written=True),
                _f("payment_date", "Payment date", D, "Payment_Date__c", written=True),
                _f("value_date", "Value date", D, "Value_Date__c", written=True),
                _f(
                    "counterparty_name",
                    "Counterparty name",
                    T,
                    "Counterparty_Name__c",
                    written=True,
                ),
                _f(
                    "counterparty_iban",
                    "Counterparty IBAN",
                    T,
                    "Counterparty_IBAN__c",
                    written=True,
                ),
                _f("counterparty_bic", "Counterparty BIC", T, "Counterparty_BIC__c", written=True),
                _f("return_reason", "Return reason", T, "Return_Reason__c", written=True),
                _f(
                    "bank_statement_item",
                    "Bank statement item",
                    R,
                    "Bank_Statement_Item__c",
                    written=True,
                ),
            ),
        ),
        Concept(
            "entry_item",
            "Entry item (settlement)",
            "Ledgerlink_Entry_Item__c",
            "External_Id__c",
            (
                _f("external_id", "External ID", T, "External_Id__c", written=True),
                _f("entry", "Entry", R, "Entry__c", written=True),
                _f("payment", "Payment", R, "Payment__c", written=True),
                _f("amount", "Amount", M, "Amount__c", written=True),
            ),
        ),
        Concept(
            "bank_statement",
            "Bank statement",
            "Ledgerlink_Bank_Statement__c",
            "Statement_Id__c",
            (
                _f("statement_id", "Statement ID", T, "Statement_Id__c", written=True),
                _f("account_iban", "Account IBAN", T, "Account_IBAN__c", written=True),
                _f("message_type", "Message type", T, "Message_Type__c", written=True),
                _f("period_start", "Period start", D, "Period_Start__c", written=True),
                _f("period_end", "Period end", D, "Period_End__c", written=True),
                _f("opening_balance", "Opening balance", M, "Opening_Balance__c", written=True),
                _f("closing_balance", "Closing balance", M, "Closing_Balance__c", written=True),
                _f("currency", "Currency", T, "Currency__c", written=True),
            ),
        ),
        Concept(
            "bank_statement_item",
            "Bank statement item",
            "Ledgerlink_Bank_Statement_Item__c",
            "External_Id__c",
            (
                _f("external_id", "External ID", T, "External_Id__c", written=True),
                _f("bank_statement", "Bank statement", R, "Bank_Statement__c", written=True),
                _f("booking_date", "Booking date", D, "Booking_Date__c", written=True),
                _f("value_date", "Value date", D, "Value_Date__c", written=True),
                _f("amount", "Amount", M, "Amount__c", written=True),
                _f("currency", "Currency", T, "Currency__c", written=True),
                _f("credit_debit", "Credit/debit", C, "Credit_Debit__c", written=True),
                _f("status", "Status", C, "Status__c", written=True),
                _f(
                    "counterparty_name",
                    "Counterparty name",
                    T,
                    "Counterparty_Name__c",
                    written=True,
                ),
                _f(
                    "counterparty_iban",
                    "Counterparty IBAN",
                    T,
                    "Counterparty_IBAN__c",
                    written=True,
                ),
                _f("counterparty_bic", "Counterparty BIC", T, "Counterparty_BIC__c", written=True),
                _f(
                    "remittance_information",
                    "Remittance information",
                    L,
                    "Remittance_Information__c",
                    written=True,
                ),
                _f("end_to_end_id", "End-to-end ID", T, "End_To_End_Id__c", written=True),
                _f("mandate_id", "Mandate ID", T, "Mandate_Id__c", written=True),
                _f(
                    "creditor_reference",
                    "Creditor reference",
                    T,
                    "Creditor_Reference__c",
                    written=True,
                ),
                _f(
                    "bank_transaction_code",
                    "Bank transaction code",
                    T,
                    "Bank_Transaction_Code__c",
                    written=True,
                ),
                _f("is_reversal", "Reversal", B, "Is_Reversal__c", written=True),
                _f("return_reason", "Return reason", T, "Return_Reason__c", written=True),
                _f("charges", "Charges", M, "Charges__c", written=True),
                _f("batch_reference", "Batch reference", T, "Batch_Reference__c", written=True),
                _f("match_status", "Match status", C, "Match_Status__c", written=True),
                _f("rejected_entries", "Rejected entries", L, "Rejected_Entries__c", written=True),
                _f("payment", "Payment", R, "Payment__c", written=True),
            ),
        ),
        Concept(
            "payment_instrument",
            "Payment instrument (SEPA mandate)",
            "Ledgerlink_Payment_Instrument__c",
            "Mandate_Reference__c",
            (
                _f("mandate_reference", "Mandate reference", T, "Mandate_Reference__c"),
                _f("account", "Account", R, "Account__c"),
                _f("account_holder", "Account holder", T, "Account_Holder__c"),
                _f("iban", "IBAN", T, "IBAN__c"),
                _f("bic", "BIC", T, "BIC__c"),
                _f("signing_date", "Signing date", D, "Signing_Date__c"),
                _f("scheme", "Scheme", C, "Scheme__c"),
                _f("sequence_type", "Sequence type", C, "Sequence_Type__c"),
                _f("active", "Active", B, "Active__c"),
                _f("valid_until", "Valid until", D, "Valid_Until__c"),
            ),
        ),
    )
}


# Salesforce API names: letters, digits and single underscores, as SOQL takes them unquoted.
API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")


class InvalidApiName(ValueError):
    pass


@dataclass(frozen=True)
class ObjectMapping:
    """Where one concept lives in an org: the object and, per concept field, the API field.

    Names are checked on creation: they are written into SOQL, so nothing else may get in.
    """

    concept: str
    object_name: str
    fields: dict[str, str]

    def __post_init__(self) -> None:
        for name in (self.object_name, *self.fields.values()):
            if name and not API_NAME.match(name):
                raise InvalidApiName(f"{name!r} is not a Salesforce API name.")

    def api_field(self, name: str) -> str:
        return self.fields[name]


def default_mapping(concept: str) -> ObjectMapping:
    definition = CONCEPTS[concept]
    return ObjectMapping(
        concept=concept,
        object_name=definition.default_object,
        fields={item.name: item.default_field for item in definition.fields},
    )


def check_mapping(mapping: ObjectMapping, description: ObjectDescription) -> list[str]:
    """Every problem of a mapping against the org's describe, each a sentence for the admin."""
    concept = CONCEPTS[mapping.concept]
    problems = []
    if not description.is_queryable:
        problems.append(f"{mapping.object_name} cannot be read with your permissions.")
    for item in concept.fields:
        api_name = mapping.fields.get(item.name, "")
        if not api_name:
            problems.append(f"{item.label}: no field chosen.")
            continue
        found = description.fields.get(api_name)
        if found is None:
            problems.append(f"{item.label}: {mapping.object_name} has no field {api_name}.")
            continue
        if found.type not in ACCEPTED_TYPES[item.kind]:
            problems.append(
                f"{item.label}: {api_name} is of type {found.type}, "
                f"which cannot hold a {item.kind.value.replace('_', ' ')} value."
            )
        if item.is_written and not (found.is_createable and found.is_updateable):
            problems.append(
                f"{item.label}: {api_name} is read-only for you, but Ledgerlink writes it."
            )
    return problems
