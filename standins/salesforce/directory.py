"""The orgs and users of the stand-in, and how a user proves who they are.

Selectors here only read; the rows are written by :mod:`standins.salesforce.seed`.
"""

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass

# Seeded passwords are public demo values, but the store still keeps only a slow salted hash, so the
# stand-in never shows the habit of storing a password in the clear.
_PBKDF2_ITERATIONS = 100_000


@dataclass(frozen=True)
class Org:
    """A Salesforce organisation (a tenant of Ledgerlink)."""

    id: str
    name: str
    is_sandbox: bool
    currency_iso_code: str
    multicurrency_enabled: bool
    namespace_prefix: str | None
    canvas_application_id: str
    canvas_reference_id: str

    @property
    def id15(self) -> str:
        """The 15-character form, which Salesforce uses as the prefix of session IDs."""
        return self.id[:15]


@dataclass(frozen=True)
class User:
    """A Salesforce user of one org."""

    id: str
    org_id: str
    username: str
    email: str
    first_name: str
    last_name: str
    profile_id: str
    profile_name: str
    role_id: str | None
    locale: str
    language: str
    time_zone: str
    is_active: bool
    last_modified_at: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def hash_password(password: str) -> str:
    """Return a salted PBKDF2 hash of ``password`` in a self-describing text form."""
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), bytes.fromhex(salt), _PBKDF2_ITERATIONS
    )
    return f"pbkdf2_sha256${_PBKDF2_ITERATIONS}${salt}${digest.hex()}"


def _password_matches(password: str, encoded: str) -> bool:
    _, iterations, salt, expected = encoded.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


def _org_from_row(row: sqlite3.Row) -> Org:
    return Org(
        id=row["id"],
        name=row["name"],
        is_sandbox=bool(row["is_sandbox"]),
        currency_iso_code=row["currency_iso_code"],
        multicurrency_enabled=bool(row["multicurrency_enabled"]),
        namespace_prefix=row["namespace_prefix"],
        canvas_application_id=row["canvas_application_id"],
        canvas_reference_id=row["canvas_reference_id"],
    )


def _user_from_row(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        org_id=row["org_id"],
        username=row["username"],
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        profile_id=row["profile_id"],
        profile_name=row["profile_name"],
        role_id=row["role_id"],
        locale=row["locale"],
        language=row["language"],
        time_zone=row["time_zone"],
        is_active=bool(row["is_active"]),
        last_modified_at=row["last_modified_at"],
    )


def has_orgs(db: sqlite3.Connection) -> bool:
    """Tell whether the store holds any org (an empty store is seeded at start)."""
    return db.execute("SELECT 1 FROM orgs LIMIT 1").fetchone() is not None


def get_org(db: sqlite3.Connection, org_id: str) -> Org | None:
    row = db.execute("SELECT * FROM orgs WHERE id = ?", (org_id,)).fetchone()
    return None if row is None else _org_from_row(row)


def get_user(db: sqlite3.Connection, user_id: str) -> User | None:
    row = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return None if row is None else _user_from_row(row)


def list_users_by_org(db: sqlite3.Connection) -> list[tuple[Org, list[User]]]:
    """Return every org with its active users, both in the order of the seed fixture."""
    orgs = [_org_from_row(row) for row in db.execute("SELECT * FROM orgs ORDER BY rowid")]
    return [
        (
            org,
            [
                _user_from_row(row)
                for row in db.execute(
                    "SELECT * FROM users WHERE org_id = ? AND is_active ORDER BY rowid",
                    (org.id,),
                )
            ],
        )
        for org in orgs
    ]


def authenticate(db: sqlite3.Connection, username: str, password: str) -> User | None:
    """Return the active user with this username and password, or ``None``.

    Usernames are matched case-insensitively, as Salesforce does.
    """
    row = db.execute(
        "SELECT * FROM users WHERE lower(username) = lower(?) AND is_active", (username,)
    ).fetchone()
    if row is None or not _password_matches(password, row["password_hash"]):
        return None
    return _user_from_row(row)
