"""Each page's core computation after a filter change, through the public ``compute_*`` API.

A page function makes the same calls, with the same arguments, as the page in ``dashboard/app_pages``
makes with its default choices (measure: participations, grain: quarter, no breakdown, the
Område page's year and area, the newest half-year). ``comparables`` turns the outputs into the
tables the pandas and DuckDB versions must reproduce; they are taken from a run with threshold 1,
which suppresses nothing, so they are the un-suppressed aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl

from benchmarks.common import table
from benchmarks.prepare import filters_of
from veu_metrics import measures
from veu_metrics.catalogue import kpi_measures
from veu_metrics.facts import Facts

Outputs = dict[str, pl.DataFrame]
EFFEKTER_SERIES = ("completion_rate", "employment_rate_3m", "employment_rate_6m")
KPI_SCOPES = {"value": "current", "value_previous": "previous", "value_national": "national",
              "value_national_previous": "national_previous"}


def _day(text: str) -> date:
    return date.fromisoformat(text)


def page_overblik(facts: Facts, sc: dict[str, Any], threshold: int) -> Outputs:
    f = filters_of(sc)
    out: Outputs = {"kpis": measures.compute_kpis(facts, f, threshold)}
    spark = f.with_changes(period_from=_day(sc["spark_from"]))
    for m in kpi_measures():
        out[f"spark:{m}"] = measures.compute_series(facts, spark, m, threshold=threshold,
                                                    grain="month")
    history = f.with_changes(period_from=_day(sc["history_from"]))
    out["trend"] = measures.compute_series(facts, history, "participations", threshold=threshold,
                                           grain="quarter")
    out["areas"] = measures.compute_area_table(facts, f, "participations", f.scheme,
                                               threshold=threshold)
    out["focus"] = measures.compute_focus_areas(facts, f, threshold=threshold)
    return out


def page_omraade(facts: Facts, sc: dict[str, Any], threshold: int) -> Outputs:
    f = filters_of(sc)
    o = sc["omraade"]
    area_f = f.with_changes(scheme=o["scheme"], areas=(o["area_code"],))
    return {
        "kpis": measures.compute_kpis(facts, area_f, threshold),
        "targets": measures.compute_target_progress(facts, o["scheme"], o["area_code"], o["year"],
                                                    threshold=threshold),
        "others": measures.compute_area_table(facts, f.with_changes(scheme=o["scheme"], areas=()),
                                              "participations", o["scheme"], threshold=threshold),
        "municipalities": measures.compute_area_table(facts, area_f, "participations",
                                                      "municipality", threshold=threshold),
        "latest_courses": measures.compute_courses(facts, area_f, threshold=threshold, limit=15),
    }


def page_jobcentre(facts: Facts, sc: dict[str, Any], threshold: int) -> Outputs:
    f = filters_of(sc)
    municipality = sc["jobcentre"]["municipality"]
    history = f.with_changes(period_from=_day(sc["history_from"]))
    return {
        "ranking": measures.compute_jobcentre_ranking(facts, f, threshold=threshold),
        "map": measures.compute_area_table(facts, f, "jobcentre_uptake", "municipality",
                                           threshold=threshold),
        "trend": measures.compute_jobcentre_trend(facts, history, municipality,
                                                  threshold=threshold, grain="quarter"),
        "comparable": measures.compute_comparable_municipalities(facts, f, municipality,
                                                                 threshold=threshold),
    }


def page_mangel(facts: Facts, sc: dict[str, Any], threshold: int) -> Outputs:
    f = filters_of(sc)
    half_year = sc["mangel"]["half_year"]
    measures.available_half_years(facts)
    return {
        "matrix": measures.compute_balance_matrix(facts, half_year),
        "changes": measures.compute_balance_changes(facts, half_year),
        "activity": measures.compute_shortage_activity(facts, f, half_year, threshold=threshold),
        "blind_spots": measures.compute_blind_spots(facts, f, half_year, threshold=threshold),
    }


def page_kurser(facts: Facts, sc: dict[str, Any], threshold: int) -> Outputs:
    f = filters_of(sc)
    return {
        "courses": measures.compute_courses(facts, f, threshold=threshold),
        "by_provider": measures.compute_courses_by_provider(facts, f, threshold=threshold),
    }


def page_effekter(facts: Facts, sc: dict[str, Any], threshold: int) -> Outputs:
    f = filters_of(sc)
    history = f.with_changes(period_from=_day(sc["history_from"]))
    out: Outputs = {"outcomes": measures.compute_outcomes(facts, f, threshold=threshold,
                                                          by="education_type")}
    for m in EFFEKTER_SERIES:
        out[f"series:{m}"] = measures.compute_series(facts, history, m, threshold=threshold,
                                                     grain="quarter")
    return out


PAGE_FUNCTIONS: dict[str, Callable[[Facts, dict[str, Any], int], Outputs]] = {
    "overblik": page_overblik, "omraade": page_omraade, "jobcentre": page_jobcentre,
    "mangel": page_mangel, "kurser": page_kurser, "effekter": page_effekter,
}


# -------------------------------------------------------------------------------- comparables
def _kpi_table(frame: pl.DataFrame) -> dict:
    rows = [(r["measure"], scope, r[column]) for r in frame.iter_rows(named=True)
            for column, scope in KPI_SCOPES.items()]
    return table(["measure", "scope"], ["value"], rows)


def _series_table(outputs: Outputs, prefix: str) -> dict:
    rows = []
    for name, frame in outputs.items():
        if name.startswith(prefix + ":"):
            measure = name.split(":", 1)[1]
            rows += [(measure, r["period"], r["value"]) for r in frame.iter_rows(named=True)]
    return table(["measure", "period"], ["value"], rows)


def _rows(frame: pl.DataFrame, columns: list[str]) -> list[tuple]:
    return frame.select(columns).rows()


def _positioned(frame: pl.DataFrame, columns: list[str]) -> list[tuple]:
    return [(i, *row) for i, row in enumerate(frame.select(columns).rows())]


def comparables(page: str, out: Outputs) -> dict[str, dict]:
    """The comparable subset of a page's outputs (see docs/PERFORMANCE.md)."""
    if page == "overblik":
        return {
            "kpis": _kpi_table(out["kpis"]),
            "sparklines": _series_table(out, "spark"),
            "trend": table(["period"], ["value"], _rows(out["trend"], ["period", "value"])),
            "areas": table(["area_code"], ["value"], _rows(out["areas"], ["area_code", "value"])),
            "focus": table(["focus_area"], ["participations", "share"],
                           _rows(out["focus"], ["focus_area", "participations", "share"])),
        }
    if page == "omraade":
        return {
            "kpis": _kpi_table(out["kpis"]),
            "targets": table(["measure", "focus_area"], ["actual_ytd", "expected_share_of_year"],
                             _rows(out["targets"], ["measure", "focus_area", "actual_ytd",
                                                    "expected_share_of_year"])),
            "others": table(["area_code"], ["value"], _rows(out["others"], ["area_code", "value"])),
            "municipalities": table(["area_code"], ["value"],
                                    _rows(out["municipalities"], ["area_code", "value"])),
            "latest_courses": table(["position"], ["course_id", "participants"],
                                    _positioned(out["latest_courses"],
                                                ["course_id", "participants"])),
        }
    if page == "jobcentre":
        # Expected uptake and comparable municipalities come from the statsmodels regression on
        # the framework conditions (tests/test_jobcentre_model.py); the references compare the
        # counts, the unemployment and the insured share the model is fitted on.
        return {
            "ranking": table(["municipality_code"],
                             ["participations", "full_time_unemployed", "uptake", "insured_share"],
                             _rows(out["ranking"], ["municipality_code", "participations",
                                                    "full_time_unemployed", "uptake",
                                                    "insured_share"])),
            "map": table(["area_code"], ["numerator", "denominator", "value"],
                         _rows(out["map"], ["area_code", "numerator", "denominator", "value"])),
            "trend": table(["level", "period"], ["value"],
                           _rows(out["trend"], ["level", "period", "value"])),
        }
    if page == "mangel":
        return {
            "matrix": table(["occupation_code", "area_code"],
                            ["status", "shortage_areas", "widespread_shortage"],
                            _rows(out["matrix"], ["occupation_code", "area_code", "status",
                                                  "shortage_areas", "widespread_shortage"])),
            "changes": table(["occupation_code", "area_code"], ["previous_status", "change"],
                             _rows(out["changes"], ["occupation_code", "area_code",
                                                    "previous_status", "change"])),
            "activity": table(["occupation_code"],
                              ["shortage_areas", "mangel_areas", "widespread_shortage",
                               "participations", "courses_started"],
                              _rows(out["activity"], ["occupation_code", "shortage_areas",
                                                      "mangel_areas", "widespread_shortage",
                                                      "participations", "courses_started"])),
            "blind_spots": table(["occupation_code"], ["participations"],
                                 _rows(out["blind_spots"], ["occupation_code", "participations"])),
        }
    if page == "kurser":
        return {
            "courses": table(["position"], ["course_id", "participants"],
                             _positioned(out["courses"], ["course_id", "participants"])),
            "by_provider": table(["provider"], ["courses", "participants", "seats"],
                                 _rows(out["by_provider"], ["provider", "courses", "participants",
                                                            "seats"])),
        }
    if page == "effekter":
        counts = ["participations", "completed", "completion_known", "employed_3m",
                  "employment_3m_known", "employed_6m", "employment_6m_known"]
        return {
            "outcomes": table(["group"], counts, _rows(out["outcomes"], ["group", *counts])),
            "series": _series_table(out, "series"),
        }
    raise KeyError(page)
