"""Order data of the administrative downloads the bank answers: HPB, HTD, HKD and HAA.

H004 carries RSA values and space-separated order-type lists; H005 carries X.509
certificates, admin order types one by one, and business transactions as Service elements.
"""

import base64
from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from banking.ebics.xmlsig import DS
from standins.bank import order_types
from standins.bank.bank_keys import BankIdentity, BankKey
from standins.bank.ledger_port import AccountLike
from standins.bank.subscribers import State, Subscriber

# The specification's user status numbers in HTD/HKD UserInfo/UserID/@Status.
USER_STATUS = {
    State.READY: "1",
    State.NEW: "2",
    State.INI_RECEIVED: "3",
    State.HIA_RECEIVED: "4",
    State.INITIALISED: "5",
    State.SUSPENDED: "9",
}


# H005 ServiceNames that carry Scope DE in the German (DK) mapping of the H004 order types.
GERMAN_SCOPED_SERVICES = frozenset({"EOP", "STM", "REP"})


def _namespace(version: str) -> str:
    return f"urn:org:ebics:{version}"


def _sub(
    parent: etree._Element, ns: str, name: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attrib=attributes or None)
    if text is not None:
        element.text = text
    return element


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _key_info(parent: etree._Element, ns: str, version: str, key: BankKey, now: datetime) -> None:
    if version == "H005":
        data = _sub(parent, DS, "X509Data")
        _sub(data, DS, "X509Certificate", _b64(key.certificate))
        return
    value = _sub(parent, ns, "PubKeyValue")
    rsa_value = _sub(value, DS, "RSAKeyValue")
    _sub(rsa_value, DS, "Modulus", _b64(key.public.modulus_bytes))
    _sub(rsa_value, DS, "Exponent", _b64(key.public.exponent_bytes))
    _sub(value, ns, "TimeStamp", now.strftime("%Y-%m-%dT%H:%M:%SZ"))


def hpb(version: str, identity: BankIdentity, host_id: str, now: datetime) -> bytes:
    """HPBResponseOrderData: the bank's X002 and E002 keys and its host ID."""
    ns = _namespace(version)
    root = etree.Element(f"{{{ns}}}HPBResponseOrderData", nsmap={None: ns, "ds": DS})
    authentication = _sub(root, ns, "AuthenticationPubKeyInfo")
    _key_info(authentication, ns, version, identity.authentication, now)
    _sub(authentication, ns, "AuthenticationVersion", "X002")
    encryption = _sub(root, ns, "EncryptionPubKeyInfo")
    _key_info(encryption, ns, version, identity.encryption, now)
    _sub(encryption, ns, "EncryptionVersion", "E002")
    _sub(root, ns, "HostID", host_id)
    return _serialise(root)


def _add_service(
    parent: etree._Element, ns: str, name: str, message: str, option: str | None
) -> None:
    service = _sub(parent, ns, "Service")
    _sub(service, ns, "ServiceName", name)
    # Scope is optional (absent means the global definition). The German mapping scopes the
    # statements (EOP, STM, REP) but not SEPA payments (SCT, SDD) or status reports (PSR), so
    # the services listed match the ones Ledgerlink's client orders.
    if name in GERMAN_SCOPED_SERVICES:
        _sub(service, ns, "Scope", "DE")
    if option:
        _sub(service, ns, "ServiceOption", option)
    download = order_types.H005_DOWNLOADS.get((name, message))
    # Zipped downloads announce their container, as German banks do for camt.053/camt.054.
    if download is not None and download.packaging is order_types.Packaging.ZIP:
        _sub(service, ns, "Container", containerType="ZIP")
    _sub(service, ns, "MsgName", message)


def _add_order_info(partner: etree._Element, ns: str, version: str) -> None:
    downloads = [
        (order_type, service, description)
        for order_type, service, description in order_types.download_services(version)
    ]
    for order_type, service, description in downloads:
        info = _sub(partner, ns, "OrderInfo")
        if version == "H005":
            _sub(info, ns, "AdminOrderType", order_type)
            name, message = service.split(" ", 1)
            _add_service(info, ns, name, message, None)
        else:
            _sub(info, ns, "OrderType", order_type)
            _sub(info, ns, "TransferType", "Download")
        _sub(info, ns, "Description", description)
    for order_type, (name, message, option), description in order_types.upload_services(version):
        info = _sub(partner, ns, "OrderInfo")
        if version == "H005":
            _sub(info, ns, "AdminOrderType", order_type)
            _add_service(info, ns, name, message, option)
        else:
            _sub(info, ns, "OrderType", order_type)
            _sub(info, ns, "TransferType", "Upload")
        _sub(info, ns, "Description", description)
        _sub(info, ns, "NumSigRequired", "1")
    for order_type in sorted(order_types.ADMIN_DOWNLOADS[version]):
        info = _sub(partner, ns, "OrderInfo")
        _sub(info, ns, "AdminOrderType" if version == "H005" else "OrderType", order_type)
        if version != "H005":
            _sub(info, ns, "TransferType", "Download")
        _sub(info, ns, "Description", order_types.ADMIN_DESCRIPTIONS[order_type])


def _add_partner_info(
    root: etree._Element,
    ns: str,
    version: str,
    *,
    partner_name: str,
    host_id: str,
    accounts: Sequence[AccountLike],
) -> None:
    partner = _sub(root, ns, "PartnerInfo")
    _sub(_sub(partner, ns, "AddressInfo"), ns, "Name", partner_name)
    _sub(_sub(partner, ns, "BankInfo"), ns, "HostID", host_id)
    for number, account in enumerate(accounts, start=1):
        info = _sub(
            partner,
            ns,
            "AccountInfo",
            ID=str(number),
            Currency=account.currency,
            Description=account.description,
        )
        _sub(info, ns, "AccountNumber", account.iban, international="true")
        _sub(info, ns, "BankCode", account.bic, international="true")
        _sub(info, ns, "AccountHolder", account.holder_name)
    _add_order_info(partner, ns, version)


def _add_user_info(root: etree._Element, ns: str, version: str, subscriber: Subscriber) -> None:
    user = _sub(root, ns, "UserInfo")
    _sub(user, ns, "UserID", subscriber.id.user_id, Status=USER_STATUS[subscriber.state])
    _sub(user, ns, "Name", subscriber.name)
    if version == "H005":
        for order_type, service, _ in order_types.download_services(version):
            permission = _sub(user, ns, "Permission")
            _sub(permission, ns, "AdminOrderType", order_type)
            name, message = service.split(" ", 1)
            _add_service(permission, ns, name, message, None)
        for order_type, (name, message, option), _ in order_types.upload_services(version):
            permission = _sub(user, ns, "Permission", AuthorisationLevel="E")
            _sub(permission, ns, "AdminOrderType", order_type)
            _add_service(permission, ns, name, message, option)
        for order_type in sorted(order_types.ADMIN_DOWNLOADS[version]):
            _sub(_sub(user, ns, "Permission"), ns, "AdminOrderType", order_type)
        return
    downloads = [order_type for order_type, _, _ in order_types.download_services(version)]
    admin = sorted(order_types.ADMIN_DOWNLOADS[version] | {"HPB"})
    _sub(_sub(user, ns, "Permission"), ns, "OrderTypes", " ".join(downloads + admin))
    uploads = [order_type for order_type, _, _ in order_types.upload_services(version)]
    permission = _sub(user, ns, "Permission", AuthorisationLevel="E")
    _sub(permission, ns, "OrderTypes", " ".join(["INI", "HIA", *uploads]))


def htd(
    version: str,
    subscriber: Subscriber,
    *,
    partner_name: str,
    accounts: Sequence[AccountLike],
) -> bytes:
    """HTDResponseOrderData: the partner's accounts and orders, and the user's permissions."""
    ns = _namespace(version)
    root = etree.Element(f"{{{ns}}}HTDResponseOrderData", nsmap={None: ns})
    _add_partner_info(
        root,
        ns,
        version,
        partner_name=partner_name,
        host_id=subscriber.id.host_id,
        accounts=accounts,
    )
    _add_user_info(root, ns, version, subscriber)
    return _serialise(root)


def hkd(
    version: str,
    users: Sequence[Subscriber],
    *,
    partner_name: str,
    host_id: str,
    accounts: Sequence[AccountLike],
) -> bytes:
    """HKDResponseOrderData: like HTD, with every subscriber of the partner."""
    ns = _namespace(version)
    root = etree.Element(f"{{{ns}}}HKDResponseOrderData", nsmap={None: ns})
    _add_partner_info(
        root, ns, version, partner_name=partner_name, host_id=host_id, accounts=accounts
    )
    for user in users:
        _add_user_info(root, ns, version, user)
    return _serialise(root)


def haa(version: str) -> bytes:
    """HAAResponseOrderData: what the subscriber can download (H004 types, H005 services)."""
    ns = _namespace(version)
    root = etree.Element(f"{{{ns}}}HAAResponseOrderData", nsmap={None: ns})
    if version == "H005":
        for _, service, _ in order_types.download_services(version):
            name, message = service.split(" ", 1)
            _add_service(root, ns, name, message, None)
    else:
        downloads = [order_type for order_type, _, _ in order_types.download_services(version)]
        _sub(
            root,
            ns,
            "OrderTypes",
            " ".join(downloads + sorted(order_types.ADMIN_DOWNLOADS[version])),
        )
    return _serialise(root)
