"""Real processes for the tests: the local Salesforce and a Celery worker, over real HTTP."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningProcess:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    # For the local Salesforce: where it sends OAuth callbacks and Canvas posts.
    ledgerlink_url: str = ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_for_http(
    url: str, process: RunningProcess, timeout: float = 20.0, verify: bool | str = True
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            raise RuntimeError(f"process exited early:\n{process.log()}")
        try:
            if requests.get(url, timeout=1, verify=verify).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{process.log()}")


def start_local_salesforce(
    data_dir: Path, *, ledgerlink_url: str, host: str = "127.0.0.1", data: Path | None = None
) -> RunningProcess:
    port = free_port()
    url = f"http://{host}:{port}"
    log_path = data_dir / "local-salesforce.log"
    env = {
        **os.environ,
        "LOCAL_SALESFORCE_URL": url,
        "LEDGERLINK_URL": ledgerlink_url,
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "standins.salesforce",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data",
            str(data or data_dir / "salesforce.sqlite3"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    running = RunningProcess(
        url=url, process=process, log_path=log_path, ledgerlink_url=ledgerlink_url
    )
    try:
        wait_for_http(f"{url}/_standin/health", running)
    except RuntimeError:
        running.stop()
        raise
    return running


def start_local_bank(
    data_dir: Path,
    *,
    auto_activate: bool = False,
    salesforce_data: Path | None = None,
    tls: tuple[Path, Path, Path] | None = None,
) -> RunningProcess:
    """The local EBICS bank in its own process; ``url`` is its EBICS endpoint.

    ``tls`` is (certificate, key, CA bundle): the bank then serves https only.
    """
    port = free_port()
    scheme = "https" if tls else "http"
    base = f"{scheme}://127.0.0.1:{port}"
    log_path = data_dir / "local-bank.log"
    command = [
        sys.executable,
        "-m",
        "standins.bank",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data",
        str(data_dir / "bank"),
    ]
    if auto_activate:
        command.append("--auto-activate")
    if salesforce_data is not None:
        command += ["--salesforce-data", str(salesforce_data)]
    if tls is not None:
        command += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    running = RunningProcess(url=f"{base}/ebics", process=process, log_path=log_path)
    try:
        wait_for_http(f"{base}/_standin/health", running, verify=str(tls[2]) if tls else True)
    except RuntimeError:
        running.stop()
        raise
    return running


def start_celery_worker(log_dir: Path, env_overrides: dict[str, str]) -> RunningProcess:
    """A real worker on the configured broker; ready once it logs that it is."""
    log_path = log_dir / "celery-worker.log"
    env = {**os.environ, **env_overrides, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    running = RunningProcess(url="", process=process, log_path=log_path)
    deadline = time.monotonic() + 30
    while "ready." not in running.log():
        if process.poll() is not None or time.monotonic() > deadline:
            running.stop()
            raise RuntimeError(f"the Celery worker did not start:\n{running.log()}")
        time.sleep(0.2)
    return running
