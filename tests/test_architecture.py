"""The project's shape, checked: configuration-only models and pure domain packages."""

import subprocess
import sys
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

# Every model that may exist, and why it is configuration. A new model must be added here on
# purpose, after checking it can never hold business data.
ALLOWED_MODELS = {
    "portal.Tenant": "a connected Salesforce org",
    "portal.User": "a user of an org and their role",
    "portal.ApiKey": "an API key's hash and metadata",
    "portal.AuditEvent": "who changed which configuration",
    "portal.FieldMapping": "which Salesforce object and fields hold a concept",
    "portal.SalesforceJobCredential": "the encrypted refresh token jobs run under",
    "settlement.MatchingConfiguration": "how statement items find open items",
    # Framework tables, installed with Django and allauth; Ledgerlink leaves allauth's empty:
    # users come from Salesforce, and tokens live only in the session.
    "auth.Permission": "Django framework",
    "auth.Group": "Django framework",
    "contenttypes.ContentType": "Django framework",
    "account.EmailAddress": "allauth, kept empty",
    "account.EmailConfirmation": "allauth, kept empty",
    "socialaccount.SocialApp": "allauth, kept empty (the app is configured in settings)",
    "socialaccount.SocialAccount": "allauth, kept empty",
    "socialaccount.SocialToken": "allauth, kept empty (SOCIALACCOUNT_STORE_TOKENS is off)",
}


def test_only_the_allowed_configuration_models_exist():
    existing = {model._meta.label for model in apps.get_models()}
    assert existing == set(ALLOWED_MODELS)


def test_pure_packages_import_no_django_celery_or_network_client():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Pure domain packages import no Django" in result.stdout
