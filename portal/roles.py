"""The four roles and what each may do, from most to least powerful."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    FINANCE_ADMIN = "finance_admin", "Finance admin"
    CLERK = "clerk", "Clerk"
    VIEWER = "viewer", "Viewer"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def includes(self, required: "Role") -> bool:
        """An admin can do what a finance admin can, and so on down to the viewer."""
        return self.rank >= required.rank


_RANKS = {Role.VIEWER: 0, Role.CLERK: 1, Role.FINANCE_ADMIN: 2, Role.ADMIN: 3}
