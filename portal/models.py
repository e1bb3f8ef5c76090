"""Configuration only: tenants, their users and roles, API keys and the audit log.

Nothing here may hold business data (entries, payments, statement lines, amounts, customers'
names or IBANs); tests/test_architecture.py lists every model allowed to exist.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models

from portal.roles import Role


class Tenant(models.Model):
    """A Salesforce org, keyed by its 18-character org ID."""

    org_id = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=255)
    is_sandbox = models.BooleanField(default=False)
    # Where the org's users log in and where its API answers; both checked as Salesforce hosts.
    login_url = models.URLField()
    instance_url = models.URLField()
    # Custom domains (e.g. Experience Cloud sites) allowed to frame the Canvas pages.
    frame_ancestors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.org_id})"


class UserManager(BaseUserManager["User"]):
    pass


class User(AbstractBaseUser):
    """A Salesforce user of one org: identified by (org ID, user ID), never by e-mail."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="users")
    salesforce_user_id = models.CharField(max_length=18)
    # Django's login needs one unique field; it is "<org ID>:<user ID>".
    username = models.CharField(max_length=37, unique=True)
    name = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "username"
    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "salesforce_user_id"], name="one_user_per_org_and_id"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.salesforce_user_id

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, required: Role) -> bool:
        return self.is_active and self.role_enum.includes(required)


class ApiKey(models.Model):
    """A tenant's key for the REST API; only a hash of the secret is kept."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLERK)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """Who changed which configuration, when, and how: never business data."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=255)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=255)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class FieldMapping(models.Model):
    """Where one of Ledgerlink's concepts lives in the tenant's org (object and fields).

    Without a row, the concept uses the Ledgerlink package's own object.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="field_mappings")
    concept = models.CharField(max_length=40)
    object_name = models.CharField(max_length=80)
    fields = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "concept"], name="one_mapping_per_concept")
        ]

    def __str__(self) -> str:
        return f"{self.concept} → {self.object_name}"


class SalesforceJobCredential(models.Model):
    """The Salesforce access background jobs of a tenant run under: a user's refresh token.

    The token is encrypted with ENCRYPTION_KEYS; jobs renew it (Salesforce rotates it) and act
    with that user's own Salesforce permissions.
    """

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="job_credential")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    encrypted_refresh_token = models.TextField()
    login_url = models.URLField()
    instance_url = models.URLField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"jobs of {self.tenant} as {self.user}"
