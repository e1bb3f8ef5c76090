"""The stand-in's runtime settings and failure switches, kept in the store.

Settings: ``auto_activate`` (activate a subscriber as soon as INI and HIA are in),
``segment_size`` (bytes of ciphertext per download segment) and ``open_enrolment`` (an INI or
HIA from an unknown partner or user at the bank's host creates the subscriber).
Failure switches make the next matching requests fail on purpose, a given number of times.
"""

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from banking.ebics.crypto import MAX_SEGMENT_CIPHERTEXT
from standins.bank.errors import BankError, CodeKind

# A stalled answer is held at most this long (a real bank's gateway gives up after minutes).
MAXIMUM_STALL_SECONDS = 600
# AES works in 16-byte blocks: a smaller segment would split a block for no gain.
MINIMUM_SEGMENT_SIZE = 16


class InvalidSwitch(BankError):
    """A setting or failure switch posted to the control API is malformed."""


@dataclass(frozen=True)
class Settings:
    """The bank's behaviour settings."""

    auto_activate: bool = False
    segment_size: int = MAX_SEGMENT_CIPHERTEXT
    open_enrolment: bool = True


def read_settings(db: sqlite3.Connection) -> Settings:
    """The current settings (defaults where none were set)."""
    values = {row[0]: json.loads(row[1]) for row in db.execute("SELECT name, value FROM settings")}
    return Settings(**{k: v for k, v in values.items() if k in Settings.__dataclass_fields__})


def update_settings(db: sqlite3.Connection, changes: dict[str, Any]) -> Settings:
    """Change some settings and return all of them (raises ``InvalidSwitch``)."""
    checks = {"auto_activate": bool, "open_enrolment": bool, "segment_size": int}
    for name, value in changes.items():
        expected = checks.get(name)
        # bool is a subclass of int, so it is refused explicitly for the segment size.
        if (
            expected is None
            or not isinstance(value, expected)
            or (expected is int and isinstance(value, bool))
        ):
            raise InvalidSwitch(f"unknown setting or wrong type: {name}")
        if name == "segment_size" and not (
            isinstance(value, int) and MINIMUM_SEGMENT_SIZE <= value <= MAX_SEGMENT_CIPHERTEXT
        ):
            raise InvalidSwitch(
                f"segment_size must be {MINIMUM_SEGMENT_SIZE}..{MAX_SEGMENT_CIPHERTEXT}"
            )
        db.execute(
            "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", (name, json.dumps(value))
        )
    return read_settings(db)


@dataclass(frozen=True)
class DropConnection:
    """Close the socket without an answer for a matching request (after processing it)."""

    order_type: str
    phase: str | None
    segment: int | None


@dataclass(frozen=True)
class ForcedCode:
    """Answer a matching initialisation with ``code`` instead of processing it."""

    order_type: str
    code: str
    kind: CodeKind


def _text(spec: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = spec.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidSwitch(f"{name} must be a non-empty string")
    return value


def arm(db: sqlite3.Connection, switches: dict[str, Any]) -> None:
    """Arm failure switches from the control API's JSON (raises ``InvalidSwitch``)."""
    for kind, spec in switches.items():
        if kind not in {"drop_connection", "stall", "return_code", "malformed_entries"}:
            raise InvalidSwitch(f"unknown failure switch {kind}")
        if not isinstance(spec, dict):
            raise InvalidSwitch(f"{kind} must be an object")
        times = spec.get("times", 1)
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise InvalidSwitch("times must be a positive integer")
        _text(spec, "order_type")
        if kind == "malformed_entries":
            entries = spec.get("entries", 1)
            if not isinstance(entries, int) or isinstance(entries, bool) or entries < 1:
                raise InvalidSwitch("entries must be a positive integer")
        elif kind in {"drop_connection", "stall"}:
            if kind == "stall":
                seconds = spec.get("seconds")
                if not isinstance(seconds, int | float) or isinstance(seconds, bool):
                    raise InvalidSwitch("seconds must be a number")
                if not 0 < seconds <= MAXIMUM_STALL_SECONDS:
                    raise InvalidSwitch(f"seconds must be 0..{MAXIMUM_STALL_SECONDS}")
            phase = _text(spec, "phase", required=False)
            if phase is not None and phase.lower() not in {"initialisation", "transfer", "receipt"}:
                raise InvalidSwitch("phase must be initialisation, transfer or receipt")
            segment = spec.get("segment")
            if segment is not None and (not isinstance(segment, int) or isinstance(segment, bool)):
                raise InvalidSwitch("segment must be an integer")
        else:
            code = _text(spec, "code")
            if code is None or len(code) != 6 or not code.isdigit():
                raise InvalidSwitch("code must be six digits")
            if spec.get("kind", "technical") not in {"technical", "business"}:
                raise InvalidSwitch("kind must be technical or business")
        db.execute(
            "INSERT INTO failures (kind, spec, remaining) VALUES (?, ?, ?)",
            (kind, json.dumps(spec), times),
        )


def clear(db: sqlite3.Connection) -> None:
    """Disarm every failure switch."""
    db.execute("DELETE FROM failures")


def armed(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """The armed switches with what remains of them (for the control API)."""
    rows = db.execute("SELECT kind, spec, remaining FROM failures ORDER BY id")
    return [{"kind": r[0], "spec": json.loads(r[1]), "remaining": r[2]} for r in rows]


def _consume(db: sqlite3.Connection, failure_id: int, remaining: int) -> None:
    if remaining <= 1:
        db.execute("DELETE FROM failures WHERE id = ?", (failure_id,))
    else:
        db.execute("UPDATE failures SET remaining = ? WHERE id = ?", (remaining - 1, failure_id))


def take_forced_code(db: sqlite3.Connection, order_type: str) -> ForcedCode | None:
    """Use up one armed return-code switch for ``order_type``, if any."""
    rows = db.execute("SELECT id, spec, remaining FROM failures WHERE kind = 'return_code'")
    for failure_id, spec_text, remaining in rows.fetchall():
        spec = json.loads(spec_text)
        if spec["order_type"].upper() == order_type.upper():
            _consume(db, failure_id, remaining)
            return ForcedCode(order_type, spec["code"], CodeKind(spec.get("kind", "technical")))
    return None


def take_malformed_entries(db: sqlite3.Connection, order_type: str) -> int:
    """Use up one armed malformed-entries switch for ``order_type``: how many entries to spoil."""
    rows = db.execute("SELECT id, spec, remaining FROM failures WHERE kind = 'malformed_entries'")
    for failure_id, spec_text, remaining in rows.fetchall():
        spec = json.loads(spec_text)
        if spec["order_type"].upper() == order_type.upper():
            _consume(db, failure_id, remaining)
            return int(spec.get("entries", 1))
    return 0


def take_drop(db: sqlite3.Connection, order_type: str, phase: str, segment: int | None) -> bool:
    """Use up one armed drop-connection switch matching the request, if any."""
    return _take_matching(db, "drop_connection", order_type, phase, segment) is not None


def take_stall(db: sqlite3.Connection, order_type: str, phase: str, segment: int | None) -> float:
    """Use up one armed stall switch matching the request: seconds to hold the answer, or 0."""
    spec = _take_matching(db, "stall", order_type, phase, segment)
    return float(spec["seconds"]) if spec is not None else 0.0


def _take_matching(
    db: sqlite3.Connection, kind: str, order_type: str, phase: str, segment: int | None
) -> dict[str, Any] | None:
    rows = db.execute("SELECT id, spec, remaining FROM failures WHERE kind = ?", (kind,))
    for failure_id, spec_text, remaining in rows.fetchall():
        spec = json.loads(spec_text)
        if spec["order_type"].upper() != order_type.upper():
            continue
        if spec.get("phase") and spec["phase"].lower() != phase.lower():
            continue
        if spec.get("segment") is not None and spec["segment"] != segment:
            continue
        _consume(db, failure_id, remaining)
        return dict(spec)
    return None
