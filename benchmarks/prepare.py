"""Datasets, scenarios and the shared facts export for the benchmark (Polars side).

- ``ensure_dataset``: generates ``data/bench/<size>/`` with the demo generator (once).
- ``scenario_filters``: the four filter changes every page is timed after.
- ``build_spec``: the same scenarios as plain values (JSON), so the pandas and DuckDB workers need
  neither Polars nor the core to know what to compute.
- ``export_facts``: the core's denormalised facts written as Parquet: the pandas and DuckDB
  versions start from the same prepared rows as the core, so the comparison is of the per-filter
  computations, not of the one-off preparation (timed separately for Polars).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.common import (
    BENCH_DATA,
    DATASET_SEED,
    DATASET_UNTIL,
    SIZES,
    facts_dir,
    months_back,
)
from veu_metrics import geography
from veu_metrics.balance import BLIND_SPOT_LIMIT, WIDESPREAD_EXCLUDED_AREAS, WIDESPREAD_MIN_AREAS
from veu_metrics.catalogue import kpi_measures
from veu_metrics.facts import Facts
from veu_metrics.filters import DEFAULT_REFORM_DATE, Filters, default_filters
from veu_metrics.targets import PROFILE_YEARS

REFORM_DATE = DEFAULT_REFORM_DATE
AREA_SCENARIO = ("council", "midtjylland")
MUNICIPALITY_SCENARIO = "101"  # København
YEAR_SCENARIO = 2024
JOBCENTRE_DEFAULT = 101
EXPORT_VERSION = 1  # bump when the export's columns change


def dataset_dir(size: str) -> Path:
    return BENCH_DATA / size


def ensure_dataset(size: str, *, quiet: bool = True) -> Path:
    """Generate the benchmark dataset of a size (seed and end month fixed) unless it exists."""
    out = dataset_dir(size)
    if (out / "metadata.json").is_file():
        return out
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; use one of {', '.join(SIZES)}")
    command = [sys.executable, "-m", "veu_metrics.cli", "generate", "--enrolments",
               str(SIZES[size]), "--seed", str(DATASET_SEED), "--out", str(out),
               "--until", DATASET_UNTIL]
    if quiet:
        command.append("--quiet")
    subprocess.run(command, check=True)
    return out


def scenario_filters(covers_to: date) -> dict[str, Filters]:
    """National (the default view), one council area, one municipality, one calendar year."""
    base = default_filters(covers_to, REFORM_DATE)
    scheme, area = AREA_SCENARIO
    year_end = date(YEAR_SCENARIO, 12, 1)
    return {
        "national": base,
        "area": base.with_changes(scheme=scheme, areas=(area,)),
        "municipality": base.with_changes(scheme="municipality", areas=(MUNICIPALITY_SCENARIO,)),
        "year": base.with_changes(period_from=date(YEAR_SCENARIO, 1, 1), period_to=year_end,
                                  scheme=geography.scheme_for(year_end, REFORM_DATE), areas=()),
    }


def omraade_choice(filters: Filters) -> tuple[int, str, str]:
    """The Område page's defaults for a filter: (year, scheme, area code), as the page picks them."""
    year = filters.period_to.year
    scheme = geography.scheme_for(date(year, 12, 31), REFORM_DATE)
    codes = list(geography.area_names(scheme))
    if filters.scheme == scheme and filters.areas and filters.areas[0] in codes:
        return year, scheme, filters.areas[0]
    if filters.scheme == "municipality" and filters.areas:
        lookup = dict(geography.area_lookup(scheme).iter_rows())
        code = lookup.get(int(filters.areas[0]))
        if code in codes:
            return year, scheme, code
    return year, scheme, codes[0]


def jobcentre_choice(filters: Filters) -> int:
    """The job centre whose trend and comparables are shown: the selection's first municipality.

    (The page defaults to the top-ranked one; which one does not change the cost.)
    """
    selection = filters.municipality_codes()
    return int(selection[0]) if selection else JOBCENTRE_DEFAULT


def trend_scheme(filters: Filters) -> str:
    return filters.scheme if filters.scheme != "municipality" else geography.scheme_for(
        filters.period_to, REFORM_DATE)


def mangel_half_year(facts: Facts) -> str:
    """The newest published half-year: the Mangelområder page's default, whatever the period."""
    return facts.balance.sort("half_year_index")["half_year"][-1]


def _selection(filters: Filters) -> list[int] | None:
    codes = filters.municipality_codes()
    return None if codes is None else [int(c) for c in codes]


def _members(scheme: str, area_code: str) -> list[int]:
    lookup = geography.area_lookup(scheme)
    return [int(c) for c in lookup.filter(pl.col("area_code") == area_code)["municipality_code"]]


def scenario_spec(facts: Facts, name: str, filters: Filters) -> dict[str, Any]:
    """One scenario as plain values: everything a reference implementation needs to know."""
    first_month = facts.covers_from.replace(day=1)
    previous_from = months_back(filters.period_from, 12)
    year, scheme, area_code = omraade_choice(filters)
    last = min(facts.last_month, date(year, 12, 1))
    months = last.month if last.year == year else 0
    first_complete = facts.covers_from.year + (0 if facts.covers_from <= date(
        facts.covers_from.year, 1, 1) else 1)
    profile_years = [y for y in range(year - PROFILE_YEARS, year) if y >= first_complete
                     and date(y, 12, 1) <= facts.last_month]
    municipality = jobcentre_choice(filters)
    t_scheme = trend_scheme(filters)
    t_area = dict(geography.area_lookup(t_scheme).iter_rows())[municipality]
    return {
        "name": name,
        "period_from": filters.period_from.isoformat(),
        "period_to": filters.period_to.isoformat(),
        "scheme": filters.scheme,
        "areas": list(filters.areas),
        "selection": _selection(filters),
        "previous_from": previous_from.isoformat(),
        "previous_to": months_back(filters.period_to, 12).isoformat(),
        "previous_available": previous_from >= first_month,
        "history_from": first_month.isoformat(),
        "spark_from": months_back(filters.period_to, 11).isoformat(),
        "omraade": {
            "year": year, "scheme": scheme, "area_code": area_code,
            "selection": _members(scheme, area_code),
            "ytd_from": date(year, 1, 1).isoformat(),
            "ytd_to": max(last, date(year, 1, 1)).isoformat(),
            "months": months, "profile_years": profile_years,
        },
        "jobcentre": {
            "municipality": municipality, "trend_scheme": t_scheme, "trend_area": t_area,
            "trend_area_selection": _members(t_scheme, t_area),
        },
        "mangel": {"half_year": mangel_half_year(facts)},
    }


def build_spec(facts: Facts) -> dict[str, Any]:
    """Scenarios and lookups as JSON-ready values."""
    munis = geography.municipalities().select("municipality_code", "municipality_name")
    lookups = {s: dict(geography.area_lookup(s).iter_rows()) for s in ("rar", "council")}
    occ = facts.occupations  # the dataset's list (reference + its own titles)
    return {
        "covers_from": facts.covers_from.isoformat(),
        "last_month": facts.last_month.isoformat(),
        "kpi_measures": kpi_measures(),
        "blind_spot_limit": BLIND_SPOT_LIMIT,
        "widespread_min_areas": WIDESPREAD_MIN_AREAS,
        "widespread_excluded_areas": {k: list(v) for k, v in WIDESPREAD_EXCLUDED_AREAS.items()},
        "areas": {s: geography.areas(s)["area_code"].to_list() for s in ("rar", "council")},
        "municipalities": [
            {"code": int(code), "name": name, "rar": lookups["rar"][code],
             "council": lookups["council"][code]}
            for code, name in munis.iter_rows()
        ],
        "vocational_occupations": occ.filter(pl.col("vocational_required").fill_null(False))[
            "occupation_code"].to_list(),
        "scenarios": {name: scenario_spec(facts, name, f)
                      for name, f in scenario_filters(facts.covers_to).items()},
    }


def filters_of(scenario: dict[str, Any]) -> Filters:
    """The core's Filters for a scenario spec."""
    return Filters(period_from=date.fromisoformat(scenario["period_from"]),
                   period_to=date.fromisoformat(scenario["period_to"]),
                   scheme=scenario["scheme"], areas=tuple(scenario["areas"]))


def export_facts(facts: Facts, out: Path, version: str) -> None:
    """Write the facts (and the spec) for the reference implementations; skipped when current."""
    marker = out / "export.json"
    stamp = {"dataset_version": version, "export_version": EXPORT_VERSION}
    if marker.is_file() and json.loads(marker.read_text()) == stamp:
        return
    out.mkdir(parents=True, exist_ok=True)
    facts.participations.drop("course_idx").write_parquet(out / "participations.parquet")
    facts.courses.drop("themes").with_columns(pl.col("occupation_code").cast(pl.String)).write_parquet(
        out / "courses.parquet")
    facts.unemployment.write_parquet(out / "unemployment.parquet")
    facts.balance.write_parquet(out / "balance.parquet")
    facts.targets.write_parquet(out / "targets.parquet")
    (out / "spec.json").write_text(json.dumps(build_spec(facts), indent=1, ensure_ascii=False))
    marker.write_text(json.dumps(stamp))


def load_spec(size: str) -> dict[str, Any]:
    return json.loads((facts_dir(size) / "spec.json").read_text())
