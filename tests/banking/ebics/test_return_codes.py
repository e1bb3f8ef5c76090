import pytest

from banking.ebics import responses
from banking.ebics.return_codes import BUSINESS_CODES, TECHNICAL_CODES, Kind, Outcome, describe
from tests.banking.ebics.conftest import read_fixture


def _codes(table: str) -> list[str]:
    return table.split()


REQUIRED_TECHNICAL = _codes(
    "000000 011000 011001 011101 031001 061001 061002 061099 061101 091002 091003 091004 "
    "091005 091006 091007 091008 091009 091010 091011 091101 091102 091103 091104 091112 "
    "091113 091117 091118 091119 091120 091121"
)
REQUIRED_BUSINESS = _codes(
    "000000 011301 090003 090004 090005 090006 091001 091002 091105 091111 091114 091115 "
    "091116 091201 091202 091203 091204 091205 091206 091207 091208 091209 091210 091211 "
    "091212 091213 091214 091215 091216 091217 091218 091219 091301 091302 091303 091304 "
    "091305 091306"
)


def test_every_technical_and_business_code_of_the_reference_is_described():
    assert set(REQUIRED_TECHNICAL) == set(TECHNICAL_CODES)
    assert set(REQUIRED_BUSINESS) == set(BUSINESS_CODES)


@pytest.mark.parametrize("code", list(TECHNICAL_CODES.values()) + list(BUSINESS_CODES.values()))
def test_every_failure_has_a_message_and_advice(code):
    assert code.message.endswith(".")
    assert code.symbol.startswith("EBICS_")
    if code.outcome is not Outcome.OK:
        assert code.advice


def test_the_same_number_means_different_things_in_header_and_body():
    assert describe("091002", Kind.TECHNICAL).outcome is Outcome.NEEDS_ADMIN
    assert describe("091002", Kind.BUSINESS).symbol == "EBICS_DOWNLOAD_UNSIGNED_ONLY"


@pytest.mark.parametrize(
    ("code", "kind", "outcome"),
    [
        ("000000", Kind.TECHNICAL, Outcome.OK),
        ("011000", Kind.TECHNICAL, Outcome.OK),
        ("061099", Kind.TECHNICAL, Outcome.RETRYABLE),
        ("091103", Kind.TECHNICAL, Outcome.RETRYABLE),
        ("091004", Kind.TECHNICAL, Outcome.NEEDS_ADMIN),
        ("091010", Kind.TECHNICAL, Outcome.PERMANENT),
        ("090005", Kind.BUSINESS, Outcome.OK),
        ("091301", Kind.BUSINESS, Outcome.NEEDS_ADMIN),
    ],
)
def test_codes_are_classified_for_the_caller(code, kind, outcome):
    assert describe(code, kind).outcome is outcome


def test_unknown_codes_are_classified_by_their_prefix_without_raising():
    assert describe("031999", Kind.TECHNICAL).is_ok
    assert describe("061999", Kind.TECHNICAL).outcome is Outcome.RETRYABLE
    assert describe("099999", Kind.BUSINESS).outcome is Outcome.NEEDS_ADMIN


def test_fixture_authentication_failure_tells_the_admin_to_check_keys():
    response = responses.parse_response(read_fixture("ebics_technical_nok.xml"))
    described = describe(response.technical_code, Kind.TECHNICAL)
    assert described.symbol == "EBICS_AUTHENTICATION_FAILED"
    assert "X002" in described.advice
