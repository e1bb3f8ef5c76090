"""The stand-in's control API under ``/_standin/`` (JSON) and its small admin page.

Loopback only and without authentication: it exists for developers and tests. Every handler
returns a ``ControlResponse``; the HTTP server does the sending.
"""

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from standins.bank import subscribers, switches
from standins.bank.bank_keys import BankIdentity
from standins.bank.ledger_port import LedgerPort
from standins.bank.store import Store
from standins.bank.subscribers import State, SubscriberId

JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class ControlResponse:
    """Status, content type, body and extra headers of a control answer."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, payload: Any) -> ControlResponse:
    return ControlResponse(status, JSON_TYPE, json.dumps(payload, indent=2).encode("utf-8"))


def _error(status: int, message: str) -> ControlResponse:
    return _json(status, {"error": message})


class Seeder:
    """Seeds a fresh or reset bank: the subscribers, their partners' accounts and demo data."""

    def __init__(self, ledger: Any, salesforce_data: Path | None) -> None:
        self.ledger = ledger
        self.salesforce_data = salesforce_data

    def seed(self, store: Store, now: datetime, startup: dict[str, Any]) -> None:
        """Create the seed subscribers, apply the start-up settings, seed the ledger."""
        with store.connect() as db:
            subscribers.seed(db, now)
            db.execute("DELETE FROM settings")
            switches.update_settings(db, startup)
        for partner_id, name in subscribers.SEED_PARTNERS.items():
            self.ledger.ensure_partner(partner_id, name)
        seed_demo = getattr(self.ledger, "seed_demo", None)
        if seed_demo is not None:
            seed_demo(self.salesforce_data)


class Control:
    """The control API of one running bank."""

    def __init__(
        self,
        store: Store,
        ledger: LedgerPort,
        identity: BankIdentity,
        clock: Callable[[], datetime],
        *,
        seeder: Seeder,
        startup_settings: dict[str, Any],
        host_id: str = subscribers.BANK_HOST_ID,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.identity = identity
        self.clock = clock
        self.seeder = seeder
        self.startup_settings = startup_settings
        self.host_id = host_id

    def handle(self, method: str, path: str, body: bytes, *, wants_html: bool) -> ControlResponse:
        """Route one request under ``/_standin/`` (404 for unknown paths, 405 for methods)."""
        parts = [part for part in path.split("?", 1)[0].split("/") if part][1:]
        try:
            payload = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError:
            if not wants_html:
                return _error(400, "the body is not JSON")
            payload = {}
        try:
            return self._route(method, parts, payload, wants_html=wants_html)
        except switches.InvalidSwitch as error:
            return _error(400, str(error))
        except subscribers.UnknownSubscriber as error:
            return _error(404, str(error))

    def _route(
        self, method: str, parts: list[str], payload: Any, *, wants_html: bool
    ) -> ControlResponse:
        match (method, parts):
            case ("GET", ["health"]):
                return _json(200, {"status": "ok", "host_id": self.host_id})
            case ("GET", ["bank-keys"]):
                return _json(200, {"host_id": self.host_id, "keys": self.identity.letter()})
            case ("GET", ["subscribers"]):
                return self._page() if wants_html else _json(200, self._subscribers())
            case ("POST", ["subscribers", host_id, partner_id, user_id, action]):
                subscriber_id = SubscriberId(host_id, partner_id, user_id)
                return self._change_state(subscriber_id, action, wants_html=wants_html)
            case ("GET", ["settings"]):
                with self.store.connect() as db:
                    return _json(200, switches.read_settings(db).__dict__)
            case ("POST", ["settings"]):
                if not isinstance(payload, dict):
                    return _error(400, "settings must be a JSON object")
                with self.store.connect() as db:
                    return _json(200, switches.update_settings(db, payload).__dict__)
            case ("GET", ["failures"]):
                with self.store.connect() as db:
                    return _json(200, switches.armed(db))
            case ("POST", ["failures"]):
                if not isinstance(payload, dict):
                    return _error(400, "failures must be a JSON object")
                with self.store.connect() as db:
                    switches.arm(db, payload)
                    return _json(200, switches.armed(db))
            case ("DELETE", ["failures"]):
                with self.store.connect() as db:
                    switches.clear(db)
                return _json(200, [])
            case ("POST", ["reset"]):
                self.store.clear()
                self.seeder.seed(self.store, self.clock(), self.startup_settings)
                return _json(200, {"status": "reset"})
            case (_, ["health" | "bank-keys" | "subscribers" | "settings" | "failures" | "reset"]):
                return _error(405, "method not allowed")
        return _error(404, "no such control endpoint")

    def _subscribers(self) -> list[dict[str, Any]]:
        with self.store.connect() as db:
            found = subscribers.list_all(db)
        return [
            {
                "host_id": s.id.host_id,
                "partner_id": s.id.partner_id,
                "user_id": s.id.user_id,
                "name": s.name,
                "state": s.state.value,
                "state_label": s.state.label,
                "protocol_version": s.protocol_version,
                "changed_at": s.changed_at.isoformat(),
                "key_hashes": {
                    key.version.value: key.digest().hex().upper()
                    for key in (s.signature_key, s.authentication_key, s.encryption_key)
                    if key is not None
                },
                "certificate_hashes": s.certificate_hashes,
            }
            for s in found
        ]

    def _change_state(
        self, subscriber_id: SubscriberId, action: str, *, wants_html: bool
    ) -> ControlResponse:
        now = self.clock()
        with self.store.connect() as db:
            subscriber = subscribers.get(db, subscriber_id)
            if action == "activate":
                has_keys = None not in (
                    subscriber.signature_key,
                    subscriber.authentication_key,
                    subscriber.encryption_key,
                )
                if subscriber.state not in {State.INITIALISED, State.SUSPENDED} or not has_keys:
                    return _error(409, f"cannot activate a subscriber in state {subscriber.state}")
                subscribers.set_state(db, subscriber_id, State.READY, now)
            elif action == "suspend":
                subscribers.set_state(db, subscriber_id, State.SUSPENDED, now)
            elif action == "reset":
                subscribers.reset(db, subscriber_id, now)
            else:
                return _error(404, f"unknown action {action}")
            state = subscribers.get(db, subscriber_id).state
        if wants_html:
            return ControlResponse(303, HTML_TYPE, b"", {"Location": "/_standin/subscribers"})
        return _json(200, {"state": state.value, "state_label": state.label})

    def _page(self) -> ControlResponse:
        rows = []
        for s in self._subscribers():
            ident = "/".join(html.escape(s[k]) for k in ("host_id", "partner_id", "user_id"))
            hashes = "<br>".join(
                f"{html.escape(version)} key: <code>{html.escape(digest)}</code>"
                for version, digest in s["key_hashes"].items()
            )
            certificates = "<br>".join(
                f"{html.escape(version)} certificate: <code>{html.escape(digest)}</code>"
                for version, digest in s["certificate_hashes"].items()
            )
            hashes = "<br>".join(part for part in (hashes, certificates) if part)
            buttons = "".join(
                f'<form method="post" action="/_standin/subscribers/{ident}/{action}">'
                f'<button type="submit">{label}</button></form>'
                for action, label in (
                    ("activate", "Activate"),
                    ("suspend", "Suspend"),
                    ("reset", "Reset"),
                )
            )
            rows.append(
                f"<tr><td>{ident}</td><td>{html.escape(s['name'])}</td>"
                f"<td>{html.escape(s['state_label'])}</td><td>{hashes}</td><td>{buttons}</td></tr>"
            )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>LLBANK subscribers</title>"
            "<style>body{font-family:sans-serif}td,th{padding:.3em .6em;text-align:left;"
            "vertical-align:top}form{display:inline}code{font-size:.8em}</style></head><body>"
            "<h1>Local EBICS bank LLBANK: subscribers</h1>"
            "<p>Compare the key hashes with the subscriber's initialisation letter, then activate."
            "</p><table><thead><tr><th>Host/partner/user</th><th>Name</th><th>State</th>"
            "<th>Key hashes (SHA-256)</th><th>Actions</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></body></html>"
        )
        return ControlResponse(200, HTML_TYPE, page.encode("utf-8"))
