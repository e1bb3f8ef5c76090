"""Downloading and parsing a large camt.053 through EBICS, against the local bank over HTTP.

    python -m benchmarks.ebics [--quick] [--entries N]

Books about 40 000 incoming transfers on one day in the local bank's ledger (a ~50 MB camt.053),
onboards a subscriber (INI, HIA, HPB), then measures:

- the named baseline: parsing the same camt.053 from local disk, with no EBICS at all;
- the EBICS download alone (init, segments, decryption, decompression, receipt), streamed to a
  temporary file;
- download and parse together, which is what a retrieval does.

Times are best of three runs without tracing; peak memory is Python's traced peak in a separate
run, since tracing slows the work down.
"""

import argparse
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from banking.ebics.client import Connection, EbicsClient
from banking.ebics.keys import generate_subscriber_keys, self_signed_certificate
from banking.ebics.messages import DateRange, EbicsVersion, Subscriber
from banking.ebics.orders import statement_download_order
from banking.ebics_http import HttpTransport
from banking.formats.statement_file import iter_statement_file
from banking.formats.statement_stream import ItemRead
from standins.bank.ledger import Ledger
from standins.bank.store import LEDGER_FILE
from tests.processes import start_local_bank

PARTNER = "BENCH"


def _now() -> datetime:
    return datetime.now(UTC)


def _onboarded_client(bank_url: str) -> EbicsClient:
    keys = generate_subscriber_keys()
    now = _now()
    certificates = tuple(
        self_signed_certificate(key, common_name="Bench", now=now)
        for key in (keys.signature, keys.authentication, keys.encryption)
    )
    connection = Connection(
        subscriber=Subscriber(host_id="LLBANK", partner_id=PARTNER, user_id="BENCH"),
        version=EbicsVersion.H005,
        keys=keys,
        certificates=(certificates[0], certificates[1], certificates[2]),
    )
    transport = HttpTransport(bank_url, timeout=(10, 600))
    client = EbicsClient(connection, transport, clock=_now)
    client.send_ini()
    client.send_hia()
    bank = client.download_bank_keys()
    return EbicsClient(replace(connection, bank_keys=bank.keys), transport, clock=_now)


def _parse(source: Path) -> int:
    """Stream every item of the statement file(s) in ``source`` (a ZIP or a plain file)."""
    count = 0
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for member in archive.infolist():
                with archive.open(member) as stream:
                    count += sum(
                        1 for event in iter_statement_file(stream) if isinstance(event, ItemRead)
                    )
        return count
    return sum(1 for event in iter_statement_file(source) if isinstance(event, ItemRead))


def _best_of(runs: int, work: Callable[[], int]) -> tuple[int, float]:
    best = float("inf")
    count = 0
    for _ in range(runs):
        started = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - started)
    return count, best


def _peak_mb(work: Callable[[], int]) -> float:
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="4,000 entries instead of 40,000")
    parser.add_argument("--entries", type=int, default=0)
    arguments = parser.parse_args()
    entries = arguments.entries or (4_000 if arguments.quick else 40_000)
    runs = 1 if arguments.quick else 3

    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        day = _now().date() - timedelta(days=1)
        ledger = Ledger(data_dir / "bank" / LEDGER_FILE, _now)
        ledger.ensure_partner(PARTNER, "Bench GmbH")
        started = time.perf_counter()
        ledger.add_bulk_bookings(PARTNER, entries, day, seed=1)
        (statement,) = ledger.statements(PARTNER, "camt.053", day, day)
        on_disk = data_dir / statement.file_name
        on_disk.write_bytes(statement.content)
        size_mb = len(statement.content) / 1_000_000
        print(
            f"ledger: {entries:,} bookings, camt.053 of {size_mb:.1f} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        del statement

        bank = start_local_bank(data_dir, auto_activate=True)
        try:
            client = _onboarded_client(bank.url)
            settings = requests.get(
                bank.url.removesuffix("/ebics") + "/_standin/settings", timeout=10
            ).json()
            order = statement_download_order("camt.053", DateRange(day, day), EbicsVersion.H005)
            downloaded = data_dir / "download.zip"

            def download() -> int:
                with downloaded.open("wb") as sink:
                    client.download_to(order, sink)
                return downloaded.stat().st_size

            def download_and_parse() -> int:
                download()
                return _parse(downloaded)

            rows: list[tuple[str, Callable[[], int]]] = [
                ("parse camt.053 from disk (baseline)", lambda: _parse(on_disk)),
                ("EBICS download only", download),
                ("EBICS download and parse", download_and_parse),
            ]
            print(
                f"segment size {settings.get('segment_size', '?'):,} bytes; "
                f"best of {runs} run(s); peak = Python's traced peak in a separate run"
            )
            print(f"{'measurement':38} {'seconds':>8} {'MB/s':>7} {'peak MB':>8}")
            seconds_of: dict[str, float] = {}
            for name, work in rows:
                _, seconds = _best_of(runs, work)
                seconds_of[name] = seconds
                peak = _peak_mb(work)
                print(f"{name:38} {seconds:>8.2f} {size_mb / seconds:>7.1f} {peak:>8.1f}")
            items = _parse(downloaded)
            zipped_mb = downloaded.stat().st_size / 1_000_000
            print(
                f"the bank sent a {zipped_mb:.1f} MB ZIP (zlib and AES in transit, "
                f"segments of {settings.get('segment_size', 0) / 1_000_000:.2f} MB); "
                f"items read after download: {items:,} of {entries:,}; EBICS adds "
                f"{seconds_of['EBICS download and parse'] / seconds_of[rows[0][0]]:.2f}x "
                f"to parsing from disk"
            )
        finally:
            bank.stop()


if __name__ == "__main__":
    main()
