"""The one benchmark command: datasets, the core against pandas and DuckDB, the app, the load test.

    python -m benchmarks.run                      # 100k, 1m, 10m; app and 20-session load test
    python -m benchmarks.run --sizes 100k --quick # a minute: one repeat, no app, no load test

Writes ``benchmarks/results/latest.json`` and ``benchmarks/results/latest.md`` (the tables in
docs/PERFORMANCE.md come from it). Each implementation runs in its own process (its peak RSS is
its own); every subprocess is bounded in time. Generated datasets go to data/bench/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import (
    IMPLEMENTATIONS,
    PAGES,
    RESULTS_DIR,
    ROOT,
    SCENARIOS,
    SIZES,
    compare_outputs,
    load_average,
)

WORKER_TIMEOUT_S = 3 * 3600
DEFAULT_REPEATS = {"10k": 5, "100k": 5, "1m": 5, "10m": 3}


class BenchmarkError(RuntimeError):
    """A step of the benchmark failed; the message says which and why."""


def run_bounded(command: list[str], *, timeout_s: float, env: dict[str, str] | None = None
                ) -> tuple[float, float]:
    """Run a subprocess to completion within ``timeout_s``; (wall seconds, its own peak RSS MiB).

    ``os.wait4`` gives the child's own resource usage, so its peak RSS is not mixed with ours.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = start + timeout_s
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            raise BenchmarkError(f"{' '.join(command[:6])} … took longer than {timeout_s:.0f} s")
        time.sleep(0.2)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise BenchmarkError(f"{' '.join(command[:6])} … exited with {process.returncode}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def machine() -> dict[str, Any]:
    import duckdb
    import numpy
    import pandas
    import polars
    import pyarrow
    import streamlit

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    changed = subprocess.run(["git", "status", "--porcelain", "--", "src", "dashboard"], cwd=ROOT,
                             capture_output=True, text=True).stdout.splitlines()
    return {
        "git_commit": commit, "uncommitted_app_files": len(changed),
        "nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_kib / 2**20, 1),
        "os": platform.platform(), "python": platform.python_version(),
        "versions": {"polars": polars.__version__, "pandas": pandas.__version__,
                     "duckdb": duckdb.__version__, "pyarrow": pyarrow.__version__,
                     "numpy": numpy.__version__, "streamlit": streamlit.__version__},
    }


def ensure_dataset(size: str) -> dict[str, Any]:
    """Generate the dataset if missing; report how long that took and its peak memory."""
    from benchmarks.prepare import dataset_dir

    out = dataset_dir(size)
    if (out / "metadata.json").is_file():
        return {"generated": False}
    from benchmarks.common import DATASET_SEED, DATASET_UNTIL

    seconds, rss = run_bounded(
        [sys.executable, "-m", "veu_metrics.cli", "generate", "--enrolments", str(SIZES[size]),
         "--seed", str(DATASET_SEED), "--out", str(out), "--until", DATASET_UNTIL, "--quiet"],
        timeout_s=1800)
    return {"generated": True, "seconds": seconds, "peak_rss_mb": rss}


def run_core(size: str, repeats: int, pages: list[str], scenarios: list[str],
             workdir: Path) -> dict[str, Any]:
    """The three implementations on one size, each in its own process; then compare outputs."""
    results: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for impl in IMPLEMENTATIONS:
        out, out_tables = workdir / f"{size}-{impl}.json", workdir / f"{size}-{impl}-tables.json"
        command = [sys.executable, "-m", "benchmarks.worker", "--impl", impl, "--size", size,
                   "--repeats", str(repeats), "--pages", ",".join(pages),
                   "--scenarios", ",".join(scenarios), "--out", str(out),
                   "--outputs", str(out_tables)]
        if impl == "polars":
            command.append("--export")
        print(f"[bench] {size} {impl} …", flush=True)
        wall, child_rss = run_bounded(command, timeout_s=WORKER_TIMEOUT_S)
        results[impl] = json.loads(out.read_text()) | {"wall_s": wall, "child_peak_rss_mb": child_rss}
        outputs[impl] = json.loads(out_tables.read_text())
    agreement: dict[str, dict[str, list[str]]] = {}
    compared: dict[str, dict[str, int]] = {}
    for page in pages:
        agreement[page], compared[page] = {}, {}
        for name in scenarios:
            problems = []
            for other in ("pandas", "duckdb"):
                problems += [f"{other}: {p}" for p in compare_outputs(
                    outputs["polars"][page][name], outputs[other][page][name])]
            agreement[page][name] = problems
            compared[page][name] = sum(len(t["rows"]) for t in outputs["polars"][page][name].values())
    return {"implementations": results, "agreement": agreement, "compared_rows": compared}


def run_app(size: str, timeout_s: float) -> dict[str, Any]:
    from benchmarks.prepare import dataset_dir

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    print(f"[bench] app rerun times through AppTest, {size} …", flush=True)
    wall, rss = run_bounded([sys.executable, "-m", "benchmarks.app_bench", "apptest",
                             "--data", str(dataset_dir(size)), "--out", str(out)],
                            timeout_s=timeout_s)
    result = json.loads(out.read_text()) | {"wall_s": wall, "peak_rss_mb": rss}
    out.unlink()
    return result


def run_app_memory(size: str, timeout_s: float) -> dict[str, Any]:
    from benchmarks.prepare import dataset_dir

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    print(f"[bench] app server memory, {size} …", flush=True)
    run_bounded([sys.executable, "-m", "benchmarks.app_bench", "memory",
                 "--data", str(dataset_dir(size)), "--out", str(out)], timeout_s=timeout_s)
    result = json.loads(out.read_text())
    out.unlink()
    return result


def run_load(size: str, sessions: int, timeout_s: float, browser: bool) -> dict[str, Any]:
    from benchmarks.prepare import dataset_dir

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    print(f"[bench] load test, {sessions} sessions, {size} …", flush=True)
    command = [sys.executable, "-m", "benchmarks.load_test", "--data", str(dataset_dir(size)),
               "--sessions", str(sessions), "--out", str(out)]
    if browser:
        command.append("--with-browser")
    run_bounded(command, timeout_s=timeout_s)
    result = json.loads(out.read_text())
    out.unlink()
    return result


def save(report: dict[str, Any], out: Path) -> str:
    """Write the JSON and the markdown beside it; return the markdown."""
    from benchmarks.report import render_markdown

    out.parent.mkdir(parents=True, exist_ok=True)
    report.setdefault("load_average_end", load_average())
    out.write_text(json.dumps(report, indent=1))
    markdown = render_markdown(report)
    out.with_suffix(".md").write_text(markdown)
    return markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the core against pandas and DuckDB, "
                                     "and the app (see docs/PERFORMANCE.md).")
    parser.add_argument("--sizes", default="100k,1m,10m",
                        help=f"comma-separated, of {', '.join(SIZES)} (default 100k,1m,10m)")
    parser.add_argument("--quick", action="store_true",
                        help="one warm repeat, no app and no load test (a smoke run)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="warm repeats per page and scenario (default 5; 3 at 10m)")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--app-sizes", default="1m,10m",
                        help="sizes to time the app's reruns at through AppTest ('' for none)")
    parser.add_argument("--memory-size", default="10m",
                        help="size for the app server's memory ('' to skip)")
    parser.add_argument("--load-size", default="1m", help="size for the load test ('' to skip)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true",
                        help="load test without the one real browser beside the sessions")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)

    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; use {', '.join(SIZES)}")
    pages = [p for p in args.pages.split(",") if p]
    scenarios = [s for s in args.scenarios.split(",") if s]
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(), "load_average_start": load_average(),
        "command": " ".join(["python -m benchmarks.run", *(argv if argv is not None else sys.argv[1:])]),
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="veu-bench-") as tmp:
        for size in sizes:
            repeats = args.repeats if args.repeats is not None else (
                1 if args.quick else DEFAULT_REPEATS[size])
            entry = {"dataset": ensure_dataset(size)}
            entry |= run_core(size, repeats, pages, scenarios, Path(tmp))
            report["sizes"][size] = entry
            save(report, args.out)  # a later step that fails keeps what was measured
    if not args.quick:
        steps = [(f"app:{s}", lambda s=s: ("app", s, run_app(s, 3600)))
                 for s in args.app_sizes.split(",") if s]
        if args.memory_size:
            steps.append(("app_memory", lambda: ("app_memory", None,
                                                 run_app_memory(args.memory_size, 1800))))
        if args.load_size:
            steps.append(("load_test", lambda: ("load_test", None, run_load(
                args.load_size, args.sessions, 1800, browser=not args.no_browser))))
        for label, step in steps:
            try:
                key, size, result = step()
            except BenchmarkError as exc:
                report.setdefault("errors", []).append(f"{label}: {exc}")
                print(f"[bench] {label} failed: {exc}", file=sys.stderr)
                continue
            if size is None:
                report[key] = result
            else:
                report.setdefault(key, {})[size] = result
            save(report, args.out)
    report["load_average_end"] = load_average()
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    markdown = save(report, args.out)
    print(markdown)
    disagreements = [(size, page, name) for size, entry in report["sizes"].items()
                     for page, by_scenario in entry["agreement"].items()
                     for name, problems in by_scenario.items() if problems]
    if disagreements:
        print(f"[bench] the implementations disagree on {disagreements}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
