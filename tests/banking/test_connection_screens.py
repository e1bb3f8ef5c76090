"""The bank connection screens: who may see and change them, and how bad input is answered."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from banking.models import BankConnection, ConnectionStatus
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Hausbank",
    "bank_url": "https://ebics.hausbank.example/ebics",
    "host_id": "HAUSBANK",
    "partner_id": "ACME01",
    "user_id": "BOB01",
    "ebics_version": "H005",
}


@pytest.fixture
def connection(acme, finance_admin) -> BankConnection:
    return BankConnection.objects.create(tenant=acme, created_by=finance_admin, **NEW)


def test_a_finance_admin_creates_a_connection_and_it_is_audited(client, finance_admin):
    client.force_login(finance_admin)
    response = client.post("/banking/connections/new/", NEW)
    assert response.status_code == 302
    connection = BankConnection.objects.get()
    assert connection.status == ConnectionStatus.NEW
    assert connection.created_by == finance_admin
    assert AuditEvent.objects.filter(action="bank_connection.created").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Create the keys" in page


def test_a_plain_http_bank_url_is_refused_with_a_clear_error(client, finance_admin):
    client.force_login(finance_admin)
    response = client.post(
        "/banking/connections/new/", {**NEW, "bank_url": "http://ebics.hausbank.example/ebics"}
    )
    assert response.status_code == 200
    assert "over https only" in response.content.decode()
    assert not BankConnection.objects.exists()


def test_malformed_subscriber_ids_are_refused(client, finance_admin):
    client.force_login(finance_admin)
    response = client.post("/banking/connections/new/", {**NEW, "partner_id": "ACME 01; DROP"})
    assert "1 to 35 letters or digits" in response.content.decode()
    assert not BankConnection.objects.exists()


@pytest.mark.parametrize("persona", ["clerk", "viewer"])
def test_clerks_and_viewers_cannot_see_or_change_bank_connections(
    request, client, connection, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/banking/connections/").status_code == 403
    assert client.get(f"/banking/connections/{connection.pk}/").status_code == 403
    response = client.post(f"/banking/connections/{connection.pk}/create_keys/")
    assert response.status_code == 403
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEW


def test_another_orgs_connection_reads_as_missing(client, outsider, connection):
    client.force_login(outsider)
    assert "Hausbank" not in client.get("/banking/connections/").content.decode()
    for path in ("", "edit/", "letter.pdf"):
        assert client.get(f"/banking/connections/{connection.pk}/{path}").status_code == 404
    for path in ("create_keys/", "verify-bank-keys/", "retrieve/", "keys/backup/"):
        assert client.post(f"/banking/connections/{connection.pk}/{path}").status_code == 404
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEW
    assert connection.encrypted_keys == ""


def test_a_step_without_the_csrf_token_is_refused(finance_admin, connection):
    client = Client(enforce_csrf_checks=True)
    client.force_login(finance_admin)
    response = client.post(f"/banking/connections/{connection.pk}/create_keys/")
    assert response.status_code == 403
    connection.refresh_from_db()
    assert connection.encrypted_keys == ""


def test_the_wizard_can_be_framed_by_salesforce(client, finance_admin, connection):
    client.force_login(finance_admin)
    response = client.get(f"/banking/connections/{connection.pk}/")
    assert "frame-ancestors" in response["Content-Security-Policy"]
    assert "salesforce.com" in response["Content-Security-Policy"]


def test_keys_are_created_encrypted_and_the_letter_is_a_pdf(client, finance_admin, connection):
    client.force_login(finance_admin)
    client.post(f"/banking/connections/{connection.pk}/create_keys/")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.KEYS_CREATED
    assert "PRIVATE" not in connection.encrypted_keys
    letter = client.get(f"/banking/connections/{connection.pk}/letter.pdf")
    assert letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    assert "attachment" in letter["Content-Disposition"]


def test_an_unknown_step_changes_nothing(client, finance_admin, connection):
    client.force_login(finance_admin)
    client.post(f"/banking/connections/{connection.pk}/drop_tables/")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEW


def test_a_key_backup_needs_a_long_password_typed_twice(client, finance_admin, connection):
    client.force_login(finance_admin)
    client.post(f"/banking/connections/{connection.pk}/create_keys/")
    short = client.post(
        f"/banking/connections/{connection.pk}/keys/backup/",
        {"backup-password": "short", "backup-password_again": "short"},
    )
    assert short.status_code == 400
    differ = client.post(
        f"/banking/connections/{connection.pk}/keys/backup/",
        {"backup-password": "a long password 1", "backup-password_again": "a long password 2"},
    )
    assert "The passwords differ." in differ.content.decode()
    backup = client.post(
        f"/banking/connections/{connection.pk}/keys/backup/",
        {"backup-password": "a long password 1", "backup-password_again": "a long password 1"},
    )
    assert backup["Content-Type"] == "application/octet-stream"
    assert b"PRIVATE KEY" not in backup.content


def test_a_garbage_backup_file_is_refused_and_the_keys_stay(client, finance_admin, connection):
    client.force_login(finance_admin)
    client.post(f"/banking/connections/{connection.pk}/create_keys/")
    connection.refresh_from_db()
    keys = connection.encrypted_keys
    client.post(
        f"/banking/connections/{connection.pk}/keys/restore/",
        {
            "restore-backup": SimpleUploadedFile("keys.llkeys", b"\x00not a backup"),
            "restore-password": "whatever password",
        },
    )
    connection.refresh_from_db()
    assert connection.encrypted_keys == keys
