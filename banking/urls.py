from django.urls import path

from banking import api

app_name = "banking"

urlpatterns = [
    path("api/v1/statements/parse", api.StatementParseApi.as_view(), name="api_statements_parse"),
    path("api/v1/payment-orders", api.PaymentOrderApi.as_view(), name="api_payment_orders"),
    path(
        "api/v1/status-reports/parse",
        api.StatusReportParseApi.as_view(),
        name="api_status_reports_parse",
    ),
]
