"""Markdown tables from a benchmark result (``benchmarks/results/latest.json``).

    python -m benchmarks.report [benchmarks/results/latest.json]   # re-render the .md beside it
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS_DIR, median

TARGET_MS = {"1m": 100.0, "10m": 1000.0}


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    ms = seconds * 1000
    return f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "–"


def warm_median(timing: dict[str, Any], key: str = "warm_s") -> float:
    values = timing.get(key) or [timing["cold_s"]]
    return median(values)


def page_summary(entry: dict[str, Any], impl: str, page: str, key: str = "warm_s"
                 ) -> dict[str, float]:
    """Per scenario: the median of the warm repeats."""
    timings = entry["implementations"][impl]["timings"][page]
    return {name: warm_median(t, key) for name, t in timings.items()}


def core_tables(size: str, entry: dict[str, Any]) -> list[str]:
    impls = entry["implementations"]
    polars = impls["polars"]["timings"]
    scenarios = list(next(iter(polars.values())))
    target = TARGET_MS.get(size)
    lines = [f"### {size} participations ({_rows_note(entry)})", ""]
    head = " | ".join(scenarios)
    lines += ["Polars core, everything a page computes after a filter change, warm median in ms "
              "(cold = first run of that filter in the process, worst scenario)"
              + (f"; target ≤ {target:,.0f} ms:" if target else ":"), "",
              f"| page | {head} | cold (worst) | target met |",
              "|---" * (len(scenarios) + 3) + "|"]
    for page, by_scenario in polars.items():
        warm = page_summary(entry, "polars", page)
        cold = max(t["cold_s"] for t in by_scenario.values())
        worst = max(warm.values())
        met = "–" if target is None else ("yes" if worst * 1000 <= target else
                                          f"**no** ({_ms(worst)} ms)")
        cells = " | ".join(_ms(warm[s]) for s in scenarios)
        lines.append(f"| {page} | {cells} | {_ms(cold)} | {met} |")
    lines += ["", "Like for like (no disclosure control in any of them): the sum over the four "
              "scenarios of the warm medians, in ms; ratios > 1 mean Polars is faster:", "",
              "| page | Polars (core with threshold 1) | pandas | DuckDB | pandas ÷ Polars "
              "| DuckDB ÷ Polars | results agree |", "|---|---|---|---|---|---|---|"]
    totals = {"polars": 0.0, "pandas": 0.0, "duckdb": 0.0}
    for page in polars:
        sums = {
            "polars": sum(page_summary(entry, "polars", page, "aggregate_s").values()),
            "pandas": sum(page_summary(entry, "pandas", page).values()),
            "duckdb": sum(page_summary(entry, "duckdb", page).values()),
        }
        for impl, value in sums.items():
            totals[impl] += value
        problems = [p for ps in entry["agreement"][page].values() for p in ps]
        agree = "yes" if not problems else f"**no**: {problems[0][:80]}"
        lines.append(f"| {page} | {_ms(sums['polars'])} | {_ms(sums['pandas'])} | "
                     f"{_ms(sums['duckdb'])} | {_ratio(sums['pandas'], sums['polars'])} | "
                     f"{_ratio(sums['duckdb'], sums['polars'])} | {agree} |")
    lines.append(f"| **all pages** | {_ms(totals['polars'])} | {_ms(totals['pandas'])} | "
                 f"{_ms(totals['duckdb'])} | **{_ratio(totals['pandas'], totals['polars'])}** | "
                 f"**{_ratio(totals['duckdb'], totals['polars'])}** | |")
    core_total = sum(sum(page_summary(entry, "polars", p).values()) for p in polars)
    lines += ["", f"The core with disclosure control (threshold 5) takes {_ms(core_total)} ms for "
              f"all pages × scenarios, {core_total / totals['polars']:.1f}× its aggregation alone."
              if totals["polars"] else "", ""]
    lines += ["| implementation | threads | load (s) | RSS after load (MiB) | peak RSS (MiB) | "
              "load average during run |", "|---|---|---|---|---|---|"]
    for impl, result in impls.items():
        load_avg = f"{result['load_average_start'][0]:.1f} → {result['load_average_end'][0]:.1f}"
        lines.append(f"| {impl} | {result['threads']} | {result['load_s']:.1f} | "
                     f"{result['rss_after_load_mb']:,.0f} | {result['peak_rss_mb']:,.0f} | "
                     f"{load_avg} |")
    lines += ["", "Polars' load is `prepare_facts` from the dataset's Parquet files (joins included);"
              " pandas' and DuckDB's is reading the prepared facts from Parquet.", ""]
    return lines


def _rows_note(entry: dict[str, Any]) -> str:
    facts = entry["implementations"]["polars"].get("facts_mb")
    return f"facts in memory {facts:,.0f} MiB" if facts else ""


def app_tables(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for size, app in report.get("app", {}).items():
        lines += [f"### The app's own rerun time per page (AppTest), {size}", "",
                  f"First run of the app (facts built, Overblik drawn): "
                  f"{app['first_run_s']:.1f} s. Per page, ms: first visit after a filter change "
                  f"(computations not cached) and a rerun (cached), median over the scenarios:", "",
                  "| page | filter change (median) | filter change (worst) | cached rerun |",
                  "|---|---|---|---|"]
        for page, by_scenario in app["pages"].items():
            cold = [t["cold_s"] for t in by_scenario.values()]
            warm = [w for t in by_scenario.values() for w in t["warm_s"]]
            lines.append(f"| {page} | {_ms(median(cold))} | {_ms(max(cold))} | "
                         f"{_ms(median(warm))} |")
        if app.get("errors"):
            lines += ["", "Errors: " + "; ".join(app["errors"][:5])]
        lines.append("")
    memory = report.get("app_memory")
    if memory:
        lines += [f"### The app server holding {memory['size']} participations", "",
                  f"- RSS when healthy, before any session: {memory['rss_idle_mb']:,.0f} MiB",
                  f"- RSS after the first page was drawn (facts built): "
                  f"{memory['rss_after_first_page_mb']:,.0f} MiB",
                  f"- RSS after visiting every page: {memory['rss_after_all_pages_mb']:,.0f} MiB",
                  f"- **peak RSS (VmHWM): {memory['peak_rss_mb']:,.0f} MiB** (target ≤ 3,072 MiB)",
                  f"- time to the first page drawn: {memory['first_page_s']:.1f} s", ""]
    load = report.get("load_test")
    if load:
        lines += [f"### {load['sessions']} sessions at once ({load['size']}, {load['client']})", "",
                  "Seconds from opening the session to the last message of the page's run "
                  "(the page fully sent), per page, over all sessions:", "",
                  "| page | median | worst | within 5 s |", "|---|---|---|---|"]
        for page, times in load["per_page"].items():
            if not times:
                lines.append(f"| {page} | – | – | **no**: no session got the page |")
                continue
            worst = max(times)
            lines.append(f"| {page} | {median(times):.2f} | {worst:.2f} | "
                         f"{'yes' if worst <= 5 else '**no**'} |")
        lines += ["", f"- server RSS before the sessions: {load['rss_before_mb']:,.0f} MiB; after "
                  f"one session: {load['rss_after_one_mb']:,.0f} MiB; after all "
                  f"{load['sessions']}: {load['rss_after_all_mb']:,.0f} MiB",
                  f"- **per extra session: {load['per_extra_session_mb']:.1f} MiB** (target < 50)",
                  f"- failed page runs: {len(load['failures'])}"
                  + (f", e.g. {load['failures'][0][:160]}" if load["failures"] else "")]
        browser = load.get("browser")
        if browser and browser.get("drawn_s"):
            lines += [f"- one real Chromium opened beside the other sessions: pages fully drawn "
                      f"in {', '.join(f'{p} {s:.1f} s' for p, s in browser['drawn_s'].items())}"]
        if browser and browser.get("error"):
            lines += [f"- the real Chromium beside the sessions failed: {browser['error'][:200]}"]
        lines.append("")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    lines = ["# Benchmark results", "",
             f"{report['started']} · `{report['command']}` · commit {m.get('git_commit', '?')}"
             + (f" with {m['uncommitted_app_files']} uncommitted file(s) in src/ or dashboard/"
                if m.get("uncommitted_app_files") else ""), "",
             f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, Python "
             f"{m['python']}; {versions}. Load average at start "
             f"{report['load_average_start'][0]:.1f}, at end {report['load_average_end'][0]:.1f} "
             f"(shared machine: other work ran beside the benchmark).", ""]
    for size, entry in report["sizes"].items():
        lines += core_tables(size, entry)
    lines += app_tables(report)
    if report.get("errors"):
        lines += ["### Steps that failed", ""] + [f"- {e}" for e in report["errors"]] + [""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    path = Path(args[0]) if args else RESULTS_DIR / "latest.json"
    report = json.loads(path.read_text())
    path.with_suffix(".md").write_text(render_markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
