"""The package metadata and the client's default mapping describe the same objects and fields."""

from pathlib import Path

from portal.salesforce.client import FieldDescription, ObjectDescription
from portal.salesforce.mapping import CONCEPTS, ObjectMapping, check_mapping, default_mapping

OBJECTS = (
    Path(__file__).resolve().parents[3]
    / "salesforce"
    / "force-app"
    / "main"
    / "default"
    / "objects"
)


def _package_fields() -> dict[str, set[str]]:
    return {
        folder.name: {
            path.name.removesuffix(".field-meta.xml")
            for path in (folder / "fields").glob("*.field-meta.xml")
        }
        for folder in OBJECTS.iterdir()
        if folder.is_dir()
    }


def test_every_object_and_field_the_client_uses_exists_in_the_package_and_back():
    used = {
        concept.default_object: {item.default_field for item in concept.fields}
        for concept in CONCEPTS.values()
    }
    assert used == _package_fields()


def test_each_concepts_external_id_is_one_of_its_fields():
    for concept in CONCEPTS.values():
        assert concept.external_id in {item.default_field for item in concept.fields}


def _description(**fields: FieldDescription) -> ObjectDescription:
    return ObjectDescription(
        name="Invoice__c", is_queryable=True, is_createable=True, is_updateable=True, fields=fields
    )


def _field(name: str, type_: str, *, writable: bool = True) -> FieldDescription:
    return FieldDescription(name, type_, 80, False, False, writable, writable)


def test_a_mapping_onto_the_orgs_own_object_lists_every_missing_or_mistyped_field():
    mapping = ObjectMapping("entry_item", "Invoice__c", default_mapping("entry_item").fields)
    description = _description(
        External_Id__c=_field("External_Id__c", "string"),
        Entry__c=_field("Entry__c", "reference"),
        Amount__c=_field("Amount__c", "string"),
    )
    problems = check_mapping(mapping, description)
    assert problems == [
        "Payment: Invoice__c has no field Payment__c.",
        "Amount: Amount__c is of type string, which cannot hold a money value.",
    ]


def test_a_read_only_field_that_ledgerlink_writes_is_a_problem():
    mapping = default_mapping("entry_item")
    description = _description(
        External_Id__c=_field("External_Id__c", "string"),
        Entry__c=_field("Entry__c", "reference"),
        Payment__c=_field("Payment__c", "reference"),
        Amount__c=_field("Amount__c", "currency", writable=False),
    )
    assert check_mapping(mapping, description) == [
        "Amount: Amount__c is read-only for you, but Ledgerlink writes it."
    ]


def test_a_name_that_could_change_a_query_is_refused():
    import pytest

    from portal.salesforce.mapping import InvalidApiName

    with pytest.raises(InvalidApiName):
        ObjectMapping("entry", "Invoice__c WHERE Id != null", {})
    with pytest.raises(InvalidApiName):
        ObjectMapping("entry", "Invoice__c", {"amount": "Amount__c, (SELECT Id FROM Users)"})
