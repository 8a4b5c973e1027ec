"""How the Kurser page shows the core's course lists: readable columns, Danish numbers and dates,
the marker for hidden participant counts. Presentation only; the lists come from
``measures.compute_courses`` and ``measures.compute_courses_by_provider``."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui.components import display_frame, text_column
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


def _date_format(lang: str) -> str:
    # Moment.js formats: 04.03.2024 in Danish (sortable in the table), 4 Mar 2024 in English.
    return "DD.MM.YYYY" if lang == "da" else "D MMM YYYY"


def course_table(courses: pl.DataFrame, lang: str) -> tuple[pl.DataFrame, dict]:
    """The course list as shown: (frame, column_config). Participants are text with the marker."""
    occupation = "occupation_title_en" if lang == "en" else "occupation_title_da"
    frame = display_frame(courses.select(
        "title", "provider", "place", "start_date", "end_date", "education_type", "funding",
        pl.col(occupation).alias("occupation"), "seats", "participants",
        "participants_suppressed", "job_veu", "amu_number", "course_id",
    ), lang)
    dates = _date_format(lang)
    config = {
        "title": st.column_config.TextColumn(t("courses.col.title", lang), width="medium"),
        "provider": st.column_config.TextColumn(t("courses.col.provider", lang)),
        "place": st.column_config.TextColumn(t("courses.col.place", lang)),
        "start_date": st.column_config.DateColumn(t("courses.col.start_date", lang), format=dates),
        "end_date": st.column_config.DateColumn(t("courses.col.end_date", lang), format=dates),
        "education_type": st.column_config.TextColumn(t("courses.col.education_type", lang)),
        "funding": st.column_config.TextColumn(t("courses.col.funding", lang)),
        "occupation": st.column_config.TextColumn(t("courses.col.occupation", lang)),
        "seats": st.column_config.NumberColumn(t("courses.col.seats", lang), format="%d"),
        "participants": st.column_config.TextColumn(t("courses.col.participants", lang)),
        "job_veu": st.column_config.CheckboxColumn(t("courses.col.job_veu", lang)),
        "amu_number": st.column_config.TextColumn(t("courses.col.amu_number", lang)),
        "course_id": st.column_config.TextColumn("ID"),
    }
    return frame, config


def provider_table(providers: pl.DataFrame, lang: str) -> tuple[pl.DataFrame, dict]:
    """The list grouped by provider as shown: counts as Danish-formatted text."""
    counts = [text_column(providers, c, lambda v: format_number(v, 0, lang)) for c in ("courses", "seats")]
    frame = display_frame(providers, lang).with_columns(counts)
    dates = _date_format(lang)
    config = {
        "provider": st.column_config.TextColumn(t("courses.col.provider", lang)),
        "courses": st.column_config.TextColumn(t("courses.col.courses", lang)),
        "participants": st.column_config.TextColumn(t("courses.col.participants", lang)),
        "seats": st.column_config.TextColumn(t("courses.col.seats", lang)),
        "places": st.column_config.TextColumn(t("courses.col.places", lang), width="large"),
        "first_start": st.column_config.DateColumn(t("courses.col.first_start", lang), format=dates),
        "last_start": st.column_config.DateColumn(t("courses.col.last_start", lang), format=dates),
    }
    return frame, config


def download_frame(courses: pl.DataFrame) -> pl.DataFrame:
    """What the course download holds: every listed course, codes and both occupation titles
    (the cancelled flag is always false here and is left out)."""
    return courses.drop("cancelled", strict=False)
