"""Statement and payment kinds map to the BTF services (H005) and order types (H004)."""

from datetime import date

import pytest

from banking.ebics.messages import BtfService, DateRange, EbicsVersion
from banking.ebics.orders import UnsupportedOrder, payment_upload_order, statement_download_order

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("kind", "service"),
    [
        ("camt.053", BtfService("EOP", "camt.053", "DE", None, "08", "ZIP")),
        ("camt.052", BtfService("STM", "camt.052", "DE", None, "08", "ZIP")),
        ("camt.054", BtfService("REP", "camt.054", "DE", None, "08", "ZIP")),
        ("mt940", BtfService("EOP", "mt940", "DE")),
        ("pain.002", BtfService("PSR", "pain.002", None, None, None, "ZIP")),
    ],
)
def test_h005_statements_are_btd_services_with_the_period(kind, service):
    order = statement_download_order(kind, MARCH, EbicsVersion.H005)
    assert (order.order_type, order.service, order.date_range) == ("BTD", service, MARCH)


@pytest.mark.parametrize(
    ("kind", "order_type"),
    [("camt.053", "C53"), ("camt.052", "C52"), ("camt.054", "C54"), ("mt940", "STA")],
)
def test_h004_statements_are_order_types(kind, order_type):
    order = statement_download_order(kind, None, EbicsVersion.H004)
    assert (order.order_type, order.service, order.date_range) == (order_type, None, None)


def test_h004_status_reports_are_crz_for_transfers_and_cdz_for_debits():
    transfers = statement_download_order("pain.002", MARCH, EbicsVersion.H004)
    debits = statement_download_order(
        "pain.002", MARCH, EbicsVersion.H004, status_reports_for="pain.008"
    )
    assert (transfers.order_type, debits.order_type) == ("CRZ", "CDZ")


def test_unknown_statement_kinds_are_refused_clearly():
    with pytest.raises(UnsupportedOrder, match=r"camt\.099"):
        statement_download_order("camt.099", None, EbicsVersion.H005)


@pytest.mark.parametrize(
    ("kind", "scheme", "h004", "service"),
    [
        ("pain.001", None, "CCT", BtfService("SCT", "pain.001", None, None, "09")),
        ("pain.008", "CORE", "CDD", BtfService("SDD", "pain.008", None, "COR", "08")),
        ("pain.008", "B2B", "CDB", BtfService("SDD", "pain.008", None, "B2B", "08")),
    ],
)
def test_payments_map_to_btu_services_and_h004_order_types(kind, scheme, h004, service):
    assert payment_upload_order(kind, scheme, EbicsVersion.H004).order_type == h004
    order = payment_upload_order(kind, scheme, EbicsVersion.H005)
    assert (order.order_type, order.service) == ("BTU", service)
    assert order.file_name == f"{kind}.xml"


@pytest.mark.parametrize(
    ("kind", "scheme"), [("pain.008", None), ("pain.008", "COR"), ("pain.001", "CORE"), ("x", None)]
)
def test_impossible_payment_orders_are_refused(kind, scheme):
    with pytest.raises(UnsupportedOrder):
        payment_upload_order(kind, scheme, EbicsVersion.H005)
