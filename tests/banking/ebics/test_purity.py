"""banking.ebics stays pure: importing it loads no Django, Celery, network client or app."""

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]
FORBIDDEN = (
    "django",
    "rest_framework",
    "celery",
    "requests",
    "httpx",
    "simple_salesforce",
    "portal",
    "config",
    "settlement",
    "standins",
)


def test_importing_every_module_loads_nothing_forbidden():
    modules = sorted(
        path.stem
        for path in (PROJECT / "banking" / "ebics").glob("*.py")
        if path.stem != "__init__"
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('banking.ebics.' + name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip() == "[]"
