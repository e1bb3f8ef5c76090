"""Bank connections against the local EBICS bank over real HTTP: onboarding to Active, step by
step, with the bank's refusals, and a download and an upload once active."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
import requests
from cryptography.fernet import Fernet
from django.core.management import call_command

from banking import retrieval, services
from banking.formats.pain_writer import build_credit_transfer
from banking.formats.payment_order import AccountHolder
from banking.models import BankConnection, ConnectionStatus
from portal.models import AuditEvent
from tests.banking.formats.orders import credit_transfer_order, payment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

S = ConnectionStatus
TIMEOUT = 10


def now() -> datetime:
    return datetime.now(UTC)


def control(local_bank, method: str, path: str, **kwargs) -> requests.Response:
    base = local_bank.url.removesuffix("/ebics")
    response = requests.request(method, f"{base}/_standin/{path}", timeout=TIMEOUT, **kwargs)
    response.raise_for_status()
    return response


def activate(local_bank, connection: BankConnection) -> None:
    control(
        local_bank,
        "POST",
        f"subscribers/{connection.host_id}/{connection.partner_id}/{connection.user_id}/activate",
    )


def bank_letter(local_bank) -> dict:
    return control(local_bank, "GET", "bank-keys").json()["keys"]


def new_connection(
    finance_admin, local_bank, version: str = "H005", *, partner_id: str = "", user_id: str = "U1"
) -> BankConnection:
    # By default a partner the bank has not seen: open enrolment creates it with two accounts.
    partner = partner_id or "P" + secrets.token_hex(4).upper()
    return services.create_connection(
        actor=finance_admin,
        values={
            "name": "Local bank",
            "bank_url": local_bank.url,
            "host_id": "LLBANK",
            "partner_id": partner,
            "user_id": user_id,
            "ebics_version": version,
        },
    )


def onboard(
    finance_admin, local_bank, version: str = "H005", *, partner_id: str = "", user_id: str = "U1"
) -> BankConnection:
    connection = new_connection(
        finance_admin, local_bank, version, partner_id=partner_id, user_id=user_id
    )
    services.create_keys(actor=finance_admin, connection=connection, now=now())
    services.send_keys(actor=finance_admin, connection=connection, now=now())
    services.initialisation_letter(actor=finance_admin, connection=connection, now=now())
    services.confirm_letter_sent(actor=finance_admin, connection=connection)
    activate(local_bank, connection)
    services.download_bank_keys(actor=finance_admin, connection=connection, now=now())
    letter = bank_letter(local_bank)
    services.verify_bank_keys(
        actor=finance_admin,
        connection=connection,
        # EBICS 3.0 banks print certificate hashes; 2.5 banks the keys' own.
        authentication_hash=letter["X002"][
            "certificate_sha256" if version == "H005" else "public_key_sha256"
        ],
        encryption_hash=letter["E002"]["public_key_sha256"],
        now=now(),
    )
    connection.refresh_from_db()
    return connection


@pytest.mark.parametrize("version", ["H005", "H004"])
def test_a_finance_admin_onboards_a_connection_to_active_step_by_step(
    finance_admin, local_bank, version
):
    connection = new_connection(finance_admin, local_bank, version)
    assert connection.status == S.NEW
    services.create_keys(actor=finance_admin, connection=connection, now=now())
    assert connection.status == S.KEYS_CREATED
    assert b"PRIVATE KEY" not in connection.encrypted_keys.encode()
    services.send_keys(actor=finance_admin, connection=connection, now=now())
    assert connection.status == S.KEYS_SENT
    pdf = services.initialisation_letter(actor=finance_admin, connection=connection, now=now())
    assert pdf.startswith(b"%PDF")
    assert connection.status == S.LETTER_DOWNLOADED
    services.confirm_letter_sent(actor=finance_admin, connection=connection)
    assert connection.status == S.WAITING_FOR_BANK

    with pytest.raises(services.BankRefused, match="not activated"):
        services.download_bank_keys(actor=finance_admin, connection=connection, now=now())
    connection.refresh_from_db()
    assert connection.status == S.WAITING_FOR_BANK
    assert connection.last_error_code

    activate(local_bank, connection)
    hashes = services.download_bank_keys(actor=finance_admin, connection=connection, now=now())
    letter = bank_letter(local_bank)
    printed = "".join(hashes.authentication).replace(" ", "")
    assert printed == letter["X002"]["public_key_sha256"]
    assert connection.status == S.BANK_KEYS_DOWNLOADED
    assert connection.last_error_code == ""

    services.verify_bank_keys(
        actor=finance_admin,
        connection=connection,
        authentication_hash=" ".join(hashes.authentication),
        encryption_hash=letter["E002"]["public_key_sha256"].lower(),
        now=now(),
    )
    connection.refresh_from_db()
    assert connection.status == S.ACTIVE
    assert connection.accounts.count() == 2
    assert all(account.iban.startswith("DE") for account in connection.accounts.all())
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "bank_connection.created",
        "bank_connection.keys_created",
        "bank_connection.keys_sent",
        "bank_connection.letter_downloaded",
        "bank_connection.bank_keys_verified",
        "bank_connection.activated",
    } <= actions


def test_hashes_that_differ_from_the_banks_letter_are_refused_and_nothing_is_trusted(
    finance_admin, local_bank
):
    connection = new_connection(finance_admin, local_bank)
    services.create_keys(actor=finance_admin, connection=connection, now=now())
    services.send_keys(actor=finance_admin, connection=connection, now=now())
    services.confirm_letter_sent(actor=finance_admin, connection=connection)
    activate(local_bank, connection)
    services.download_bank_keys(actor=finance_admin, connection=connection, now=now())
    with pytest.raises(services.StepRefused, match="do not match"):
        services.verify_bank_keys(
            actor=finance_admin,
            connection=connection,
            authentication_hash="AB" * 32,
            encryption_hash=bank_letter(local_bank)["E002"]["public_key_sha256"],
            now=now(),
        )
    connection.refresh_from_db()
    assert connection.status == S.BANK_KEYS_DOWNLOADED
    assert connection.bank_keys_verified_at is None
    assert AuditEvent.objects.filter(action="bank_connection.bank_keys_mismatch").exists()


def test_the_banks_refusal_of_the_keys_is_kept_with_advice(finance_admin, local_bank):
    connection = new_connection(finance_admin, local_bank)
    services.create_keys(actor=finance_admin, connection=connection, now=now())
    control(
        local_bank,
        "POST",
        "failures",
        json={"return_code": {"order_type": "INI", "code": "091002", "kind": "technical"}},
    )
    try:
        with pytest.raises(services.BankRefused) as refused:
            services.send_keys(actor=finance_admin, connection=connection, now=now())
    finally:
        control(local_bank, "DELETE", "failures")
    assert refused.value.code == "091002"
    assert refused.value.advice
    connection.refresh_from_db()
    assert connection.status == S.KEY_EXCHANGE_FAILED
    assert connection.last_error_code == "091002"


def test_an_active_connection_retrieves_statements_and_sends_a_payment_order(
    finance_admin, local_bank
):
    connection = onboard(finance_admin, local_bank)
    test = services.test_connection(actor=finance_admin, connection=connection, now=now())
    assert "H005" in test.versions
    assert "EOP camt.053" in test.orders

    account = connection.accounts.first()
    order = credit_transfer_order(
        payment(1),
        payment(2),
        message_id="LL-" + secrets.token_hex(6),
        debtor=AccountHolder(name="Test Partner GmbH", iban=account.iban, bic=account.bic or None),
        requested_execution_date=now().date() + timedelta(days=3),
        created_at=now(),
    )
    data = build_credit_transfer(order, today=now().date())
    sent = services.upload_payment_order(
        actor=finance_admin, connection=connection, data=data, now=now()
    )
    assert sent.kind == "pain.001"
    assert sent.transactions == 2
    assert sent.order_id

    with pytest.raises(services.BankRefused):
        services.upload_payment_order(
            actor=finance_admin, connection=connection, data=data, now=now()
        )

    result = retrieval.retrieve_statements(
        actor=finance_admin,
        connection=connection,
        kind="camt.052",
        start=now().date(),
        end=now().date(),
        now=now(),
        salesforce=None,
    )
    assert result.written is None
    assert result.problems == ()


def test_a_payment_file_with_a_wrong_transaction_is_not_sent(finance_admin, local_bank):
    connection = onboard(finance_admin, local_bank)
    with pytest.raises(services.StepRefused, match="cannot be sent"):
        services.upload_payment_order(
            actor=finance_admin, connection=connection, data=b"<Document/>", now=now()
        )
    assert not AuditEvent.objects.filter(action="bank_connection.payment_order_sent").exists()


def test_a_locked_connection_can_only_be_changed_by_its_creator(finance_admin, admin, local_bank):
    connection = new_connection(finance_admin, local_bank)
    services.set_lock(actor=finance_admin, connection=connection, is_locked=True)
    with pytest.raises(services.StepRefused, match="created this connection"):
        services.create_keys(actor=admin, connection=connection, now=now())
    with pytest.raises(services.StepRefused):
        services.set_lock(actor=admin, connection=connection, is_locked=False)


def test_the_subscriber_ids_cannot_change_once_the_bank_holds_the_keys(finance_admin, local_bank):
    connection = new_connection(finance_admin, local_bank)
    services.create_keys(actor=finance_admin, connection=connection, now=now())
    services.send_keys(actor=finance_admin, connection=connection, now=now())
    with pytest.raises(services.StepRefused, match="holds keys"):
        services.update_connection(
            actor=finance_admin, connection=connection, values={"user_id": "OTHER"}
        )
    services.update_connection(
        actor=finance_admin, connection=connection, values={"name": "Main bank"}
    )
    connection.refresh_from_db()
    assert (connection.name, connection.user_id) == ("Main bank", "U1")


@pytest.mark.parametrize(
    "url",
    [
        "http://bank.example/ebics",
        "https://user:secret@bank.example/ebics",
        "ftp://bank.example/ebics",
        "https://bank.example:99999/ebics",
    ],
)
def test_only_https_bank_urls_are_accepted(finance_admin, url):
    with pytest.raises(services.StepRefused):
        services.create_connection(
            actor=finance_admin,
            values={
                "name": "Bank",
                "bank_url": url,
                "host_id": "HOST",
                "partner_id": "P",
                "user_id": "U",
            },
        )
    assert not BankConnection.objects.exists()


def test_keys_survive_a_password_protected_backup_and_restore(finance_admin, local_bank):
    connection = onboard(finance_admin, local_bank)
    backup = services.export_keys(
        actor=finance_admin, connection=connection, password="a long backup password", now=now()
    )
    values = {
        name: getattr(connection, name)
        for name in ("name", "bank_url", "host_id", "partner_id", "user_id", "ebics_version")
    }
    connection.delete()
    replacement = services.create_connection(actor=finance_admin, values=values)
    with pytest.raises(services.StepRefused):
        services.restore_keys(
            actor=finance_admin,
            connection=replacement,
            data=backup,
            password="wrong password!!",
            now=now(),
        )
    assert replacement.status == S.NEW
    services.restore_keys(
        actor=finance_admin,
        connection=replacement,
        data=backup,
        password="a long backup password",
        now=now(),
    )
    replacement.refresh_from_db()
    assert replacement.status == S.ACTIVE
    test = services.test_connection(actor=finance_admin, connection=replacement, now=now())
    assert "EOP camt.053" in test.orders


def test_a_backup_of_another_subscriber_is_refused(finance_admin, local_bank):
    connection = new_connection(finance_admin, local_bank)
    services.create_keys(actor=finance_admin, connection=connection, now=now())
    backup = services.export_keys(
        actor=finance_admin, connection=connection, password="a long backup password", now=now()
    )
    other = new_connection(finance_admin, local_bank)
    with pytest.raises(services.StepRefused, match="another subscriber"):
        services.restore_keys(
            actor=finance_admin,
            connection=other,
            data=backup,
            password="a long backup password",
            now=now(),
        )


def test_keys_are_reencrypted_with_a_new_encryption_key(finance_admin, local_bank, settings):
    connection = new_connection(finance_admin, local_bank)
    services.create_keys(actor=finance_admin, connection=connection, now=now())
    old_token = BankConnection.objects.get(pk=connection.pk).encrypted_keys
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.ENCRYPTION_KEYS]
    call_command("reencrypt_secrets")
    settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS[:1]
    connection.refresh_from_db()
    assert connection.encrypted_keys != old_token
    pdf = services.initialisation_letter(actor=finance_admin, connection=connection, now=now())
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("version", ["H005", "H004"])
def test_an_active_connection_renews_its_keys_and_keeps_working(finance_admin, local_bank, version):
    connection = onboard(finance_admin, local_bank, version)
    old_keys = connection.encrypted_keys
    services.change_keys(actor=finance_admin, connection=connection, now=now())
    connection.refresh_from_db()
    assert connection.encrypted_keys != old_keys
    assert connection.status == S.ACTIVE
    test = services.test_connection(actor=finance_admin, connection=connection, now=now())
    assert test.orders
    assert AuditEvent.objects.filter(action="bank_connection.keys_changed").exists()


def test_expired_keys_stop_orders_until_new_keys_are_created(finance_admin, local_bank):
    connection = onboard(finance_admin, local_bank)
    assert connection.keys_expire_at is not None
    connection.keys_expire_at = now() - timedelta(minutes=1)
    connection.save()
    with pytest.raises(services.StepRefused, match="expired"):
        retrieval.retrieve_statements(
            actor=finance_admin,
            connection=connection,
            kind="camt.053",
            start=now().date(),
            end=now().date(),
            now=now(),
            salesforce=None,
        )
    connection.refresh_from_db()
    assert connection.status == S.KEYS_EXPIRED
    services.create_keys(actor=finance_admin, connection=connection, now=now())
    assert connection.status == S.KEYS_CREATED
