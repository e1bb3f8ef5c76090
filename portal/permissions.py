from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from portal.principals import Principal
from portal.roles import Role


class IsTenantMember(BasePermission):
    """Any authenticated principal of a tenant; views that need more set ``required_role``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, Principal):
            return False
        required: Role = getattr(view, "required_role", Role.VIEWER)
        return principal.has_role(required)
