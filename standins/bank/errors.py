"""The base exception of the bank stand-in and the fault that becomes an EBICS return code."""

from enum import StrEnum


class BankError(Exception):
    """Base of every error raised by ``standins.bank``."""


class CodeKind(StrEnum):
    """Where a return code goes: the response header (technical) or body (business)."""

    TECHNICAL = "technical"
    BUSINESS = "business"


class EbicsFault(BankError):
    """A request the bank answers with a non-OK EBICS return code.

    ``detail`` is for the bank's own log only; the answer carries the specification's text.
    """

    def __init__(self, code: str, kind: CodeKind, detail: str = "") -> None:
        super().__init__(f"{code} ({kind}): {detail}" if detail else f"{code} ({kind})")
        self.code = code
        self.kind = kind
        self.detail = detail


def technical(code: str, detail: str = "") -> EbicsFault:
    """A fault answered in the response header."""
    return EbicsFault(code, CodeKind.TECHNICAL, detail)


def business(code: str, detail: str = "") -> EbicsFault:
    """A fault answered in the response body."""
    return EbicsFault(code, CodeKind.BUSINESS, detail)
