"""The stand-in's settings, read once from the environment when the process starts."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from standins.salesforce.connected_app import ConnectedApp

# The development values from .env.example: public by design, shared by the stand-in and the portal
# so that both work together out of the box.
DEFAULT_CONSUMER_KEY = "3MVG9LedgerlinkDevConsumerKey.LocalSalesforce"
DEFAULT_CONSUMER_SECRET = "ledgerlink-dev-consumer-secret-change-me"  # noqa: S105 - public dev value
DEFAULT_LEDGERLINK_URL = "http://127.0.0.1:8000"
DEFAULT_TOKEN_SECONDS = 7200
DEFAULT_DAILY_API_LIMIT = 100_000


class ConfigurationError(Exception):
    """An environment variable holds a value the stand-in cannot use."""


@dataclass(frozen=True)
class Configuration:
    """Everything the running stand-in needs to know about itself and about Ledgerlink."""

    public_url: str
    ledgerlink_url: str
    app: ConnectedApp
    token_lifetime: timedelta
    daily_api_limit: int = DEFAULT_DAILY_API_LIMIT

    @property
    def ledgerlink_origin(self) -> str:
        """Ledgerlink's origin, the only one the Canvas host page accepts messages from."""
        parts = urlsplit(self.ledgerlink_url)
        return f"{parts.scheme}://{parts.netloc}"


def _read(environ: Mapping[str, str], name: str, default: str) -> str:
    # An empty value (a blank line in a .env file) means "not set", not "set to nothing".
    return environ.get(name, "").strip() or default


def _http_url(value: str, name: str) -> str:
    # Only http(s): Django refuses to redirect to other schemes, and Ledgerlink is a web app.
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigurationError(f"{name} must hold http(s) URLs, not {value!r}")
    return value


def _base_url(value: str, name: str) -> str:
    return _http_url(value, name).rstrip("/")


def _positive_number(environ: Mapping[str, str], name: str, default: int) -> int:
    try:
        number = int(_read(environ, name, str(default)))
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a whole number") from error
    if number <= 0:
        raise ConfigurationError(f"{name} must be positive")
    return number


def read_configuration(environ: Mapping[str, str], port: int) -> Configuration:
    """Build the configuration from environment variables, with the development defaults.

    Raises :class:`ConfigurationError` for a malformed URL, token lifetime or API limit.
    """
    ledgerlink_url = _base_url(
        _read(environ, "LEDGERLINK_URL", DEFAULT_LEDGERLINK_URL), "LEDGERLINK_URL"
    )
    public_url = _base_url(
        _read(environ, "LOCAL_SALESFORCE_URL", f"http://127.0.0.1:{port}"), "LOCAL_SALESFORCE_URL"
    )
    extra_callbacks = [
        _http_url(url.strip(), "LOCAL_SALESFORCE_CALLBACK_URLS")
        for url in environ.get("LOCAL_SALESFORCE_CALLBACK_URLS", "").split(",")
        if url.strip()
    ]
    token_seconds = _positive_number(
        environ, "LOCAL_SALESFORCE_TOKEN_SECONDS", DEFAULT_TOKEN_SECONDS
    )
    return Configuration(
        public_url=public_url,
        ledgerlink_url=ledgerlink_url,
        app=ConnectedApp(
            consumer_key=_read(environ, "SALESFORCE_CONSUMER_KEY", DEFAULT_CONSUMER_KEY),
            consumer_secret=_read(environ, "SALESFORCE_CONSUMER_SECRET", DEFAULT_CONSUMER_SECRET),
            callback_urls=(
                f"{ledgerlink_url}/accounts/salesforce/login/callback/",
                *extra_callbacks,
            ),
            canvas_url=f"{ledgerlink_url}/canvas/",
        ),
        token_lifetime=timedelta(seconds=token_seconds),
        daily_api_limit=_positive_number(
            environ, "LOCAL_SALESFORCE_DAILY_API_LIMIT", DEFAULT_DAILY_API_LIMIT
        ),
    )
