"""Fill the store with the orgs and users of the seed fixture."""

import json
import sqlite3
from collections.abc import Collection
from pathlib import Path
from typing import Any

from standins.salesforce import ids
from standins.salesforce.directory import hash_password
from standins.salesforce.store import clear, transaction

SEED_PATH = Path(__file__).parent / "fixtures" / "seed.json"

_ORG_COLUMNS = (
    "id",
    "name",
    "is_sandbox",
    "currency_iso_code",
    "multicurrency_enabled",
    "namespace_prefix",
    "canvas_application_id",
    "canvas_reference_id",
)
_USER_COLUMNS = (
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "profile_id",
    "profile_name",
    "role_id",
    "locale",
    "language",
    "time_zone",
    "is_active",
    "last_modified_at",
)
# Key prefixes say what an ID points at; checking them catches an org ID pasted as a user ID.
_KEY_PREFIXES = {
    "profile_id": "00e",
    "role_id": "00E",
    "canvas_application_id": "06P",
    "canvas_reference_id": "09H",
}


class SeedError(Exception):
    """The seed fixture is malformed; the message names the offending entry."""


def _check_ids(entry: dict[str, Any], id_prefix: str) -> None:
    # A missing ID is reported by _values; a null role is allowed (users need not have one).
    for key, prefix in {**_KEY_PREFIXES, "id": id_prefix}.items():
        value = entry.get(key)
        if value is None:
            continue
        if not (isinstance(value, str) and len(value) == 18 and ids.is_valid(value)):
            raise SeedError(f"{key} {value!r} is not a valid 18-character Salesforce ID")
        if not value.startswith(prefix):
            raise SeedError(f"{key} {value!r} should start with {prefix!r}")


def _values(entry: dict[str, Any], columns: tuple[str, ...]) -> list[Any]:
    missing = [column for column in columns if column not in entry]
    if missing:
        raise SeedError(f"entry {entry.get('id')!r} lacks {', '.join(missing)}")
    return [entry[column] for column in columns]


def _permission_sets(user: dict[str, Any], known: Collection[str] | None) -> list[str]:
    names = user.get("permission_sets", [])
    if not (isinstance(names, list) and all(isinstance(name, str) for name in names)):
        raise SeedError(f"permission_sets of {user.get('id')!r} must be a list of names")
    unknown = [name for name in names if known is not None and name not in known]
    if unknown:
        raise SeedError(f"{user.get('id')!r} is assigned unknown permission sets: {unknown}")
    return names


def seed(
    db: sqlite3.Connection,
    path: Path = SEED_PATH,
    *,
    known_permission_sets: Collection[str] | None = None,
) -> None:
    """Replace everything in the store (tokens, sessions and records too) with the fixture's orgs,
    users and permission set assignments.

    Raises :class:`SeedError` if the fixture is malformed, or assigns a permission set that is not
    in ``known_permission_sets``; the store is then left unchanged.
    """
    fixture = json.loads(path.read_text(encoding="utf-8"))
    with transaction(db):
        clear(db)
        for org in fixture["orgs"]:
            _check_ids(org, id_prefix="00D")
            db.execute(
                f"INSERT INTO orgs ({', '.join(_ORG_COLUMNS)}) "  # noqa: S608 - fixed column names
                f"VALUES ({', '.join('?' * len(_ORG_COLUMNS))})",
                _values(org, _ORG_COLUMNS),
            )
            for user in org["users"]:
                _check_ids(user, id_prefix="005")
                db.execute(
                    f"INSERT INTO users (org_id, password_hash, {', '.join(_USER_COLUMNS)}) "  # noqa: S608 - fixed column names
                    f"VALUES (?, ?, {', '.join('?' * len(_USER_COLUMNS))})",
                    [org["id"], hash_password(user["password"]), *_values(user, _USER_COLUMNS)],
                )
                db.executemany(
                    "INSERT INTO permission_set_assignments (user_id, permission_set) "
                    "VALUES (?, ?)",
                    [(user["id"], name) for name in _permission_sets(user, known_permission_sets)],
                )
