"""Objects and fields of the org: the package's custom objects, the standard ones Ledgerlink uses.

Custom objects are read from the SFDX source (``objects/*/``), so a field added to the package is a
field of the stand-in after a restart. The standard objects (Account, User, Organization) are
defined here, with the fields Ledgerlink's client needs. Names are matched case-insensitively, as
Salesforce does, but answers always use the canonical spelling.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from standins.salesforce.data import metadata
from standins.salesforce.data.metadata import MetadataError

# Describe types, as Salesforce names them in describe answers.
ID = "id"
STRING = "string"
TEXTAREA = "textarea"
CURRENCY = "currency"
DOUBLE = "double"
PERCENT = "percent"
DATE = "date"
DATETIME = "datetime"
BOOLEAN = "boolean"
REFERENCE = "reference"
PICKLIST = "picklist"
PHONE = "phone"
EMAIL = "email"
URL = "url"

TEXT_TYPES = frozenset({ID, STRING, TEXTAREA, REFERENCE, PICKLIST, PHONE, EMAIL, URL})
NUMBER_TYPES = frozenset({CURRENCY, DOUBLE, PERCENT})

_SOAP_TYPES = {
    ID: "tns:ID",
    REFERENCE: "tns:ID",
    CURRENCY: "xsd:double",
    DOUBLE: "xsd:double",
    PERCENT: "xsd:double",
    DATE: "xsd:date",
    DATETIME: "xsd:dateTime",
    BOOLEAN: "xsd:boolean",
}

# Metadata field types and the describe type each becomes.
_METADATA_TYPES = {
    "Text": STRING,
    "TextArea": TEXTAREA,
    "LongTextArea": TEXTAREA,
    "Currency": CURRENCY,
    "Number": DOUBLE,
    "Percent": PERCENT,
    "Date": DATE,
    "DateTime": DATETIME,
    "Checkbox": BOOLEAN,
    "Lookup": REFERENCE,
    "MasterDetail": REFERENCE,
    "Picklist": PICKLIST,
    "Phone": PHONE,
    "Email": EMAIL,
    "Url": URL,
}

STANDARD_KEY_PREFIXES = {"Account": "001", "User": "005", "Organization": "00D"}


@dataclass(frozen=True)
class PicklistValue:
    value: str
    label: str
    is_default: bool = False
    active: bool = True


@dataclass(frozen=True)
class Field:
    """One field of an object, with what describe tells about it."""

    name: str
    label: str
    type: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    custom: bool = False
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False
    nillable: bool = True
    # False for fields the platform maintains (Id, audit fields, auto-numbers, formula-like
    # fields): nobody may write them, whatever their permissions.
    writable: bool = True
    auto_number: bool = False
    name_field: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    child_relationship_name: str | None = None
    # What deleting the parent does to this lookup: "Restrict" refuses, "SetNull" clears it.
    delete_constraint: str | None = None
    picklist_values: tuple[PicklistValue, ...] = ()
    restricted_picklist: bool = False
    default_value: bool | str | None = None
    extra_type_info: str | None = None

    @property
    def soap_type(self) -> str:
        return _SOAP_TYPES.get(self.type, "xsd:string")

    @property
    def is_text(self) -> bool:
        return self.type in TEXT_TYPES

    @property
    def is_number(self) -> bool:
        return self.type in NUMBER_TYPES

    @property
    def id_lookup(self) -> bool:
        """Whether the field can identify a record in an upsert (Id and external IDs)."""
        return self.type == ID or self.external_id

    @property
    def picklist_value_set(self) -> frozenset[str]:
        return frozenset(value.value for value in self.picklist_values)


@dataclass(frozen=True)
class SObjectType:
    """An object (table) of the org and its fields."""

    name: str
    label: str
    label_plural: str
    custom: bool
    fields: tuple[Field, ...]
    key_prefix: str = ""
    # The AutoNumber display format of the Name field, such as "E-{000000}".
    auto_number_format: str | None = None
    # False for User and Organization: the stand-in shows them but keeps them in its directory.
    writable: bool = True
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)
    _by_relationship: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name.lower(): f for f in self.fields})
        object.__setattr__(
            self,
            "_by_relationship",
            {f.relationship_name.lower(): f for f in self.fields if f.relationship_name},
        )

    @property
    def table(self) -> str:
        """The SQLite table (or view) that holds the records."""
        return f"sobject_{self.name}"

    def field(self, name: str) -> Field | None:
        """The field called ``name``, in any letter case."""
        return self._by_name.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        """The lookup whose relationship name is ``name`` (``Account__r``, ``Owner``)."""
        return self._by_relationship.get(name.lower())

    @property
    def unique_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.unique)

    @property
    def lookups(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.type == REFERENCE)


@dataclass(frozen=True)
class Schema:
    """Every object of the org."""

    objects: tuple[SObjectType, ...]
    _by_name: dict[str, SObjectType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {o.name.lower(): o for o in self.objects})

    def get(self, name: str) -> SObjectType | None:
        """The object called ``name``, in any letter case."""
        return self._by_name.get(name.lower())

    def by_key_prefix(self, key_prefix: str) -> SObjectType | None:
        return next((o for o in self.objects if o.key_prefix == key_prefix), None)

    def with_key_prefixes(self, key_prefixes: dict[str, str]) -> "Schema":
        """The same schema with the given key prefixes (by object name) filled in."""
        return Schema(
            tuple(
                replace(o, key_prefix=key_prefixes.get(o.name, o.key_prefix)) for o in self.objects
            )
        )

    @property
    def stored_objects(self) -> tuple[SObjectType, ...]:
        """Objects with a table of their own (User and Organization are views of the directory)."""
        return tuple(o for o in self.objects if o.writable)


# -- Fields every object has ----------------------------------------------------------------------


def _id_field(label: str) -> Field:
    return Field("Id", label, ID, length=18, nillable=False, writable=False)


def _user_lookup(name: str, label: str, relationship_name: str, *, writable: bool) -> Field:
    return Field(
        name,
        label,
        REFERENCE,
        length=18,
        nillable=False,
        writable=writable,
        reference_to=("User",),
        relationship_name=relationship_name,
    )


def _audit_fields(*, with_owner: bool, with_is_deleted: bool) -> tuple[Field, ...]:
    fields = [
        Field("CreatedDate", "Created Date", DATETIME, nillable=False, writable=False),
        _user_lookup("CreatedById", "Created By ID", "CreatedBy", writable=False),
        Field("LastModifiedDate", "Last Modified Date", DATETIME, nillable=False, writable=False),
        _user_lookup("LastModifiedById", "Last Modified By ID", "LastModifiedBy", writable=False),
        Field("SystemModstamp", "System Modstamp", DATETIME, nillable=False, writable=False),
    ]
    if with_owner:
        # Writable: records can be given to another user of the org.
        fields.insert(0, _user_lookup("OwnerId", "Owner ID", "Owner", writable=True))
    if with_is_deleted:
        fields.insert(0, Field("IsDeleted", "Deleted", BOOLEAN, nillable=False, writable=False))
    return tuple(fields)


# -- Standard objects ----------------------------------------------------------------------------

_ACCOUNT_TYPES = (
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
)


def _standard_objects() -> tuple[SObjectType, ...]:
    account = SObjectType(
        name="Account",
        label="Account",
        label_plural="Accounts",
        custom=False,
        key_prefix=STANDARD_KEY_PREFIXES["Account"],
        fields=(
            _id_field("Account ID"),
            *_audit_fields(with_owner=True, with_is_deleted=True)[:2],
            Field("Name", "Account Name", STRING, length=255, nillable=False, name_field=True),
            Field("AccountNumber", "Account Number", STRING, length=40),
            Field(
                "Type",
                "Account Type",
                PICKLIST,
                length=255,
                picklist_values=tuple(PicklistValue(v, v) for v in _ACCOUNT_TYPES),
            ),
            Field("BillingStreet", "Billing Street", TEXTAREA, length=255),
            Field("BillingPostalCode", "Billing Zip/Postal Code", STRING, length=20),
            Field("BillingCity", "Billing City", STRING, length=40),
            Field("BillingCountry", "Billing Country", STRING, length=80),
            Field("Phone", "Account Phone", PHONE, length=40),
            *_audit_fields(with_owner=True, with_is_deleted=True)[2:],
        ),
    )
    user = SObjectType(
        name="User",
        label="User",
        label_plural="Users",
        custom=False,
        key_prefix=STANDARD_KEY_PREFIXES["User"],
        writable=False,
        fields=(
            _id_field("User ID"),
            Field("Username", "Username", STRING, length=80, nillable=False, unique=True),
            Field("LastName", "Last Name", STRING, length=80, nillable=False),
            Field("FirstName", "First Name", STRING, length=40),
            Field("Name", "Full Name", STRING, length=121, nillable=False, name_field=True),
            Field("Email", "Email", EMAIL, length=128, nillable=False),
            Field("IsActive", "Active", BOOLEAN, nillable=False),
            Field("ProfileId", "Profile ID", REFERENCE, length=18, reference_to=("Profile",)),
            Field("TimeZoneSidKey", "Time Zone", PICKLIST, length=40, nillable=False),
            Field("LocaleSidKey", "Locale", PICKLIST, length=40, nillable=False),
            Field("LanguageLocaleKey", "Language", PICKLIST, length=40, nillable=False),
            *_audit_fields(with_owner=False, with_is_deleted=False),
        ),
    )
    organization = SObjectType(
        name="Organization",
        label="Organization",
        label_plural="Organizations",
        custom=False,
        key_prefix=STANDARD_KEY_PREFIXES["Organization"],
        writable=False,
        fields=(
            _id_field("Organization ID"),
            Field("Name", "Name", STRING, length=80, nillable=False, name_field=True),
            Field("IsSandbox", "Is Sandbox", BOOLEAN, nillable=False),
            Field("DefaultLocaleSidKey", "Locale", PICKLIST, length=40, nillable=False),
            Field("TimeZoneSidKey", "Default Time Zone", PICKLIST, length=40, nillable=False),
            Field("NamespacePrefix", "Namespace Prefix", STRING, length=15),
            *_audit_fields(with_owner=False, with_is_deleted=False),
        ),
    )
    return (account, user, organization)


# -- Custom objects from the package -------------------------------------------------------------


def _picklist_values(element: metadata.etree._Element) -> tuple[tuple[PicklistValue, ...], bool]:
    value_set = metadata.child(element, "valueSet")
    if value_set is None:
        return (), False
    definition = metadata.child(value_set, "valueSetDefinition")
    values = tuple(
        PicklistValue(
            value=metadata.text(value, "fullName"),
            label=metadata.text(value, "label") or metadata.text(value, "fullName"),
            is_default=metadata.flag(value, "default"),
        )
        for value in ([] if definition is None else metadata.children(definition, "value"))
    )
    return values, metadata.flag(value_set, "restricted")


def _custom_field(path: Path) -> Field:
    root = metadata.read(path)
    name = metadata.text(root, "fullName") or path.name.split(".")[0]
    metadata_type = metadata.text(root, "type")
    describe_type = _METADATA_TYPES.get(metadata_type)
    if describe_type is None:
        raise MetadataError(f"{path}: field type {metadata_type!r} is not supported")
    values, restricted = _picklist_values(root)
    default: bool | str | None = None
    if describe_type == BOOLEAN:
        default = metadata.flag(root, "defaultValue")
    elif describe_type == PICKLIST:
        default = next((v.value for v in values if v.is_default), None)
    length = metadata.number(root, "length")
    if describe_type == TEXTAREA and not length:
        length = 255
    if describe_type == PICKLIST:
        length = 255
    if describe_type == REFERENCE:
        length = 18
    reference_to = metadata.text(root, "referenceTo")
    child_relationship_name = metadata.text(root, "relationshipName")
    return Field(
        name=name,
        label=metadata.text(root, "label", name),
        type=describe_type,
        length=length,
        precision=metadata.number(root, "precision"),
        scale=metadata.number(root, "scale"),
        custom=True,
        external_id=metadata.flag(root, "externalId"),
        unique=metadata.flag(root, "unique"),
        case_sensitive=metadata.flag(root, "caseSensitive"),
        # Checkboxes are never null; MasterDetail lookups are always required.
        nillable=not (
            metadata.flag(root, "required")
            or describe_type == BOOLEAN
            or metadata_type == "MasterDetail"
        ),
        reference_to=(reference_to,) if reference_to else (),
        # A child reaches its parent through the field's own name with __r (Entry__c ->
        # Entry__r); the metadata's relationshipName names the way back, from the parent.
        relationship_name=name.removesuffix("__c") + "__r" if reference_to else None,
        child_relationship_name=(
            f"{child_relationship_name}__r" if child_relationship_name else None
        ),
        delete_constraint=metadata.text(root, "deleteConstraint")
        or ("Cascade" if metadata_type == "MasterDetail" else None),
        picklist_values=values,
        restricted_picklist=restricted,
        default_value=default,
        extra_type_info="plaintextarea" if describe_type == TEXTAREA else None,
    )


def _custom_object(folder: Path) -> SObjectType:
    name = folder.name
    root = metadata.read(folder / f"{name}.object-meta.xml")
    name_field = metadata.child(root, "nameField")
    if name_field is None:
        raise MetadataError(f"{folder}: the object has no <nameField>")
    auto_number = metadata.text(name_field, "type") == "AutoNumber"
    custom_fields = tuple(
        _custom_field(path) for path in sorted((folder / "fields").glob("*.field-meta.xml"))
    )
    audit = _audit_fields(with_owner=True, with_is_deleted=True)
    return SObjectType(
        name=name,
        label=metadata.text(root, "label", name),
        label_plural=metadata.text(root, "pluralLabel", name),
        custom=True,
        auto_number_format=metadata.text(name_field, "displayFormat") if auto_number else None,
        fields=(
            _id_field("Record ID"),
            *audit[:2],
            Field(
                "Name",
                metadata.text(name_field, "label", "Name"),
                STRING,
                length=30 if auto_number else 80,
                nillable=False,
                writable=not auto_number,
                auto_number=auto_number,
                name_field=True,
            ),
            *audit[2:],
            *custom_fields,
        ),
    )


def _check_references(objects: Iterable[SObjectType]) -> None:
    # Profile is the one parent the stand-in lists without modelling it.
    known = {o.name for o in objects} | {"Profile"}
    for sobject in objects:
        for lookup in sobject.lookups:
            for parent in lookup.reference_to:
                if parent not in known:
                    raise MetadataError(
                        f"{sobject.name}.{lookup.name} points at unknown object {parent!r}"
                    )


def load_schema(metadata_dir: Path = metadata.METADATA_DIR) -> Schema:
    """Build the schema from the package's objects and the standard objects.

    Custom objects get no key prefix here: :func:`standins.salesforce.data.tables.sync` assigns
    them once per store, so that IDs stay meaningful when the package gains an object. Raises
    :class:`MetadataError` for anything the stand-in cannot model.
    """
    custom = tuple(
        _custom_object(folder)
        for folder in sorted((metadata_dir / "objects").iterdir())
        if folder.is_dir()
    )
    objects = (*_standard_objects(), *custom)
    _check_references(objects)
    return Schema(objects)
