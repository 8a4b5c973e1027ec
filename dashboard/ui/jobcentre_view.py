"""Pieces of the Jobcentre page: the ranking as people read it (typed, so it sorts as numbers),
the top and bottom five in words, one job centre's conditions, and the expected-uptake model
(also shown on the Data page through :func:`render_uptake_model_section`)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from ui import components
from ui.context import AppContext
from veu_metrics import exports, geography, measures
from veu_metrics.catalogue import Measure, get_measure
from veu_metrics.charts import AltairChart
from veu_metrics.disclosure import SUPPRESSED_MARKER, marked
from veu_metrics.filters import Filters
from veu_metrics.formatting import format_number, format_percent
from veu_metrics.geography import AreaScheme
from veu_metrics.i18n import t
from veu_metrics.jobcentre import ASSESSMENTS, CONDITION_KEYS, MODEL_CONDITIONS, UptakeModel
from veu_metrics.style import BEHIND, COMPARISON, ON_TRACK

if TYPE_CHECKING:  # Streamlit's type of one column's configuration (what st.column_config.* make)
    from streamlit.elements.lib.column_types import ColumnConfig

RANKING_COLUMNS = ("difference_rank", "municipality_name", "uptake", "expected_uptake",
                   "difference", "assessment", "expected_lower", "expected_upper",
                   "participations", "full_time_unemployed", "insured_share", "rank")
ASSESSMENT_COLOURS = {"above": ON_TRACK, "as_expected": COMPARISON, "below": BEHIND}
SUMMARY_COUNT = 5
SHARE_CONDITIONS = frozenset(CONDITION_KEYS) - {"population", "amu_distance_km"}


def municipality_choices() -> dict[str, int]:
    m = geography.municipalities()
    return dict(zip(m["municipality_name"], m["municipality_code"], strict=True))


def selected_municipalities(filters: Filters) -> tuple[str, ...]:
    """The municipalities inside the filter's areas, as map codes (the map zooms to them)."""
    return tuple(str(c) for c in (filters.municipality_codes() or []))


def _escape(text: str) -> str:
    """Markdown-safe text (names come from data)."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~$" else c for c in text)


def assessment_labels(lang: str) -> dict[str, str]:
    return {key: t(f"jobcentre.assessment.{key}", lang) for key in ASSESSMENTS}


def assessment_colours(lang: str) -> dict[str, str]:
    """Assessment label → colour, in legend order."""
    labels = assessment_labels(lang)
    return {labels[key]: colour for key, colour in ASSESSMENT_COLOURS.items()}


def with_assessment_text(ranking: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The assessment as words (hidden ones as the marker)."""
    labels = assessment_labels(lang)
    text = pl.col("assessment").cast(pl.String).replace_strict(labels, default=None)
    if "assessment_suppressed" in ranking.columns:
        text = marked(text, "assessment_suppressed")
    return ranking.with_columns(text.alias("assessment_text"))


def has_model(ranking: pl.DataFrame) -> bool:
    return bool(ranking["expected_uptake"].is_not_null().any())


def conditions_missing(conditions: pl.DataFrame) -> bool:
    """True when only the insured share is known (the dataset has no conditions table)."""
    return conditions["municipality"].is_null().sum() > 1


def ranked(ranking: pl.DataFrame, keep_order: bool = False) -> pl.DataFrame:
    """Municipalities with unemployed people, furthest above expected first."""
    frame = ranking.filter(pl.col("full_time_unemployed") > 0)
    if keep_order:
        return frame
    return frame.sort(["difference_rank", "rank", "municipality_name"], nulls_last=True)


def ranking_table(ranking: pl.DataFrame, lang: str, keep_order: bool = False
                  ) -> tuple[pl.DataFrame, dict[str, ColumnConfig]]:
    """The ranking as a typed frame with Danish labels and its column configuration.

    Numbers stay numbers (so every column sorts numerically); hidden cells are null and show
    the marker (``st.dataframe(placeholder=...)``); the name is pinned so actual, expected
    and difference stay in view on a narrow screen.
    """
    frame = with_assessment_text(ranked(ranking, keep_order), lang).select(
        "difference_rank", "municipality_name", "uptake", "expected_uptake", "difference",
        pl.col("assessment_text").alias("assessment"), "expected_lower", "expected_upper",
        "participations", "full_time_unemployed",
        (pl.col("insured_share") * 100).alias("insured_share"), "rank",
    )
    labels = {c: t(f"jobcentre.col.{c}", lang) for c in RANKING_COLUMNS}
    per_1000 = partial(st.column_config.NumberColumn, format="localized", step=0.1)
    config = {
        labels["difference_rank"]: st.column_config.NumberColumn(labels["difference_rank"],
                                                                  format="%d", width="small"),
        labels["municipality_name"]: st.column_config.TextColumn(labels["municipality_name"],
                                                                 pinned=True),
        labels["uptake"]: per_1000(labels["uptake"]),
        labels["expected_uptake"]: per_1000(labels["expected_uptake"]),
        labels["difference"]: per_1000(labels["difference"]),
        labels["assessment"]: st.column_config.TextColumn(labels["assessment"]),
        labels["expected_lower"]: per_1000(labels["expected_lower"]),
        labels["expected_upper"]: per_1000(labels["expected_upper"]),
        labels["participations"]: st.column_config.NumberColumn(labels["participations"],
                                                                format="localized", step=1),
        labels["full_time_unemployed"]: st.column_config.NumberColumn(
            labels["full_time_unemployed"], format="localized", step=1),
        labels["insured_share"]: st.column_config.ProgressColumn(
            labels["insured_share"], format="%.0f %%", min_value=0, max_value=100),
        labels["rank"]: st.column_config.NumberColumn(labels["rank"], format="%d", width="small"),
    }
    return frame.rename(labels), config


def render_ranking_table(ranking: pl.DataFrame, lang: str, key: str,
                         keep_order: bool = False) -> None:
    frame, config = ranking_table(ranking, lang, keep_order)
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config,
                 placeholder=SUPPRESSED_MARKER, key=key)


def no_unemployed_names(ranking: pl.DataFrame) -> list[str]:
    return ranking.filter(pl.col("full_time_unemployed") <= 0)["municipality_name"].to_list()


def _item(row: dict[str, Any], lang: str) -> str:
    flag = "" if row["assessment"] in ("above", "below") else t("jobcentre.summary.within", lang)
    difference = format_number(row["difference"], 1, lang)
    if row["difference"] > 0:
        difference = "+" + difference
    return t("jobcentre.summary.item", lang, name=_escape(row["municipality_name"]),
             difference=difference, flag=flag)


def summary_lines(ranking: pl.DataFrame, lang: str, chosen_code: int | None = None) -> list[str]:
    """The ranking in words: how many are above / below expected, the top and bottom five, and
    the chosen job centre. Only what is shown (not hidden) is named."""
    shown = ranking.filter(pl.col("difference").is_not_null() & pl.col("assessment").is_not_null())
    if shown.is_empty():
        return []
    counts = shown["assessment"].cast(pl.String).value_counts()
    count = dict(zip(counts["assessment"], counts["count"], strict=True))
    lines = [t("jobcentre.summary.counts", lang, above=count.get("above", 0),
               below=count.get("below", 0), middle=count.get("as_expected", 0))]
    ordered = shown.sort("difference", descending=True)
    top = [_item(r, lang) for r in ordered.head(SUMMARY_COUNT).iter_rows(named=True)
           if r["difference"] > 0]
    bottom = [_item(r, lang) for r in ordered.reverse().head(SUMMARY_COUNT).iter_rows(named=True)
              if r["difference"] < 0]
    if top:
        lines.append(t("jobcentre.summary.top", lang, names="; ".join(top)))
    if bottom:
        lines.append(t("jobcentre.summary.bottom", lang, names="; ".join(bottom)))
    flagged = []
    for direction in ("above", "below"):
        names = ordered.filter(pl.col("assessment") == direction)["municipality_name"].to_list()
        if direction == "below":
            names.reverse()
        if names:
            flagged.append(t(f"jobcentre.summary.flagged_{direction}", lang,
                             names=", ".join(_escape(n) for n in names)))
    if flagged:
        lines.append(" ".join(flagged))
    if chosen_code is not None:
        mine = ranking.filter(pl.col("municipality_code") == chosen_code)
        if mine.height and mine["expected_uptake"][0] is not None:
            row = mine.row(0, named=True)
            assessment = (SUPPRESSED_MARKER if row["assessment"] is None
                          else t(f"jobcentre.assessment.{row['assessment']}", lang).lower())
            lines.append(t(
                "jobcentre.summary.chosen", lang, name=_escape(row["municipality_name"]),
                actual=format_number(row["uptake"], 1, lang, suppressed=row["uptake_suppressed"]),
                expected=format_number(row["expected_uptake"], 1, lang),
                lower=format_number(row["expected_lower"], 1, lang),
                upper=format_number(row["expected_upper"], 1, lang), assessment=assessment))
    return lines


# ------------------------------------------------------------------ one job centre's conditions


def conditions_table(conditions: pl.DataFrame, name: str, area_name: str, lang: str
                     ) -> tuple[pl.DataFrame, dict[str, ColumnConfig]]:
    """Condition × (municipality, area, country), shares in per cent, typed."""
    scale = pl.when(pl.col("condition").is_in(list(SHARE_CONDITIONS))).then(100.0).otherwise(1.0)
    # one decimal, none for the population (the column's format shows what the value holds)
    decimals = pl.when(pl.col("condition") == "population").then(0).otherwise(1)
    frame = conditions.with_columns(
        *((pl.col(c) * scale * 10 ** decimals).round(0) / 10 ** decimals
          for c in ("municipality", "area", "country")),
    ).with_columns(
        pl.col("condition").replace_strict(
            {k: t(f"model.condition.{k}", lang) for k in CONDITION_KEYS}, default=pl.col("condition")),
    ).select("condition", "municipality", "area", "country")
    labels = {"condition": t("jobcentre.conditions.col.condition", lang), "municipality": name,
              "area": area_name, "country": t("jobcentre.conditions.col.country", lang)}
    config = {labels["condition"]: st.column_config.TextColumn(labels["condition"], pinned=True)}
    for column in ("municipality", "area", "country"):
        config[labels[column]] = st.column_config.NumberColumn(labels[column], format="localized")
    return frame.rename(labels), config


def conditions_note(lang: str) -> str:
    """Which rows are per cent (shares) — said once under the table."""
    shares = ", ".join(t(f"model.condition.{k}", lang).lower() for k in CONDITION_KEYS
                       if k in SHARE_CONDITIONS)
    return t("model.shares_note", lang, shares=shares)


# ------------------------------------------------------------------ the model


def coefficient_table(model: UptakeModel, lang: str
                      ) -> tuple[pl.DataFrame, dict[str, ColumnConfig]]:
    """Per year and condition: the step, the change in expected uptake (%) and its interval."""
    order = {k: i for i, k in enumerate(CONDITION_KEYS)}
    frame = model.coefficients.with_columns(
        pl.col("condition").replace_strict(order, return_dtype=pl.Int32).alias("_order"),
    ).sort(["year", "_order"], descending=[True, False]).select(
        "year",
        pl.col("condition").replace_strict(
            {k: t(f"model.condition.{k}", lang) for k in CONDITION_KEYS}).alias("condition"),
        pl.col("condition").replace_strict(
            {k: t(f"model.step.{k}", lang) for k in CONDITION_KEYS}).alias("step"),
        (pl.col("rate_ratio") - 1).alias("change"),
        (pl.col("ratio_lower") - 1).alias("lower"),
        (pl.col("ratio_upper") - 1).alias("upper"),
    )
    labels = {c: t(f"model.col.{c}", lang) for c in frame.columns}
    # shares shown as per cent with 1 decimal
    percent = partial(st.column_config.NumberColumn, format="percent", step=0.001)
    config = {
        labels["year"]: st.column_config.NumberColumn(labels["year"], format="%d", width="small"),
        labels["condition"]: st.column_config.TextColumn(labels["condition"], pinned=True),
        labels["step"]: st.column_config.TextColumn(labels["step"]),
        labels["change"]: percent(labels["change"]),
        labels["lower"]: percent(labels["lower"]),
        labels["upper"]: percent(labels["upper"]),
    }
    return frame.rename(labels), config


def fit_lines(model: UptakeModel, lang: str) -> list[str]:
    lines = []
    for row in model.fit.sort("year", descending=True).iter_rows(named=True):
        if not row["municipalities"]:
            lines.append(t("model.no_fit", lang, year=row["year"]))
            continue
        lines.append(t("model.fit", lang, year=row["year"],
                       explained=format_percent(row["deviance_explained"], 0, lang),
                       n=row["municipalities"], conditions_year=row["conditions_year"] or "–",
                       alpha=format_number(row["alpha"], 3, lang)))
    return lines


def coefficient_sentences(model: UptakeModel, lang: str) -> list[str]:
    """The latest modelled year's coefficients in plain words."""
    if model.coefficients.is_empty():
        return []
    latest = model.coefficients.filter(pl.col("year") == model.coefficients["year"].max())
    sentences = []
    for condition in MODEL_CONDITIONS:
        rows = latest.filter(pl.col("condition") == condition.key)
        if rows.is_empty():
            continue
        row = rows.row(0, named=True)
        change = (row["rate_ratio"] - 1) * 100
        pct = format_number(abs(change), 1, lang) + (" %" if lang == "da" else "%")
        words = t("model.higher" if change >= 0 else "model.lower", lang, pct=pct)
        clear = "" if (row["ratio_lower"] > 1 or row["ratio_upper"] < 1) else t("model.unclear", lang)
        sentences.append("- " + t(
            "model.sentence", lang, condition=t(f"model.condition.{condition.key}", lang),
            step=t(f"model.step.{condition.key}", lang), change=words,
            lower=format_percent(row["ratio_lower"] - 1, 1, lang),
            upper=format_percent(row["ratio_upper"] - 1, 1, lang), clear=clear))
    return sentences


def render_uptake_model_section(ctx: AppContext, filters: Filters | None = None,
                                heading: bool = True) -> None:
    """The model in plain words: fit per year, the latest year's effects, all years as a table,
    and a download. Self-contained: the Data page calls it once."""
    lang = ctx.lang
    filters = filters or ctx.filters
    model = ctx.cached(measures.compute_uptake_model)(filters)
    if heading:
        st.subheader(t("model.title", lang), help=t("jobcentre.expected_help", lang))
    st.markdown(t("model.intro", lang))
    for line in fit_lines(model, lang):
        st.markdown(line)
    sentences = coefficient_sentences(model, lang)
    if sentences:
        st.markdown("\n".join(sentences))
        table, config = coefficient_table(model, lang)
        st.dataframe(table, hide_index=True, width="stretch", column_config=config)
        st.download_button(
            t("jobcentre.download_model", lang), key=f"model-xlsx-{heading}", on_click="ignore",
            file_name=exports.export_filename("forventet-brug-model", filters.short_name(),
                                              ctx.dataset.version, datetime.now().date(), "xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            data=lambda: model_excel(ctx, model, filters))


# ------------------------------------------------------------------ downloads


def column_definitions(lang: str) -> list[Measure | dict[str, str]]:
    """Definitions of the ranking's columns for the Excel definitions sheet."""
    uptake = get_measure("jobcentre_uptake")
    source = uptake.source(lang)
    items: list[Measure | dict[str, str]] = [uptake]
    for key in ("expected_uptake", "expected_lower", "expected_upper", "difference", "ratio",
                "assessment", "difference_rank", "rank", "participations",
                "full_time_unemployed", "insured_share"):
        unit = "per_1000" if key.startswith("expected") or key == "difference" else ""
        items.append({"key": key, "title": t(f"jobcentre.col.{key}", lang),
                      "definition": t(f"jobcentre.def.{key}", lang), "unit": unit,
                      "source": source})
    return items


def ranking_export(ranking: pl.DataFrame, lang: str, keep_order: bool = False) -> pl.DataFrame:
    """The ranking as downloaded: codes as column names (defined on the definitions sheet),
    the assessment in words, hidden cells kept hidden."""
    frame = with_assessment_text(ranked(ranking, keep_order), lang)
    keep = [c for c in ("difference_rank", "municipality_code", "municipality_name", "area_code",
                        "uptake", "uptake_suppressed", "expected_uptake", "expected_lower",
                        "expected_upper", "difference", "difference_suppressed", "ratio",
                        "ratio_suppressed", "participations", "participations_suppressed",
                        "full_time_unemployed", "insured_share", "rank") if c in frame.columns]
    return frame.select(*keep, pl.col("assessment_text").alias("assessment"))


def ranking_excel(ctx: AppContext, ranking: pl.DataFrame, title: str) -> bytes:
    return exports.to_excel_bytes(
        ranking_export(ranking, ctx.lang), title=title, definitions=column_definitions(ctx.lang),
        filters_description=ctx.filters.describe(ctx.lang),
        filters_params=ctx.filters.to_query_params(), data_version=ctx.dataset.version,
        exported_at=datetime.now(), lang=ctx.lang, disclosure_threshold=ctx.threshold)


def render_ranking_downloads(ctx: AppContext, ranking: pl.DataFrame, title: str) -> None:
    """Excel with the ranking, the definitions of its columns and the filters; CSV for Danish
    Excel. Built only when clicked."""
    name = exports.export_filename("jobcentre-rangliste", ctx.filters.short_name(),
                                   ctx.dataset.version, datetime.now().date(), "xlsx")
    left, right = st.columns(2)
    left.download_button(
        t("jobcentre.download_ranking", ctx.lang), key="jc-ranking-xlsx", on_click="ignore",
        file_name=name, mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        data=lambda: ranking_excel(ctx, ranking, title))
    right.download_button(
        t("download.csv_da", ctx.lang), key="jc-ranking-csv", on_click="ignore",
        file_name=name[:-4] + "csv", mime="text/csv",
        data=lambda: exports.to_csv_bytes(ranking_export(ranking, ctx.lang), "da"),
        help=t("download.csv_da.help", ctx.lang))


def model_export(model: UptakeModel, lang: str) -> pl.DataFrame:
    """Coefficients per year with the year's fit beside them."""
    return model.coefficients.join(model.fit, on="year", how="left").with_columns(
        pl.col("condition").replace_strict(
            {k: t(f"model.condition.{k}", lang) for k in CONDITION_KEYS}).alias("condition_title"),
    ).sort("year", "condition")


def model_excel(ctx: AppContext, model: UptakeModel, filters: Filters) -> bytes:
    lang = ctx.lang
    definitions = [{"key": key, "title": title, "definition": t(f"jobcentre.def.model.{key}", lang),
                    "unit": "", "source": ""}
                   for key, title in (("estimate", "β"), ("std_error", "SE"),
                                      ("rate_ratio", t("model.col.change", lang)),
                                      ("ratio_lower", t("model.col.lower", lang)),
                                      ("ratio_upper", t("model.col.upper", lang)),
                                      ("deviance_explained", t("model.col.explained", lang)),
                                      ("alpha", t("model.col.alpha", lang)),
                                      ("municipalities", t("model.col.municipalities", lang)))]
    return exports.to_excel_bytes(
        model_export(model, lang), title=t("model.title", lang), definitions=definitions,
        filters_description=filters.describe(lang), filters_params=filters.to_query_params(),
        data_version=ctx.dataset.version, exported_at=datetime.now(), lang=lang,
        disclosure_threshold=ctx.threshold)


def trend_display(trend: pl.DataFrame, municipality_name: str, scheme: AreaScheme, lang: str) -> pl.DataFrame:
    """The trend's levels named: the municipality, its area, the whole country."""
    area_names = geography.area_names(scheme, lang)
    names = {
        "municipality": municipality_name,
        "country": t("filters.all_country", lang),
    }
    return trend.with_columns(
        pl.when(pl.col("level") == "area")
        .then(pl.col("area_code").replace_strict(area_names, default=pl.col("area_code")))
        .otherwise(pl.col("level").replace_strict(names, default=pl.col("level")))
        .alias("group")
    ).select("period", "group", "value", "value_suppressed")


def trend_wide(trend_table: pl.DataFrame, lang: str, grain: str
               ) -> tuple[pl.DataFrame, dict[str, ColumnConfig]]:
    """The trend as one row per period and one typed column per level (hidden cells null)."""
    groups = list(dict.fromkeys(trend_table["group"].to_list()))
    wide = trend_table.pivot(on="group", index="period", values="value",
                             aggregate_function="first").sort("period")
    period_label = t(f"grain.{grain}", lang)
    frame = wide.select(pl.col("period").alias(period_label), *groups)
    config = {period_label: st.column_config.DateColumn(
        period_label, format=t(f"format.table.{grain}", lang), pinned=True)}
    for group in groups:
        config[group] = st.column_config.NumberColumn(group, format="localized", step=0.1)
    return frame, config


def render_trend_block(ctx: AppContext, *, title: str, chart: AltairChart, trend_table: pl.DataFrame,
                       grain: str, subject: str, help_text: str) -> None:
    """Chart | table (typed: sorts as numbers and dates) and the downloads of the long table."""
    st.subheader(title, help=help_text)
    if trend_table.is_empty():
        components.render_no_data(ctx.lang)
        return
    tab_chart, tab_table = st.tabs([t("tab.chart", ctx.lang), t("tab.table", ctx.lang)])
    with tab_chart:
        st.altair_chart(chart, width="stretch")
    with tab_table:
        frame, config = trend_wide(trend_table, ctx.lang, grain)
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config,
                     placeholder=SUPPRESSED_MARKER)
    with st.expander(t("download.title", ctx.lang)):
        components.render_downloads(ctx, trend_table, subject=subject, title=title, key="jc-trend",
                                    chart=chart, measures=["jobcentre_uptake"])

