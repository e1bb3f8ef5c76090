"""The user's Salesforce tokens, kept only in the server-side session, encrypted.

Sessions live in the cache (never the database); encrypting on top keeps the tokens unreadable in
a cache dump or a stolen session file.
"""

import json
from dataclasses import asdict, dataclass, replace

from django.contrib.sessions.backends.base import SessionBase

from portal.encryption import DecryptionFailed, decrypt, encrypt

_SESSION_KEY = "salesforce_credentials"


@dataclass(frozen=True)
class SalesforceCredentials:
    org_id: str
    user_id: str
    access_token: str
    instance_url: str
    login_url: str
    refresh_token: str | None = None
    # Set when the session came from the Canvas signed request (no OAuth login to fall back on).
    from_canvas: bool = False

    def __repr__(self) -> str:
        # Tokens must never reach logs or error reports, not even through a repr.
        return f"SalesforceCredentials(org_id={self.org_id!r}, user_id={self.user_id!r})"

    def with_tokens(self, access_token: str, refresh_token: str | None) -> "SalesforceCredentials":
        return replace(
            self, access_token=access_token, refresh_token=refresh_token or self.refresh_token
        )


def store_credentials(session: SessionBase, credentials: SalesforceCredentials) -> None:
    session[_SESSION_KEY] = encrypt(json.dumps(asdict(credentials)).encode())


def load_credentials(session: SessionBase) -> SalesforceCredentials | None:
    token = session.get(_SESSION_KEY)
    if not token:
        return None
    try:
        return SalesforceCredentials(**json.loads(decrypt(token)))
    except (DecryptionFailed, ValueError, TypeError):
        # Unreadable after a key change: the user simply logs in again.
        return None
