"""Routes of the stand-in, on Salesforce's own paths.

Data API paths take an optional trailing slash, since clients differ (simple-salesforce asks for
``query/`` and ``limits/``).
"""

from django.urls import path, re_path

from standins.salesforce.views import (
    bulk,
    canvas,
    composite,
    composite_requests,
    control,
    data,
    identity,
    login,
    oauth,
    sobjects,
)

_API = r"^services/data/v(?P<version>\d{2,3}\.\d)"
_NAME = r"(?P<name>[A-Za-z][A-Za-z0-9_]*)"
_JOB = r"(?P<job_id>[0-9A-Za-z]{15,18})"

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
    # REST data API
    re_path(r"^services/data/?$", data.versions),
    re_path(rf"{_API}/?$", data.resources),
    re_path(rf"{_API}/limits/?$", data.limits),
    re_path(rf"{_API}/query/?$", data.query),
    re_path(rf"{_API}/queryAll/?$", data.query_all),
    re_path(rf"{_API}/(?:query|queryAll)/(?P<locator>[0-9A-Za-z-]+)/?$", data.query_more),
    re_path(rf"{_API}/sobjects/?$", sobjects.describe_global),
    re_path(rf"{_API}/sobjects/{_NAME}/?$", sobjects.sobject_root),
    re_path(rf"{_API}/sobjects/{_NAME}/describe/?$", sobjects.describe_sobject),
    re_path(rf"{_API}/sobjects/{_NAME}/(?P<record_id>[0-9A-Za-z]+)/?$", sobjects.record),
    re_path(
        rf"{_API}/sobjects/{_NAME}/(?P<field_name>[A-Za-z][A-Za-z0-9_]*)/(?P<value>.+?)/?$",
        sobjects.by_external_id,
    ),
    re_path(rf"{_API}/composite/?$", composite_requests.composite),
    re_path(rf"{_API}/composite/sobjects/?$", composite.collections),
    re_path(rf"{_API}/composite/sobjects/{_NAME}/?$", composite.retrieve),
    re_path(
        rf"{_API}/composite/sobjects/{_NAME}/(?P<field_name>[A-Za-z][A-Za-z0-9_]*)/?$",
        composite.upsert,
    ),
    # Bulk API 2.0
    re_path(rf"{_API}/jobs/ingest/?$", bulk.ingest_jobs),
    re_path(rf"{_API}/jobs/ingest/{_JOB}/?$", bulk.ingest_job),
    re_path(rf"{_API}/jobs/ingest/{_JOB}/batches/?$", bulk.upload),
    re_path(
        rf"{_API}/jobs/ingest/{_JOB}/(?P<kind>successfulResults|failedResults|unprocessedrecords)/?$",
        bulk.ingest_results,
    ),
    re_path(rf"{_API}/jobs/query/?$", bulk.query_jobs),
    re_path(rf"{_API}/jobs/query/{_JOB}/?$", bulk.query_job),
    re_path(rf"{_API}/jobs/query/{_JOB}/results/?$", bulk.query_results),
    # Canvas
    path("canvas/host/", canvas.host),
    path("canvas/host/signed-request", canvas.refresh_signed_request),
    path("canvas/sdk/js/<str:version>/canvas-all.js", canvas.sdk),
    # The stand-in's own controls, for tests and scripts
    path("_standin/health", control.health),
    path("_standin/expire-access-tokens", control.expire_access_tokens),
    path("_standin/reset", control.reset),
    path("_standin/failures", control.failure_switch),
    path("_standin/field-security", control.field_security),
    re_path(r"^_standin/records/(?P<name>[A-Za-z][A-Za-z0-9_]*)/?$", control.list_records),
    path("_standin/counts", control.counts),
]
