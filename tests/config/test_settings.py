"""Settings come from the environment, and production refuses unsafe ones."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
REAL_SECRET = "a-real-production-secret-key-with-plenty-of-entropy-0123456789"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": REAL_SECRET,
    "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "LOCAL_SALESFORCE_URL": "",
}
PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL.split(':')[0], "
    "settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT)"
)


def start_django(**overrides: str) -> subprocess.CompletedProcess[str]:
    # A bare environment without the developer's .env (which this process has already loaded),
    # so that only the given values count.
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "ENV_FILE": "/nonexistent",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start_django(**(PRODUCTION | {"SECRET_KEY": ""}))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_public_development_keys():
    result = start_django(
        **(PRODUCTION | {"SECRET_KEY": "dev-only-secret-key-do-not-use-in-production"})
    )
    assert "SECRET_KEY must be set" in result.stderr
    result = start_django(
        **(PRODUCTION | {"ENCRYPTION_KEYS": "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="})
    )
    assert "ENCRYPTION_KEYS must hold a real Fernet key" in result.stderr


def test_production_refuses_to_start_without_an_encryption_key():
    result = start_django(**(PRODUCTION | {"ENCRYPTION_KEYS": ""}))
    assert result.returncode != 0
    assert "ENCRYPTION_KEYS" in result.stderr


def test_production_with_real_keys_starts_with_https_and_hsts():
    result = start_django(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem", "31536000", "True"]


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    result = start_django(
        **PRODUCTION,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/ledgerlink",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.postgresql", "redis"]
