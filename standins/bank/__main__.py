"""Run the local EBICS bank: ``python -m standins.bank [--host] [--port] [--data] [--reset]
[--auto-activate] [--certfile F --keyfile F] [--salesforce-data PATH]``.

The only module with side effects: it opens the data directory, starts logging and serves.
"""

import argparse
import logging
import time
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from standins.bank.ledger import Ledger
from standins.bank.runtime import assemble
from standins.bank.store import DEFAULT_DATA_DIR, LEDGER_FILE

logger = logging.getLogger("standins.bank")


def _now() -> datetime:
    return datetime.now(UTC)


def _parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m standins.bank",
        description="Run the local EBICS bank (host LLBANK, H004 and H005).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8002, help="port to listen on")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA_DIR, help="folder of the bank's SQLite files"
    )
    parser.add_argument(
        "--reset", action="store_true", help="forget subscribers and transactions, reseed"
    )
    parser.add_argument(
        "--auto-activate",
        action="store_true",
        help="activate subscribers as soon as INI and HIA are in (no letter check)",
    )
    parser.add_argument("--certfile", type=Path, help="PEM certificate chain: serve HTTPS")
    parser.add_argument("--keyfile", type=Path, help="PEM private key of --certfile")
    parser.add_argument(
        "--salesforce-data", type=Path, help="local Salesforce store to derive demo data from"
    )
    parser.add_argument(
        "--after",
        metavar="URL",
        help="wait until this URL answers 200 before seeding (the local Salesforce's health)",
    )
    arguments = parser.parse_args(argv)
    if (arguments.certfile is None) != (arguments.keyfile is None):
        parser.error("--certfile and --keyfile go together")
    return arguments


def _wait_for(url: str, timeout: float = 120.0) -> None:
    """Wait for another stand-in, so demo data is derived from its finished store."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (our own URL)
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    logger.warning("%s did not answer within %.0f s; seeding without it", url, timeout)


def main(argv: Sequence[str] | None = None) -> None:
    """Open (and if needed seed) the bank's storage and serve until interrupted."""
    arguments = _parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(name)s %(message)s")
    arguments.data.mkdir(parents=True, exist_ok=True)
    if arguments.after:
        _wait_for(arguments.after)
    ledger = Ledger(arguments.data / LEDGER_FILE, _now)
    running = assemble(
        arguments.data,
        ledger,
        _now,
        reset=arguments.reset,
        auto_activate=arguments.auto_activate,
        salesforce_data=arguments.salesforce_data,
    )
    server = running.server(arguments.host, arguments.port)
    scheme = "http"
    if arguments.certfile is not None:
        server.use_tls(arguments.certfile, arguments.keyfile)
        scheme = "https"
    host, port = server.server_address[:2]
    logger.info(
        "Local EBICS bank LLBANK on %s://%s:%s/ebics (data %s)", scheme, host, port, arguments.data
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("Local EBICS bank stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
