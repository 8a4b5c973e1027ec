"""Builders of small hand-made datasets for the measures tests (rows with sensible defaults)."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

import polars as pl

from veu_metrics.filters import Filters
from veu_metrics.schema import conform, empty_frame

REFORM = date(2025, 1, 1)
# The calendar year 2024 in the RAR scheme, nationally and for RAR Fyn.
YEAR = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1), scheme="rar")
FYN = YEAR.with_changes(areas=("fyn",))

_COURSE_DEFAULTS: dict[str, Any] = {
    "education_type": "AMU", "amu_number": None, "provider": "Udbyder A",
    "provider_municipality_code": 461, "course_days": 5.0, "occupation_code": None,
    "industry_group": None, "funding": "Andet", "job_veu": False, "focus_area": None,
    "themes": [], "seats": 20, "cancelled": False,
}
_ENROLMENT_DEFAULTS: dict[str, Any] = {
    "municipality_code": 461, "labour_status": "Beskæftiget", "gender": "Kvinde",
    "age_band": "30-39", "education_level": "Faglært", "completed": None,
    "employed_3m": None, "employed_6m": None,
}


def course(course_id: str, start: date, end: date | None = None, **fields: Any) -> dict[str, Any]:
    return {"course_id": course_id, "title": f"Kursus {course_id}", "start_date": start,
            "end_date": end or start, **_COURSE_DEFAULTS, **fields}


class People:
    """Hands out enrolment ids and person ids, so that tests can write enrolments tersely."""

    def __init__(self) -> None:
        self._enrolment = count(1)

    def enrol(self, course_id: str, persons: list[int], **fields: Any) -> list[dict[str, Any]]:
        return [{"enrolment_id": next(self._enrolment), "course_id": course_id, "person_id": p,
                 **_ENROLMENT_DEFAULTS, **fields} for p in persons]


def balance_rows(half_year: str, scheme: str, area: str, statuses: dict[str, str]
                 ) -> list[dict[str, Any]]:
    return [{"half_year": half_year, "area_scheme": scheme, "area_code": area,
             "occupation_code": occ, "status": status} for occ, status in statuses.items()]


def monthly_unemployment(municipality: int, first: date, last: date, full_time: float,
                         insured: float | None) -> list[dict[str, Any]]:
    months = pl.date_range(first, last, interval="1mo", eager=True).to_list()
    return [{"month": m, "municipality_code": municipality, "full_time_unemployed": full_time,
             "insured_unemployed": insured} for m in months]


def tables(courses: list[dict], enrolments: list[dict], balance: list[dict] | None = None,
           unemployment: list[dict] | None = None, targets: list[dict] | None = None
           ) -> dict[str, pl.DataFrame]:
    def frame(name: str, rows: list[dict] | None) -> pl.DataFrame:
        if not rows:
            return empty_frame(name)
        raw = pl.DataFrame(rows, infer_schema_length=None)
        if name == "courses":
            raw = raw.with_columns(pl.col("themes").cast(pl.List(pl.String)))
        return conform(name, raw)

    return {
        "courses": frame("courses", courses),
        "enrolments": frame("enrolments", enrolments),
        "balance": frame("balance", balance),
        "unemployment": frame("unemployment", unemployment),
        "targets": frame("targets", targets),
    }
