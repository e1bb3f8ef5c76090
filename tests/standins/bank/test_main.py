"""``python -m standins.bank`` runs as its own process with its own storage."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from banking.ebics import messages, responses
from tests.standins.bank.subscriber_client import TIMEOUT

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_health(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if requests.get(f"{url}/_standin/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("the bank did not start")


def test_the_bank_runs_as_a_process_and_keeps_its_keys_across_restarts(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "standins.bank",
        "--port",
        str(port),
        "--data",
        str(tmp_path / "bank"),
    ]
    letters = []
    for _ in range(2):
        process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            wait_for_health(url, process)
            hev = requests.post(
                f"{url}/ebics", data=messages.build_hev_request("LLBANK"), timeout=TIMEOUT
            )
            assert responses.parse_hev_response(hev.content).return_code == "000000"
            letters.append(requests.get(f"{url}/_standin/bank-keys", timeout=TIMEOUT).json())
        finally:
            process.terminate()
            process.wait(timeout=TIMEOUT)
    assert letters[0] == letters[1]
    assert (tmp_path / "bank" / "bank.sqlite3").exists()
