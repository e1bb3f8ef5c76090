"""What each user may read and write: object and field permissions from permission sets.

The package's permission sets (``permissionsets/*.permissionset-meta.xml``) are read at start. The
seeded org also has one set the package does not ship, ``Ledgerlink_Viewer``: the admin set with
every create, edit and delete taken away, as an admin would build for auditors.

Standard objects get their access from the user's profile in a real org; here every user reads
Account, User and Organization, and holders of ``Ledgerlink_Admin`` may also create, edit and
delete Accounts. Fields of standard objects and the system fields of every object follow their
object's access. Tests can hide a field from one user (``POST /_standin/field-security``), which
overrides what the permission sets say.
"""

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from standins.salesforce.data import metadata
from standins.salesforce.data.schema import Field, SObjectType

ADMIN_SET = "Ledgerlink_Admin"
VIEWER_SET = "Ledgerlink_Viewer"
_STANDARD_READABLE = ("Account", "User", "Organization")


@dataclass(frozen=True)
class ObjectPermission:
    read: bool = False
    create: bool = False
    edit: bool = False
    delete: bool = False
    view_all: bool = False
    modify_all: bool = False

    def __or__(self, other: "ObjectPermission") -> "ObjectPermission":
        return ObjectPermission(
            read=self.read or other.read,
            create=self.create or other.create,
            edit=self.edit or other.edit,
            delete=self.delete or other.delete,
            view_all=self.view_all or other.view_all,
            modify_all=self.modify_all or other.modify_all,
        )


READ_ONLY = ObjectPermission(read=True)
FULL = ObjectPermission(read=True, create=True, edit=True, delete=True)


@dataclass(frozen=True)
class FieldPermission:
    readable: bool
    editable: bool


@dataclass(frozen=True)
class PermissionSet:
    name: str
    label: str
    objects: Mapping[str, ObjectPermission]
    # Keyed "Object.Field", as the metadata names them.
    fields: Mapping[str, FieldPermission]


def _read_permission_set(path: Path) -> PermissionSet:
    root = metadata.read(path)
    name = path.name.removesuffix(".permissionset-meta.xml")
    objects = {
        metadata.text(entry, "object"): ObjectPermission(
            read=metadata.flag(entry, "allowRead"),
            create=metadata.flag(entry, "allowCreate"),
            edit=metadata.flag(entry, "allowEdit"),
            delete=metadata.flag(entry, "allowDelete"),
            view_all=metadata.flag(entry, "viewAllRecords"),
            modify_all=metadata.flag(entry, "modifyAllRecords"),
        )
        for entry in metadata.children(root, "objectPermissions")
    }
    fields = {
        metadata.text(entry, "field"): FieldPermission(
            readable=metadata.flag(entry, "readable"), editable=metadata.flag(entry, "editable")
        )
        for entry in metadata.children(root, "fieldPermissions")
    }
    return PermissionSet(name, metadata.text(root, "label", name), objects, fields)


def read_only_copy(permission_set: PermissionSet, name: str, label: str) -> PermissionSet:
    """The same set with reading kept and every create, edit and delete taken away."""
    return PermissionSet(
        name=name,
        label=label,
        objects={
            obj: replace(permission, create=False, edit=False, delete=False, modify_all=False)
            for obj, permission in permission_set.objects.items()
        },
        fields={
            name: FieldPermission(readable=permission.readable, editable=False)
            for name, permission in permission_set.fields.items()
        },
    )


def load_permission_sets(metadata_dir: Path = metadata.METADATA_DIR) -> dict[str, PermissionSet]:
    """The package's permission sets and the stand-in's own viewer set, by API name."""
    sets = {
        permission_set.name: permission_set
        for permission_set in (
            _read_permission_set(path)
            for path in sorted((metadata_dir / "permissionsets").glob("*.permissionset-meta.xml"))
        )
    }
    if ADMIN_SET in sets:
        sets[VIEWER_SET] = read_only_copy(sets[ADMIN_SET], VIEWER_SET, "Ledgerlink Viewer")
    return sets


# -- One user's access ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What one user may do with each object and field."""

    objects: Mapping[str, ObjectPermission]
    fields: Mapping[str, FieldPermission]
    overrides: Mapping[str, FieldPermission] = field(default_factory=dict)

    def on(self, sobject: SObjectType) -> ObjectPermission:
        return self.objects.get(sobject.name, ObjectPermission())

    def _field(self, sobject: SObjectType, field: Field) -> FieldPermission:
        key = f"{sobject.name}.{field.name}"
        override = self.overrides.get(key)
        if override is not None:
            return override
        if not field.custom:
            # Standard and system fields follow the object.
            return FieldPermission(readable=True, editable=True)
        return self.fields.get(key, FieldPermission(readable=False, editable=False))

    def can_read_field(self, sobject: SObjectType, field: Field) -> bool:
        return self.on(sobject).read and self._field(sobject, field).readable

    def can_edit_field(self, sobject: SObjectType, field: Field) -> bool:
        """Whether the user may set the field (on a record they may create or edit)."""
        permission = self._field(sobject, field)
        return field.writable and permission.readable and permission.editable


def _combine(
    sets: Iterable[PermissionSet],
) -> tuple[dict[str, ObjectPermission], dict[str, FieldPermission]]:
    objects: dict[str, ObjectPermission] = dict.fromkeys(_STANDARD_READABLE, READ_ONLY)
    fields: dict[str, FieldPermission] = {}
    for permission_set in sets:
        for name, permission in permission_set.objects.items():
            objects[name] = objects.get(name, ObjectPermission()) | permission
        for name, field_permission in permission_set.fields.items():
            held = fields.get(name, FieldPermission(False, False))
            fields[name] = FieldPermission(
                readable=held.readable or field_permission.readable,
                editable=held.editable or field_permission.editable,
            )
        if permission_set.name == ADMIN_SET:
            objects["Account"] = objects["Account"] | FULL
    return objects, fields


def assigned_sets(db: sqlite3.Connection, user_id: str) -> list[str]:
    return [
        row["permission_set"]
        for row in db.execute(
            "SELECT permission_set FROM permission_set_assignments WHERE user_id = ? "
            "ORDER BY permission_set",
            (user_id,),
        )
    ]


def access_for(
    db: sqlite3.Connection, permission_sets: Mapping[str, PermissionSet], user_id: str
) -> Access:
    """The access of a user from their assigned permission sets and field-security overrides."""
    held = [permission_sets[name] for name in assigned_sets(db, user_id) if name in permission_sets]
    objects, fields = _combine(held)
    overrides = {
        f"{row['object']}.{row['field']}": FieldPermission(
            readable=bool(row["readable"]), editable=bool(row["readable"] and row["editable"])
        )
        for row in db.execute(
            "SELECT object, field, readable, editable FROM field_security WHERE user_id = ?",
            (user_id,),
        )
    }
    return Access(objects=objects, fields=fields, overrides=overrides)


def set_field_security(
    db: sqlite3.Connection,
    *,
    user_id: str,
    sobject: SObjectType,
    field: Field,
    readable: bool,
    editable: bool,
) -> None:
    """Override what the permission sets say about one field for one user."""
    db.execute(
        """
        INSERT INTO field_security (user_id, object, field, readable, editable)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (user_id, object, field)
        DO UPDATE SET readable = excluded.readable, editable = excluded.editable
        """,
        (user_id, sobject.name, field.name, readable, editable),
    )
