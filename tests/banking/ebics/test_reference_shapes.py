"""Our H004 messages have the element structure railslove/epics produced in its fixtures."""

from lxml import etree

from banking.ebics import messages, responses
from banking.ebics.messages import EbicsVersion
from tests.banking.ebics.conftest import SENT_AT, read_fixture


def _shape(xml: bytes) -> list[tuple[int, str, tuple[str, ...]]]:
    """Element names, depths and attribute names in document order; texts are ignored."""
    root = etree.fromstring(xml)
    depths = {root: 0}
    shape = []
    for element in root.iter(etree.Element):
        parent = element.getparent()
        depth = 0 if parent is None else depths[parent] + 1
        depths[element] = depth
        shape.append((depth, element.tag, tuple(sorted(element.attrib))))
    return shape


def test_h004_hia_order_data_matches_epics(acme_subscriber, subscriber_keys):
    ours = messages.build_hia_request_order_data(
        acme_subscriber,
        subscriber_keys.authentication.public,
        subscriber_keys.encryption.public,
        version=EbicsVersion.H004,
        now=SENT_AT,
    )
    # epics omits PubKeyValue/TimeStamp, which the H004 schema allows; compare without it.
    without_timestamp = [s for s in _shape(ours) if not s[1].endswith("}TimeStamp")]
    assert without_timestamp == _shape(read_fixture("hia_request_order_data.xml"))


def test_h004_ini_order_data_matches_epics(acme_subscriber, subscriber_keys):
    ours = messages.build_signature_pub_key_order_data(
        acme_subscriber, subscriber_keys.signature.public, version=EbicsVersion.H004, now=SENT_AT
    )
    assert _shape(ours) == _shape(read_fixture("signature_pub_key_order_data.xml"))


def test_h004_hpb_request_matches_epics(acme_subscriber, subscriber_keys, stamp):
    ours = messages.build_hpb_request(
        acme_subscriber, subscriber_keys.authentication, stamp, version=EbicsVersion.H004
    )
    assert _shape(ours) == _shape(read_fixture("hpb_request.xml"))


def test_h004_haa_download_initialisation_matches_epics(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    ours = messages.build_download_initialisation(
        acme_subscriber,
        subscriber_keys.authentication,
        bank_keys,
        stamp,
        messages.DownloadOrder("HAA"),
        version=EbicsVersion.H004,
    )
    assert _shape(ours) == _shape(read_fixture("haa.xml"))


def test_h004_receipt_matches_epics(subscriber_keys):
    ours = messages.build_receipt(
        "SIZBN001",
        "ABC",
        messages.ReceiptCode.RECEIVED,
        subscriber_keys.authentication,
        version=EbicsVersion.H004,
    )
    assert _shape(ours) == _shape(read_fixture("haa_receipt.xml"))


def test_epics_ini_and_hia_order_data_parse_to_keys():
    ini = responses.parse_signature_pub_key_order_data(
        read_fixture("signature_pub_key_order_data.xml")
    )
    hia = responses.parse_hia_request_order_data(read_fixture("hia_request_order_data.xml"))
    assert (ini.partner_id, ini.user_id) == ("EBICS", "EBIX")
    assert [key.version for key in ini.keys + hia.keys] == ["A006", "X002", "E002"]
    assert all(key.key.key_size == 2048 for key in hia.keys)


def test_our_h004_hia_order_data_parses_back_to_the_same_keys(acme_subscriber, subscriber_keys):
    ours = messages.build_hia_request_order_data(
        acme_subscriber,
        subscriber_keys.authentication.public,
        subscriber_keys.encryption.public,
        version=EbicsVersion.H004,
        now=SENT_AT,
    )
    parsed = responses.parse_hia_request_order_data(ours)
    assert parsed.keys == (subscriber_keys.authentication.public, subscriber_keys.encryption.public)
