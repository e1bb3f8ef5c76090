from django.urls import path

from portal import api, views
from portal.salesforce import views as salesforce_views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("canvas/", views.canvas_entry, name="canvas"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/role/", views.change_role, name="change_role"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", views.revoke_api_key, name="revoke_api_key"),
    path("organisation/", views.organisation, name="organisation"),
    path("audit/", views.audit_log, name="audit_log"),
    path("salesforce/", salesforce_views.connection, name="salesforce_connection"),
    path("salesforce/mappings/", salesforce_views.mappings, name="salesforce_mappings"),
    path(
        "salesforce/jobs/authorize/",
        salesforce_views.authorize_jobs,
        name="salesforce_authorize_jobs",
    ),
    path(
        "salesforce/mappings/<slug:concept>/",
        salesforce_views.edit_mapping,
        name="salesforce_edit_mapping",
    ),
    path(
        "salesforce/mappings/<slug:concept>/reset/",
        salesforce_views.reset_mapping,
        name="salesforce_reset_mapping",
    ),
    path("api/v1/me", api.MeApi.as_view(), name="api_me"),
]
