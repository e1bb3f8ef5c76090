"""Create the demo tenant that matches the local Salesforce's seeded org (development only)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import services
from portal.models import Tenant, User
from portal.roles import Role

DEMO_ORG_ID = "00D5g000004ACMEEA4"
DEMO_ORG_NAME = "Acme Industries GmbH"
DEMO_USERS = (
    ("0055g00000AAdmiAAD", "Alice Admin", Role.ADMIN),
    ("0055g00000BFinAAAT", "Bob Finance", Role.FINANCE_ADMIN),
    ("0055g00000CClerAAD", "Carol Clerk", Role.CLERK),
    ("0055g00000DViewAAD", "Dave Viewer", Role.VIEWER),
)


class Command(BaseCommand):
    help = "Seed the demo tenant (Acme Industries GmbH) of the local Salesforce with its users."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        local_url = settings.LOCAL_SALESFORCE_URL
        if not local_url:
            raise CommandError("LOCAL_SALESFORCE_URL is not set: the demo tenant lives there.")
        for user_id, name, role in DEMO_USERS:
            user = services.sign_in(
                identity=services.SignIn(
                    org_id=DEMO_ORG_ID,
                    org_name=DEMO_ORG_NAME,
                    user_id=user_id,
                    user_name=name,
                    login_url=local_url,
                    instance_url=local_url,
                    is_sandbox=False,
                )
            )
            if user.role != role:
                User.objects.filter(pk=user.pk).update(role=role)
        tenant = Tenant.objects.get(org_id=DEMO_ORG_ID)
        self.stdout.write(f"Demo tenant ready: {tenant} with {tenant.users.count()} users.")
