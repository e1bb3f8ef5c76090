"""The one connected app the stand-in knows: Ledgerlink, with its credentials and callbacks."""

import hmac
from dataclasses import dataclass

from standins.salesforce.errors import InvalidClientError, InvalidClientIdError, InvalidScopeError

# The OAuth scopes an admin can select for a connected app in Salesforce's setup pages. The
# stand-in's app has all of them selected, so a request for any of these is granted as asked.
SELECTED_SCOPES = (
    "api",
    "web",
    "full",
    "refresh_token",
    "offline_access",
    "id",
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "chatter_api",
    "visualforce",
    "custom_permissions",
    "lightning",
    "content",
)
# Either scope name lets a grant carry a refresh token.
REFRESH_SCOPES = frozenset({"refresh_token", "offline_access"})


@dataclass(frozen=True)
class ConnectedApp:
    """Ledgerlink's connected app as configured in the stand-in orgs."""

    consumer_key: str
    consumer_secret: str
    callback_urls: tuple[str, ...]
    canvas_url: str

    def check_client_id(self, client_id: str) -> None:
        """Raise :class:`InvalidClientIdError` unless ``client_id`` is this app's consumer key."""
        if not hmac.compare_digest(client_id.encode(), self.consumer_key.encode()):
            raise InvalidClientIdError

    def check_client(self, client_id: str, client_secret: str) -> None:
        """Raise :class:`InvalidClientIdError` or :class:`InvalidClientError` unless both match."""
        self.check_client_id(client_id)
        if not hmac.compare_digest(client_secret.encode(), self.consumer_secret.encode()):
            raise InvalidClientError

    def allows_redirect_uri(self, redirect_uri: str) -> bool:
        """Tell whether ``redirect_uri`` is one of the callback URLs, compared exactly."""
        return redirect_uri in self.callback_urls


def grant_scopes(requested: str) -> tuple[str, ...]:
    """Return the scopes granted for a space-separated request, in the order asked, without repeats.

    An empty request is granted every selected scope, as Salesforce does. Raises
    :class:`InvalidScopeError` for a scope the app does not have.
    """
    names = tuple(dict.fromkeys(requested.split()))
    if not names:
        return SELECTED_SCOPES
    if any(name not in SELECTED_SCOPES for name in names):
        raise InvalidScopeError
    return names


def without_refresh(scopes: tuple[str, ...]) -> tuple[str, ...]:
    """Drop the refresh scopes, for grants that never carry a refresh token (password, Canvas)."""
    return tuple(name for name in scopes if name not in REFRESH_SCOPES)
