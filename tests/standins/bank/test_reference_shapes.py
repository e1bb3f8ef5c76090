"""The bank's answers have the element structure of real banks' answers (railslove/epics fixtures).

Texts, namespace prefixes and xsi:schemaLocation are ignored; element names, nesting, order and
attribute names must be the same.
"""

from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from banking.ebics import messages
from banking.ebics.messages import DownloadOrder, UploadOrder
from standins.bank.ledger import Document
from tests.standins.bank.subscriber_client import EbicsSubscriber

EPICS_FIXTURES = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "ebics" / "epics"
)
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def shape(xml: bytes) -> list[tuple[int, str, tuple[str, ...]]]:
    root = etree.fromstring(xml)
    depths = {root: 0}
    found = []
    for element in root.iter(etree.Element):
        parent = element.getparent()
        depth = 0 if parent is None else depths[parent] + 1
        depths[element] = depth
        attributes = tuple(sorted(name for name in element.attrib if not name.startswith(XSI)))
        found.append((depth, element.tag, attributes))
    return found


def fixture(name: str) -> list[tuple[int, str, tuple[str, ...]]]:
    return shape((EPICS_FIXTURES / name).read_bytes())


def test_an_h004_download_initialisation_answer_is_shaped_like_a_real_sta_response(
    erin_h004: EbicsSubscriber, fake_ledger
) -> None:
    fake_ledger.documents["mt940"] = [Document("a.sta", b":20:X\r\n-")]
    assert erin_h004.bank_keys is not None
    xml = messages.build_download_initialisation(
        erin_h004.subscriber,
        erin_h004.keys.authentication,
        erin_h004.bank_keys,
        messages.new_request_stamp(datetime.now(UTC)),
        DownloadOrder("STA"),
        version=erin_h004.version,
    )
    assert shape(erin_h004.post(xml)) == fixture("sta_response.xml")


def test_h004_upload_answers_are_shaped_like_real_cdb_answers(erin_h004: EbicsSubscriber) -> None:
    prepared = erin_h004.prepare_upload(UploadOrder("CCT"), b"<Document/>")
    initialisation = erin_h004.post(prepared.init_request)
    assert shape(initialisation) == fixture("cdb_init_response.xml")
    transaction_id = etree.fromstring(initialisation).findtext(".//{*}TransactionID")
    transfer = erin_h004.post(
        messages.build_upload_transfer(
            "LLBANK",
            transaction_id,
            prepared.encrypted,
            1,
            erin_h004.keys.authentication,
            version=erin_h004.version,
        )
    )
    assert shape(transfer) == fixture("cdb_transfer_response.xml")


def test_an_h004_ini_answer_is_shaped_like_a_real_one(bank, erin_keys) -> None:
    from tests.standins.bank.conftest import ERIN

    client = EbicsSubscriber(bank.ebics_url, ERIN, erin_keys, messages.EbicsVersion.H004)
    answer = client.post(
        messages.build_ini_request(
            ERIN, erin_keys.signature.public, version=client.version, now=datetime.now(UTC)
        )
    )
    assert shape(answer) == fixture("ini_response_h004_ns.xml")


def test_an_h004_hpb_answer_and_its_order_data_are_shaped_like_real_ones(
    erin_h004: EbicsSubscriber,
) -> None:
    from banking.ebics import responses

    answer = erin_h004.post(
        messages.build_hpb_request(
            erin_h004.subscriber,
            erin_h004.keys.authentication,
            messages.new_request_stamp(datetime.now(UTC)),
            version=erin_h004.version,
        )
    )
    assert shape(answer) == fixture("hpb_response_ebics_ns.xml")
    order_data = responses.decrypt_response_order_data(
        [responses.parse_response(answer)], erin_h004.keys.encryption
    )
    assert shape(order_data) == fixture("hpb_response_order.xml")


def test_h004_htd_order_data_uses_only_elements_a_real_bank_uses(erin_h004) -> None:
    _, ours = erin_h004.download(DownloadOrder("HTD"))
    theirs = {(depth, tag) for depth, tag, _ in fixture("htd_order_data.xml")}
    # AccountHolder is optional in the schema and absent from this bank's fixture.
    extra = {(d, t) for d, t, _ in shape(ours) if (d, t) not in theirs}
    assert extra == {(3, "{urn:org:ebics:H004}AccountHolder")}
