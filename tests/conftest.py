"""Shared fixtures: a small generated demo dataset, made once per test session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from veu_metrics.dataset import Dataset, open_dataset
from veu_metrics.generate import generate_dataset

DEMO_SEED = 2018
DEMO_ENROLMENTS = 40_000
DEMO_UNTIL = date(2026, 10, 1)


@pytest.fixture(scope="session")
def demo_dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic dataset of 40,000 enrolments, Jan 2018 – Oct 2026 (seed 2018)."""
    out = tmp_path_factory.mktemp("demo") / "dataset"
    return generate_dataset(out, enrolments=DEMO_ENROLMENTS, seed=DEMO_SEED, until=DEMO_UNTIL)


@pytest.fixture(scope="session")
def demo_dataset(demo_dataset_dir: Path) -> Dataset:
    """The demo dataset opened with dataset.open_dataset (lazy tables, checked schema)."""
    return open_dataset(demo_dataset_dir)
