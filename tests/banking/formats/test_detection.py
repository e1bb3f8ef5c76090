"""The format of a bank file is recognised from its content."""

import pytest

from banking.formats.detection import DetectedFormat, UnsupportedFormat, detect_format
from tests.banking.formats.camt_samples import camt_document
from tests.banking.formats.conftest import CAMT_FIXTURES, MT940_FIXTURES


@pytest.mark.parametrize(
    ("message", "version"), [("camt.053", 2), ("camt.053", 13), ("camt.052", 8), ("camt.054", 4)]
)
def test_camt_messages_are_recognised_by_namespace(message: str, version: int) -> None:
    detected = detect_format(camt_document([], message=message, version=version))
    assert detected == DetectedFormat(
        message_type=message,
        version=f"{message}.001.{version:02d}",
        namespace=f"urn:iso:std:iso:20022:tech:xsd:{message}.001.{version:02d}",
    )


def test_real_files_are_recognised() -> None:
    assert detect_format((CAMT_FIXTURES / "test-camt054").read_bytes()).message_type == "camt.054"
    assert (
        detect_format((MT940_FIXTURES / "mBank" / "mt942.sta").read_bytes()).message_type == "MT942"
    )
    assert (
        detect_format((MT940_FIXTURES / "ASNB" / "mt940.txt").read_bytes()).message_type == "MT940"
    )
    assert (
        detect_format((MT940_FIXTURES / "jejik" / "ing.sta").read_bytes()).message_type == "MT940"
    )


def test_payment_status_reports_and_orders_are_recognised_too() -> None:
    document = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"/>'
    assert detect_format(document).message_type == "pain.002"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "unknown file format"),
        (b"%PDF-1.7 not a statement", "unknown file format"),
        (b"<html><body/></html>", "no ISO 20022 namespace"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.99"/>',
            "not a supported version",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.998.001.03"/>',
            "not a message type",
        ),
        (
            b'<Other xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>',
            "not an ISO 20022 message",
        ),
    ],
)
def test_anything_else_is_an_unsupported_format_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(UnsupportedFormat, match=message):
        detect_format(data)
