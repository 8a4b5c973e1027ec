"""How the Kurser page shows the core's course lists: readable columns, Danish numbers and dates,
the marker for hidden participant counts. Presentation only; the lists come from
``measures.compute_courses`` and ``measures.compute_courses_by_provider``."""

from __future__ import annotations

import polars as pl

from veu_metrics.columns import Column
from veu_metrics.formatting import format_number
from veu_metrics.i18n import t

MAX_SHOWN_ROWS = 2_000
"""More rows than this make the table slow in a browser; the download has them all."""
MAX_SEARCH_CHARS = 100


def clean_search(text: str | None) -> str:
    """The search words as the core should get them: trimmed, at most MAX_SEARCH_CHARS."""
    return (text or "").strip()[:MAX_SEARCH_CHARS]


def count_line(courses: int, providers: int, lang: str) -> str:
    """'1.234 kurser hos 56 udbydere' (singular forms for one)."""
    return t("courses.count", lang,
             courses=format_number(courses, 0, lang), providers=format_number(providers, 0, lang),
             course_word=t(f"courses.word.course.{'one' if courses == 1 else 'many'}", lang),
             provider_word=t(f"courses.word.provider.{'one' if providers == 1 else 'many'}", lang))


COURSE_COLUMNS: dict[str, Column] = {
    **{c: Column(label=f"courses.col.{c}") for c in (
        "title", "provider", "place", "start_date", "end_date", "education_type", "funding",
        "occupation", "job_veu", "amu_number")},
    "seats": Column(label="courses.col.seats", kind="count"),
    "participants": Column(label="courses.col.participants", kind="count"),
    "course_id": Column(label="ID"),
}
PROVIDER_COLUMNS: dict[str, Column] = {
    **{c: Column(label=f"courses.col.{c}") for c in (
        "provider", "places", "first_start", "last_start")},
    **{c: Column(label=f"courses.col.{c}", kind="count") for c in ("courses", "participants", "seats")},
}


def course_table(courses: pl.DataFrame, lang: str) -> tuple[pl.DataFrame, dict[str, Column]]:
    """The course list as shown: typed (dates and counts sort as such), hidden counts empty
    with the marker."""
    occupation = "occupation_title_en" if lang == "en" else "occupation_title_da"
    frame = courses.select(
        "title", "provider", "place", "start_date", "end_date",
        pl.col("education_type").cast(pl.String), pl.col("funding").cast(pl.String),
        pl.col(occupation).alias("occupation"), "seats", "participants",
        "participants_suppressed", "job_veu", "amu_number", "course_id",
    )
    return frame, COURSE_COLUMNS


def provider_table(providers: pl.DataFrame, lang: str) -> tuple[pl.DataFrame, dict[str, Column]]:
    """The list grouped by provider as shown: counts as numbers."""
    return providers, PROVIDER_COLUMNS


def download_frame(courses: pl.DataFrame) -> pl.DataFrame:
    """What the course download holds: every listed course, codes and both occupation titles
    (the cancelled flag is always false here and is left out)."""
    return courses.drop("cancelled", strict=False)
