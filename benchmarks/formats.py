"""Benchmarks for banking.formats: statement parsing and payment order building.

Run ``python -m benchmarks.formats`` (100 MB and 1 GB camt.053, a 20 MB MT940, a pain.001
with 100,000 transactions) or ``python -m benchmarks.formats --quick`` for a smoke run with
small sizes. Files are generated into a temporary directory and removed afterwards.

Each measurement runs in its own Python process, which reports its own peak resident set
size (``ru_maxrss``), so one measurement's memory never hides another's; the peak of a
process that only imports the libraries is printed too, for reference.
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

CAMT_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
MB = 1024 * 1024
# A full lxml tree takes several times the file size; beyond this share of the available
# memory the baseline is skipped so that the benchmark does not starve the machine.
BASELINE_MEMORY_FACTOR = 10
BASELINE_MEMORY_SHARE = 0.4


# -- generated input ---------------------------------------------------------------------


def _camt_entry(number: int, rng: random.Random) -> str:
    """One indented entry like banks send them: mostly single transfers, some batches."""
    kind = rng.random()
    credit = rng.random() < 0.6
    indicator = "CRDT" if credit else "DBIT"
    role, agent = ("Dbtr", "DbtrAgt") if credit else ("Cdtr", "CdtrAgt")
    transactions = 1 if kind < 0.85 else rng.randint(2, 6)
    amounts = [Decimal(rng.randint(1, 500_000)) / 100 for _ in range(transactions)]
    total = sum(amounts, Decimal(0))
    details = []
    for index, amount in enumerate(amounts):
        details.append(f"""
                    <TxDtls>
                        <Refs>
                            <AcctSvcrRef>TX{number:09d}{index}</AcctSvcrRef>
                            <InstrId>INSTR-{number}-{index}</InstrId>
                            <EndToEndId>E2E-{number:09d}-{index}</EndToEndId>
                            <UETR>3f2504e0-4f89-41d3-9a0c-{number:012d}</UETR>
                        </Refs>
                        <Amt Ccy="EUR">{amount:.2f}</Amt>
                        <CdtDbtInd>{indicator}</CdtDbtInd>
                        <RltdPties>
                            <{role}>
                                <Pty>
                                    <Nm>Counterparty {number % 9973} GmbH und Co. KG</Nm>
                                    <PstlAdr>
                                        <StrtNm>Hauptstrasse</StrtNm>
                                        <BldgNb>{number % 200}</BldgNb>
                                        <PstCd>10115</PstCd>
                                        <TwnNm>Berlin</TwnNm>
                                        <Ctry>DE</Ctry>
                                    </PstlAdr>
                                </Pty>
                            </{role}>
                            <{role}Acct>
                                <Id>
                                    <IBAN>DE02120300000000202051</IBAN>
                                </Id>
                            </{role}Acct>
                        </RltdPties>
                        <RltdAgts>
                            <{agent}>
                                <FinInstnId>
                                    <BICFI>BYLADEM1001</BICFI>
                                </FinInstnId>
                            </{agent}>
                        </RltdAgts>
                        <RmtInf>
                            <Ustrd>Invoice {number}-{index}, customer {number % 7919}</Ustrd>
                        </RmtInf>
                        <AddtlTxInf>SEPA Credit Transfer</AddtlTxInf>
                    </TxDtls>""")
    batch = ""
    if transactions > 1:
        batch = f"""
                    <Btch>
                        <PmtInfId>BATCH-{number}</PmtInfId>
                        <NbOfTxs>{transactions}</NbOfTxs>
                    </Btch>"""
    body = (
        f"""
                <NtryDtls>{batch}{"".join(details)}
                </NtryDtls>"""
        if kind < 0.95
        else ""
    )
    return f"""            <Ntry>
                <NtryRef>{number:010d}</NtryRef>
                <Amt Ccy="EUR">{total:.2f}</Amt>
                <CdtDbtInd>{indicator}</CdtDbtInd>
                <Sts>
                    <Cd>BOOK</Cd>
                </Sts>
                <BookgDt>
                    <Dt>2024-03-25</Dt>
                </BookgDt>
                <ValDt>
                    <Dt>2024-03-25</Dt>
                </ValDt>
                <AcctSvcrRef>ASR{number:012d}</AcctSvcrRef>
                <BkTxCd>
                    <Domn>
                        <Cd>PMNT</Cd>
                        <Fmly>
                            <Cd>RCDT</Cd>
                            <SubFmlyCd>ESCT</SubFmlyCd>
                        </Fmly>
                    </Domn>
                    <Prtry>
                        <Cd>NTRF+166+0399</Cd>
                        <Issr>DK</Issr>
                    </Prtry>
                </BkTxCd>{body}
                <AddtlNtryInf>Gutschrift</AddtlNtryInf>
            </Ntry>
"""


def generate_camt(path: Path, size: int) -> int:
    """Write a camt.053 statement of about ``size`` bytes; return its number of entries."""
    rng = random.Random(2024)
    with path.open("w", encoding="utf-8") as stream:
        stream.write(f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{CAMT_NAMESPACE}">
    <BkToCstmrStmt>
        <GrpHdr>
            <MsgId>BENCHMARK-1</MsgId>
            <CreDtTm>2024-03-25T22:00:00+01:00</CreDtTm>
        </GrpHdr>
        <Stmt>
            <Id>STATEMENT-1</Id>
            <ElctrncSeqNb>1</ElctrncSeqNb>
            <Acct>
                <Id>
                    <IBAN>DE89370400440532013000</IBAN>
                </Id>
                <Ccy>EUR</Ccy>
            </Acct>
            <Bal>
                <Tp>
                    <CdOrPrtry>
                        <Cd>OPBD</Cd>
                    </CdOrPrtry>
                </Tp>
                <Amt Ccy="EUR">0.00</Amt>
                <CdtDbtInd>CRDT</CdtDbtInd>
                <Dt>
                    <Dt>2024-03-25</Dt>
                </Dt>
            </Bal>
""")
        written = 0
        entries = 0
        while written < size:
            entry = _camt_entry(entries, rng)
            stream.write(entry)
            written += len(entry)
            entries += 1
        stream.write("        </Stmt>\n    </BkToCstmrStmt>\n</Document>\n")
    return entries


def generate_mt940(path: Path, size: int) -> int:
    """Write German-style MT940 statements (SEPA :86:) of about ``size`` bytes."""
    rng = random.Random(940)
    written = 0
    entries = 0
    statement = 0
    with path.open("w", encoding="latin-1", newline="\r\n") as stream:
        while written < size:
            statement += 1
            lines = [
                f":20:STARTUMS{statement:08d}",
                ":25:37040044/0532013000",
                f":28C:{statement % 99999:05d}/001",
                ":60F:C240325EUR1000,00",
            ]
            balance = Decimal("1000.00")
            for _ in range(100):
                amount = Decimal(rng.randint(1, 500_000)) / 100
                credit = rng.random() < 0.6
                balance += amount if credit else -amount
                mark = "C" if credit else "D"
                whole, cents = f"{amount:.2f}".split(".")
                lines.append(f":61:2403250325{mark}R{whole},{cents}NTRFNONREF//{entries:016d}")
                lines.append(
                    f":86:166?00GUTSCHRIFT?100399?20EREF+E2E-{entries:09d}-ABCDEF?21GHIJ"
                    f"?22SVWZ+Rechnung {entries}"
                )
                lines.append(
                    " Kundennummer 4711?23Vielen Dank?30BYLADEM1001?31DE02120300000000202051"
                    "?32Max Mustermann?34000"
                )
                entries += 1
            sign = "C" if balance >= 0 else "D"
            lines.append(f":62F:{sign}240325EUR{abs(balance):.2f}".replace(".", ","))
            lines.append("-")
            text = "\n".join(lines) + "\n"
            stream.write(text)
            written += len(text)
    return entries


# -- measurements (each runs in its own process) -------------------------------------------


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, argument: str) -> dict[str, float]:
    """Run one measurement in this process and return its figures."""
    if kind == "imports":
        import banking.formats.statement_file  # noqa: F401 - what the others pay for

        return {"seconds": 0.0, "items": 0, "peak_mb": _peak_mb()}
    if kind == "statement":
        from banking.formats.statement_file import iter_statement_file
        from banking.formats.statement_stream import ItemRead

        started = time.perf_counter()
        items = sum(
            1
            for event in iter_statement_file(argument, max_bytes=2**40)
            if isinstance(event, ItemRead)
        )
        return {"seconds": time.perf_counter() - started, "items": items, "peak_mb": _peak_mb()}
    if kind == "lxml-tree":
        from lxml import etree

        started = time.perf_counter()
        tree = etree.parse(
            argument, etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
        )
        amounts = tree.getroot().iterfind(f".//{{{CAMT_NAMESPACE}}}Ntry/{{{CAMT_NAMESPACE}}}Amt")
        items = sum(1 for amount in amounts if amount.text)
        return {"seconds": time.perf_counter() - started, "items": items, "peak_mb": _peak_mb()}
    if kind == "mt940-library":
        import mt940

        started = time.perf_counter()
        statements = mt940.parse_statements(argument)
        items = sum(len(statement) for statement in statements)
        return {"seconds": time.perf_counter() - started, "items": items, "peak_mb": _peak_mb()}
    if kind == "pain001":
        return _measure_pain001(int(argument))
    raise SystemExit(f"unknown measurement {kind!r}")


def _measure_pain001(count: int) -> dict[str, float]:
    from banking.formats.money import Money
    from banking.formats.pain_writer import build_credit_transfer, schema_for
    from banking.formats.payment_order import (
        AccountHolder,
        CreditTransfer,
        CreditTransferOrder,
    )

    schema_for("pain.001.001.09")  # loading the schema once is not part of each build
    creditors = [
        AccountHolder(name=f"Lieferant {number} GmbH", iban=iban, bic=bic)
        for number, (iban, bic) in enumerate(
            [
                ("DE02120300000000202051", "BYLADEM1001"),
                ("NL91ABNA0417164300", "ABNANL2A"),
                ("FR1420041010050500013M02606", None),
            ]
        )
    ]
    transactions = tuple(
        CreditTransfer(
            end_to_end_id=f"ACME-{number:09d}",
            amount=Money(Decimal(number % 100_000 + 1) / 100, "EUR"),
            creditor=creditors[number % len(creditors)],
            remittance_information=f"Rechnung {number} Müller",
        )
        for number in range(count)
    )
    order = CreditTransferOrder(
        message_id="ACME-BENCHMARK-1",
        payment_information_id="ACME-PMT-1",
        created_at=datetime(2024, 3, 25, 9, 0, tzinfo=UTC),
        initiating_party="Acme Trading GmbH",
        debtor=AccountHolder(
            name="Acme Trading GmbH", iban="DE89370400440532013000", bic="COBADEFFXXX"
        ),
        requested_execution_date=date(2024, 3, 26),
        transactions=transactions,
    )
    started = time.perf_counter()
    document = build_credit_transfer(order, today=date(2024, 3, 25))
    return {
        "seconds": time.perf_counter() - started,
        "items": count,
        "peak_mb": _peak_mb(),
        "bytes": len(document),
    }


def _run(kind: str, argument: str, runs: int = 1) -> dict[str, float]:
    """Measure in fresh processes and keep the fastest run, as timeit does: on a shared machine
    the slower runs measure the neighbours as much as the code."""
    results: list[dict[str, float]] = []
    for _ in range(max(runs, 1)):
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.formats", "--measure", kind, argument],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    return min(results, key=lambda figures: figures["seconds"])


# -- the report ----------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    size_mb: float
    figures: dict[str, float] | None
    note: str = ""

    def render(self) -> str:
        if self.figures is None:
            return f"{self.what:<34} {self.size_mb:>9.1f} {'-':>9} {'-':>12} {'-':>9}  {self.note}"
        seconds = self.figures["seconds"]
        rate = self.size_mb / seconds if seconds and self.size_mb else 0.0
        items = self.figures["items"] / seconds if seconds else 0.0
        return (
            f"{self.what:<34} {self.size_mb:>9.1f} {rate:>9.1f} {items:>12,.0f} "
            f"{self.figures['peak_mb']:>9.0f}  {self.note}"
        )


def _available_mb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "ARGUMENT"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(*arguments.measure)))
        return

    camt_sizes = [5 * MB, 20 * MB] if arguments.quick else [100 * MB, 1024 * MB]
    mt940_size = 2 * MB if arguments.quick else 20 * MB
    pain_count = 5_000 if arguments.quick else 100_000
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="ledgerlink-bench-") as directory:
        imports = _run("imports", "-")
        print(
            f"Python with banking.formats and lxml imported: {imports['peak_mb']:.0f} MB resident"
        )
        for size in camt_sizes:
            path = Path(directory) / f"camt053-{size // MB}mb.xml"
            entries = generate_camt(path, size)
            size_mb = path.stat().st_size / MB
            runs = 3 if size <= 100 * MB else 1
            ours = _run("statement", str(path), runs)
            rows.append(
                Row(
                    "camt.053 banking.formats",
                    size_mb,
                    ours,
                    f"{entries:,} entries, best of {runs}",
                )
            )
            needed = size_mb * BASELINE_MEMORY_FACTOR
            if needed > _available_mb() * BASELINE_MEMORY_SHARE:
                rows.append(
                    Row(
                        "camt.053 lxml full tree (baseline)",
                        size_mb,
                        None,
                        f"skipped: would need about {needed / 1024:.0f} GB of memory",
                    )
                )
            else:
                baseline = _run("lxml-tree", str(path), runs)
                ratio = (size_mb / ours["seconds"]) / (size_mb / baseline["seconds"])
                rows.append(
                    Row(
                        "camt.053 lxml full tree (baseline)",
                        size_mb,
                        baseline,
                        f"ours: {ratio:.2f}x its speed, "
                        f"{ours['peak_mb'] / baseline['peak_mb']:.2f}x its memory",
                    )
                )
            path.unlink()
        path = Path(directory) / "mt940.sta"
        entries = generate_mt940(path, mt940_size)
        size_mb = path.stat().st_size / MB
        ours = _run("statement", str(path))
        library = _run("mt940-library", str(path))
        rows.append(Row("MT940 banking.formats", size_mb, ours, f"{entries:,} entries"))
        ratio = library["seconds"] / ours["seconds"]
        rows.append(
            Row(
                "MT940 mt-940 library (baseline)", size_mb, library, f"ours: {ratio:.2f}x its speed"
            )
        )
        pain = _run("pain001", str(pain_count))
        target = "within" if pain["seconds"] < 10 else "OVER"
        rows.append(
            Row(
                f"pain.001 build+XSD, {pain_count:,} tx",
                pain["bytes"] / MB,
                pain,
                f"{pain['seconds']:.2f} s ({target} the 10 s target)",
            )
        )

    print(f"{'measurement':<34} {'size MB':>9} {'MB/s':>9} {'items/s':>12} {'peak MB':>9}  note")
    for row in rows:
        print(row.render())


if __name__ == "__main__":
    main()
