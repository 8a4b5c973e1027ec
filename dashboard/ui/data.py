"""Data access for the app: open the dataset, build the facts once, cache compute results.

Caches key on the dataset *version* (a fingerprint of the files) and on small hashable filter
values, never on frames (st.cache_data hashes a large frame from a sample of its rows, so a changed
row could give a stale result): a newly published version is picked up without a restart,
and the in-memory facts are shared by every session (st.cache_resource).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from veu_metrics.dataset import Dataset, open_dataset
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import register_occupations
from veu_metrics.settings import Settings

T = TypeVar("T")


def ensure_demo_dataset(settings: Settings, on_progress: Callable[[float, str], None]) -> None:
    """Generate the demo dataset on first start. The generator builds it beside the target and
    moves it into place when complete, so a session never sees half a dataset."""
    if (settings.dataset_dir / "metadata.json").is_file():
        return
    from veu_metrics.generate import generate_dataset

    generate_dataset(settings.dataset_dir, enrolments=settings.demo_enrolments, seed=2018,
                     progress=on_progress)


@st.cache_resource(show_spinner=False, max_entries=2)
def load_dataset(path: str, version: str) -> Dataset:
    """Opened with the import's integrity checks, once per version (a failing version is not
    cached: the app keeps serving the last good one and says why)."""
    dataset = open_dataset(Path(path), integrity=True)
    register_occupations(dataset.occupations)  # links are checked before the facts are built
    return dataset


@st.cache_resource(show_spinner=False, max_entries=2)
def load_facts(path: str, version: str, reform_date: date) -> Any:
    """The in-memory fact tables behind every page; built once per dataset version."""
    return prepare_facts(load_dataset(path, version), reform_date=reform_date)


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_call(path: str, version: str, reform_date: date, name: str,
                 _function: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: tuple[tuple[str, Any], ...]) -> Any:
    """One cache for every core computation. ``name`` (module and function) stands in the key
    for ``_function``, which Streamlit does not hash (the leading underscore)."""
    facts = load_facts(path, version, reform_date)
    return _function(facts, *args, **dict(kwargs))


@cache
def _takes_threshold(function: Callable[..., Any]) -> bool:
    return "threshold" in inspect.signature(function).parameters


class Cached:
    """``ctx.cached(measures.compute_kpis)(filters)`` → a cached call of that core function on
    the dataset's facts (its first parameter), keyed on the dataset version and the arguments.
    The deployment's disclosure threshold is bound here, once, for every function that takes
    one: pages never pass it."""

    def __init__(self, path: Path, version: str, reform_date: date, threshold: int):
        self._key = (str(path), version, reform_date)
        self.threshold = threshold

    def __call__(self, function: Callable[..., T]) -> Callable[..., T]:
        name = f"{function.__module__}.{function.__qualname__}"
        takes_threshold = _takes_threshold(function)

        def call(*args: Any, **kwargs: Any) -> T:
            if takes_threshold:
                if "threshold" in kwargs:
                    raise TypeError(f"{name}: the threshold is bound by ctx.cached; do not pass it")
                kwargs["threshold"] = self.threshold
            result: T = _cached_call(*self._key, name, function, args,
                                     tuple(sorted(kwargs.items())))
            return result

        return call


@st.cache_resource(show_spinner=False)
def _last_good_versions() -> dict[str, str]:
    return {}


def remember_good(path: Path, version: str) -> None:
    """Note a version that opened cleanly: if the data directory later breaks, keep serving it."""
    _last_good_versions()[str(path)] = version


def last_good(path: Path) -> str | None:
    return _last_good_versions().get(str(path))
