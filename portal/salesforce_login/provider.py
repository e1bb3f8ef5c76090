from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.salesforce.provider import SalesforceProvider
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.hosts import UntrustedHost, choose_login_host
from portal.salesforce_login.views import (
    LOGIN_ENVIRONMENT_SESSION_KEY,
    LOGIN_HOST_SESSION_KEY,
    LedgerlinkSalesforceAdapter,
)


class LedgerlinkSalesforceProvider(SalesforceProvider):
    package = "portal.salesforce_login"
    oauth2_adapter_class = LedgerlinkSalesforceAdapter

    def extract_uid(self, data: dict[str, Any]) -> str:
        # Sandboxes copy production's user IDs: only org and user together identify a user.
        return f"{data['organization_id']}:{data['user_id']}"

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"username": data.get("preferred_username")}

    def extract_email_addresses(self, data: dict[str, Any]) -> list[Any]:
        return []

    def redirect_from_request(self, request: HttpRequest) -> HttpResponse:
        """Remember which login host the user chose before sending them there."""
        source = request.POST if request.method == "POST" else request.GET
        try:
            login_host = choose_login_host(
                source.get("environment", "production"), source.get("my_domain", "")
            )
        except UntrustedHost as error:
            raise ImmediateHttpResponse(
                render(request, "portal/login.html", {"error": str(error)}, status=400)
            ) from error
        request.session[LOGIN_HOST_SESSION_KEY] = login_host.url
        request.session[LOGIN_ENVIRONMENT_SESSION_KEY] = login_host.environment.value
        return super().redirect_from_request(request)


provider_classes = [LedgerlinkSalesforceProvider]
