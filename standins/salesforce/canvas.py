"""Canvas signed requests: the CanvasRequest envelope Salesforce POSTs to a Canvas app, signed.

The envelope is standard base64 of the JSON (with ``+``, ``/`` and ``=``, as in Salesforce's own
examples), the signature is standard base64 of HMAC-SHA256 over the still-encoded envelope with the
consumer secret, and the signed request is ``<signature>.<envelope>``.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from standins.salesforce.configuration import Configuration
from standins.salesforce.directory import Org, User

API_VERSION = "62.0"
# Salesforce names each release by season; API 62.0 is Winter '25.
RELEASE_SEASON = "WINTER"
DISPLAY_LOCATIONS = ("Visualforce", "ChatterTab")
MIN_WIDTH_PX, MAX_WIDTH_PX = 200, 4000


class InvalidFrameError(ValueError):
    """The host page was asked for a frame width or location it cannot show."""


@dataclass(frozen=True)
class CanvasFrame:
    """Where and how the host page shows the Canvas app."""

    location_url: str
    display_location: str
    width_px: int | None

    @property
    def width(self) -> str:
        return "100%" if self.width_px is None else f"{self.width_px}px"


def read_frame(params: Mapping[str, str], location_url: str) -> CanvasFrame:
    """Read ``width`` (pixels; full width if absent) and ``location`` from the host page's query.

    Raises :class:`InvalidFrameError` for a width outside 200 to 4000 pixels or an unknown location.
    """
    width = params.get("width", "")
    location = params.get("location", "") or DISPLAY_LOCATIONS[0]
    if width and not (width.isdigit() and MIN_WIDTH_PX <= int(width) <= MAX_WIDTH_PX):
        raise InvalidFrameError(
            f"width must be a number of pixels from {MIN_WIDTH_PX} to {MAX_WIDTH_PX}"
        )
    if location not in DISPLAY_LOCATIONS:
        raise InvalidFrameError(f"location must be one of {', '.join(DISPLAY_LOCATIONS)}")
    return CanvasFrame(
        location_url=location_url,
        display_location=location,
        width_px=int(width) if width else None,
    )


def build_canvas_request(
    configuration: Configuration,
    *,
    user: User,
    org: Org,
    oauth_token: str,
    frame: CanvasFrame,
    issued_at: datetime,
) -> dict[str, object]:
    """The CanvasRequest Salesforce sends when it shows Ledgerlink to ``user``."""
    base_url = configuration.public_url
    data = f"/services/data/v{API_VERSION}"
    return {
        "algorithm": "HMACSHA256",
        "issuedAt": int(issued_at.timestamp()),
        "userId": user.id,
        "client": {
            "instanceId": f"{org.canvas_application_id}:canvas-frame",
            "oauthToken": oauth_token,
            "refreshToken": None,
            "instanceUrl": base_url,
            "targetOrigin": base_url,
        },
        "context": {
            "user": {
                "userId": user.id,
                "userName": user.username,
                "firstName": user.first_name,
                "lastName": user.last_name,
                "email": user.email,
                "fullName": user.full_name,
                "locale": user.locale,
                "language": user.language,
                "timeZone": user.time_zone,
                "profileId": user.profile_id,
                "roleId": user.role_id,
                "userType": "STANDARD",
                "currencyISOCode": org.currency_iso_code,
                "accessibilityModeEnabled": False,
                "profilePhotoUrl": f"{base_url}/profilephoto/005/F",
                "profileThumbnailUrl": f"{base_url}/profilephoto/005/T",
                "isDefaultNetwork": True,
                "networkId": None,
                "siteUrl": None,
                "siteUrlPrefix": None,
            },
            "organization": {
                "organizationId": org.id,
                "name": org.name,
                "multicurrencyEnabled": org.multicurrency_enabled,
                "currencyIsoCode": org.currency_iso_code,
                "namespacePrefix": org.namespace_prefix,
            },
            "environment": {
                "locationUrl": frame.location_url,
                "displayLocation": frame.display_location,
                "sublocation": None,
                "uiTheme": "Theme4d",
                "dimensions": {
                    "width": frame.width,
                    "height": "900px",
                    "maxWidth": "infinite",
                    "maxHeight": "2000px",
                    "clientWidth": frame.width,
                    "clientHeight": "900px",
                },
                "parameters": {},
                "record": {},
                "version": {"season": RELEASE_SEASON, "api": API_VERSION},
            },
            "links": {
                "loginUrl": base_url,
                "enterpriseUrl": f"/services/Soap/c/{API_VERSION}/{org.id15}",
                "metadataUrl": f"/services/Soap/m/{API_VERSION}/{org.id15}",
                "partnerUrl": f"/services/Soap/u/{API_VERSION}/{org.id15}",
                "restUrl": f"{data}/",
                "sobjectUrl": f"{data}/sobjects/",
                "searchUrl": f"{data}/search/",
                "queryUrl": f"{data}/query/",
                "recentItemsUrl": f"{data}/recent/",
                "chatterFeedsUrl": f"{data}/chatter/feeds",
                "chatterGroupsUrl": f"{data}/chatter/groups",
                "chatterUsersUrl": f"{data}/chatter/users",
                "chatterFeedItemsUrl": f"{data}/chatter/feed-items",
                "userUrl": f"/{user.id}",
            },
            "application": {
                "namespace": "",
                "name": "Ledgerlink",
                "canvasUrl": configuration.app.canvas_url,
                "applicationId": org.canvas_application_id,
                "version": "1.0",
                "authType": "SIGNED_REQUEST",
                "referenceId": org.canvas_reference_id,
                "options": [],
                "samlInitiationMethod": "None",
                "developerName": "Ledgerlink",
                "isInstalledPersonalApp": False,
            },
        },
    }


def sign_canvas_request(canvas_request: dict[str, object], consumer_secret: str) -> str:
    """Encode and sign a CanvasRequest into the ``signed_request`` form field."""
    envelope = base64.b64encode(json.dumps(canvas_request).encode("utf-8")).decode("ascii")
    mac = hmac.new(consumer_secret.encode(), envelope.encode("ascii"), hashlib.sha256).digest()
    return f"{base64.b64encode(mac).decode('ascii')}.{envelope}"
