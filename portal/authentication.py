"""API authentication: tenant API keys, Salesforce bearer tokens, and the portal's own session."""

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from portal import salesforce_auth, services
from portal.ids import org_id_from_access_token
from portal.models import Tenant, User
from portal.principals import Principal
from portal.roles import Role

logger = logging.getLogger(__name__)


def _credentials_after(request: Request, keyword: str) -> str | None:
    header = authentication.get_authorization_header(request).decode("latin-1")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != keyword.lower():
        return None
    value = value.strip()
    if not value or " " in value:
        raise exceptions.AuthenticationFailed("Malformed Authorization header.")
    return value


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key llk_<prefix>_<secret>``."""

    keyword = "Api-Key"

    def authenticate(self, request: Request) -> tuple[Principal, Any] | None:
        presented = _credentials_after(request, self.keyword)
        if presented is None:
            return None
        api_key = services.authenticate_api_key(presented=presented, now=timezone.now())
        if api_key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        return Principal(tenant=api_key.tenant, role=Role(api_key.role), api_key=api_key), None

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SalesforceBearerAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <Salesforce access token>`` of a user of a connected org.

    The token is checked against the org's identity endpoint; the answer is cached briefly under a
    hash of the token, so the token itself is never a cache key and never logged.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Principal, Any] | None:
        token = _credentials_after(request, self.keyword)
        if token is None:
            return None
        cache_key = "api-bearer:" + hashlib.sha256(token.encode()).hexdigest()
        user_pk = cache.get(cache_key)
        if user_pk is None:
            user = self._identify(token)
            cache.set(cache_key, user.pk, timeout=settings.API_BEARER_CACHE_SECONDS)
        else:
            known = User.objects.select_related("tenant").filter(pk=user_pk, is_active=True).first()
            if known is None:
                raise exceptions.AuthenticationFailed("This user no longer has access.")
            user = known
        return Principal(tenant=user.tenant, role=user.role_enum, user=user), None

    def _identify(self, token: str) -> User:
        org_id = org_id_from_access_token(token)
        tenant = Tenant.objects.filter(org_id=org_id).first() if org_id else None
        if tenant is None:
            raise exceptions.AuthenticationFailed("The token does not belong to a connected org.")
        try:
            identity = salesforce_auth.fetch_identity(tenant.instance_url, token)
        except salesforce_auth.TokenRejected as error:
            raise exceptions.AuthenticationFailed("Salesforce rejected the token.") from error
        except salesforce_auth.SalesforceAuthError as error:
            raise exceptions.AuthenticationFailed(
                "Salesforce could not confirm the token right now; try again."
            ) from error
        if identity.org_id != tenant.org_id:
            raise exceptions.AuthenticationFailed("The token does not belong to a connected org.")
        user = services.sign_in(
            identity=services.SignIn(
                org_id=tenant.org_id,
                org_name=tenant.name,
                user_id=identity.user_id,
                user_name=identity.name,
                login_url=tenant.login_url,
                instance_url=tenant.instance_url,
                is_sandbox=tenant.is_sandbox,
            )
        )
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This user no longer has access.")
        return user

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class PortalSessionAuthentication(authentication.SessionAuthentication):
    """The logged-in portal user, with Django's CSRF protection for unsafe methods."""

    def authenticate(self, request: Request) -> tuple[Principal, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if not isinstance(user, User):
            return None
        return Principal(tenant=user.tenant, role=user.role_enum, user=user), None
