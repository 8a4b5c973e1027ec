"""What the cell-key protection costs: every page's computation with and without it.

    python -m benchmarks.protection --sizes 1m [10m] [--repeats 5]

*With* is the app's path (threshold 5: cell keys summed in every aggregation, the p-table
lookup, hiding). *Without* runs the same page functions with threshold 1 and the cell-key
aggregations replaced by a constant, so that nothing of the protection is computed. Both warm
(after one cold run), the best of ``repeats`` alternating runs: on a shared machine the
fastest run is the closest to the cost of the work itself. Also timed: deriving the record keys of every
enrolment (once per dataset version, when the facts are built). Writes
``benchmarks/results/protection.json`` and ``protection.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

import polars as pl

from benchmarks.common import SCENARIOS, timed

RESULTS = Path(__file__).resolve().parent / "results"
THRESHOLD = 5


def _no_keys(_mask: pl.Expr | None = None) -> pl.Expr:
    return pl.lit(0, dtype=pl.Int64)


def without_protection() -> ExitStack:
    """Patch every place that sums cell keys to a constant (threshold 1 skips the rest)."""
    stack = ExitStack()
    for target in ("veu_metrics.aggregate.cell_key", "veu_metrics.aggregate.person_cell_key",
                   "veu_metrics.measures.cell_key", "veu_metrics.jobcentre.cell_key"):
        stack.enter_context(mock.patch(target, _no_keys))
    return stack


def measure_size(size: str, repeats: int) -> dict:
    from benchmarks import pages_polars
    from benchmarks.prepare import REFORM_DATE, build_spec, dataset_dir, ensure_dataset
    from veu_metrics.dataset import open_dataset
    from veu_metrics.disclosure import record_keys
    from veu_metrics.facts import prepare_facts

    ensure_dataset(size)
    dataset = open_dataset(dataset_dir(size))
    load_s, facts = timed(lambda: prepare_facts(dataset, REFORM_DATE))
    ids = dataset.enrolments.select("enrolment_id", "person_id").collect()
    key_s = min([timed(lambda: record_keys(ids["enrolment_id"], ids["person_id"], b"bench"))[0]
                    for _ in range(3)])
    spec = build_spec(facts)
    pages: dict[str, dict] = {}
    for page, function in pages_polars.PAGE_FUNCTIONS.items():
        with_s, without_s = [], []
        for name in SCENARIOS:
            sc = spec["scenarios"][name]
            function(facts, sc, THRESHOLD)  # cold runs, not counted
            with without_protection():
                function(facts, sc, 1)
            protected, plain = [], []
            for _ in range(repeats):  # alternating, so that a busy spell hits both alike
                protected.append(timed(lambda: function(facts, sc, THRESHOLD))[0])  # noqa: B023
                with without_protection():
                    plain.append(timed(lambda: function(facts, sc, 1))[0])  # noqa: B023
            with_s.append(min(protected))
            without_s.append(min(plain))
        pages[page] = {"with_s": sum(with_s) / len(with_s), "without_s": sum(without_s) / len(without_s)}
    return {"enrolments": ids.height, "load_s": load_s, "record_keys_s": key_s, "pages": pages}


def report(results: dict[str, dict], machine: str) -> str:
    lines = ["# Cost of the cell-key protection", "",
             f"Machine: {machine}. Mean over the scenarios of the best of the alternating warm runs "
             "per page; "
             "*without* = the same page functions with no cell keys summed and no perturbation.", ""]
    for size, result in results.items():
        lines += [f"## {size} ({result['enrolments']:,} enrolments)", "",
                  "| page | with protection (ms) | without (ms) | overhead |", "|---|---:|---:|---:|"]
        total_with = total_without = 0.0
        for page, values in result["pages"].items():
            w, wo = values["with_s"] * 1000, values["without_s"] * 1000
            total_with, total_without = total_with + w, total_without + wo
            lines.append(f"| {page} | {w:.1f} | {wo:.1f} | {(w / wo - 1) if wo else 0:+.0%} |")
        lines.append(f"| **all pages** | **{total_with:.1f}** | **{total_without:.1f}** | "
                     f"**{(total_with / total_without - 1) if total_without else 0:+.0%}** |")
        lines += ["", f"Record keys of all enrolments (once per dataset version, inside building "
                  f"the facts): {result['record_keys_s'] * 1000:.0f} ms of "
                  f"{result['load_s']:.1f} s.", ""]
    attack = RESULTS / "attack.json"
    if attack.is_file():  # what the protection buys, beside what it costs
        study = json.loads(attack.read_text(encoding="utf-8"))
        lines += ["## What it protects against (`python -m benchmarks.attack`)", "",
                  f"On {study['dataset']}, threshold {study['threshold']}: differencing pairs "
                  "through the compute functions that leave one possible value for a group "
                  "of 1–4: " + ", ".join(f"{kind} {values['certain']} of {values['pairs']}"
                                         for kind, values in study["differencing"].items()) + ".",
                  "", "| pairs per target (averaging attacker) | rounded mean right | certain |",
                  "|---:|---:|---:|"]
        lines += [f"| {pairs} | {values['right']:.0%} | {values['certain']:.1%} |"
                  for pairs, values in study["averaging"].items()]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1m"])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    results = {size: measure_size(size, args.repeats) for size in args.sizes}
    machine = f"{platform.machine()}, {pl.thread_pool_size()} Polars threads, Python {platform.python_version()}"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "protection.json").write_text(json.dumps({"machine": machine, "results": results},
                                                        indent=2), encoding="utf-8")
    text = report(results, machine)
    (RESULTS / "protection.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
