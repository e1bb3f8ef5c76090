"""Who is calling the API: a portal user, or an API key acting for its tenant."""

from dataclasses import dataclass

from portal.models import ApiKey, Tenant, User
from portal.roles import Role


@dataclass(frozen=True)
class Principal:
    tenant: Tenant
    role: Role
    user: User | None = None
    api_key: ApiKey | None = None
    # DRF and Django ask these of request.user.
    is_authenticated: bool = True
    is_active: bool = True

    def has_role(self, required: Role) -> bool:
        return self.role.includes(required)
