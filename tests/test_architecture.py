"""The project's shape, checked: configuration-only models and pure domain packages."""

import subprocess
import sys
from pathlib import Path

import pytest
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
    "banking.BankConnection": "an EBICS subscriber: bank URL, IDs, encrypted keys, bank's keys",
    "banking.BankAccount": "an account of a bank connection and whether to retrieve it",
    "banking.BankJobRun": "the history of bank jobs: when, which connection, counts",
    "banking.RetrievalSchedule": "when a connection's statements are retrieved, and auto-settle",
    "banking.PaymentRunSchedule": "the payment-run calendar: weekdays, time, lead days, account",
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


PURE_PACKAGES = ["banking.formats", "banking.ebics", "settlement.matching"]
FORBIDDEN_AT_RUNTIME = (
    "django",
    "rest_framework",
    "celery",
    "requests",
    "httpx",
    "simple_salesforce",
    "portal",
    "config",
    "standins",
)


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_importing_a_pure_package_loads_nothing_forbidden_even_indirectly(package):
    # import-linter allows indirect imports through third-party code; this checks what really
    # ends up in sys.modules.
    other_app = "settlement" if package.startswith("banking") else "banking"
    forbidden = (*FORBIDDEN_AT_RUNTIME, other_app)
    folder = ROOT.joinpath(*package.split("."))
    modules = sorted(path.stem for path in folder.glob("*.py") if path.stem != "__init__")
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        f"    importlib.import_module({package!r} + '.' + name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({forbidden!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
