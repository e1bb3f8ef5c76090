from django.urls import path

from banking import api, views

app_name = "banking"

_CONNECTION = "banking/connections/<int:connection_id>/"

urlpatterns = [
    path("api/v1/statements/parse", api.StatementParseApi.as_view(), name="api_statements_parse"),
    path("api/v1/payment-orders", api.PaymentOrderApi.as_view(), name="api_payment_orders"),
    path(
        "api/v1/status-reports/parse",
        api.StatusReportParseApi.as_view(),
        name="api_status_reports_parse",
    ),
    path("banking/connections/", views.connections, name="connections"),
    path("banking/connections/new/", views.edit_connection, name="new_connection"),
    path(_CONNECTION, views.connection_detail, name="connection"),
    path(_CONNECTION + "edit/", views.edit_connection, name="edit_connection"),
    path(_CONNECTION + "letter.pdf", views.letter, name="letter"),
    path(_CONNECTION + "verify-bank-keys/", views.verify_bank_keys, name="verify_bank_keys"),
    path(_CONNECTION + "accounts/", views.select_accounts, name="select_accounts"),
    path(_CONNECTION + "test/", views.test_connection, name="test"),
    path(_CONNECTION + "retrieve/", views.retrieve, name="retrieve"),
    path(_CONNECTION + "payment-orders/", views.upload_payment_order, name="upload_payment_order"),
    path(_CONNECTION + "schedule/", views.schedule, name="schedule"),
    path(_CONNECTION + "payment-schedule/", views.payment_schedule, name="payment_schedule"),
    path(_CONNECTION + "keys/backup/", views.export_keys, name="export_keys"),
    path(_CONNECTION + "keys/restore/", views.restore_keys, name="restore_keys"),
    path(_CONNECTION + "<slug:action>/", views.run_action, name="action"),
    path("banking/runs/", views.runs, name="runs"),
    path("banking/runs/<int:run_id>/", views.run_detail, name="run"),
    path("banking/runs/<int:run_id>/status", views.run_status, name="run_status"),
    path("banking/runs/<int:run_id>/cancel/", views.cancel_run, name="cancel_run"),
]

# Payment runs (banking/payment_run_views.py); two path segments after the connection, so the
# wizard's one-segment `<slug:action>/` pattern above never takes them.
from banking import payment_run_views  # noqa: E402

urlpatterns += [
    path(_CONNECTION + "payment-runs/new/", payment_run_views.start, name="payment_run_start"),
    path(
        _CONNECTION + "payment-runs/status-reports/",
        payment_run_views.apply_status_reports,
        name="payment_run_status_reports",
    ),
    path("banking/payment-runs/<int:run_id>/", payment_run_views.report, name="payment_run"),
    path(
        "banking/payment-runs/<int:run_id>/send/",
        payment_run_views.send,
        name="payment_run_send",
    ),
    path(
        "banking/payment-runs/<int:run_id>/resolve/",
        payment_run_views.resolve,
        name="payment_run_resolve",
    ),
    path(
        "banking/payment-runs/<int:run_id>/recorded-by-hand/",
        payment_run_views.recorded_by_hand,
        name="payment_run_recorded_by_hand",
    ),
    path(
        "banking/payment-runs/<int:run_id>/prepare-again/",
        payment_run_views.prepare_again,
        name="payment_run_prepare_again",
    ),
]
