"""What Salesforce says about a user: the identity URL's document and the OpenID userinfo.

Both carry a ``urls`` map with a literal ``{version}`` placeholder, which clients fill in with the
API version they speak; Salesforce sends it that way too (the identity URL fills it when asked).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from standins.salesforce.directory import Org, User


def identity_url(base_url: str, user: User) -> str:
    """The identity URL of a user, the ``id`` of every token response."""
    return f"{base_url}/id/{user.org_id}/{user.id}"


def _photos(base_url: str) -> dict[str, str]:
    # Users without an uploaded photo all get the org's default picture, as in Salesforce.
    return {
        "picture": f"{base_url}/profilephoto/005/F",
        "thumbnail": f"{base_url}/profilephoto/005/T",
    }


# Salesforce's literal placeholder, filled in by the client unless it asked for a version.
VERSION_PLACEHOLDER = "{version}"


def _urls(base_url: str, user: User, org: Org, version: str) -> dict[str, str]:
    data = f"{base_url}/services/data/v{version}"
    return {
        "enterprise": f"{base_url}/services/Soap/c/{version}/{org.id15}",
        "metadata": f"{base_url}/services/Soap/m/{version}/{org.id15}",
        "partner": f"{base_url}/services/Soap/u/{version}/{org.id15}",
        "rest": f"{data}/",
        "sobjects": f"{data}/sobjects/",
        "search": f"{data}/search/",
        "query": f"{data}/query/",
        "recent": f"{data}/recent/",
        "tooling_soap": f"{base_url}/services/Soap/T/{version}/{org.id15}",
        "tooling_rest": f"{data}/tooling/",
        "profile": f"{base_url}/{user.id}",
        "feeds": f"{data}/chatter/feeds",
        "groups": f"{data}/chatter/groups",
        "users": f"{data}/chatter/users",
        "feed_items": f"{data}/chatter/feed-items",
        "feed_elements": f"{data}/chatter/feed-elements",
        "custom_domain": base_url,
    }


def utc_offset_ms(time_zone: str, now: datetime) -> int:
    """The zone's standard offset from UTC in milliseconds, daylight saving time left out.

    Salesforce reports the zone's raw offset (Berlin is always 3600000), not today's.
    """
    local = now.astimezone(ZoneInfo(time_zone))
    standard = (local.utcoffset() or timedelta(0)) - (local.dst() or timedelta(0))
    return int(standard.total_seconds() * 1000)


def _updated_at(user: User) -> str:
    # Stored as Salesforce's API datetime (2024-09-02T08:15:00.000+0000); userinfo uses the OpenID
    # form with a Z.
    moment = datetime.strptime(user.last_modified_at, "%Y-%m-%dT%H:%M:%S.%f%z")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity_document(
    base_url: str, user: User, org: Org, now: datetime, version: str = VERSION_PLACEHOLDER
) -> dict[str, object]:
    """The JSON answer of the identity URL (``GET /id/{orgId}/{userId}``)."""
    return {
        "id": identity_url(base_url, user),
        "asserted_user": True,
        "user_id": user.id,
        "organization_id": org.id,
        "username": user.username,
        "nick_name": user.username.split("@")[0],
        "display_name": user.full_name,
        "email": user.email,
        "email_verified": True,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": user.time_zone,
        "photos": _photos(base_url),
        "addr_street": None,
        "addr_city": None,
        "addr_state": None,
        "addr_country": None,
        "addr_zip": None,
        "mobile_phone": None,
        "mobile_phone_verified": False,
        "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None},
        "urls": _urls(base_url, user, org, version),
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": user.language,
        "locale": user.locale,
        "utcOffset": utc_offset_ms(user.time_zone, now),
        "last_modified_date": user.last_modified_at,
        "is_app_installed": True,
    }


def userinfo_document(base_url: str, user: User, org: Org, now: datetime) -> dict[str, object]:
    """The JSON answer of the OpenID Connect userinfo endpoint."""
    photos = _photos(base_url)
    return {
        "sub": identity_url(base_url, user),
        "user_id": user.id,
        "organization_id": org.id,
        "preferred_username": user.username,
        "nickname": user.username.split("@")[0],
        "name": user.full_name,
        "email": user.email,
        "email_verified": True,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "zoneinfo": user.time_zone,
        "photos": photos,
        "profile": f"{base_url}/{user.id}",
        "picture": photos["picture"],
        "address": {},
        "is_salesforce_integration_user": False,
        "urls": _urls(base_url, user, org, VERSION_PLACEHOLDER),
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": user.language,
        "locale": user.locale,
        "utcOffset": utc_offset_ms(user.time_zone, now),
        "updated_at": _updated_at(user),
        "is_app_installed": True,
        "is_lightning_login_user": False,
    }
