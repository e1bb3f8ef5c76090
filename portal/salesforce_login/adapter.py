"""Where allauth hands over: Ledgerlink signs the user in itself.

allauth would store a social account with the userinfo and, if asked, the tokens. Ledgerlink keeps
neither: the tenant and user are configuration rows of its own, and the tokens go into the
server-side session only.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from portal import sessions
from portal.credentials import SalesforceCredentials


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Users only ever arrive through Salesforce.
        return False


class SalesforceLoginAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        data = sociallogin.account.extra_data
        token = sociallogin.token
        credentials = SalesforceCredentials(
            org_id=data["organization_id"],
            user_id=data["user_id"],
            access_token=token.token,
            refresh_token=token.token_secret or None,
            instance_url=data["instance_url"],
            login_url=data["login_url"],
        )
        sessions.start_session(
            request,
            credentials=credentials,
            user_name=data.get("name", ""),
            is_sandbox=data.get("environment") == "sandbox",
        )
        next_url = (sociallogin.state or {}).get("next")
        if not next_url or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = resolve_url("portal:home")
        raise ImmediateHttpResponse(HttpResponseRedirect(next_url))

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True
