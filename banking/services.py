"""Use-cases of bank connections: onboarding over EBICS, step by step, every change audited.

Each step checks that the connection is in a status where it makes sense, talks to the bank through
:mod:`banking.bank_client`, and moves the status on. A refusal by the bank is kept on the
connection (its code and our advice, never order data) so the wizard can show it.
"""

import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import transaction

from banking import bank_client, keystore, letters
from banking.ebics import backup
from banking.ebics.client import EbicsClient, OrderFailed, UploadOutcomeUnknown
from banking.ebics.errors import EbicsError, TransportFailed
from banking.ebics.keys import (
    CERTIFICATE_VALIDITY,
    KeyVersion,
    SubscriberKeys,
    certificate_digest,
    format_digest_for_letter,
    load_subscriber_key,
)
from banking.ebics.letter import build_initialisation_letter
from banking.ebics.messages import DateRange, EbicsVersion
from banking.ebics.orders import (
    UnsupportedOrder,
    payment_upload_order,
    statement_download_order,
)
from banking.formats.errors import FormatError
from banking.formats.pain_reader import read_payment_order
from banking.formats.payment_order import CreditTransferOrder
from banking.formats.payment_validation import find_problems
from banking.models import (
    BankAccount,
    BankConnection,
    ConnectionStatus,
    PaymentRunSchedule,
    RetrievalSchedule,
)
from portal.errors import PortalError
from portal.models import User
from portal.services import record_audit

S = ConnectionStatus
Result = TypeVar("Result")

EDITABLE_FIELDS = (
    "name",
    "bank_url",
    "host_id",
    "partner_id",
    "user_id",
    "ebics_version",
    "expected_authentication_hash",
    "expected_encryption_hash",
)
# The subscriber's IDs and the protocol cannot change once the bank holds our keys for them.
_IDENTITY_FIELDS = ("bank_url", "host_id", "partner_id", "user_id", "ebics_version")
_EDITABLE_IDENTITY = (S.NEW, S.KEYS_CREATED, S.KEY_EXCHANGE_FAILED)
# EBICS IDs: letters, digits and a few separators, at most 35 characters (H005 schema types).
_EBICS_ID = re.compile(r"^[A-Za-z0-9,=]{1,35}$")
# Technical codes by which a bank says "this subscriber is not (yet) ready".
_NOT_YET_ACTIVE = {"091002", "091003"}
STATEMENT_KINDS = ("camt.053", "camt.052", "camt.054", "mt940")


class StepRefused(PortalError):
    """The step does not fit the connection's status, or the actor may not change it."""


class BankRefused(PortalError):
    """The bank answered with an error code; message and advice are for the admin."""

    def __init__(self, message: str, *, code: str = "", advice: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.advice = advice


@dataclass(frozen=True)
class ConnectionTest:
    versions: tuple[str, ...]
    orders: tuple[str, ...]


@dataclass(frozen=True)
class KeyHashes:
    """The bank's key hashes grouped as banks print them, and whether they match its letter.

    Banks that send certificates (EBICS 3.0) print the certificates' hashes on their letter;
    both are shown and either is accepted.
    """

    authentication: tuple[str, ...]
    encryption: tuple[str, ...]
    authentication_certificate: tuple[str, ...]
    encryption_certificate: tuple[str, ...]
    matches_expected: bool | None


# -- guards --------------------------------------------------------------------------------------


def _require(connection: BankConnection, actor: User, *statuses: ConnectionStatus) -> None:
    if connection.tenant_id != actor.tenant_id:
        raise StepRefused("That connection belongs to another organisation.")
    if connection.is_locked_to_creator and connection.created_by_id != actor.pk:
        raise StepRefused("Only the person who created this connection may change it.")
    if statuses and connection.status not in statuses:
        raise StepRefused(
            f"This step is not possible while the connection is "
            f"“{connection.get_status_display()}”."
        )


def _normalise_hash(text: str) -> str:
    return re.sub(r"[^0-9a-f]", "", text.lower())


def _move(
    connection: BankConnection, actor: User, status: ConnectionStatus, action: str, **fields: Any
) -> None:
    before = connection.status
    connection.status = status
    for name, value in fields.items():
        setattr(connection, name, value)
    connection.save()
    record_audit(
        tenant=connection.tenant,
        actor=actor,
        action=action,
        target=str(connection),
        changes={"status": [before, status.value]} if before != status else {},
    )


def _clear_error(connection: BankConnection) -> None:
    connection.last_error_code = ""
    connection.last_error_message = ""
    connection.last_error_at = None


def _talk(
    connection: BankConnection,
    now: datetime,
    step: Callable[[EbicsClient], Result],
    *,
    on_failure: ConnectionStatus | None = None,
    client: EbicsClient | None = None,
) -> Result:
    """Run one exchange with the bank; keep its refusal on the connection and raise BankRefused."""
    try:
        result = step(client or bank_client.client_for(connection))
    except OrderFailed as error:
        refused = BankRefused(
            f"The bank answered {error.code}: {error.description.message}",
            code=error.code,
            advice=error.description.advice,
        )
    except TransportFailed as error:
        refused = BankRefused(
            f"The bank could not be reached: {error}",
            advice=(
                "Nothing was changed; try again in a few minutes."
                if error.retryable
                else "Check the bank URL and its TLS certificate with the bank."
            ),
        )
    except UploadOutcomeUnknown as error:
        refused = BankRefused(str(error), advice="Check the bank's protocol before sending again.")
    except EbicsError as error:
        refused = BankRefused(
            f"The bank's answer could not be used: {error}",
            advice="Nothing was changed. If this persists, contact the bank's EBICS support.",
        )
    else:
        if connection.last_error_code or connection.last_error_message:
            _clear_error(connection)
            connection.save(
                update_fields=["last_error_code", "last_error_message", "last_error_at"]
            )
        return result
    connection.last_error_code = refused.code
    connection.last_error_message = f"{refused} {refused.advice}".strip()[:500]
    connection.last_error_at = now
    if on_failure is not None:
        connection.status = on_failure
    connection.save()
    raise refused


# -- creating and editing ------------------------------------------------------------------------


def _check_values(values: dict[str, Any]) -> None:
    problems = []
    for name in ("host_id", "partner_id", "user_id"):
        if name in values and not _EBICS_ID.match(str(values[name])):
            problems.append(f"{name.replace('_', ' ').capitalize()}: 1 to 35 letters or digits.")
    if "bank_url" in values:
        try:
            bank_client.check_bank_url(str(values["bank_url"]))
        except bank_client.UntrustedBankUrl as error:
            problems.append(str(error))
    for name in ("expected_authentication_hash", "expected_encryption_hash"):
        if values.get(name) and len(_normalise_hash(str(values[name]))) != 64:
            problems.append("A key hash from the bank's letter has 64 hex digits (32 pairs).")
    if problems:
        raise StepRefused(" ".join(problems))


@transaction.atomic
def create_connection(*, actor: User, values: dict[str, Any]) -> BankConnection:
    """A new connection in status New. Raises StepRefused listing what is wrong."""
    _check_values(values)
    connection = BankConnection(tenant=actor.tenant, created_by=actor)
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(connection, name, values[name])
    if BankConnection.objects.filter(
        tenant=actor.tenant,
        host_id=connection.host_id,
        partner_id=connection.partner_id,
        user_id=connection.user_id,
    ).exists():
        raise StepRefused("A connection for this host, partner and user exists already.")
    connection.save()
    record_audit(
        tenant=actor.tenant,
        actor=actor,
        action="bank_connection.created",
        target=str(connection),
        changes={name: str(values.get(name, "")) for name in EDITABLE_FIELDS},
    )
    return connection


@transaction.atomic
def update_connection(
    *, actor: User, connection: BankConnection, values: dict[str, Any]
) -> BankConnection:
    """Change the connection's settings; its identity only before the keys went to the bank."""
    _require(connection, actor)
    changes = {
        name: [str(getattr(connection, name)), str(values[name])]
        for name in EDITABLE_FIELDS
        if name in values and str(getattr(connection, name)) != str(values[name])
    }
    if connection.status not in _EDITABLE_IDENTITY and set(changes) & set(_IDENTITY_FIELDS):
        raise StepRefused(
            "The bank holds keys for this subscriber: create a new connection to change the "
            "bank URL, IDs or EBICS version."
        )
    _check_values({name: values[name] for name in changes})
    for name in changes:
        setattr(connection, name, values[name])
    connection.save()
    if changes:
        record_audit(
            tenant=connection.tenant,
            actor=actor,
            action="bank_connection.changed",
            target=str(connection),
            changes=changes,
        )
    return connection


@transaction.atomic
def set_lock(*, actor: User, connection: BankConnection, is_locked: bool) -> None:
    """Lock the connection to its creator, or unlock it; only the creator may do either."""
    if connection.created_by_id != actor.pk:
        raise StepRefused("Only the person who created this connection may lock it.")
    _require(connection, actor)
    connection.is_locked_to_creator = is_locked
    connection.save(update_fields=["is_locked_to_creator", "updated_at"])
    record_audit(
        tenant=connection.tenant,
        actor=actor,
        action="bank_connection.locked" if is_locked else "bank_connection.unlocked",
        target=str(connection),
    )


# -- keys ----------------------------------------------------------------------------------------


@transaction.atomic
def create_keys(*, actor: User, connection: BankConnection, now: datetime) -> None:
    """Generate the subscriber's A006, X002 and E002 keys (and EBICS 3.0 certificates)."""
    _require(connection, actor, S.NEW, S.KEYS_CREATED, S.KEY_EXCHANGE_FAILED, S.KEYS_EXPIRED)
    stored = keystore.create_keys(
        common_name=f"{connection.partner_id} {connection.user_id}",
        now=now,
        with_certificates=connection.ebics_version == EbicsVersion.H005,
    )
    _clear_error(connection)
    _move(
        connection,
        actor,
        S.KEYS_CREATED,
        "bank_connection.keys_created",
        encrypted_keys=keystore.seal(stored),
        keys_created_at=now,
        keys_expire_at=now + CERTIFICATE_VALIDITY if stored.certificates else None,
        bank_authentication_key="",
        bank_encryption_key="",
        bank_keys_verified_at=None,
        bank_keys_verified_by=None,
    )


def send_keys(*, actor: User, connection: BankConnection, now: datetime) -> None:
    """Send INI (signature key) and HIA (authentication and encryption keys) to the bank."""
    _require(connection, actor, S.KEYS_CREATED, S.KEY_EXCHANGE_FAILED)
    if not connection.encrypted_keys:
        raise StepRefused("Create the keys first.")

    def exchange(client: EbicsClient) -> None:
        client.send_ini()
        client.send_hia()

    _talk(connection, now, exchange, on_failure=S.KEY_EXCHANGE_FAILED)
    _move(connection, actor, S.KEYS_SENT, "bank_connection.keys_sent")


def initialisation_letter(*, actor: User, connection: BankConnection, now: datetime) -> bytes:
    """The INI and HIA letters as one PDF; the first download moves Keys sent on."""
    _require(connection, actor)
    if not connection.encrypted_keys:
        raise StepRefused("Create the keys first.")
    stored = keystore.unseal(connection.encrypted_keys)
    letter = build_initialisation_letter(
        bank_client.subscriber_of(connection),
        stored.keys,
        created_at=connection.keys_created_at or now,
        version=EbicsVersion(connection.ebics_version),
        certificates=stored.certificates,
    )
    pdf = letters.render_initialisation_letter(
        letters.InitialisationLetterData(
            content=letter,
            company_name=connection.tenant.name,
            bank_url=connection.bank_url,
            bank_name=connection.name,
            subscriber_name=str(actor),
        ),
        generated_at=now,
    )
    if connection.status == S.KEYS_SENT:
        with transaction.atomic():
            _move(connection, actor, S.LETTER_DOWNLOADED, "bank_connection.letter_downloaded")
    return pdf


@transaction.atomic
def confirm_letter_sent(*, actor: User, connection: BankConnection) -> None:
    """The admin signed the letter and sent it to the bank: now the bank must activate us."""
    _require(connection, actor, S.LETTER_DOWNLOADED, S.KEYS_SENT)
    _move(connection, actor, S.WAITING_FOR_BANK, "bank_connection.letter_sent")


def download_bank_keys(*, actor: User, connection: BankConnection, now: datetime) -> KeyHashes:
    """Fetch the bank's keys (HPB). Before the bank activated us it refuses: we keep waiting."""
    _require(
        connection,
        actor,
        S.WAITING_FOR_BANK,
        S.ACTIVATION_ERROR,
        S.BANK_KEYS_DOWNLOADED,
        S.LETTER_DOWNLOADED,
    )
    try:
        parameters = _talk(connection, now, lambda client: client.download_bank_keys())
    except BankRefused as refused:
        waiting = refused.code in _NOT_YET_ACTIVE
        connection.status = S.WAITING_FOR_BANK if waiting else S.ACTIVATION_ERROR
        connection.save(update_fields=["status", "updated_at"])
        if waiting:
            raise BankRefused(
                "The bank has not activated this subscriber yet.",
                code=refused.code,
                advice="Once the bank confirms it has your letter, try again.",
            ) from refused
        raise
    authentication_certificate, encryption_certificate = parameters.certificates
    _move(
        connection,
        actor,
        S.BANK_KEYS_DOWNLOADED,
        "bank_connection.bank_keys_downloaded",
        bank_authentication_key=bank_client.public_key_pem(parameters.keys.authentication),
        bank_encryption_key=bank_client.public_key_pem(parameters.keys.encryption),
        bank_authentication_certificate_hash=(
            certificate_digest(authentication_certificate).hex()
            if authentication_certificate
            else ""
        ),
        bank_encryption_certificate_hash=(
            certificate_digest(encryption_certificate).hex() if encryption_certificate else ""
        ),
        bank_keys_verified_at=None,
        bank_keys_verified_by=None,
    )
    return bank_key_hashes(connection)


def _bank_digests(connection: BankConnection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """For each bank key, the hex hashes its letter may print: the key's, and the certificate's."""
    keys = bank_client.bank_keys_of(connection)
    if keys is None:
        raise StepRefused("Download the bank's keys first.")
    authentication: tuple[str, ...] = (keys.authentication.digest().hex(),)
    encryption: tuple[str, ...] = (keys.encryption.digest().hex(),)
    if connection.bank_authentication_certificate_hash:
        authentication += (connection.bank_authentication_certificate_hash,)
    if connection.bank_encryption_certificate_hash:
        encryption += (connection.bank_encryption_certificate_hash,)
    return authentication, encryption


def _lines(hex_digest: str) -> tuple[str, ...]:
    return format_digest_for_letter(bytes.fromhex(hex_digest)) if hex_digest else ()


def bank_key_hashes(connection: BankConnection) -> KeyHashes:
    """The downloaded keys' SHA-256 hashes, grouped as on the bank's letter."""
    authentication, encryption = _bank_digests(connection)
    expected = (connection.expected_authentication_hash, connection.expected_encryption_hash)
    matches = None
    if all(expected):
        matches = _matches(expected[0], authentication) and _matches(expected[1], encryption)
    return KeyHashes(
        authentication=_lines(authentication[0]),
        encryption=_lines(encryption[0]),
        authentication_certificate=_lines(connection.bank_authentication_certificate_hash),
        encryption_certificate=_lines(connection.bank_encryption_certificate_hash),
        matches_expected=matches,
    )


def _matches(typed: str, candidates: tuple[str, ...]) -> bool:
    normalised = _normalise_hash(typed)
    # Every candidate is compared, so the time taken does not tell which one matched.
    results = [hmac.compare_digest(normalised, candidate) for candidate in candidates]
    return any(results)


def verify_bank_keys(
    *,
    actor: User,
    connection: BankConnection,
    authentication_hash: str,
    encryption_hash: str,
    now: datetime,
) -> None:
    """Trust the bank's keys when the hashes typed from the bank's letter match, then activate.

    Raises StepRefused when a hash differs: the keys may not be the bank's, so nothing is
    trusted and nothing is sent with them.
    """
    _require(connection, actor, S.BANK_KEYS_DOWNLOADED, S.BANK_KEYS_VERIFIED)
    authentication, encryption = _bank_digests(connection)
    if not (
        _matches(authentication_hash, authentication) and _matches(encryption_hash, encryption)
    ):
        record_audit(
            tenant=connection.tenant,
            actor=actor,
            action="bank_connection.bank_keys_mismatch",
            target=str(connection),
        )
        raise StepRefused(
            "The hashes do not match the keys the bank sent. Do not use this connection; "
            "ask the bank for its letter again and check that the bank URL is right."
        )
    with transaction.atomic():
        _move(
            connection,
            actor,
            S.BANK_KEYS_VERIFIED,
            "bank_connection.bank_keys_verified",
            bank_keys_verified_at=now,
            bank_keys_verified_by=actor,
            expected_authentication_hash=_normalise_hash(authentication_hash),
            expected_encryption_hash=_normalise_hash(encryption_hash),
        )
    discover_accounts(actor=actor, connection=connection, now=now)


def discover_accounts(*, actor: User, connection: BankConnection, now: datetime) -> int:
    """Read the subscriber's accounts (HTD) and make the connection Active; returns the count."""
    _require(connection, actor, S.BANK_KEYS_VERIFIED, S.ACTIVE)
    details = _talk(connection, now, lambda client: client.subscriber_details())
    with transaction.atomic():
        known = {account.account_id: account for account in connection.accounts.all()}
        for account in details.accounts:
            row = known.pop(account.account_id, None) or BankAccount(
                connection=connection, account_id=account.account_id
            )
            row.iban = account.iban or ""
            row.bic = account.bic or ""
            row.currency = account.currency or ""
            row.description = (account.description or account.holder or "")[:140]
            row.save()
        for gone in known.values():
            gone.delete()
        if connection.status != S.ACTIVE:
            _move(connection, actor, S.ACTIVE, "bank_connection.activated")
    return len(details.accounts)


@transaction.atomic
def select_accounts(
    *,
    actor: User,
    connection: BankConnection,
    account_ids: Iterable[int],
    batch_booking_ids: Iterable[int] | None = None,
) -> None:
    """Choose the accounts statements are retrieved for (and payments made from), and which of
    them ask the bank for batch booking (``None``: leave that as it is)."""
    _require(connection, actor)
    chosen = set(account_ids)
    batched = None if batch_booking_ids is None else set(batch_booking_ids)
    changes: dict[str, object] = {}
    for account in connection.accounts.all():
        selected = account.pk in chosen
        batch = account.batch_booking if batched is None else account.pk in batched
        if (account.is_selected, account.batch_booking) != (selected, batch):
            if account.is_selected != selected:
                changes[str(account)] = selected
            if account.batch_booking != batch:
                changes[f"{account} batch booking"] = batch
            account.is_selected, account.batch_booking = selected, batch
            account.save(update_fields=["is_selected", "batch_booking"])
    if changes:
        record_audit(
            tenant=connection.tenant,
            actor=actor,
            action="bank_connection.accounts_selected",
            target=str(connection),
            changes=changes,
        )


def test_connection(*, actor: User, connection: BankConnection, now: datetime) -> ConnectionTest:
    """Ask the bank which EBICS versions it speaks and, once active, which orders we may send."""
    _require(connection, actor)
    if not connection.encrypted_keys:
        raise StepRefused("Create the keys first.")

    def probe(client: EbicsClient) -> ConnectionTest:
        versions = tuple(version.protocol for version in client.versions().versions)
        orders = client.available_orders() if connection.status == S.ACTIVE else ()
        return ConnectionTest(versions=versions, orders=orders)

    return _talk(connection, now, probe)


def change_keys(*, actor: User, connection: BankConnection, now: datetime) -> None:
    """Replace the subscriber's three keys at the bank (HCS), signed with the current key.

    No letter is needed: the bank trusts the order because the current, activated signature
    key signs it. The new keys are stored only once the bank has confirmed them.
    """
    _require(connection, actor, S.ACTIVE)
    client = ready_client(connection, now)
    fresh = keystore.create_keys(
        common_name=f"{connection.partner_id} {connection.user_id}",
        now=now,
        with_certificates=connection.ebics_version == EbicsVersion.H005,
    )
    _talk(
        connection,
        now,
        lambda bank: bank.change_keys(fresh.keys, new_certificates=fresh.certificates),
        client=client,
    )
    with transaction.atomic():
        _move(
            connection,
            actor,
            S.ACTIVE,
            "bank_connection.keys_changed",
            encrypted_keys=keystore.seal(fresh),
            keys_created_at=now,
            keys_expire_at=now + CERTIFICATE_VALIDITY if fresh.certificates else None,
        )


SCHEDULE_FIELDS = (
    "is_active",
    "retrieve_at",
    "kind",
    "days_back",
    "apply_status_reports",
    "auto_settle",
)


@transaction.atomic
def save_schedule(
    *, actor: User, connection: BankConnection, values: dict[str, Any]
) -> RetrievalSchedule:
    """Create or change the connection's daily retrieval; its runs go under the actor's name."""
    _require(connection, actor)
    if values.get("kind", "camt.053") not in STATEMENT_KINDS:
        raise StepRefused("Choose a statement kind.")
    schedule = RetrievalSchedule.objects.filter(connection=connection).first()
    return _save_schedule(
        actor=actor,
        connection=connection,
        schedule=schedule or RetrievalSchedule(connection=connection, run_as=actor),
        fields=SCHEDULE_FIELDS,
        values=values,
        action="bank_connection.schedule_saved",
    )


ScheduleModel = TypeVar("ScheduleModel", RetrievalSchedule, PaymentRunSchedule)


def _save_schedule(
    *,
    actor: User,
    connection: BankConnection,
    schedule: ScheduleModel,
    fields: tuple[str, ...],
    values: dict[str, Any],
    action: str,
) -> ScheduleModel:
    """Set ``fields`` from ``values``, put the runs under the actor, save, audit what changed."""
    before = {name: str(getattr(schedule, name)) for name in fields} if schedule.pk else {}
    for name in fields:
        if name in values:
            setattr(schedule, name, values[name])
    schedule.run_as = actor
    schedule.save()
    after = {name: str(getattr(schedule, name)) for name in fields}
    record_audit(
        tenant=connection.tenant,
        actor=actor,
        action=action,
        target=str(connection),
        changes={
            name: [before.get(name, ""), value]
            for name, value in after.items()
            if before.get(name) != value
        },
    )
    return schedule


PAYMENT_SCHEDULE_FIELDS = (
    "is_active",
    "weekdays",
    "prepare_at",
    "lead_days",
    "account",
    "creditor_id",
    "prefix",
)
MAXIMUM_LEAD_DAYS = 10


@transaction.atomic
def save_payment_schedule(
    *, actor: User, connection: BankConnection, values: dict[str, Any]
) -> PaymentRunSchedule:
    """Create or change the connection's payment-run calendar; its runs go under the actor.

    ``weekdays`` holds ISO weekdays 1..5 (a collection, or comma-separated). Raises
    StepRefused for an account that is not one of the connection's selected accounts with an
    IBAN, or a malformed value.
    """
    _require(connection, actor)
    raw = values.get("weekdays", "")
    chosen = raw.split(",") if isinstance(raw, str) else raw
    days = sorted({int(day) for day in chosen if str(day).strip().isdigit()})
    if not days or not set(days) <= {1, 2, 3, 4, 5}:
        raise StepRefused("Choose at least one weekday from Monday to Friday.")
    account = values.get("account")
    if not isinstance(account, BankAccount) or not (
        account.connection_id == connection.pk and account.is_selected and account.iban
    ):
        raise StepRefused("Choose one of the connection's selected accounts.")
    prefix = str(values.get("prefix", "LL")).strip().upper()
    if not prefix.isalnum() or len(prefix) > 10:
        raise StepRefused("The end-to-end prefix is 1 to 10 letters or digits.")
    if not 0 <= int(values.get("lead_days", 1)) <= MAXIMUM_LEAD_DAYS:
        raise StepRefused(f"The lead time is 0 to {MAXIMUM_LEAD_DAYS} business days.")
    schedule = PaymentRunSchedule.objects.filter(connection=connection).first()
    return _save_schedule(
        actor=actor,
        connection=connection,
        schedule=schedule or PaymentRunSchedule(connection=connection, run_as=actor),
        fields=PAYMENT_SCHEDULE_FIELDS,
        values={
            **values,
            "weekdays": ",".join(str(day) for day in days),
            "prefix": prefix,
            "creditor_id": str(values.get("creditor_id", "")).replace(" ", "").upper(),
        },
        action="bank_connection.payment_schedule_saved",
    )


@transaction.atomic
def disable_connection(*, actor: User, connection: BankConnection) -> None:
    _require(connection, actor)
    _move(connection, actor, S.DISABLED, "bank_connection.disabled")


@transaction.atomic
def enable_connection(*, actor: User, connection: BankConnection) -> None:
    """Re-enable a disabled connection: Active if the bank's keys were verified, else restart."""
    _require(connection, actor, S.DISABLED)
    status = S.ACTIVE if connection.bank_keys_verified_at else S.NEW
    if status == S.NEW and connection.encrypted_keys:
        status = S.KEYS_CREATED
    _move(connection, actor, status, "bank_connection.enabled")


def ready_client(connection: BankConnection, now: datetime) -> EbicsClient:
    """A client for an Active connection whose keys are still valid; raises StepRefused."""
    if connection.status != S.ACTIVE:
        raise StepRefused("The connection is not active.")
    if connection.keys_expire_at and connection.keys_expire_at <= now:
        connection.status = S.KEYS_EXPIRED
        connection.save(update_fields=["status", "updated_at"])
        raise StepRefused("The connection's keys have expired: create and send new keys.")
    return bank_client.client_for(connection)


def download_statements(
    *, actor: User, connection: BankConnection, kind: str, start: date, end: date, now: datetime
) -> bytes | None:
    """Download the statements of a period as the bank sends them; None when it has none."""
    _require(connection, actor)
    if kind not in STATEMENT_KINDS:
        raise StepRefused(f"Unknown statement kind {kind!r}.")
    if start > end:
        raise StepRefused("The period starts after it ends.")
    try:
        order = statement_download_order(
            kind, DateRange(start=start, end=end), EbicsVersion(connection.ebics_version)
        )
    except UnsupportedOrder as error:
        raise StepRefused(str(error)) from error
    client = ready_client(connection, now)
    return _talk(connection, now, lambda bank: bank.download(order), client=client)


@dataclass(frozen=True)
class SentOrder:
    """What the bank answered to an upload, and what the file held (counts only)."""

    order_id: str
    kind: str
    transactions: int


def upload_payment_order(
    *, actor: User, connection: BankConnection, data: bytes, now: datetime
) -> SentOrder:
    """Check a pain.001 or pain.008 file, sign it (A006) and upload it to the bank.

    Nothing is sent unless every transaction passes Ledgerlink's checks (raises
    StepRefused listing the problems). The bank itself refuses a file it has seen before
    (same message ID), so sending the same file twice books nothing twice.
    """
    _require(connection, actor)
    try:
        order = read_payment_order(data)
    except FormatError as error:
        raise StepRefused(f"The file cannot be sent: {error}") from error
    problems = find_problems(order, today=now.date())
    if problems:
        raise StepRefused(
            "The file cannot be sent: " + "; ".join(str(problem) for problem in problems[:20])
        )
    if isinstance(order, CreditTransferOrder):
        kind, scheme = "pain.001", None
    else:
        kind, scheme = "pain.008", order.local_instrument
    try:
        upload = payment_upload_order(kind, scheme, EbicsVersion(connection.ebics_version))
    except UnsupportedOrder as error:
        raise StepRefused(str(error)) from error
    client = ready_client(connection, now)
    receipt = _talk(connection, now, lambda bank: bank.upload(upload, data), client=client)
    count = len(order.transactions)
    record_audit(
        tenant=connection.tenant,
        actor=actor,
        action="bank_connection.payment_order_sent",
        target=str(connection),
        changes={"order_id": receipt.order_id, "kind": kind, "transactions": count},
    )
    return SentOrder(order_id=receipt.order_id, kind=kind, transactions=count)


# -- backup --------------------------------------------------------------------------------------


def export_keys(*, actor: User, connection: BankConnection, password: str, now: datetime) -> bytes:
    """A password-protected backup of the subscriber's keys (and the bank's, if verified)."""
    _require(connection, actor)
    if not connection.encrypted_keys:
        raise StepRefused("There are no keys to back up yet.")
    stored = keystore.unseal(connection.encrypted_keys)
    try:
        data = backup.export_keys(
            backup.KeyBundle(
                host_id=connection.host_id,
                partner_id=connection.partner_id,
                user_id=connection.user_id,
                ebics_version=connection.ebics_version,
                signature_pem=stored.keys.signature.private_pem(),
                authentication_pem=stored.keys.authentication.private_pem(),
                encryption_pem=stored.keys.encryption.private_pem(),
                certificates=(
                    backup.SubscriberCertificates(*stored.certificates)
                    if stored.certificates
                    else None
                ),
                bank_keys=(
                    backup.BankPublicKeys(
                        authentication_pem=connection.bank_authentication_key.encode(),
                        encryption_pem=connection.bank_encryption_key.encode(),
                        verified=connection.bank_keys_verified_at is not None,
                    )
                    if connection.bank_authentication_key
                    else None
                ),
            ),
            password,
            created_at=now,
        )
    except backup.BackupError as error:
        raise StepRefused(str(error)) from error
    record_audit(
        tenant=connection.tenant,
        actor=actor,
        action="bank_connection.keys_exported",
        target=str(connection),
    )
    return data


def certificate_hashes(connection: BankConnection) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The subscriber's certificate hashes (EBICS 3.0) by key, as the letter prints them."""
    if not connection.encrypted_keys:
        return ()
    stored = keystore.unseal(connection.encrypted_keys)
    if stored.certificates is None:
        return ()
    labels = ("Signature (A006)", "Authentication (X002)", "Encryption (E002)")
    return tuple(
        (label, format_digest_for_letter(certificate_digest(der)))
        for label, der in zip(labels, stored.certificates, strict=True)
    )


def restore_keys(
    *, actor: User, connection: BankConnection, data: bytes, password: str, now: datetime
) -> None:
    """Replace the connection's keys with those of a backup made for the same subscriber."""
    _require(connection, actor)
    try:
        bundle = backup.import_keys(data, password)
    except backup.BackupError as error:
        raise StepRefused(str(error)) from error
    if (bundle.host_id, bundle.partner_id, bundle.user_id) != (
        connection.host_id,
        connection.partner_id,
        connection.user_id,
    ):
        raise StepRefused("That backup is for another subscriber (host, partner or user).")
    certificates = bundle.certificates
    stored = keystore.StoredKeys(
        keys=SubscriberKeys(
            signature=load_subscriber_key(KeyVersion.SIGNATURE, bundle.signature_pem),
            authentication=load_subscriber_key(
                KeyVersion.AUTHENTICATION, bundle.authentication_pem
            ),
            encryption=load_subscriber_key(KeyVersion.ENCRYPTION, bundle.encryption_pem),
        ),
        certificates=(
            (certificates.signature, certificates.authentication, certificates.encryption)
            if certificates
            else None
        ),
    )
    fields: dict[str, Any] = {"encrypted_keys": keystore.seal(stored), "keys_created_at": now}
    status = S.KEYS_CREATED
    if bundle.bank_keys is not None:
        fields["bank_authentication_key"] = bundle.bank_keys.authentication_pem.decode()
        fields["bank_encryption_key"] = bundle.bank_keys.encryption_pem.decode()
        status = S.BANK_KEYS_DOWNLOADED
        if bundle.bank_keys.verified:
            fields["bank_keys_verified_at"] = now
            fields["bank_keys_verified_by"] = actor
            status = S.ACTIVE
    with transaction.atomic():
        _move(connection, actor, status, "bank_connection.keys_restored", **fields)
