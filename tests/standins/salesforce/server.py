"""Run the local Salesforce as a real process for a test module.

The stand-in configures its own Django, so it is never imported into the test process, which runs
under Ledgerlink's settings.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.standins.salesforce.flows import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    EXTRA_CALLBACK_URL,
    LocalSalesforce,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT = 15


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the stand-in exited at start:\n{log_path.read_text()}")
        try:
            if requests.get(f"{base_url}/_standin/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the stand-in did not answer within {STARTUP_TIMEOUT} s:\n{log_path.read_text()}")


def data_path_in(folder: Path) -> Path:
    # A folder that does not exist yet: the stand-in must create it.
    return folder / "var" / "salesforce.sqlite3"


@contextmanager
def running_local_salesforce(
    folder: Path,
    ledgerlink_url: str,
    *,
    arguments: Sequence[str] = ("--no-demo-data",),
    environment: Mapping[str, str] | None = None,
) -> Iterator[LocalSalesforce]:
    """Start ``python -m standins.salesforce`` on a free port with its store in ``folder``.

    By default without demo data, so that each test module starts from the seeded users alone.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_path = data_path_in(folder)
    log_path = folder / "server.log"
    # Explicit values, so that a developer's own environment cannot change what the tests see.
    environment = (
        {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
        | {
            "LOCAL_SALESFORCE_URL": base_url,
            "LEDGERLINK_URL": ledgerlink_url,
            "LOCAL_SALESFORCE_CALLBACK_URLS": f" {EXTRA_CALLBACK_URL} ,",
            "SALESFORCE_CONSUMER_KEY": CONSUMER_KEY,
            "SALESFORCE_CONSUMER_SECRET": CONSUMER_SECRET,
            "LOCAL_SALESFORCE_TOKEN_SECONDS": "7200",
            "LOCAL_SALESFORCE_DAILY_API_LIMIT": "100000",
        }
        | dict(environment or {})
    )
    command = [sys.executable, "-m", "standins.salesforce", "--port", str(port), *arguments]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--data", str(data_path)],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(base_url, process, log_path)
            yield LocalSalesforce(base_url=base_url, data_path=data_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
