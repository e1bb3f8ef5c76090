import pytest

from portal.ids import InvalidSalesforceId, normalize_salesforce_id, org_id_from_access_token


def test_a_15_character_id_gains_its_case_safe_suffix():
    assert normalize_salesforce_id("00D5g000004ACME") == "00D5g000004ACMEEA4"


def test_an_18_character_id_is_kept_when_its_suffix_matches():
    assert normalize_salesforce_id("0055g00000BFinAAAT") == "0055g00000BFinAAAT"


@pytest.mark.parametrize(
    "value",
    ["", "00D5g000004ACMEAAA", "00D5g000004ACM", "00D5g000004ACME!", 42, "00D5g000004AC-ME"],
)
def test_anything_else_is_refused(value):
    with pytest.raises(InvalidSalesforceId):
        normalize_salesforce_id(value)


def test_the_org_is_read_from_an_access_token_prefix():
    assert org_id_from_access_token("00D5g000004ACME!AQ.abc") == "00D5g000004ACMEEA4"


@pytest.mark.parametrize("token", ["llk_abc", "005000000000000!x", "no-bang", "!"])
def test_tokens_without_an_org_prefix_name_no_org(token):
    assert org_id_from_access_token(token) is None
