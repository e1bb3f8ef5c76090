"""Use-cases of the Salesforce side: field mappings, and checking the org has what they need."""

from dataclasses import dataclass

from django.db import transaction

from portal.errors import PortalError
from portal.models import FieldMapping, Tenant, User
from portal.salesforce.client import SalesforceClient
from portal.salesforce.errors import SalesforceRequestError
from portal.salesforce.mapping import (
    CONCEPTS,
    InvalidApiName,
    ObjectMapping,
    check_mapping,
    default_mapping,
)
from portal.services import record_audit


class InvalidFieldMapping(PortalError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("The mapping does not fit the org: " + " ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ConceptCheck:
    concept: str
    label: str
    object_name: str
    problems: tuple[str, ...]

    @property
    def is_ok(self) -> bool:
        return not self.problems


def mapping_for(tenant: Tenant, concept: str) -> ObjectMapping:
    """The tenant's mapping of a concept, or the Ledgerlink package's default."""
    row = FieldMapping.objects.filter(tenant=tenant, concept=concept).first()
    if row is None:
        return default_mapping(concept)
    return ObjectMapping(concept=concept, object_name=row.object_name, fields=dict(row.fields))


def _describe_problems(client: SalesforceClient, mapping: ObjectMapping) -> list[str]:
    try:
        description = client.describe(mapping.object_name)
    except SalesforceRequestError:
        return [f"The org has no object {mapping.object_name} you can see."]
    return check_mapping(mapping, description)


@transaction.atomic
def save_field_mapping(
    *, actor: User, client: SalesforceClient, concept: str, object_name: str, fields: dict[str, str]
) -> FieldMapping:
    """Check a mapping against the org's describe, then keep it.

    Raises InvalidFieldMapping listing every problem, or a SalesforceError when the org cannot
    be asked.
    """
    definition = CONCEPTS[concept]
    try:
        mapping = ObjectMapping(
            concept=concept,
            object_name=object_name.strip(),
            fields={item.name: fields.get(item.name, "").strip() for item in definition.fields},
        )
    except InvalidApiName as error:
        raise InvalidFieldMapping([str(error)]) from error
    problems = _describe_problems(client, mapping)
    if problems:
        raise InvalidFieldMapping(problems)
    previous = mapping_for(actor.tenant, concept)
    row, _ = FieldMapping.objects.update_or_create(
        tenant=actor.tenant,
        concept=concept,
        defaults={"object_name": mapping.object_name, "fields": mapping.fields},
    )
    changed = {
        name: [previous.fields.get(name, ""), value]
        for name, value in mapping.fields.items()
        if previous.fields.get(name) != value
    }
    if previous.object_name != mapping.object_name:
        changed["object"] = [previous.object_name, mapping.object_name]
    record_audit(
        tenant=actor.tenant,
        actor=actor,
        action="field_mapping.saved",
        target=definition.label,
        changes=changed,
    )
    return row


@transaction.atomic
def reset_field_mapping(*, actor: User, concept: str) -> None:
    deleted, _ = FieldMapping.objects.filter(tenant=actor.tenant, concept=concept).delete()
    if deleted:
        record_audit(
            tenant=actor.tenant,
            actor=actor,
            action="field_mapping.reset",
            target=CONCEPTS[concept].label,
        )


def check_package(*, tenant: Tenant, client: SalesforceClient) -> list[ConceptCheck]:
    """For each concept: does the org have its object and fields, as mapped, for this user?

    Raises SalesforceError when the org cannot be asked at all.
    """
    checks = []
    for concept, definition in CONCEPTS.items():
        mapping = mapping_for(tenant, concept)
        checks.append(
            ConceptCheck(
                concept=concept,
                label=definition.label,
                object_name=mapping.object_name,
                problems=tuple(_describe_problems(client, mapping)),
            )
        )
    return checks
