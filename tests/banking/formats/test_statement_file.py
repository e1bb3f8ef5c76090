"""Whatever bytes arrive, reading them either succeeds or raises a FormatError: never a crash."""

import contextlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banking.formats.errors import FormatError
from banking.formats.statement_file import iter_statement_file, parse_statement_file
from banking.formats.statement_stream import ItemRead, StatementRead
from tests.banking.formats.camt_samples import SampleEntry, SampleTransaction, camt_document
from tests.banking.formats.conftest import MT940_FIXTURES

CAMT = camt_document(
    [
        SampleEntry(10, transactions=[SampleTransaction(4), SampleTransaction(6)]),
        SampleEntry(5, credit=False, reversal=True),
    ]
)
MT940 = (MT940_FIXTURES / "betterplace" / "sepa_snippet.sta").read_bytes()


def _read_or_refuse(data: bytes) -> None:
    # Reading succeeds or refuses with a FormatError; anything else fails the test.
    with contextlib.suppress(FormatError):
        parse_statement_file(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_reader(data: bytes) -> None:
    _read_or_refuse(data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=":0123456789CDRFMN,/?+-\n ABEUR", max_size=600))
def test_random_mt940_like_text_never_crashes_the_reader(text: str) -> None:
    _read_or_refuse(text.encode())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([CAMT, MT940]), st.randoms(use_true_random=False), st.integers(1, 8))
def test_mutated_files_never_crash_the_reader(
    original: bytes, rng: random.Random, mutations: int
) -> None:
    data = bytearray(original)
    for _ in range(mutations):
        position = rng.randrange(len(data))
        action = rng.choice(("delete", "insert", "replace", "duplicate"))
        if action == "delete":
            del data[position : position + rng.randint(1, 40)]
        elif action == "insert":
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif action == "replace":
            data[position] = rng.randrange(256)
        else:
            data[position:position] = data[position : position + rng.randint(1, 200)]
        if not data:
            break
    _read_or_refuse(bytes(data))


def test_the_stream_yields_items_before_their_statement_and_the_parse_collects_them() -> None:
    events = list(iter_statement_file(CAMT))

    assert [type(event) for event in events] == [ItemRead, ItemRead, ItemRead, StatementRead]
    assert events[-1].statement.items == ()
    assert len(parse_statement_file(CAMT).statements[0].items) == 3
