"""Describe documents (describeGlobal, sObject basic information, describe) for one caller.

They carry the keys Salesforce's describe answers carry, with the values the stand-in's model gives;
object and field flags follow the caller's permissions, and fields hidden from the caller are left
out, as Salesforce leaves them out.
"""

from standins.salesforce.data.permissions import Access
from standins.salesforce.data.schema import (
    BOOLEAN,
    DATETIME,
    ID,
    REFERENCE,
    TEXTAREA,
    Field,
    Schema,
    SObjectType,
)

_MASTER_RECORD_TYPE = "012000000000000AAA"
# Fields the platform fills in when a record is created.
_SET_ON_CREATE = frozenset(
    {"Id", "IsDeleted", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate"}
    | {"LastModifiedById", "SystemModstamp"}
)


def _urls(sobject: SObjectType, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{sobject.name}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "describe": f"{base}/describe",
        "sobject": base,
    }


def global_entry(sobject: SObjectType, access: Access, version: str) -> dict[str, object]:
    """An object's entry in describeGlobal, also the ``objectDescribe`` of its basic information."""
    permission = access.on(sobject)
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": sobject.writable and permission.create,
        "custom": sobject.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": sobject.writable and permission.delete,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": sobject.key_prefix,
        "label": sobject.label,
        "labelPlural": sobject.label_plural,
        "layoutable": True,
        "mergeable": sobject.name == "Account" and permission.delete,
        "mruEnabled": True,
        "name": sobject.name,
        "queryable": permission.read,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": sobject.writable,
        "undeletable": sobject.writable and permission.delete,
        "updateable": sobject.writable and permission.edit,
        "urls": _urls(sobject, version),
    }


def describe_global(schema: Schema, access: Access, version: str) -> dict[str, object]:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [
            global_entry(sobject, access, version)
            for sobject in schema.objects
            if access.on(sobject).read
        ],
    }


def _length(field: Field) -> int:
    if field.type in {ID, REFERENCE}:
        return 18
    return field.length if field.is_text else 0


def _byte_length(field: Field) -> int:
    if field.type in {ID, REFERENCE}:
        return 18
    if field.is_text:
        return field.length * 3
    return 0


def field_entry(sobject: SObjectType, field: Field, access: Access) -> dict[str, object]:
    permission = access.on(sobject)
    editable = sobject.writable and access.can_edit_field(sobject, field)
    long_text = field.type == TEXTAREA and field.length > 255
    default = field.default_value if field.type == BOOLEAN else None
    return {
        "aggregatable": not long_text,
        "aiPredictionField": False,
        "autoNumber": field.auto_number,
        "byteLength": _byte_length(field),
        "calculated": False,
        "calculatedFormula": None,
        "cascadeDelete": field.delete_constraint == "Cascade",
        "caseSensitive": field.case_sensitive,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": editable and permission.create,
        "custom": field.custom,
        "defaultValue": default,
        "defaultValueFormula": None,
        "defaultedOnCreate": field.default_value is not None
        or field.auto_number
        or field.name in _SET_ON_CREATE,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": field.external_id,
        "extraTypeInfo": field.extra_type_info,
        "filterable": not long_text,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": not long_text and field.type not in {DATETIME} and not field.is_number,
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": field.id_lookup or (field.name_field and not sobject.custom),
        "inlineHelpText": None,
        "label": field.label,
        "length": _length(field),
        "mask": None,
        "maskType": None,
        "name": field.name,
        "nameField": field.name_field,
        "namePointing": field.name == "OwnerId",
        "nillable": field.nillable,
        "permissionable": field.custom and field.nillable,
        "picklistValues": [
            {
                "active": value.active,
                "defaultValue": value.is_default,
                "label": value.label,
                "validFor": None,
                "value": value.value,
            }
            for value in field.picklist_values
        ],
        "polymorphicForeignKey": field.name == "OwnerId",
        "precision": field.precision,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(field.reference_to),
        "relationshipName": field.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": field.delete_constraint == "Restrict",
        "restrictedPicklist": field.restricted_picklist,
        "scale": field.scale,
        "searchPrefilterable": False,
        "soapType": field.soap_type,
        "sortable": not long_text,
        "type": field.type,
        "unique": field.unique,
        "updateable": editable and permission.edit,
        "writeRequiresMasterRead": False,
    }


def _child_relationships(schema: Schema, sobject: SObjectType) -> list[dict[str, object]]:
    return [
        {
            "cascadeDelete": lookup.delete_constraint == "Cascade",
            "childSObject": child.name,
            "deprecatedAndHidden": False,
            "field": lookup.name,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
            "relationshipName": lookup.child_relationship_name,
            "restrictedDelete": lookup.delete_constraint == "Restrict",
        }
        for child in schema.stored_objects
        for lookup in child.lookups
        if lookup.custom and sobject.name in lookup.reference_to
    ]


def describe(
    schema: Schema, sobject: SObjectType, access: Access, version: str
) -> dict[str, object]:
    """The full describe of an object, with only the fields the caller can see."""
    document = global_entry(sobject, access, version)
    document.update(
        {
            "actionOverrides": [],
            "childRelationships": _child_relationships(schema, sobject),
            "compactLayoutable": True,
            "defaultImplementation": None,
            "extendedBy": None,
            "extendsInterfaces": None,
            "fields": [
                field_entry(sobject, field, access)
                for field in sobject.fields
                if access.can_read_field(sobject, field)
            ],
            "implementedBy": None,
            "implementsInterfaces": None,
            "listviewable": None,
            "lookupLayoutable": None,
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [
                {
                    "active": True,
                    "available": True,
                    "defaultRecordTypeMapping": True,
                    "developerName": "Master",
                    "master": True,
                    "name": "Master",
                    "recordTypeId": _MASTER_RECORD_TYPE,
                    "urls": {
                        "layout": f"/services/data/v{version}/sobjects/{sobject.name}"
                        f"/describe/layouts/{_MASTER_RECORD_TYPE}"
                    },
                }
            ],
            "searchLayoutable": True,
            "sobjectDescribeOption": "FULL",
            "supportedScopes": [{"label": "All records", "name": "everything"}],
        }
    )
    return dict(sorted(document.items()))
