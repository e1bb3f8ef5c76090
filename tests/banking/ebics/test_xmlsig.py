import base64

import pytest
from lxml import etree

from banking.ebics import messages, xmlsig
from tests.banking.ebics.conftest import read_fixture


@pytest.mark.parametrize("name", ["cd1_init_response.xml", "upload_init_response.xml"])
def test_digest_matches_the_digest_a_bank_computed(name):
    root = xmlsig.parse_document(read_fixture(name))
    stated = root.findtext(".//{http://www.w3.org/2000/09/xmldsig#}DigestValue")
    assert base64.b64encode(xmlsig.authenticated_digest(root)).decode() == stated


def test_canonical_sub_tree_has_no_empty_default_namespace():
    root = etree.fromstring(
        b'<r xmlns="urn:org:ebics:H005"><header authenticate="true">'
        b'<x xmlns=""><y/></x><static/></header></r>'
    )
    nested = etree.fromstring(
        b'<r xmlns="urn:org:ebics:H005" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        b'<header authenticate="true"><static><HostID>H</HostID></static></header></r>'
    )
    canonical = xmlsig.canonicalise(nested[0])
    assert b'xmlns=""' not in canonical
    assert canonical.startswith(b'<header xmlns="urn:org:ebics:H005" xmlns:ds=')
    # A genuine undeclaration in the source survives: only spurious ones are avoided.
    assert b'xmlns=""' in xmlsig.canonicalise(root[0])


def test_signed_request_verifies_with_the_subscriber_public_key(
    acme_subscriber, subscriber_keys, stamp
):
    request = messages.build_hpb_request(acme_subscriber, subscriber_keys.authentication, stamp)
    root = xmlsig.parse_document(request)
    xmlsig.verify_auth_signature(root, subscriber_keys.authentication.public)
    for element in root.xpath("//*[@authenticate='true']"):
        assert b'xmlns=""' not in xmlsig.canonicalise(element)


def test_tampered_request_fails_verification(acme_subscriber, subscriber_keys, stamp):
    request = messages.build_hpb_request(acme_subscriber, subscriber_keys.authentication, stamp)
    tampered = xmlsig.parse_document(request.replace(b"ALICE", b"MALLORY"))
    with pytest.raises(xmlsig.AuthenticationFailed):
        xmlsig.verify_auth_signature(tampered, subscriber_keys.authentication.public)


def test_signature_by_another_key_fails_verification(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    request = messages.build_hpb_request(acme_subscriber, subscriber_keys.authentication, stamp)
    with pytest.raises(xmlsig.AuthenticationFailed):
        xmlsig.verify_auth_signature(xmlsig.parse_document(request), bank_keys.authentication)


def test_document_without_auth_signature_is_malformed(subscriber_keys):
    root = xmlsig.parse_document(read_fixture("ebics_technical_nok.xml"))
    with pytest.raises(xmlsig.MalformedDocument):
        xmlsig.verify_auth_signature(root, subscriber_keys.authentication.public)


def test_bank_signed_response_verifies_with_the_bank_key(bank_private_keys, bank_keys):
    # Play the bank: re-sign a real response with the bank's X002 key.
    root = xmlsig.parse_document(read_fixture("sta_response.xml"))
    xmlsig.add_auth_signature(root, bank_private_keys.authentication)
    xmlsig.verify_auth_signature(root, bank_keys.authentication)


def test_response_with_empty_signature_values_fails_verification(bank_keys):
    root = xmlsig.parse_document(read_fixture("cd1_transfer_response.xml"))
    with pytest.raises(xmlsig.AuthenticationFailed):
        xmlsig.verify_auth_signature(root, bank_keys.authentication)
