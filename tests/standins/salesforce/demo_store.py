"""Stores filled by the demo generator, for tests that need many realistic records."""

import subprocess
import sys
from pathlib import Path

from tests.standins.salesforce.server import REPO_ROOT

# A fixed "today", so that the generated data is the same on every run.
DEMO_TODAY = "2026-11-22"


def run_demo(data_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m standins.salesforce.demo`` on a store; the finished process."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "standins.salesforce.demo",
            "--data",
            str(data_path),
            "--today",
            DEMO_TODAY,
            *arguments,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
