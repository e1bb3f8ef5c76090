"""Helpers for the bank format tests: where the shared real-world fixtures live, and how to
read the values other importers extracted from them (kept beside the files, never copied)."""

import ast
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures"
CAMT_FIXTURES = FIXTURES / "camt" / "oca"
MT940_FIXTURES = FIXTURES / "mt940" / "wolph"


def read_golden(name: str) -> Any:
    """The values OCA's camt importer extracted (a Python literal next to the file)."""
    return ast.literal_eval((CAMT_FIXTURES / f"golden-{name}.pydata").read_text())


class _WolphLoader(yaml.SafeLoader):
    """Reads wolph/mt940's pickled expectations as plain data, never executing anything.

    The ``.yml`` files are YAML dumps of mt940 model objects: objects become dicts,
    ``Decimal`` and ``Date`` applications become values, everything else is dropped.
    """


def _construct_object(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Iterator[dict]:
    data: dict[str, Any] = {}
    # A generator lets PyYAML resolve the transactions' references back to their statement.
    yield data
    if isinstance(node, yaml.MappingNode):
        data.update({str(key): value for key, value in loader.construct_mapping(node).items()})


def _construct_apply(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.SequenceNode):
        return None
    arguments = loader.construct_sequence(node, deep=True)
    if suffix == "decimal.Decimal":
        return Decimal(arguments[0])
    if suffix in ("mt940.models.Date", "mt940.models.DateTime"):
        packed = arguments[0]
        year = packed[0] * 256 + packed[1]
        if suffix == "mt940.models.Date":
            return dt.date(year, packed[2], packed[3])
        return dt.datetime(year, packed[2], packed[3], packed[4], packed[5])  # noqa: DTZ001 - the test data's own naive value
    return None


_WolphLoader.add_multi_constructor("tag:yaml.org,2002:python/object:", _construct_object)
_WolphLoader.add_multi_constructor("tag:yaml.org,2002:python/object/apply:", _construct_apply)
_WolphLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)


def read_wolph_expectation(path: Path) -> list[dict[str, Any]]:
    """The statements wolph/mt940 extracted: a list of ``{"data", "transactions"}`` dicts."""
    with path.open() as stream:
        loaded = yaml.load(stream, _WolphLoader)  # noqa: S506 - a SafeLoader subclass
    return loaded if isinstance(loaded, list) else [loaded]
