"""Smoke run of the benchmark: it runs, and Polars, pandas and DuckDB give the same numbers.

No times are asserted (machines are noisy). The run uses a tiny generated dataset in a temporary
folder (VEU_BENCH_DATA), one repeat, no app and no load test; see docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from benchmarks.common import (
    IMPLEMENTATIONS,
    PAGES,
    SCENARIOS,
    compare_outputs,
    compare_tables,
    months_back,
    plain,
    table,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    root = tmp_path_factory.mktemp("bench")
    out = root / "results" / "latest.json"
    env = {**os.environ, "VEU_BENCH_DATA": str(root / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--sizes", "10k", "--quick", "--repeats", "0",
         "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False)
    return done, out


def test_quick_run_succeeds_and_the_three_implementations_agree(quick_run):
    done, out = quick_run
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    entry = report["sizes"]["10k"]
    disagreements = {(page, name): problems for page, by in entry["agreement"].items()
                     for name, problems in by.items() if problems}
    assert disagreements == {}
    assert set(entry["agreement"]) == set(PAGES)
    for page in PAGES:
        assert set(entry["agreement"][page]) == set(SCENARIOS)
        for name in SCENARIOS:
            # something was compared: every page × scenario has non-empty comparable tables
            assert entry["compared_rows"][page][name] > 0, (page, name)


def test_quick_run_times_every_page_in_every_implementation(quick_run):
    _, out = quick_run
    report = json.loads(out.read_text())
    implementations = report["sizes"]["10k"]["implementations"]
    assert set(implementations) == set(IMPLEMENTATIONS)
    for impl, result in implementations.items():
        assert result["peak_rss_mb"] >= result["rss_after_load_mb"] > 0, impl
        for page in PAGES:
            for name in SCENARIOS:
                assert result["timings"][page][name]["cold_s"] > 0, (impl, page, name)


def test_quick_run_writes_the_markdown_table(quick_run):
    _, out = quick_run
    markdown = out.with_suffix(".md").read_text()
    assert "| page | national | area | municipality | year |" in markdown
    for page in PAGES:
        assert f"| {page} |" in markdown
    assert "pandas ÷ Polars" in markdown


def test_a_generated_dataset_goes_under_the_given_folder(quick_run):
    _, out = quick_run
    data = out.parent.parent / "data" / "10k"
    assert (data / "metadata.json").is_file()
    assert (data.parent / "10k-facts" / "participations.parquet").is_file()
    assert not (data / "facts").exists(), "the dataset folder the app serves stays as generated"


# ----------------------------------------------------------------------- comparison helpers
def test_plain_values_are_implementation_neutral():
    assert plain(np.int64(3)) == 3 and isinstance(plain(np.int64(3)), int)
    assert plain(np.float64("nan")) is None
    assert plain(float("nan")) is None
    assert plain(date(2024, 3, 1)) == "2024-03-01"
    assert plain(np.bool_(True)) is True
    assert plain("Mangel") == "Mangel"


def test_compare_tables_accepts_rounding_noise_and_any_row_order():
    a = table(["area"], ["value"], [("fyn", 0.1 + 0.2), ("bornholm", 3)])
    b = table(["area"], ["value"], [("bornholm", 3.0), ("fyn", 0.3)])
    assert compare_tables(a, b) == []


def test_compare_tables_reports_a_changed_value_missing_and_extra_rows():
    a = table(["area"], ["value"], [("fyn", 10), ("bornholm", 3), ("sjaelland", None)])
    b = table(["area"], ["value"], [("fyn", 11), ("sjaelland", 0), ("hovedstaden", 1)])
    problems = compare_tables(a, b)
    assert any("1 rows missing" in p and "bornholm" in p for p in problems)
    assert any("1 rows extra" in p and "hovedstaden" in p for p in problems)
    assert any("('fyn',) value: 10 vs 11" in p for p in problems)
    assert any("('sjaelland',) value: None vs 0" in p for p in problems)


def test_compare_outputs_names_a_table_only_one_side_has():
    a = {"kpis": table(["m"], ["v"], [("x", 1)])}
    b = {"kpis": table(["m"], ["v"], [("x", 1)]), "trend": table(["p"], ["v"], [])}
    assert compare_outputs(a, b) == ["trend: present in only one implementation"]


def test_months_back_crosses_years():
    assert months_back(date(2025, 1, 1), 12) == date(2024, 1, 1)
    assert months_back(date(2026, 10, 1), 11) == date(2025, 11, 1)
    assert months_back(date(2024, 3, 15), 3) == date(2023, 12, 1)
