"""The demo at national scale against a small set: first start, page draws, server memory.

    python -m benchmarks.national                     # 4,000,000 vs 20,000 enrolments
    python -m benchmarks.national --national 1000000 --small 20000 --out /tmp/n.json

For each size: the demo is generated afresh (timed, as the app's first start does it), then
``streamlit run`` serves it and one websocket session opens every page (``app_bench.run_memory``:
time to the first page, the server's RSS and peak RSS), then ``AppTest`` opens every page for the
four scenarios of the benchmark (``app_bench apptest``: the first visit after a filter change,
nothing cached). Reported: first start = generation + first page; the median over pages of the
median page draw, national against small (goal ≤ 1.2×); the server's peak RSS (goal < 1.5 GB).
Results go to ``benchmarks/results/national.json`` and docs/PERFORMANCE.md quotes them. The
machine's load average is recorded with them: on a shared machine it moves every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.app_bench import run_memory
from benchmarks.common import BENCH_DATA, ROOT, median

RESULTS = ROOT / "benchmarks" / "results" / "national.json"
GOAL_RATIO = 1.2
GOAL_PEAK_MB = 1536


def _generate(enrolments: int) -> tuple[Path, float]:
    out = BENCH_DATA / f"national-{enrolments}"
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "veu_metrics.cli", "generate", "--out", str(out),
                    "--enrolments", str(enrolments), "--until", "2026-10", "--quiet"],
                   check=True, cwd=ROOT)
    return out, time.perf_counter() - start


def _apptest(data: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="veu-national-") as tmp:
        out = Path(tmp) / "apptest.json"
        subprocess.run([sys.executable, "-m", "benchmarks.app_bench", "apptest", "--data",
                        str(data), "--repeats", "1", "--out", str(out)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def measure(enrolments: int, with_apptest: bool) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    data, generate_s = _generate(enrolments)
    memory = run_memory(data)
    result: dict[str, Any] = {
        "enrolments": enrolments, "generate_s": generate_s,
        "first_page_s": memory["first_page_s"],
        "first_start_s": generate_s + memory["first_page_s"],
        "session_page_s": memory["page_s"],
        "peak_rss_mb": memory["peak_rss_mb"], "rss_after_all_pages_mb": memory["rss_after_all_pages_mb"],
        "failures": memory["failures"], "load_before": load_before,
    }
    if with_apptest:
        apptest = _apptest(data)
        cold = {page: s["cold_median_s"] for page, s in apptest["summary"].items()}
        result |= {"apptest_first_run_s": apptest["first_run_s"], "page_cold_median_s": cold,
                   "median_page_s": median(list(cold.values())), "apptest_errors": apptest["errors"]}
    result["load_after"] = os.getloadavg()[0]
    return result


def markdown(report: dict[str, Any]) -> str:
    small, national = report["small"], report["national"]
    lines = [
        f"| | {small['enrolments']:,} enrolments | {national['enrolments']:,} enrolments |",
        "|---|---|---|",
        f"| generation (s) | {small['generate_s']:.1f} | {national['generate_s']:.1f} |",
        f"| first page drawn after start (s) | {small['first_page_s']:.1f} | {national['first_page_s']:.1f} |",
        f"| **first start** = generation + first page (s) | {small['first_start_s']:.1f} | **{national['first_start_s']:.1f}** |",
        f"| server peak RSS (MiB) | {small['peak_rss_mb']:.0f} | **{national['peak_rss_mb']:.0f}** |",
    ]
    if "median_page_s" in national:
        lines.append(f"| median page draw after a filter change (ms) | {small['median_page_s'] * 1000:.0f} "
                     f"| **{national['median_page_s'] * 1000:.0f}** ({report['ratio']:.2f}×) |")
        for page, seconds in national["page_cold_median_s"].items():
            lines.append(f"| — {page} (ms) | {small['page_cold_median_s'][page] * 1000:.0f} "
                         f"| {seconds * 1000:.0f} |")
    lines.append(f"| load average (1 min) before / after | {small['load_before']:.1f} / "
                 f"{small['load_after']:.1f} | {national['load_before']:.1f} / {national['load_after']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", type=int, default=4_000_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--no-apptest", action="store_true", help="skip the per-page AppTest run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"cpus": os.cpu_count()}
    report["small"] = measure(args.small, not args.no_apptest)
    report["national"] = measure(args.national, not args.no_apptest)
    if not args.no_apptest:
        report["ratio"] = report["national"]["median_page_s"] / report["small"]["median_page_s"]
        report["ratio_within_goal"] = report["ratio"] <= GOAL_RATIO
    report["peak_within_goal"] = report["national"]["peak_rss_mb"] < GOAL_PEAK_MB
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
