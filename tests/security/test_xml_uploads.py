"""Every endpoint and form that takes a file refuses hostile XML with a clear 4xx or a clear
error message: nothing is expanded, fetched from disk or network, stored, or sent to the bank."""

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from portal.roles import Role
from portal.services import create_api_key
from tests.security.conftest import database_state, logged_in
from tests.security.hostile_xml import (
    CAMT_053,
    LOCAL_FILE_CONTENT_MARKER,
    PAIN_001,
    PAIN_002,
    Attack,
    attacks,
)

pytestmark = pytest.mark.django_db

LEAKS = (LOCAL_FILE_CONTENT_MARKER, "Traceback", "lxml.etree", 'File "/')


class Listener:
    """A TCP port on the loopback that records whether anyone connected to it.

    The kernel completes a connection into the backlog even if nobody accepts it, so after a
    request has returned, a non-blocking accept tells whether that request reached out.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.setblocking(False)
        self.port = self._socket.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def was_contacted(self) -> bool:
        try:
            connection, _ = self._socket.accept()
        except BlockingIOError:
            return False
        connection.close()
        return True

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def _ids(namespace: str) -> list[str]:
    return [attack.name for attack in attacks(namespace, listener_url="http://127.0.0.1:1")]


def _attack(namespace: str, name: str, listener: Listener) -> Attack:
    return next(a for a in attacks(namespace, listener_url=listener.url) if a.name == name)


def _assert_no_leak(body: str) -> None:
    assert not [leak for leak in LEAKS if leak in body], body[:500]


@pytest.fixture
def api(admin):
    _, plaintext = create_api_key(actor=admin, name="ERP", role=Role.ADMIN)
    return APIClient(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")


API_UPLOADS = [
    ("banking:api_statements_parse", CAMT_053),
    ("banking:api_status_reports_parse", PAIN_002),
]


@pytest.mark.parametrize(("url_name", "namespace"), API_UPLOADS)
@pytest.mark.parametrize("name", _ids(CAMT_053))
@pytest.mark.parametrize("as_multipart", [False, True], ids=["raw body", "multipart"])
def test_the_parse_api_refuses_hostile_xml_with_a_400(
    api, listener, url_name, namespace, name, as_multipart
):
    attack = _attack(namespace, name, listener)
    before = database_state()
    if as_multipart:
        upload = SimpleUploadedFile("statement.xml", attack.data, content_type="application/xml")
        response = api.post(reverse(url_name), {"file": upload}, format="multipart")
    else:
        response = api.generic(
            "POST", reverse(url_name), attack.data, content_type="application/xml"
        )
    if attack.must_be_refused:
        assert response.status_code == 400, response.content[:300]
        assert response.json()["detail"]
    else:
        assert response.status_code in (200, 400)
    _assert_no_leak(response.content.decode(errors="replace"))
    assert not listener.was_contacted()
    assert database_state() == before


@pytest.mark.parametrize(("url_name", "namespace"), API_UPLOADS)
def test_the_parse_api_refuses_a_file_over_the_size_limit_with_a_400(
    api, settings, url_name, namespace
):
    settings.BANK_FILE_MAX_BYTES = 64 * 1024
    padding = "<x>" + "A" * (128 * 1024) + "</x>"
    data = f'<?xml version="1.0"?><Document xmlns="{namespace}">{padding}</Document>'.encode()
    response = api.generic("POST", reverse(url_name), data, content_type="application/xml")
    assert response.status_code in (400, 413)
    assert "large" in response.json()["detail"].lower() or "size" in response.json()["detail"]


# -- the payment-order upload of the bank connection wizard -------------------------------------


@pytest.fixture
def bank_listener():
    listening = Listener()
    yield listening
    listening.close()


@pytest.fixture
def active_connection(acme_world, bank_listener):
    """Acme's Active connection, its bank URL pointing at a port that records any contact."""
    connection = acme_world.connection
    connection.bank_url = bank_listener.url.replace("http://", "https://") + "/ebics"
    connection.save()
    return connection


def _error_text(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.mark.parametrize("name", _ids(PAIN_001))
def test_a_hostile_payment_file_is_refused_before_any_bank_contact(
    finance_admin, active_connection, bank_listener, listener, name
):
    attack = _attack(PAIN_001, name, listener)
    client = logged_in(finance_admin)
    before = database_state()
    response = client.post(
        reverse("banking:upload_payment_order", args=[active_connection.pk]),
        {"payment_file": SimpleUploadedFile("order.xml", attack.data)},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be sent" in _error_text(response) or "empty" in body.lower(), body[:300]
    _assert_no_leak(body)
    assert not listener.was_contacted()
    assert not bank_listener.was_contacted()
    assert database_state() == before


def test_a_payment_file_over_the_size_limit_is_refused_unread(
    finance_admin, active_connection, bank_listener, monkeypatch
):
    monkeypatch.setattr("banking.views.MAX_PAYMENT_FILE_BYTES", 1024)
    client = logged_in(finance_admin)
    before = database_state()
    data = f'<?xml version="1.0"?><Document xmlns="{PAIN_001}">{"<x/>" * 1000}</Document>'
    response = client.post(
        reverse("banking:upload_payment_order", args=[active_connection.pk]),
        {"payment_file": SimpleUploadedFile("order.xml", data.encode())},
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not bank_listener.was_contacted()
    assert database_state() == before


# -- the key backup restore -------------------------------------------------------------------


@pytest.mark.parametrize("name", _ids(PAIN_001))
def test_a_hostile_file_given_as_a_key_backup_is_refused_and_changes_nothing(
    finance_admin, acme_world, bank_listener, listener, name
):
    attack = _attack(PAIN_001, name, listener)
    client = logged_in(finance_admin)
    before = database_state()
    response = client.post(
        reverse("banking:restore_keys", args=[acme_world.connection.pk]),
        {
            "restore-backup": SimpleUploadedFile("keys.llkeys", attack.data),
            "restore-password": "a long enough password",
        },
        follow=True,
    )
    body = response.content.decode()
    if response.redirect_chain:
        assert "not a Ledgerlink EBICS key backup" in _error_text(response), body[:300]
    else:
        assert response.status_code == 400
        assert "empty" in body.lower()
    _assert_no_leak(body)
    assert not listener.was_contacted()
    assert database_state() == before


def test_a_key_backup_over_the_size_limit_is_refused_unread(finance_admin, acme_world):
    client = logged_in(finance_admin)
    before = database_state()
    response = client.post(
        reverse("banking:restore_keys", args=[acme_world.connection.pk]),
        {
            "restore-backup": SimpleUploadedFile("keys.llkeys", b"{" + b" " * (1024 * 1024)),
            "restore-password": "a long enough password",
        },
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert database_state() == before
