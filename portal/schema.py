"""How the API's authentication schemes appear in the OpenAPI schema."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key llk_<prefix>_<secret>`, created by an admin in the portal.",
        }


class SalesforceBearerScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.SalesforceBearerAuthentication"
    name = "salesforceBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A Salesforce access token of a user of a connected org.",
        }


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.PortalSessionAuthentication"
    name = "portalSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
