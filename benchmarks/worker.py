"""One implementation, one dataset size, in its own process: load, time every page × scenario,
report peak memory, write the comparable outputs.

    python -m benchmarks.worker --impl polars --size 1m --repeats 5 --out result.json

``cold`` is the first run of a page × scenario in the process (the data are loaded, nothing about
that filter has been computed: what the app does on a filter change it has not seen, since its
result cache is keyed on the filters); ``warm`` are the repeats after it. For Polars, ``aggregate``
repeats the run with threshold 1 — disclosure control then has nothing to do — which is the
like-for-like comparison with pandas and DuckDB (they compute no disclosure control); the
comparable tables come from that run. Only Polars imports the core.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import (
    PAGES,
    SCENARIOS,
    current_rss_mb,
    load_average,
    peak_rss_mb,
    timed,
)

THRESHOLD = 5


def _run_polars(size: str, pages: list[str], scenarios: list[str], repeats: int,
                export: bool) -> tuple[dict, dict]:
    from benchmarks import pages_polars
    from benchmarks.common import facts_dir
    from benchmarks.prepare import REFORM_DATE, build_spec, dataset_dir, export_facts
    from veu_metrics.dataset import open_dataset
    from veu_metrics.facts import prepare_facts

    load_s, facts = timed(lambda: prepare_facts(open_dataset(dataset_dir(size)), REFORM_DATE))
    info: dict[str, Any] = {"load_s": load_s, "rss_after_load_mb": current_rss_mb(),
                            "facts_mb": facts.memory_mb(), "threads": _polars_threads()}
    spec = build_spec(facts)
    timings: dict[str, dict] = {}
    outputs: dict[str, dict] = {}
    for page in pages:
        function = pages_polars.PAGE_FUNCTIONS[page]
        timings[page], outputs[page] = {}, {}
        for name in scenarios:
            sc = spec["scenarios"][name]
            cold, _ = timed(lambda: function(facts, sc, THRESHOLD))  # noqa: B023
            warm = [timed(lambda: function(facts, sc, THRESHOLD))[0]  # noqa: B023
                    for _ in range(repeats)]
            aggregate, plain = [], None
            for _ in range(max(repeats, 1)):
                seconds, plain = timed(lambda: function(facts, sc, 1))  # noqa: B023
                aggregate.append(seconds)
            timings[page][name] = {"cold_s": cold, "warm_s": warm, "aggregate_s": aggregate}
            outputs[page][name] = pages_polars.comparables(page, plain)
    info["peak_rss_mb"] = peak_rss_mb()
    if export:
        export_facts(facts, facts_dir(size), facts.version)
    return info, {"timings": timings, "outputs": outputs}


def _polars_threads() -> int:
    import polars as pl

    return pl.thread_pool_size()


def _run_reference(impl: str, size: str, pages: list[str], scenarios: list[str],
                   repeats: int) -> tuple[dict, dict]:
    from benchmarks.common import facts_dir

    directory = facts_dir(size)
    spec = json.loads((directory / "spec.json").read_text())
    if impl == "pandas":
        from benchmarks import reference_pandas as module
        threads = 1
    else:
        from benchmarks import reference_duckdb as module
        threads = os.cpu_count() or 1
    load_s, data = timed(lambda: module.load(directory, spec))
    info: dict[str, Any] = {"load_s": load_s, "rss_after_load_mb": current_rss_mb(),
                            "threads": threads}
    timings: dict[str, dict] = {}
    outputs: dict[str, dict] = {}
    for page in pages:
        function = module.PAGE_FUNCTIONS[page]
        timings[page], outputs[page] = {}, {}
        for name in scenarios:
            sc = spec["scenarios"][name]
            cold, result = timed(lambda: function(data, sc))  # noqa: B023
            warm = [timed(lambda: function(data, sc))[0] for _ in range(repeats)]  # noqa: B023
            timings[page][name] = {"cold_s": cold, "warm_s": warm}
            outputs[page][name] = result
    info["peak_rss_mb"] = peak_rss_mb()
    return info, {"timings": timings, "outputs": outputs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=("polars", "pandas", "duckdb"), required=True)
    parser.add_argument("--size", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--export", action="store_true",
                        help="(polars) write the facts export for the reference implementations")
    parser.add_argument("--out", type=Path, required=True, help="JSON file for timings and memory")
    parser.add_argument("--outputs", type=Path, required=True,
                        help="JSON file for the comparable tables")
    args = parser.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    scenarios = [s for s in args.scenarios.split(",") if s]
    start_load = load_average()
    if args.impl == "polars":
        info, result = _run_polars(args.size, pages, scenarios, args.repeats, args.export)
    else:
        info, result = _run_reference(args.impl, args.size, pages, scenarios, args.repeats)
    info |= {"impl": args.impl, "size": args.size, "repeats": args.repeats,
             "load_average_start": start_load, "load_average_end": load_average(),
             "timings": result["timings"]}
    args.out.write_text(json.dumps(info, indent=1))
    args.outputs.write_text(json.dumps(result["outputs"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
