"""What every benchmark implementation shares: page and scenario names, timing, memory, and the
comparable tables the three implementations must agree on.

Imports only the standard library: the pandas and DuckDB workers must not load Polars, or their
memory figures would include it.
"""

from __future__ import annotations

import math
import os
import resource
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Generated benchmark datasets (git-ignored); VEU_BENCH_DATA moves them (the smoke test does).
BENCH_DATA = Path(os.environ.get("VEU_BENCH_DATA") or ROOT / "data" / "bench")
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def facts_dir(size: str) -> Path:
    """The core's facts exported for the pandas and DuckDB versions (beside the dataset, so that
    the dataset folder the app serves stays as generated)."""
    return BENCH_DATA / f"{size}-facts"

PAGES = ("overblik", "omraade", "jobcentre", "mangel", "kurser", "effekter")
SCENARIOS = ("national", "area", "municipality", "year")
IMPLEMENTATIONS = ("polars", "pandas", "duckdb")

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
DATASET_SEED = 7
DATASET_UNTIL = "2026-10"

# Comparison tolerance for floats: sums of the same numbers in another order differ in the last bits.
REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-9


# ------------------------------------------------------------------------------------ timing
def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Wall-clock seconds of one call, and its result."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return float("nan")
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# ------------------------------------------------------------------------------------ memory
def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb(pid: int | None = None) -> float:
    """Current resident set size of a process (default: this one), from /proc."""
    statm = Path(f"/proc/{pid or os.getpid()}/statm").read_text().split()
    return int(statm[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def proc_status_mb(pid: int, field: str) -> float:
    """A memory field of /proc/<pid>/status in MiB, e.g. VmHWM (peak RSS) or VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


# ------------------------------------------------------------------------- comparable tables
def plain(value: Any) -> Any:
    """A JSON-safe, implementation-neutral scalar: dates as ISO text, NaN and NA as None."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, datetime):  # also pandas Timestamps
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def table(keys: Sequence[str], values: Sequence[str], rows: Iterable[Sequence[Any]]) -> dict:
    """A comparable table: key columns identify a row, value columns are compared with tolerance."""
    return {"keys": list(keys), "values": list(values),
            "rows": [[plain(v) for v in row] for row in rows]}


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)
    return a == b


def compare_tables(expected: dict, actual: dict, limit: int = 5) -> list[str]:
    """Differences between two comparable tables (empty list: they agree)."""
    problems: list[str] = []
    if expected["keys"] != actual["keys"] or expected["values"] != actual["values"]:
        return [f"columns differ: {expected['keys']}+{expected['values']} vs "
                f"{actual['keys']}+{actual['values']}"]
    k = len(expected["keys"])

    def index(t: dict) -> dict[tuple, list]:
        out: dict[tuple, list] = {}
        for row in t["rows"]:
            key = tuple(row[:k])
            if key in out:
                problems.append(f"duplicate key {key}")
            out[key] = row[k:]
        return out

    left, right = index(expected), index(actual)
    missing = [key for key in left if key not in right]
    extra = [key for key in right if key not in left]
    if missing:
        problems.append(f"{len(missing)} rows missing, e.g. {missing[:limit]}")
    if extra:
        problems.append(f"{len(extra)} rows extra, e.g. {extra[:limit]}")
    for key, values in left.items():
        if key not in right:
            continue
        for column, a, b in zip(expected["values"], values, right[key], strict=True):
            if not _close(a, b):
                problems.append(f"{key} {column}: {a!r} vs {b!r}")
                if len(problems) >= limit:
                    return problems
    return problems


def compare_outputs(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """Compare every named comparable table of a page."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in expected or name not in actual:
            problems.append(f"{name}: present in only one implementation")
            continue
        problems += [f"{name}: {p}" for p in compare_tables(expected[name], actual[name])]
    return problems


def months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
