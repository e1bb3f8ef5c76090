"""allauth's Salesforce OAuth adapter, adjusted to Ledgerlink's needs.

allauth does the OAuth dance (state, PKCE, code exchange); Ledgerlink adds the login host the user
chose (production, sandbox or My Domain), keeps the token response's instance URL, asks for the
user's identity with a Bearer header instead of a token in the query string, and identifies the
user by org and user ID together.
"""

from typing import Any

from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.salesforce.views import SalesforceOAuth2Adapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from portal import salesforce_auth
from portal.hosts import UntrustedHost, trusted_salesforce_origin

LOGIN_HOST_SESSION_KEY = "salesforce_login_host"
LOGIN_ENVIRONMENT_SESSION_KEY = "salesforce_login_environment"


class LedgerlinkSalesforceAdapter(SalesforceOAuth2Adapter):
    @property
    def base_url(self) -> str:
        chosen = self.request.session.get(LOGIN_HOST_SESSION_KEY)
        try:
            return trusted_salesforce_origin(chosen or self.get_provider().app.key)
        except UntrustedHost as error:
            raise PermissionDenied("The login host is not a Salesforce host.") from error

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        response = kwargs.get("response") or {}
        try:
            instance_url = trusted_salesforce_origin(response.get("instance_url", ""))
        except UntrustedHost as error:
            raise PermissionDenied(
                "Salesforce named an instance that is not a Salesforce host."
            ) from error
        try:
            identity = salesforce_auth.fetch_identity(self.base_url, token.token)
        except salesforce_auth.SalesforceAuthError as error:
            raise PermissionDenied(str(error)) from error
        extra_data = {
            "organization_id": identity.org_id,
            "user_id": identity.user_id,
            "name": identity.name,
            "preferred_username": identity.username,
            "instance_url": instance_url,
            "login_url": self.base_url,
            "environment": request.session.get(LOGIN_ENVIRONMENT_SESSION_KEY, "production"),
        }
        return self.get_provider().sociallogin_from_response(request, extra_data)


oauth2_login = OAuth2LoginView.adapter_view(LedgerlinkSalesforceAdapter)
oauth2_callback = OAuth2CallbackView.adapter_view(LedgerlinkSalesforceAdapter)
