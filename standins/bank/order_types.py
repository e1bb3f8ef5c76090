"""Which orders the bank knows and offers, and what each one means for the ledger.

An order type the specification does not define is answered with EBICS_INVALID_ORDER_TYPE
(091005); one it defines but this bank does not offer with EBICS_UNSUPPORTED_ORDER_TYPE (091006).
H005 business transactions are identified by their Service (ServiceName with MsgName and, for
direct debits, ServiceOption), following the German (DK) mapping of the H004 order types.
"""

from dataclasses import dataclass
from enum import StrEnum

from standins.bank.errors import technical

INVALID_ORDER_TYPE = "091005"
UNSUPPORTED_ORDER_TYPE = "091006"


class Packaging(StrEnum):
    """How several documents travel in one download."""

    ZIP = "zip"
    TEXT = "text"


@dataclass(frozen=True)
class DownloadKind:
    """A business download: what to ask the ledger for and how to pack it."""

    ledger_kind: str
    packaging: Packaging
    description: str


CAMT_053 = DownloadKind("camt.053", Packaging.ZIP, "End-of-day statements (camt.053)")
CAMT_052 = DownloadKind("camt.052", Packaging.ZIP, "Intraday reports (camt.052)")
CAMT_054 = DownloadKind("camt.054", Packaging.ZIP, "Debit/credit notifications (camt.054)")
MT940 = DownloadKind("mt940", Packaging.TEXT, "End-of-day statements (MT940)")
PAIN_002 = DownloadKind("pain.002", Packaging.ZIP, "Payment status reports (pain.002)")

H004_DOWNLOADS = {
    "C53": CAMT_053,
    "C52": CAMT_052,
    "C54": CAMT_054,
    "STA": MT940,
    "Z53": CAMT_053,
    "Z54": CAMT_054,
    "CRZ": PAIN_002,
    "CDZ": PAIN_002,
}

# (ServiceName, MsgName) of H005 BTD services.
H005_DOWNLOADS = {
    ("EOP", "camt.053"): CAMT_053,
    ("STM", "camt.052"): CAMT_052,
    ("REP", "camt.054"): CAMT_054,
    ("EOP", "mt940"): MT940,
    ("PSR", "pain.002"): PAIN_002,
}


@dataclass(frozen=True)
class UploadKind:
    """A business upload and the ledger kind it books."""

    ledger_kind: str
    description: str


H004_UPLOADS = {
    "CCT": UploadKind("pain.001", "SEPA credit transfer (pain.001)"),
    "CDD": UploadKind("pain.008", "SEPA core direct debit (pain.008)"),
    "CDB": UploadKind("pain.008", "SEPA B2B direct debit (pain.008)"),
}

# HCS (new keys for all three versions) is an upload in both versions; the bank handles it
# itself instead of the ledger.
KEY_CHANGE = UploadKind("HCS", "Change of the subscriber's keys")

# (ServiceName, MsgName, ServiceOption) of H005 BTU services.
H005_UPLOADS = {
    ("SCT", "pain.001", None): UploadKind("pain.001", "SEPA credit transfer (pain.001)"),
    ("SDD", "pain.008", "COR"): UploadKind("pain.008", "SEPA core direct debit (pain.008)"),
    ("SDD", "pain.008", "B2B"): UploadKind("pain.008", "SEPA B2B direct debit (pain.008)"),
}

ADMIN_DOWNLOADS = {
    "H004": {"HTD", "HKD", "HAA", "PTK", "HAC"},
    "H005": {"HTD", "HKD", "HAA", "HAC"},
}

ADMIN_DESCRIPTIONS = {
    "HTD": "Customer and subscriber data",
    "HKD": "Customer data of all subscribers",
    "HAA": "Available download order types",
    "PTK": "Customer protocol (text)",
    "HAC": "Customer protocol (XML)",
    "HPB": "Bank public keys",
    "INI": "Send signature key",
    "HIA": "Send authentication and encryption keys",
}

# Order types the specification defines that this bank answers with "unsupported".
_H004_DEFINED = {
    "INI",
    "HIA",
    "HPB",
    "HPD",
    "HKD",
    "HTD",
    "HAA",
    "HAC",
    "PTK",
    "HCA",
    "HCS",
    "HSA",
    "PUB",
    "SPR",
    "HVD",
    "HVE",
    "HVS",
    "HVT",
    "HVU",
    "HVZ",
    "FUL",
    "FDL",
    "H3K",
    "HEV",
    "CCT",
    "CDD",
    "CDB",
    "CIP",
    "CCC",
    "CDC",
    "CD1",
    "C1C",
    "CCU",
    "CDS",
    "CDZ",
    "CRZ",
    "C52",
    "C53",
    "C54",
    "STA",
    "VMK",
    "Z52",
    "Z53",
    "Z54",
    "Z01",
    "DKI",
    "AZV",
}
_H005_DEFINED = {
    "BTD",
    "BTU",
    "HAA",
    "HAC",
    "HCA",
    "HCS",
    "HEV",
    "HIA",
    "HKD",
    "HPB",
    "HPD",
    "HTD",
    "HVD",
    "HVE",
    "HVS",
    "HVT",
    "HVU",
    "HVZ",
    "INI",
    "SPR",
    "H3K",
}


def check_defined(version: str, order_type: str) -> None:
    """Refuse an order type the specification does not define for ``version`` (091005)."""
    defined = _H005_DEFINED if version == "H005" else _H004_DEFINED
    if order_type not in defined:
        raise technical(INVALID_ORDER_TYPE, f"{order_type} is not an order type of {version}")


def unsupported(order_type: str) -> Exception:
    """The fault for an order type this bank does not offer (091006)."""
    return technical(UNSUPPORTED_ORDER_TYPE, f"{order_type} is not offered by this bank")


def download_services(version: str) -> list[tuple[str, str, str]]:
    """(order type, H005 service or "", description) of every business download offered."""
    if version == "H005":
        return [
            ("BTD", f"{name} {message}", kind.description)
            for (name, message), kind in H005_DOWNLOADS.items()
        ]
    return [(order_type, "", kind.description) for order_type, kind in H004_DOWNLOADS.items()]


def upload_services(version: str) -> list[tuple[str, tuple[str, str, str | None], str]]:
    """(order type, (ServiceName, MsgName, ServiceOption), description) of every upload."""
    if version == "H005":
        return [("BTU", key, kind.description) for key, kind in H005_UPLOADS.items()]
    return [
        (order_type, ("", "", None), kind.description) for order_type, kind in H004_UPLOADS.items()
    ]
