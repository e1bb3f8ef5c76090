"""Which EBICS order fetches a statement kind or sends a payment file, per protocol version.

EBICS 3.0 (H005) names business files by BTF service (BTD/BTU with ServiceName, Scope,
ServiceOption, Container, MsgName); EBICS 2.5 (H004) by three-letter order type. The mapping
follows the German DK annex as the reference clients carry it (railslove/epics
``btf_mapping.rb``: C53 = EOP/DE/ZIP/camt.053, C52 = STM, C54 = REP, STA = EOP/mt940,
CCT = SCT/pain.001, CDD = SDD/COR/pain.008, CDB = SDD/B2B/pain.008, PSR = pain.002).
"""

from banking.ebics.errors import EbicsError
from banking.ebics.messages import (
    DateRange,
    DownloadOrder,
    EbicsVersion,
    UploadOrder,
    camt_statement_service,
    credit_transfer_service,
    direct_debit_service,
    mt940_service,
    payment_status_service,
)

#: Download kinds Ledgerlink asks for, in the names the portal uses.
STATEMENT_KINDS = ("camt.053", "camt.052", "camt.054", "mt940", "pain.002")
#: ISO 20022 message versions requested on H005 (German banks since November 2023/2025).
CAMT_VERSION = "08"
CREDIT_TRANSFER_VERSION = "09"
DIRECT_DEBIT_VERSION = "08"

_H004_STATEMENTS = {"camt.053": "C53", "camt.052": "C52", "camt.054": "C54", "mt940": "STA"}
# pain.002 on H004 comes per payment type: CRZ for credit transfers, CDZ for direct debits.
_H004_STATUS_REPORTS = {"pain.001": "CRZ", "pain.008": "CDZ"}
_SCHEMES = {"CORE": ("COR", "CDD"), "B2B": ("B2B", "CDB")}


class UnsupportedOrder(EbicsError):
    """The requested statement or payment kind has no EBICS order in this version."""


def statement_download_order(
    kind: str,
    date_range: DateRange | None,
    version: EbicsVersion,
    *,
    status_reports_for: str = "pain.001",
) -> DownloadOrder:
    """The download order for ``kind`` (camt.053/.052/.054, mt940, pain.002).

    camt files arrive in a ZIP container (H005 ``Container``; H004 C5x are zipped too): the
    caller unpacks them. ``status_reports_for`` picks the H004 pain.002 order (``pain.001``
    → CRZ, ``pain.008`` → CDZ); H005 has a single PSR service for both.
    Raises ``UnsupportedOrder`` for any other kind.
    """
    if kind not in STATEMENT_KINDS:
        raise UnsupportedOrder(f"no EBICS download for {kind!r}; use one of {STATEMENT_KINDS}")
    if version is EbicsVersion.H005:
        if kind == "mt940":
            service = mt940_service()
        elif kind == "pain.002":
            service = payment_status_service()
        else:
            service = camt_statement_service(kind, CAMT_VERSION)
        return DownloadOrder("BTD", service=service, date_range=date_range)
    if kind == "pain.002":
        if status_reports_for not in _H004_STATUS_REPORTS:
            raise UnsupportedOrder(f"no pain.002 order for {status_reports_for!r} payments")
        return DownloadOrder(_H004_STATUS_REPORTS[status_reports_for], date_range=date_range)
    return DownloadOrder(_H004_STATEMENTS[kind], date_range=date_range)


def payment_upload_order(kind: str, scheme: str | None, version: EbicsVersion) -> UploadOrder:
    """The upload order for a SEPA file: ``pain.001`` (no scheme) or ``pain.008`` (CORE/B2B).

    Raises ``UnsupportedOrder`` for other kinds, a missing direct-debit scheme or a scheme
    given for a credit transfer.
    """
    if kind == "pain.001":
        if scheme is not None:
            raise UnsupportedOrder("credit transfers (pain.001) take no direct-debit scheme")
        if version is EbicsVersion.H005:
            return UploadOrder(
                "BTU",
                service=credit_transfer_service(CREDIT_TRANSFER_VERSION),
                file_name="pain.001.xml",
            )
        return UploadOrder("CCT")
    if kind == "pain.008":
        if scheme not in _SCHEMES:
            raise UnsupportedOrder(f"direct debits (pain.008) need CORE or B2B, not {scheme!r}")
        service_option, order_type = _SCHEMES[scheme]
        if version is EbicsVersion.H005:
            return UploadOrder(
                "BTU",
                service=direct_debit_service(service_option, DIRECT_DEBIT_VERSION),
                file_name="pain.008.xml",
            )
        return UploadOrder(order_type)
    raise UnsupportedOrder(f"no EBICS upload for {kind!r}; use pain.001 or pain.008")
