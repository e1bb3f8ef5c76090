"""Accuracy and speed of the matching engine on generated data with ground truth.

    python -m benchmarks.matching            # accuracy, then 1k x 1.3k, 10k x 100k, 100k x 1M
    python -m benchmarks.matching --quick    # smaller accuracy run, largest size skipped

Accuracy is counted on (statement item, open item) pairs: a pair is predicted when a
suggestion allocates the open item at or above the threshold's band (SUGGEST counts SUGGEST
and AUTO; AUTO counts AUTO only), and true when the ground truth says the statement item pays
it. Speed is measured in a fresh subprocess per size, so its peak memory (ru_maxrss, data
generation included) is that size's alone; "data MiB" is the peak before matching started,
i.e. what generating the data took. The naive all-pairs baseline runs on the smallest size
only.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.matching_data import Dataset, generate_dataset
from settlement.matching import Band, MatchResult, OpenItem, StatementItem, match_items
from settlement.matching.amounts import AmountRules, compare_amounts, to_minor_units
from settlement.matching.names import name_similarity, normalise_name
from settlement.matching.references import document_keys, text_windows

SIZES = ((1_000, 1_300), (10_000, 100_000), (100_000, 1_000_000))
GOALS = {(1_000, 1_300): 0.5, (10_000, 100_000): 5.0, (100_000, 1_000_000): 60.0}


@dataclass
class Tally:
    """Pair counts for precision and recall."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def score_result(dataset: Dataset, result: MatchResult, bands: Sequence[Band]) -> dict[str, Tally]:
    """Return pair tallies overall (key "ALL") and per case for suggestions in `bands`."""
    predicted = {
        suggestion.statement_item_id: {
            allocation.open_item_id for allocation in suggestion.allocations
        }
        for suggestion in result.suggestions
        if suggestion.band in bands
    }
    tallies: dict[str, Tally] = defaultdict(Tally)
    for statement_id, truth in dataset.truth.items():
        got = predicted.get(statement_id, set())
        for tally in (tallies["ALL"], tallies[truth.case]):
            tally.true_positives += len(got & truth.open_item_ids)
            tally.false_positives += len(got - truth.open_item_ids)
            tally.false_negatives += len(truth.open_item_ids - got)
    return tallies


def _percent(value: float) -> str:
    return f"{100 * value:6.2f}"


def report_accuracy(statement_count: int, difficulty: float, seed: int) -> None:
    """Print precision, recall and F1 per case at the SUGGEST and AUTO thresholds."""
    dataset = generate_dataset(
        statement_items=statement_count,
        open_items=int(statement_count * 1.3),
        seed=seed,
        difficulty=difficulty,
    )
    result = match_items(dataset.statement_items, dataset.open_items)
    suggest = score_result(dataset, result, (Band.AUTO, Band.SUGGEST))
    auto = score_result(dataset, result, (Band.AUTO,))
    statements_per_case: dict[str, int] = defaultdict(int)
    for truth in dataset.truth.values():
        statements_per_case[truth.case] += 1
    print(
        f"\nAccuracy: {len(dataset.statement_items)} statement items, {len(dataset.open_items)} "
        f"open items, difficulty {difficulty}, seed {seed} (pairs; % )"
    )
    header = (
        f"{'case':<26}{'items':>6} | {'SUGGEST  P':>10} {'R':>6} {'F1':>6} | "
        f"{'AUTO  P':>8} {'R':>6} {'F1':>6}"
    )
    print(header)
    print("-" * len(header))
    cases = sorted(case for case in suggest if case != "ALL")
    for case in [*cases, "ALL"]:
        if case == "ALL":
            print("-" * len(header))
        count = len(dataset.statement_items) if case == "ALL" else statements_per_case[case]
        low, high = suggest[case], auto[case]
        print(
            f"{case:<26}{count:>6} | {_percent(low.precision):>10} {_percent(low.recall)} "
            f"{_percent(low.f1)} | {_percent(high.precision):>8} {_percent(high.recall)} "
            f"{_percent(high.f1)}"
        )
    overall, overall_auto = suggest["ALL"], auto["ALL"]
    print(
        f"goals: F1 at SUGGEST >= 99 %: {'met' if overall.f1 >= 0.99 else 'MISSED'}; "
        f"AUTO precision >= 99.9 %: {'met' if overall_auto.precision >= 0.999 else 'MISSED'}"
    )


def naive_match(
    statement_items: Sequence[StatementItem], open_items: Sequence[OpenItem]
) -> dict[str, str]:
    """Score every statement item against every open item and keep the best (the baseline).

    Uses the engine's own building blocks (reference keys, name similarity, amount comparison)
    but no indexes and no global resolution: the cost of all-pairs scoring, nothing more.
    """
    rules = AmountRules()
    prepared = [
        (
            item,
            set(document_keys(item.document_number)),
            normalise_name(item.account_name),
            to_minor_units(item.open_amount, item.currency) or 0,
        )
        for item in open_items
    ]
    best_by_statement: dict[str, str] = {}
    for statement in statement_items:
        keys = {
            key for window in text_windows(statement.remittance_information) for key in window.keys
        }
        payer = normalise_name(statement.counterparty_name)
        paid = to_minor_units(statement.amount, statement.currency) or 0
        best_score = 0.0
        best_id = ""
        for item, item_keys, account_name, owed in prepared:
            if owed * paid <= 0:
                continue
            score = 0.5 if keys & item_keys else 0.0
            score += 0.3 * compare_amounts(abs(paid), abs(owed), rules).quality
            score += 0.2 * name_similarity(payer, account_name)
            if score > best_score:
                best_score, best_id = score, item.id
        if best_score >= 0.75:
            best_by_statement[statement.id] = best_id
    return best_by_statement


def worker(statement_count: int, open_count: int, with_baseline: bool) -> None:
    """Generate one size, match it, and print a JSON line with the measurements."""
    dataset = generate_dataset(statement_items=statement_count, open_items=open_count)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall = time.perf_counter()
    cpu = time.process_time()
    result = match_items(dataset.statement_items, dataset.open_items)
    measurement = {
        "statement_items": len(dataset.statement_items),
        "open_items": len(dataset.open_items),
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": time.process_time() - cpu,
        "rss_before_mib": rss_before / 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "f1_suggest": score_result(dataset, result, (Band.AUTO, Band.SUGGEST))["ALL"].f1,
        "auto_precision": score_result(dataset, result, (Band.AUTO,))["ALL"].precision,
    }
    if with_baseline:
        wall = time.perf_counter()
        naive_match(dataset.statement_items, dataset.open_items)
        measurement["baseline_seconds"] = time.perf_counter() - wall
    print(json.dumps(measurement))


def report_speed(sizes: Sequence[tuple[int, int]]) -> None:
    """Run every size in its own subprocess and print a table."""
    print("\nSpeed (each size in a fresh process; peak RSS includes the generated data)")
    header = (
        f"{'statement x open items':<24}{'seconds':>9}{'cpu s':>8}{'goal s':>8}"
        f"{'peak MiB':>10}{'data MiB':>10}{'F1 SUG':>8}{'P AUTO':>8}"
        f"{'baseline s':>12}{'speed-up':>10}"
    )
    print(header)
    print("-" * len(header))
    for position, (statement_count, open_count) in enumerate(sizes):
        command = [
            sys.executable,
            "-m",
            "benchmarks.matching",
            "--worker",
            str(statement_count),
            str(open_count),
        ]
        if position == 0:
            command.append("--baseline")
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            print(f"{statement_count} x {open_count}: failed\n{completed.stderr[-2000:]}")
            continue
        measured = json.loads(completed.stdout.strip().splitlines()[-1])
        goal = GOALS.get((statement_count, open_count))
        baseline = measured.get("baseline_seconds")
        ratio = f"{baseline / measured['seconds']:.0f}x" if baseline else "-"
        label = f"{measured['statement_items']:,} x {measured['open_items']:,}"
        print(
            f"{label:<24}{measured['seconds']:>9.2f}{measured['cpu_seconds']:>8.2f}"
            f"{goal if goal is not None else '':>8}{measured['peak_rss_mib']:>10.0f}"
            f"{measured['rss_before_mib']:>10.0f}{100 * measured['f1_suggest']:>8.2f}"
            f"{100 * measured['auto_precision']:>8.2f}"
            f"{(f'{baseline:.2f}' if baseline else '-'):>12}"
            f"{ratio:>10}"
        )


def main(arguments: Sequence[str] | None = None) -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller accuracy run; skip the largest size"
    )
    parser.add_argument("--seed", type=int, default=20240301)
    parser.add_argument("--difficulty", type=float, default=0.8)
    parser.add_argument("--worker", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(arguments)
    if options.worker:
        worker(options.worker[0], options.worker[1], options.baseline)
        return
    report_accuracy(2_000 if options.quick else 10_000, options.difficulty, options.seed)
    report_speed(SIZES[:2] if options.quick else SIZES)


if __name__ == "__main__":
    main()
