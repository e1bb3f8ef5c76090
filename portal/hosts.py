"""Which hosts Ledgerlink accepts as Salesforce: login hosts, instance URLs, framing origins."""

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings

# Hosts Salesforce serves orgs, logins, Visualforce and Lightning pages from.
SALESFORCE_DOMAINS = (
    "salesforce.com",
    "force.com",
    "visualforce.com",
    "site.com",
    "cloudforce.com",
    "salesforce-sites.com",
    "salesforce.mil",
    "sfcrmapps.cn",
    "sfcrmproducts.cn",
)

# Framing is narrower than hosting: these are the page origins Salesforce shows Canvas apps in.
FRAMING_SOURCES = (
    "https://*.force.com",
    "https://*.salesforce.com",
    "https://*.visualforce.com",
    "https://*.site.com",
    "https://*.lightning.force.com",
    "https://*.my.salesforce.com",
)


_HOSTNAME = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)


class LoginEnvironment(StrEnum):
    PRODUCTION = "production"
    SANDBOX = "sandbox"
    MY_DOMAIN = "my_domain"


class UntrustedHost(ValueError):
    pass


@dataclass(frozen=True)
class LoginHost:
    url: str
    environment: LoginEnvironment


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def local_salesforce_origin() -> str | None:
    return origin_of(settings.LOCAL_SALESFORCE_URL) if settings.LOCAL_SALESFORCE_URL else None


def is_salesforce_url(url: str) -> bool:
    """True for an https URL on a Salesforce domain, or the configured local stand-in."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
        port = parts.port
    except ValueError:
        return False
    if parts.username or parts.password:
        return False
    if local_salesforce_origin() == origin_of(url):
        return True
    if parts.scheme != "https" or port not in (None, 443) or not _HOSTNAME.match(hostname):
        return False
    return any(hostname.endswith("." + domain) for domain in SALESFORCE_DOMAINS)


def trusted_salesforce_origin(url: str) -> str:
    """Return the origin of a Salesforce URL, or raise UntrustedHost."""
    if not isinstance(url, str) or not is_salesforce_url(url):
        raise UntrustedHost("Not a Salesforce host.")
    return origin_of(url)


def choose_login_host(environment: str, my_domain: str = "") -> LoginHost:
    """Resolve the login page the user asked for: production, sandbox, or their My Domain.

    With the local stand-in configured, every choice logs in there (it plays all roles).
    Raises UntrustedHost for an unknown choice or a My Domain that is not a Salesforce host.
    """
    try:
        chosen = LoginEnvironment(environment)
    except ValueError as error:
        raise UntrustedHost("Unknown login environment.") from error
    local_origin = local_salesforce_origin()
    if local_origin:
        return LoginHost(local_origin, chosen)
    if chosen is LoginEnvironment.PRODUCTION:
        return LoginHost(origin_of(settings.SALESFORCE_LOGIN_URL), chosen)
    if chosen is LoginEnvironment.SANDBOX:
        return LoginHost("https://test.salesforce.com", chosen)
    domain = my_domain.strip().lower().removeprefix("https://").rstrip("/")
    if "." not in domain:
        domain += ".my.salesforce.com"
    url = f"https://{domain}"
    if not (domain.endswith(".my.salesforce.com") and is_salesforce_url(url)):
        raise UntrustedHost("A My Domain ends in .my.salesforce.com.")
    return LoginHost(url, chosen)
