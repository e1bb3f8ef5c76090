"""Routes of the stand-in, on Salesforce's own paths.

The REST data API will be mounted at ``services/data/v<version>/`` (sObjects, query, composite,
Bulk API 2.0 jobs), authenticated with :func:`standins.salesforce.authentication.bearer_token`.
"""

from django.urls import path, re_path

from standins.salesforce.views import canvas, control, data, identity, login, oauth

urlpatterns = [
    path("", login.home),
    # OAuth 2.0 and OpenID Connect
    path("services/oauth2/authorize", oauth.authorize),
    path("services/oauth2/token", oauth.token),
    path("services/oauth2/userinfo", oauth.userinfo),
    path("services/oauth2/revoke", oauth.revoke),
    re_path(
        r"^id/(?P<org_id>[0-9A-Za-z]{15,18})/(?P<user_id>[0-9A-Za-z]{15,18})/?$", identity.identity
    ),
    re_path(r"^profilephoto/005/(?P<size>[FT])$", identity.profile_photo),
    path("secur/logout.jsp", login.logout),
    # REST data API (only the Organization query, for now)
    re_path(r"^services/data/v(?P<version>\d{2,3}\.0)/query/?$", data.query),
    # Canvas
    path("canvas/host/", canvas.host),
    path("canvas/host/signed-request", canvas.refresh_signed_request),
    path("canvas/sdk/js/<str:version>/canvas-all.js", canvas.sdk),
    # The stand-in's own controls, for tests and scripts
    path("_standin/health", control.health),
    path("_standin/expire-access-tokens", control.expire_access_tokens),
    path("_standin/reset", control.reset),
]
