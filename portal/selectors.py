"""Reads of configuration, always scoped to one tenant."""

from django.db.models import QuerySet

from portal.models import ApiKey, AuditEvent, Tenant, User


def users_of(tenant: Tenant) -> QuerySet[User]:
    return User.objects.filter(tenant=tenant).order_by("name", "salesforce_user_id")


def api_keys_of(tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(tenant=tenant).select_related("created_by").order_by("-created_at")


def audit_events_of(tenant: Tenant) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(tenant=tenant).select_related("actor")
