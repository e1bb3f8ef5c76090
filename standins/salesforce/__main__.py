"""Run the local Salesforce: ``python -m standins.salesforce [--host] [--port] [--data] [--reset]
[--no-demo-data]``.

This is the only place that configures Django for the stand-in, so importing any module of the
package has no side effect and never touches Ledgerlink's own settings.
"""

import argparse
import logging
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.servers.basehttp import run
from django.utils import timezone

from standins.salesforce import directory, seed
from standins.salesforce.app import Runtime, StandinApplication
from standins.salesforce.configuration import ConfigurationError, read_configuration
from standins.salesforce.data import tables
from standins.salesforce.data.bulk import BulkWorker
from standins.salesforce.data.metadata import MetadataError
from standins.salesforce.data.permissions import load_permission_sets
from standins.salesforce.data.schema import load_schema
from standins.salesforce.demo import generator
from standins.salesforce.store import DEFAULT_DATA_PATH, Store

_PACKAGE_DIR = Path(__file__).resolve().parent

logger = logging.getLogger("standins.salesforce")


def _parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m standins.salesforce",
        description="Run the local Salesforce stand-in (OAuth, identity, Canvas host, data API).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA_PATH, help="SQLite file of the stand-in's store"
    )
    parser.add_argument(
        "--reset", action="store_true", help="reseed the store, forgetting every token and session"
    )
    parser.add_argument(
        "--no-demo-data",
        dest="demo_data",
        action="store_false",
        help="leave Acme's records empty when (re)seeding, instead of generating demo data",
    )
    return parser.parse_args(argv)


def _django_settings() -> dict[str, Any]:
    return {
        "DEBUG": False,
        # Only CSRF tokens depend on it, and they need not outlive the process.
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Every URL the stand-in builds comes from LOCAL_SALESFORCE_URL, never from the Host header,
        # so any name under which a browser or a container reaches it may be accepted.
        "ALLOWED_HOSTS": ["*"],
        "ROOT_URLCONF": "standins.salesforce.urls",
        "INSTALLED_APPS": [],
        "MIDDLEWARE": [
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [_PACKAGE_DIR / "templates"],
                "APP_DIRS": False,
            }
        ],
        # Cookies are shared by every port of a host; the portal on the same host uses Django's
        # default cookie names, so the stand-in must not.
        "CSRF_COOKIE_NAME": "standin_salesforce_csrftoken",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "USE_I18N": False,
        # Bulk API 2.0 takes CSV uploads of up to 150 MB in one request body.
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 160 * 1024 * 1024,
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"redact": {"()": "standins.salesforce.logs.RedactCredentials"}},
            "formatters": {"plain": {"format": "[%(asctime)s] %(name)s %(message)s"}},
            "handlers": {
                "console": {
                    "class": "logging.StreamHandler",
                    "filters": ["redact"],
                    "formatter": "plain",
                }
            },
            "loggers": {
                "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
                "standins.salesforce": {"handlers": ["console"], "level": "INFO"},
            },
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Open (and if needed seed) the store, configure Django and serve until interrupted."""
    arguments = _parse_arguments(argv)
    try:
        configuration = read_configuration(os.environ, arguments.port)
    except ConfigurationError as error:
        raise SystemExit(f"standins.salesforce: {error}") from error
    try:
        schema = load_schema()
        permission_sets = load_permission_sets()
    except MetadataError as error:
        raise SystemExit(f"standins.salesforce: {error}") from error
    store = Store(arguments.data)
    store.create()
    demo = generator.DemoSettings() if arguments.demo_data else None
    with store.connect() as db:
        schema = tables.sync(db, schema)
        reseeding = arguments.reset or not directory.has_orgs(db)
        if reseeding:
            seed.seed(db, known_permission_sets=permission_sets)
        else:
            # Records written since the last start (by clients or the demo generator) may have
            # changed how selective the indexes are.
            db.execute("PRAGMA optimize")
    report = generator.generate(store, schema, demo) if reseeding and demo is not None else None
    settings.configure(**_django_settings())
    django.setup(set_prefix=False)
    if report is not None:
        logger.info("Demo data: %s", report.summary)
    bulk = BulkWorker(store, schema, permission_sets, clock=timezone.now)
    bulk.resume()
    runtime = Runtime(
        configuration=configuration,
        store=store,
        schema=schema,
        permission_sets=permission_sets,
        bulk=bulk,
        demo=demo,
    )
    logger.info(
        "Local Salesforce on http://%s:%s (public URL %s, data %s)",
        arguments.host,
        arguments.port,
        configuration.public_url,
        arguments.data,
    )
    try:
        run(
            arguments.host,
            arguments.port,
            StandinApplication(runtime),
            ipv6=":" in arguments.host,
            threading=True,
        )
    except KeyboardInterrupt:
        logger.info("Local Salesforce stopped")


if __name__ == "__main__":
    main()
