"""Bank connections: how to reach a tenant's bank over EBICS. Configuration only.

What is stored is what a finance admin sets up once: the bank's address and the subscriber's IDs,
the subscriber's private keys (encrypted with ENCRYPTION_KEYS), the bank's public keys and the
accounts to retrieve statements for. Statements and payments are never stored here.
"""

from django.db import models

from portal.models import Tenant, User


class EbicsVersion(models.TextChoices):
    H005 = "H005", "EBICS 3.0 (H005)"
    H004 = "H004", "EBICS 2.5 (H004)"


class ConnectionStatus(models.TextChoices):
    """Where the onboarding stands; the wizard tells the admin what to do next for each."""

    NEW = "new", "New"
    KEYS_CREATED = "keys_created", "Keys created"
    KEYS_SENT = "keys_sent", "Keys sent"
    LETTER_DOWNLOADED = "letter_downloaded", "Letter downloaded"
    WAITING_FOR_BANK = "waiting_for_bank", "Waiting for bank"
    BANK_KEYS_DOWNLOADED = "bank_keys_downloaded", "Bank keys downloaded"
    BANK_KEYS_VERIFIED = "bank_keys_verified", "Bank keys verified"
    ACTIVE = "active", "Active"
    KEY_EXCHANGE_FAILED = "key_exchange_failed", "Key exchange failed"
    ACTIVATION_ERROR = "activation_error", "Activation error"
    DISABLED = "disabled", "Disabled"
    KEYS_EXPIRED = "keys_expired", "Keys expired"


class BankConnection(models.Model):
    """One EBICS subscriber (host, partner, user) of a tenant at one bank."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="bank_connections")
    name = models.CharField(max_length=80)
    bank_url = models.URLField(max_length=300)
    host_id = models.CharField(max_length=35)
    partner_id = models.CharField(max_length=35)
    user_id = models.CharField(max_length=35)
    ebics_version = models.CharField(
        max_length=4, choices=EbicsVersion.choices, default=EbicsVersion.H005
    )
    status = models.CharField(
        max_length=24, choices=ConnectionStatus.choices, default=ConnectionStatus.NEW
    )
    # The hashes printed on the bank's own letter, if the admin has it already (hex, any grouping).
    expected_authentication_hash = models.CharField(max_length=120, blank=True)
    expected_encryption_hash = models.CharField(max_length=120, blank=True)

    # A MultiFernet token of the subscriber's three private keys (and certificates), never logged.
    encrypted_keys = models.TextField(blank=True)
    keys_created_at = models.DateTimeField(null=True, blank=True)
    keys_expire_at = models.DateTimeField(null=True, blank=True)
    # The bank's public keys as PEM, once downloaded (HPB); trusted only after verification.
    bank_authentication_key = models.TextField(blank=True)
    bank_encryption_key = models.TextField(blank=True)
    # SHA-256 (hex) of the bank's X.509 certificates, when it sent them (EBICS 3.0).
    bank_authentication_certificate_hash = models.CharField(max_length=64, blank=True)
    bank_encryption_certificate_hash = models.CharField(max_length=64, blank=True)
    bank_keys_verified_at = models.DateTimeField(null=True, blank=True)
    bank_keys_verified_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The bank's last refusal, as its return code and our explanation: no order data.
    last_error_code = models.CharField(max_length=6, blank=True)
    last_error_message = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # When set, only the creator may change the connection (the four-eyes setups of some banks).
    is_locked_to_creator = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "host_id", "partner_id", "user_id"],
                name="one_connection_per_subscriber",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.host_id}/{self.partner_id}/{self.user_id})"


class BankAccount(models.Model):
    """An account the bank reported for the subscriber (HTD/HKD); selected ones are retrieved."""

    connection = models.ForeignKey(
        BankConnection, on_delete=models.CASCADE, related_name="accounts"
    )
    account_id = models.CharField(max_length=64)
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    description = models.CharField(max_length=140, blank=True)
    is_selected = models.BooleanField(default=True)
    # Payment files from this account ask for one booking per file (batch booking) or one per
    # transaction, as agreed with the bank for the account.
    batch_booking = models.BooleanField(default=True)

    class Meta:
        ordering = ["iban", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "account_id"], name="one_row_per_bank_account"
            )
        ]

    def __str__(self) -> str:
        return self.iban or self.account_id


class JobKind(models.TextChoices):
    RETRIEVAL = "retrieval", "Statement retrieval"
    PAYMENT_RUN = "payment_run", "Payment run"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class RetrievalSchedule(models.Model):
    """When a connection's statements are retrieved by themselves, and what happens after."""

    connection = models.OneToOneField(
        BankConnection, on_delete=models.CASCADE, related_name="schedule"
    )
    is_active = models.BooleanField(default=True)
    # Time of day in UTC; the run starts at the first beat after it.
    retrieve_at = models.TimeField()
    kind = models.CharField(max_length=10, default="camt.053")
    # The period: from this many days back up to today, so a missed day is caught up.
    days_back = models.PositiveSmallIntegerField(default=3)
    # Settle the AUTO band right after retrieving (only where the matching configuration
    # allows automatic settling).
    auto_settle = models.BooleanField(default=False)
    # Also download the period's payment status reports (pain.002), so payments the bank
    # rejected move to Rejected and their entries reopen before anything is settled.
    apply_status_reports = models.BooleanField(default=True)
    # Whose name the runs go under (the audit log and the connection's lock need a user).
    run_as = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.connection} at {self.retrieve_at:%H:%M} UTC"


class PaymentRunSchedule(models.Model):
    """The connection's payment-run calendar: on which weekdays a run is prepared, and how.

    A prepared run waits for a finance admin's approval: the calendar never sends on its own.
    """

    connection = models.OneToOneField(
        BankConnection, on_delete=models.CASCADE, related_name="payment_schedule"
    )
    is_active = models.BooleanField(default=True)
    # ISO weekdays (1 = Monday ... 5 = Friday), comma-separated; TARGET holidays are skipped.
    weekdays = models.CharField(max_length=9, default="1,2,3,4,5")
    # Time of day in UTC; the run is prepared at the first beat after it.
    prepare_at = models.TimeField()
    # Execution this many TARGET business days after the day of preparation.
    lead_days = models.PositiveSmallIntegerField(default=1)
    account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="+")
    creditor_id = models.CharField(max_length=35, blank=True)
    prefix = models.CharField(max_length=10, default="LL")
    # Whose name the runs go under (the audit log and the connection's lock need a user).
    run_as = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.connection} payment runs at {self.prepare_at:%H:%M} UTC"

    @property
    def iso_weekdays(self) -> frozenset[int]:
        return frozenset(int(day) for day in self.weekdays.split(",") if day.strip().isdigit())


class BankJobRun(models.Model):
    """One run of a bank job for the history: when, which connection, what it asked for, counts.

    Only counts and our own error text are kept, never statements, names or amounts.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="bank_job_runs")
    connection = models.ForeignKey(
        BankConnection, on_delete=models.SET_NULL, null=True, related_name="runs"
    )
    kind = models.CharField(max_length=16, choices=JobKind.choices)
    started_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    # What was asked for: the statement kind and the period (dates, not data).
    parameters = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    error = models.CharField(max_length=500, blank=True)
    # The run's progress in the cache (portal.progress), for the page that shows it.
    job_id = models.CharField(max_length=32)
    # Set for scheduled runs: the day they are for, so a schedule runs once a day however often
    # the beat fires.
    scheduled_for = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "kind", "scheduled_for"],
                condition=models.Q(scheduled_for__isnull=False),
                name="one_scheduled_run_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
