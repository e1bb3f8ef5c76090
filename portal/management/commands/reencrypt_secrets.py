"""``python manage.py reencrypt_secrets``: re-encrypt every secret with the newest key.

Rotate a key by putting a new one first in ENCRYPTION_KEYS, running this command, then removing
the old key.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from banking.models import BankConnection
from portal.encryption import reencrypt
from portal.models import SalesforceJobCredential


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for credential in SalesforceJobCredential.objects.select_for_update():
            credential.encrypted_refresh_token = reencrypt(credential.encrypted_refresh_token)
            credential.save(update_fields=["encrypted_refresh_token"])
            count += 1
        for connection in BankConnection.objects.exclude(encrypted_keys="").select_for_update():
            connection.encrypted_keys = reencrypt(connection.encrypted_keys)
            connection.save(update_fields=["encrypted_keys"])
            count += 1
        self.stdout.write(f"Re-encrypted {count} secret(s) with the newest key.")
