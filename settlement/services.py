"""Use-cases of matching configurations: validated by the engine's own rules, audited."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from portal.errors import PortalError
from portal.models import Tenant, User
from portal.services import record_audit
from settlement import matching
from settlement.matching.configuration import configuration_problems
from settlement.models import MatchingConfiguration

EDITABLE_FIELDS = (
    "name",
    "active",
    "priority",
    "template",
    "reference_patterns",
    "custom_field",
    "amount_tolerance_percent",
    "amount_tolerance_absolute",
    "auto_threshold",
    "suggest_threshold",
    "allow_auto",
)


class InvalidMatchingConfiguration(PortalError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("The configuration cannot be used: " + "; ".join(problems))
        self.problems = problems


def to_engine(row: MatchingConfiguration) -> matching.MatchingConfiguration:
    """The engine's view of a stored configuration."""
    return matching.MatchingConfiguration(
        name=row.name,
        active=row.active,
        priority=row.priority,
        template=matching.Template(row.template),
        reference_patterns=tuple(row.reference_patterns),
        custom_field=row.custom_field,
        amount_tolerance_percent=Decimal(row.amount_tolerance_percent),
        amount_tolerance_absolute=Decimal(row.amount_tolerance_absolute),
        auto_threshold=float(row.auto_threshold),
        suggest_threshold=float(row.suggest_threshold),
        allow_auto=row.allow_auto,
    )


def engine_configurations(tenant: Tenant) -> tuple[matching.MatchingConfiguration, ...] | None:
    """The tenant's configurations for the engine; None means the engine's defaults."""
    rows = MatchingConfiguration.objects.filter(tenant=tenant)
    return tuple(to_engine(row) for row in rows) or None


def _snapshot(row: MatchingConfiguration) -> dict[str, Any]:
    return {key: str(value) for key, value in model_to_dict(row, fields=EDITABLE_FIELDS).items()}


@transaction.atomic
def save_configuration(
    *, actor: User, values: dict[str, Any], configuration: MatchingConfiguration | None = None
) -> MatchingConfiguration:
    """Create or change a configuration; the engine's rules decide whether it is usable.

    Raises InvalidMatchingConfiguration listing every problem; nothing is saved then.
    """
    row = configuration or MatchingConfiguration(tenant=actor.tenant)
    if row.tenant_id != actor.tenant_id:
        raise PortalError("That configuration belongs to another organisation.")
    before = _snapshot(row) if row.pk else {}
    for field in EDITABLE_FIELDS:
        if field in values:
            setattr(row, field, values[field])
    problems = [str(problem) for problem in configuration_problems(to_engine(row), "")]
    if row.template == matching.Template.CUSTOM_FIELD and not row.custom_field:
        problems.append("custom_field: is required by the custom_field template")
    if problems:
        raise InvalidMatchingConfiguration(sorted(set(problems)))
    row.save()
    after = _snapshot(row)
    record_audit(
        tenant=actor.tenant,
        actor=actor,
        action="matching_configuration.saved",
        target=row.name,
        changes={
            key: [before.get(key, ""), value]
            for key, value in after.items()
            if before.get(key) != value
        },
    )
    return row


@transaction.atomic
def delete_configuration(*, actor: User, configuration: MatchingConfiguration) -> None:
    if configuration.tenant_id != actor.tenant_id:
        raise PortalError("That configuration belongs to another organisation.")
    name = configuration.name
    configuration.delete()
    record_audit(
        tenant=actor.tenant, actor=actor, action="matching_configuration.deleted", target=name
    )
