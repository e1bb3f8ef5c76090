"""Use-cases of the portal: signing users in, roles, API keys, tenant settings, the audit log."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from portal.errors import PortalError
from portal.hosts import origin_of
from portal.models import ApiKey, AuditEvent, Tenant, User
from portal.roles import Role

API_KEY_PREFIX = "llk"
# Writing last_used_at on every request would turn each API read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class LastAdminError(PortalError):
    pass


class InvalidFrameAncestor(PortalError):
    pass


@dataclass(frozen=True)
class SignIn:
    """Who Salesforce says is logging in, and where their org lives."""

    org_id: str
    org_name: str
    user_id: str
    user_name: str
    login_url: str
    instance_url: str
    is_sandbox: bool


def record_audit(
    *,
    tenant: Tenant,
    actor: User | None,
    action: str,
    target: str,
    changes: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else "Ledgerlink"),
        action=action,
        target=target,
        changes=changes or {},
    )


@transaction.atomic
def sign_in(*, identity: SignIn) -> User:
    """Create or update the tenant and user behind a Salesforce login.

    The first user who connects an org becomes its admin; later users start as viewers until an
    admin gives them a role.
    """
    tenant, tenant_created = Tenant.objects.select_for_update().get_or_create(
        org_id=identity.org_id,
        defaults={
            "name": identity.org_name or identity.org_id,
            "is_sandbox": identity.is_sandbox,
            "login_url": identity.login_url,
            "instance_url": identity.instance_url,
        },
    )
    if tenant_created:
        record_audit(tenant=tenant, actor=None, action="tenant.connected", target=tenant.name)
    else:
        tenant.login_url = identity.login_url
        tenant.instance_url = identity.instance_url
        if identity.org_name:
            tenant.name = identity.org_name
        tenant.save(update_fields=["login_url", "instance_url", "name", "updated_at"])

    user, user_created = User.objects.get_or_create(
        tenant=tenant,
        salesforce_user_id=identity.user_id,
        defaults={
            "username": f"{identity.org_id}:{identity.user_id}",
            "name": identity.user_name,
            "role": Role.ADMIN if tenant_created else Role.VIEWER,
        },
    )
    if user_created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record_audit(
            tenant=tenant,
            actor=user,
            action="user.joined",
            target=str(user),
            changes={"role": user.role},
        )
    elif identity.user_name and user.name != identity.user_name:
        user.name = identity.user_name
        user.save(update_fields=["name"])
    return user


@transaction.atomic
def assign_role(*, actor: User, user: User, role: Role) -> User:
    """Give a user of the actor's org a role; an org always keeps at least one active admin."""
    if user.tenant_id != actor.tenant_id:
        raise PortalError("That user belongs to another organisation.")
    previous = user.role
    if previous == role:
        return user
    if previous == Role.ADMIN:
        other_admins = (
            User.objects.select_for_update()
            .filter(tenant_id=user.tenant_id, role=Role.ADMIN, is_active=True)
            .exclude(pk=user.pk)
        )
        if not other_admins.exists():
            raise LastAdminError("The organisation needs at least one admin.")
    user.role = role
    user.save(update_fields=["role"])
    record_audit(
        tenant=user.tenant,
        actor=actor,
        action="user.role_changed",
        target=str(user),
        changes={"role": [previous, role.value]},
    )
    return user


def _hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 suffices; no slow hash is needed.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_key(*, actor: User, name: str, role: Role) -> tuple[ApiKey, str]:
    """Create an API key; the returned plaintext is shown once and never stored."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        tenant=actor.tenant,
        name=name,
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        role=role,
        created_by=actor,
    )
    record_audit(
        tenant=actor.tenant,
        actor=actor,
        action="api_key.created",
        target=str(api_key),
        changes={"role": role.value},
    )
    return api_key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def revoke_api_key(*, actor: User, api_key: ApiKey, now: datetime) -> ApiKey:
    if api_key.tenant_id != actor.tenant_id:
        raise PortalError("That key belongs to another organisation.")
    if api_key.revoked_at is None:
        api_key.revoked_at = now
        api_key.save(update_fields=["revoked_at"])
        record_audit(
            tenant=actor.tenant, actor=actor, action="api_key.revoked", target=str(api_key)
        )
    return api_key


def authenticate_api_key(*, presented: str, now: datetime) -> ApiKey | None:
    """Return the active key matching a presented ``llk_<prefix>_<secret>``, or None."""
    label, _, rest = presented.partition("_")
    prefix, _, secret = rest.partition("_")
    if label != API_KEY_PREFIX or not prefix or not secret:
        return None
    api_key = ApiKey.objects.select_related("tenant").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, _hash_secret(secret)):
        return None
    if api_key.revoked_at is not None:
        return None
    if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


@transaction.atomic
def update_frame_ancestors(*, actor: User, origins: list[str]) -> Tenant:
    """Set the tenant's custom domains allowed to frame Ledgerlink (https origins only)."""
    cleaned: list[str] = []
    for origin in origins:
        candidate = origin.strip()
        if not candidate:
            continue
        if not candidate.startswith("https://") or origin_of(candidate) != candidate.lower():
            raise InvalidFrameAncestor(
                f"{candidate!r} is not an https origin like https://example.com."
            )
        if any(character in candidate for character in " ;,'\"*"):
            raise InvalidFrameAncestor(
                f"{candidate!r} may not contain spaces, quotes or wildcards."
            )
        cleaned.append(candidate.lower())
    tenant = Tenant.objects.select_for_update().get(pk=actor.tenant_id)
    previous = list(tenant.frame_ancestors)
    if previous != cleaned:
        tenant.frame_ancestors = cleaned
        tenant.save(update_fields=["frame_ancestors", "updated_at"])
        record_audit(
            tenant=tenant,
            actor=actor,
            action="tenant.frame_ancestors_changed",
            target=tenant.name,
            changes={"frame_ancestors": [previous, cleaned]},
        )
    return tenant
