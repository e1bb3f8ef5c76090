"""Before the suite: are PostgreSQL, Redis and Chromium here? With CI=true, each is required."""

import os
import shutil
import socket
import sys
from pathlib import Path

SERVICES = {
    "PostgreSQL": (
        ("127.0.0.1", 5432),
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    ),
    "Redis": (
        ("127.0.0.1", 6379),
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    ),
}
CHROMIUM = "/usr/bin/chromium"


def _reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    in_ci = os.environ.get("CI", "").lower() == "true"
    missing = [
        f"{name} is not answering on {address[0]}:{address[1]}; start it with: {hint}"
        for name, (address, hint) in SERVICES.items()
        if not _reachable(address)
    ]
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        missing.append("Chromium is not installed; install it with: apt-get install -y chromium")
    for line in missing:
        sys.stderr.write(f"preflight: {line}\n")
    if missing and in_ci:
        sys.stderr.write("preflight: CI=true, so a missing service or browser fails the run.\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
