"""The bank's administrative order data follows ebics_orders_H005.xsd / _H004.xsd.

Schemas as stored in andrew-svirin/ebics-client-php (tests/E2e/xsd/25 and 30).
"""

from lxml import etree

from banking.ebics.messages import DownloadOrder
from tests.standins.bank.subscriber_client import EbicsSubscriber


def _names(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def _services(root: etree._Element) -> dict[tuple[str | None, ...], etree._Element]:
    return {
        tuple(s.findtext(f"{{*}}{name}") for name in ("ServiceName", "MsgName", "ServiceOption")): s
        for s in root.iter("{*}Service")
    }


def test_h005_services_carry_scope_de_only_for_statements(alice: EbicsSubscriber) -> None:
    _, data = alice.download(DownloadOrder("HTD"))
    services = _services(etree.fromstring(data))
    scoped = {key for key, service in services.items() if service.find("{*}Scope") is not None}
    assert scoped == {
        ("EOP", "camt.053", None),
        ("STM", "camt.052", None),
        ("REP", "camt.054", None),
        ("EOP", "mt940", None),
    }
    # SEPA payments and status reports have no Scope, as the client orders them.
    assert _names(services[("SCT", "pain.001", None)]) == ["ServiceName", "MsgName"]
    assert _names(services[("SDD", "pain.008", "COR")]) == [
        "ServiceName",
        "ServiceOption",
        "MsgName",
    ]
    assert _names(services[("PSR", "pain.002", None)]) == ["ServiceName", "Container", "MsgName"]
    assert _names(services[("EOP", "camt.053", None)]) == [
        "ServiceName",
        "Scope",
        "Container",
        "MsgName",
    ]


def test_h005_htd_follows_the_schema_order(alice: EbicsSubscriber) -> None:
    _, data = alice.download(DownloadOrder("HTD"))
    root = etree.fromstring(data)
    assert _names(root) == ["PartnerInfo", "UserInfo"]
    partner = root.find("{*}PartnerInfo")
    names = _names(partner)
    assert names[:3] == ["AddressInfo", "BankInfo", "AccountInfo"]
    assert set(names[3:]) == {"OrderInfo"}
    assert _names(partner.find("{*}AccountInfo")) == ["AccountNumber", "BankCode", "AccountHolder"]
    upload_info = next(
        info for info in partner.iter("{*}OrderInfo") if info.findtext("{*}AdminOrderType") == "BTU"
    )
    assert _names(upload_info) == ["AdminOrderType", "Service", "Description", "NumSigRequired"]
    user = root.find("{*}UserInfo")
    assert _names(user)[:2] == ["UserID", "Name"]
    for permission in user.iter("{*}Permission"):
        # UserPermissionType: exactly one AdminOrderType, then an optional Service.
        assert _names(permission) in (["AdminOrderType"], ["AdminOrderType", "Service"])


def test_h004_htd_order_info_names_the_transfer_type_before_the_description(
    erin_h004: EbicsSubscriber,
) -> None:
    _, data = erin_h004.download(DownloadOrder("HTD"))
    partner = etree.fromstring(data).find("{*}PartnerInfo")
    for info in partner.iter("{*}OrderInfo"):
        assert _names(info)[:3] == ["OrderType", "TransferType", "Description"]
    # H004's AccountType requires a BankCode (H005 made it optional).
    assert partner.find("{*}AccountInfo/{*}BankCode") is not None
