"""Payment orders to send to the bank: SEPA credit transfers and direct debits.

Plain frozen dataclasses; :mod:`banking.formats.payment_validation` checks them and
:mod:`banking.formats.pain_writer` turns them into pain.001 / pain.008 XML. Identifiers
(message, payment information, end-to-end) and the creation time are passed in, never made
up here, so building the same order twice gives the same file.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from banking.formats.money import Money

CreditTransferVersion = Literal["pain.001.001.09", "pain.001.001.03"]
DirectDebitVersion = Literal["pain.008.001.08", "pain.008.001.02"]
SequenceType = Literal["FRST", "RCUR", "OOFF", "FNAL"]
LocalInstrument = Literal["CORE", "B2B"]

SEQUENCE_TYPES: tuple[SequenceType, ...] = ("FRST", "RCUR", "OOFF", "FNAL")
LOCAL_INSTRUMENTS: tuple[LocalInstrument, ...] = ("CORE", "B2B")


@dataclass(frozen=True, slots=True, kw_only=True)
class PostalAddress:
    """A structured postal address; ``country`` is an ISO 3166 alpha-2 code."""

    country: str | None = None
    street_name: str | None = None
    building_number: str | None = None
    post_code: str | None = None
    town_name: str | None = None
    address_lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountHolder:
    """A party with an account: name, IBAN and (optional in SEPA) BIC."""

    name: str
    iban: str
    bic: str | None = None
    address: PostalAddress | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditTransfer:
    """One payment of a credit transfer order.

    Remittance is either ``remittance_information`` (free text) or ``creditor_reference``
    (an ISO 11649 RF reference), not both.
    """

    end_to_end_id: str
    amount: Money
    creditor: AccountHolder
    remittance_information: str | None = None
    creditor_reference: str | None = None
    purpose_code: str | None = None
    ultimate_debtor: str | None = None
    ultimate_creditor: str | None = None
    instruction_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditTransferOrder:
    """A pain.001 message: payments from one account on one requested execution date."""

    message_id: str
    payment_information_id: str
    created_at: datetime
    initiating_party: str
    debtor: AccountHolder
    requested_execution_date: date
    transactions: tuple[CreditTransfer, ...]
    batch_booking: bool = True
    category_purpose: str | None = None
    version: CreditTransferVersion = "pain.001.001.09"


@dataclass(frozen=True, slots=True, kw_only=True)
class MandateAmendment:
    """What changed since the mandate was last used (all parts optional).

    ``debtor_agent_changed`` says the debtor moved to another bank (``SMNDA``).
    """

    original_mandate_id: str | None = None
    original_creditor_id: str | None = None
    original_creditor_name: str | None = None
    original_debtor_iban: str | None = None
    debtor_agent_changed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Mandate:
    """A SEPA direct debit mandate."""

    mandate_id: str
    signed_on: date
    amendment: MandateAmendment | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectDebit:
    """One collection of a direct debit order."""

    end_to_end_id: str
    amount: Money
    debtor: AccountHolder
    mandate: Mandate
    sequence_type: SequenceType
    remittance_information: str | None = None
    creditor_reference: str | None = None
    purpose_code: str | None = None
    ultimate_debtor: str | None = None
    ultimate_creditor: str | None = None
    instruction_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectDebitOrder:
    """A pain.008 message: collections for one creditor on one collection date.

    Collections of different sequence types go into separate payment information blocks,
    identified as ``<payment_information_id>-<sequence type>`` when there is more than one.
    """

    message_id: str
    payment_information_id: str
    created_at: datetime
    initiating_party: str
    creditor: AccountHolder
    creditor_id: str
    requested_collection_date: date
    transactions: tuple[DirectDebit, ...]
    local_instrument: LocalInstrument = "CORE"
    batch_booking: bool = True
    category_purpose: str | None = None
    version: DirectDebitVersion = "pain.008.001.08"


def derive_message_id(prefix: str, key: str) -> str:
    """Return a message ID (at most 35 characters) derived only from ``prefix`` and ``key``.

    ``key`` names what the message is for (e.g. the Salesforce ID of the payment run); the
    same key always gives the same ID and different keys practically never collide (80 bits
    of SHA-256). ``prefix`` should be short upper-case letters or digits.
    """
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:10], "big")
    encoded = ""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    while digest:
        digest, remainder = divmod(digest, 36)
        encoded = alphabet[remainder] + encoded
    return f"{prefix}-{encoded.rjust(16, '0')}"[:35]
