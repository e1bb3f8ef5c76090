"""Generate demo data: ``python -m standins.salesforce.demo [--data PATH] [--org ORG_ID]
[--accounts 200] [--entries 2000] [--seed 1] [--today YYYY-MM-DD] [--reset]``.

It writes straight into the stand-in's store (creating and seeding it if needed), so it is fast
enough for a million entries. A running stand-in's writes wait for the generator's one transaction,
but only for 30 seconds: stop it while generating a large org.
"""

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from standins.salesforce import directory, seed
from standins.salesforce.data import tables
from standins.salesforce.data.metadata import MetadataError
from standins.salesforce.data.permissions import load_permission_sets
from standins.salesforce.data.schema import load_schema
from standins.salesforce.demo.generator import ACME_ORG_ID, DemoError, DemoSettings, generate
from standins.salesforce.store import DEFAULT_DATA_PATH, Store


def _positive(text: str) -> int:
    number = int(text)
    if number < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return number


def _parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m standins.salesforce.demo",
        description="Fill an org of the local Salesforce with a European company's demo data.",
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA_PATH), help="the stand-in's store")
    parser.add_argument("--org", default=ACME_ORG_ID, help="the org to fill")
    parser.add_argument("--accounts", type=_positive, default=200)
    parser.add_argument("--entries", type=_positive, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="the day the data is as of"
    )
    parser.add_argument("--reset", action="store_true", help="replace the org's records")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = _parse_arguments(argv)
    try:
        schema = load_schema()
        permission_sets = load_permission_sets()
    except MetadataError as error:
        raise SystemExit(f"standins.salesforce.demo: {error}") from error
    store = Store(Path(arguments.data))
    store.create()
    with store.connect() as db:
        schema = tables.sync(db, schema)
        if not directory.has_orgs(db):
            seed.seed(db, known_permission_sets=permission_sets)
    settings = DemoSettings(
        org_id=arguments.org,
        accounts=arguments.accounts,
        entries=arguments.entries,
        seed=arguments.seed,
        today=arguments.today,
    )
    try:
        report = generate(store, schema, settings, reset=arguments.reset)
    except DemoError as error:
        raise SystemExit(f"standins.salesforce.demo: {error}") from error
    sys.stdout.write(f"Demo data written: {report.summary}\n")


if __name__ == "__main__":
    main()
