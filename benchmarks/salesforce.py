"""Reading and writing through the Salesforce client against the local Salesforce.

    python -m benchmarks.salesforce [--quick] [--entries N]

Fills a fresh stand-in store with demo data, then times reading every open entry and upserting as
many statement items, over REST (the baseline) and over Bulk API 2.0, with the client process's
peak traced memory.
"""

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import requests

from portal.salesforce.client import SalesforceClient
from tests.processes import start_local_salesforce

CONSUMER_KEY = "3MVG9LedgerlinkDevConsumerKey.LocalSalesforce"
CONSUMER_SECRET = "ledgerlink-dev-consumer-secret-change-me"
ENTRY = "Ledgerlink_Entry__c"
ITEM = "Ledgerlink_Bank_Statement_Item__c"


def _client(url: str) -> SalesforceClient:
    grant = requests.post(
        f"{url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "username": "alice@acme.example",
            "password": "alice-demo-pass",
            "client_id": CONSUMER_KEY,
            "client_secret": CONSUMER_SECRET,
        },
        timeout=30,
    ).json()
    return SalesforceClient(
        instance_url=grant["instance_url"],
        access_token=grant["access_token"],
        api_version="62.0",
        timeout=600,
        local_salesforce_url=url,
    )


def _measure(work: Callable[[], int]) -> tuple[int, float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    count = work()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, seconds, peak / 1_000_000


def _items(count: int, tag: str) -> list[dict[str, object]]:
    return [
        {
            "External_Id__c": f"{tag}-{number:08d}",
            "Amount__c": f"{(number % 9000) + 10}.{number % 100:02d}",
            "Currency__c": "EUR",
            "Booking_Date__c": "2026-11-20",
            "Status__c": "BOOK",
            "Counterparty_Name__c": f"Kunde {number} GmbH",
            "Remittance_Information__c": f"RE-2026-{number:06d}",
            "Match_Status__c": "Unmatched",
        }
        for number in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 records instead of 100,000")
    parser.add_argument("--entries", type=int, default=0)
    arguments = parser.parse_args()
    entries = arguments.entries or (10_000 if arguments.quick else 100_000)

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "salesforce.sqlite3"
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "standins.salesforce.demo",
                "--data",
                str(data),
                "--entries",
                str(entries),
                "--accounts",
                str(max(200, entries // 10)),
            ],
            check=True,
            capture_output=True,
        )
        print(f"demo data: {entries:,} entries generated in {time.perf_counter() - started:.1f} s")
        standin = start_local_salesforce(
            Path(folder), ledgerlink_url="http://127.0.0.1:8000", data=data
        )
        try:
            client = _client(standin.url)
            soql = f"SELECT Id, External_Id__c, Amount__c, Open_Amount__c, Due_Date__c FROM {ENTRY}"
            items = _items(entries, "BENCH")
            rows = [
                ("read entries, REST pages (baseline)", lambda: sum(1 for _ in client.query(soql))),
                ("read entries, Bulk API 2.0", lambda: sum(1 for _ in client.bulk_query(soql))),
                (
                    "upsert items, REST composite (baseline)",
                    lambda: len(client.upsert(ITEM, "External_Id__c", items)),
                ),
                (
                    "upsert items, Bulk API 2.0",
                    lambda: client.bulk_upsert(ITEM, "External_Id__c", _items(entries, "BULK"))[0],
                ),
            ]
            print(
                f"{'measurement':42} {'records':>9} {'seconds':>8} {'records/s':>10} {'peak MB':>8}"
            )
            results = []
            for name, work in rows:
                count, seconds, peak = _measure(work)
                results.append(count / seconds)
                print(
                    f"{name:42} {count:>9,} {seconds:>8.2f} {count / seconds:>10,.0f} {peak:>8.1f}"
                )
            print(
                f"bulk / REST read: {results[1] / results[0]:.2f}x; "
                f"bulk / REST write: {results[3] / results[2]:.2f}x"
            )
        finally:
            standin.stop()


if __name__ == "__main__":
    main()
