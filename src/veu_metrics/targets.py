"""Target progress: each area's yearly VEU strategy goals against the year to date.

Year to date is January to the last complete month with data in the target year. The full-year
projection divides it by the share of a full year that the same months made up in the previous
(up to 3) complete years of data, for the same area and focus area — the area's own seasonal
profile. Without such a year the share is months elapsed ÷ 12. Shares and rates are not
projected: the projection is the year-to-date value. On track: projection ≥ target (≤ for a
measure where lower is better).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from veu_metrics import geography
from veu_metrics.aggregate import MeasureError, disclose, measure_of, measure_table
from veu_metrics.catalogue import load_catalogue
from veu_metrics.disclosure import flag_column
from veu_metrics.facts import Facts
from veu_metrics.filters import Filters
from veu_metrics.periods import month_start

PROFILE_YEARS = 3

_COLUMNS = {
    "measure": pl.String, "focus_area": pl.String, "target": pl.Float64,
    "actual_ytd": pl.Float64, "actual_ytd_suppressed": pl.Boolean,
    "projection": pl.Float64, "projection_suppressed": pl.Boolean,
    "share_of_target": pl.Float64, "share_of_target_suppressed": pl.Boolean,
    "months_elapsed": pl.Int32, "expected_share_of_year": pl.Float64, "on_track": pl.Boolean,
    "expected_by_now": pl.Float64,
}


def _seasonal_share(facts: Facts, filters: Filters, measure_key: str, year: int, months: int
                    ) -> float:
    """Share of a full year's activity that January..month ``months`` held in earlier years."""
    m = measure_of("participations" if measure_key == "persons" else measure_key)
    first_complete = facts.covers_from.year + (0 if facts.covers_from <= date(
        facts.covers_from.year, 1, 1) else 1)
    years = [y for y in range(year - PROFILE_YEARS, year) if y >= first_complete
             and date(y, 12, 1) <= facts.last_month]
    if not years:
        return months / 12
    first, last = date(years[0], 1, 1), date(years[-1], 12, 1)
    monthly = measure_table(facts, filters.with_changes(period_from=first, period_to=last), m,
                            first=first, last=last, grain="month")
    by_year = monthly.group_by(pl.col("period").dt.year().alias("year")).agg(
        pl.col("numerator").sum().alias("total"),
        pl.col("numerator").filter(pl.col("period").dt.month() <= months).sum().alias("done"),
    ).filter(pl.col("total") > 0)
    if by_year.height == 0:
        return months / 12
    share = (by_year["done"] / by_year["total"]).mean()
    assert isinstance(share, float)  # the mean of a non-empty Float64 column
    return share


def compute_target_progress(facts: Facts, area_scheme: str, area_code: str, year: int, *,
                            threshold: int, as_of: date | None = None) -> pl.DataFrame:
    """Progress on each target of an area for a year (one row per measure × focus area).

    Columns: ``measure``, ``focus_area`` (null = the whole area), ``target``, ``actual_ytd``,
    ``projection``, ``share_of_target`` (projection ÷ target) — each with ``_suppressed`` —
    ``months_elapsed``, ``expected_share_of_year``, ``on_track`` (null when unknown or hidden)
    and ``expected_by_now`` (where the area would be now on the way to its target, by the seasonal
    profile: target × expected share of the year; for a rate, the target itself).
    Targets for measures missing from the catalogue are left out.
    """
    if area_scheme not in ("rar", "council") or not geography.is_scheme(area_scheme):
        raise MeasureError(f"targets are set per 'rar' or 'council' area, not {area_scheme!r}")
    if area_code not in geography.area_names(area_scheme):
        raise MeasureError(f"unknown {area_scheme} area {area_code!r}")
    targets = facts.targets.filter(
        (pl.col("year") == year) & (pl.col("area_scheme") == area_scheme)
        & (pl.col("area_code") == area_code)
        & pl.col("measure").is_in(list(load_catalogue()))
    ).with_columns(pl.col("focus_area").cast(pl.String)).sort(
        ["measure", "focus_area"], nulls_last=False)
    last = min(month_start(as_of) if as_of else facts.last_month, date(year, 12, 1))
    months = last.month if last.year == year else 0
    rows: list[dict[str, object]] = []
    for target in targets.iter_rows(named=True):
        m = measure_of(target["measure"])
        filters = Filters(
            period_from=date(year, 1, 1), period_to=max(last, date(year, 1, 1)),
            scheme=area_scheme, areas=(area_code,),
            focus_areas=(target["focus_area"],) if target["focus_area"] else (),
        )
        row: dict[str, object] = {"measure": m.key, "focus_area": target["focus_area"],
                                  "target": target["target"], "months_elapsed": months,
                                  "actual_ytd": None, "actual_ytd_suppressed": False,
                                  "expected_share_of_year": 0.0}
        if months:
            row["_parts"] = measure_table(facts, filters, m, first=filters.period_from,
                                          last=filters.period_to).row(0, named=True)
            row["expected_share_of_year"] = (
                1.0 if m.kind == "rate" else _seasonal_share(facts, filters, m.key, year, months))
        rows.append(row)
    if not rows:
        return pl.DataFrame(schema=_COLUMNS)
    _disclose_actuals(rows, threshold)
    frame = pl.DataFrame([{k: v for k, v in r.items() if k != "_parts"} for r in rows],
                         schema={k: _COLUMNS[k] for k in (
                             "measure", "focus_area", "target", "months_elapsed", "actual_ytd",
                             "actual_ytd_suppressed", "expected_share_of_year")}, orient="row")
    catalogue = load_catalogue()
    is_rate = pl.col("measure").replace_strict(
        {k: m.kind == "rate" for k, m in catalogue.items()}, return_dtype=pl.Boolean)
    lower_better = pl.col("measure").replace_strict(
        {k: not m.higher_is_better for k, m in catalogue.items()}, return_dtype=pl.Boolean)
    projection = (
        pl.when(is_rate).then(pl.col("actual_ytd"))
        .when(pl.col("expected_share_of_year") > 0)
        .then(pl.col("actual_ytd") / pl.col("expected_share_of_year"))
        .otherwise(None)
    )
    frame = frame.with_columns(projection.alias("projection")).with_columns(
        pl.col("actual_ytd_suppressed").alias(flag_column("projection")),
        pl.when(pl.col("target") > 0).then(pl.col("projection") / pl.col("target"))
        .alias("share_of_target"),
        pl.col("actual_ytd_suppressed").alias(flag_column("share_of_target")),
        pl.when(pl.col("projection").is_null()).then(None)
        .when(lower_better).then(pl.col("projection") <= pl.col("target"))
        .otherwise(pl.col("projection") >= pl.col("target")).alias("on_track"),
        pl.when(is_rate).then(pl.col("target"))
        .otherwise(pl.col("target") * pl.col("expected_share_of_year")).alias("expected_by_now"),
    )
    return frame.select(list(_COLUMNS))


def target_date_range(year: int, last_month: date) -> tuple[date, date] | None:
    """The months of a strategy year that have data: January to the last month with data (or
    December); None when the year has not begun in the data."""
    first = date(year, 1, 1)
    last = min(month_start(last_month), date(year, 12, 1))
    return (first, last) if last >= first else None


def status_in_brief(progress: pl.DataFrame, labels: list[str], *, lang: str,
                    change_row: dict[str, Any] | None = None, change_title: str | None = None) -> str:
    """A short, plain paragraph from the figures, e.g. "3 af 8 mål er bagud. Kursusdeltagelser
    er 6,0 % over samme periode sidste år. Længst fremme: … Længst bagud: …".

    ``progress`` is ``compute_target_progress``'s frame, ``labels`` a readable name per row.
    ``change_row`` is a row of ``measures.compute_kpis`` (for the change from a year earlier).
    """
    from veu_metrics.formatting import format_percent
    from veu_metrics.i18n import t

    sentences: list[str] = []
    judged = [(label, row) for label, row in zip(labels, progress.iter_rows(named=True), strict=True)
              if row["on_track"] is not None]
    total = progress.height
    behind = [label for label, row in judged if not row["on_track"]]
    if total:
        if not judged:
            sentences.append(t("brief.none_judged", lang, n=total))
        elif not behind:
            sentences.append(t("brief.all_on_track", lang, n=len(judged)))
        else:
            sentences.append(t("brief.behind", lang, behind=len(behind), n=total))
        if len(judged) < total and judged:
            sentences.append(t("brief.not_judged", lang, n=total - len(judged)))
    if change_row and change_title and change_row.get("previous_available") \
            and change_row.get("change_pct") is not None and not change_row.get("change_suppressed"):
        pct = change_row["change_pct"]
        key = "brief.change_up" if pct > 0 else ("brief.change_down" if pct < 0 else "brief.change_flat")
        sentences.append(t(key, lang, measure=change_title, pct=format_percent(abs(pct), 1, lang)))
    shares = [(label, row["share_of_target"]) for label, row in judged
              if row["share_of_target"] is not None and not row["share_of_target_suppressed"]]
    if len(shares) >= 2:
        best = max(shares, key=lambda p: p[1])
        worst = min(shares, key=lambda p: p[1])
        sentences.append(t("brief.best", lang, label=best[0], share=format_percent(best[1], 0, lang)))
        if worst[1] < 1 and worst[0] != best[0]:
            sentences.append(t("brief.worst", lang, label=worst[0],
                               share=format_percent(worst[1], 0, lang)))
    return " ".join(sentences)


def _disclose_actuals(rows: list[dict[str, object]], threshold: int) -> None:
    """Fill ``actual_ytd`` with disclosure control, per measure.

    Each row is a cell of its own (cell-key perturbation, see ``disclosure``): the same area,
    year and focus area give the same figure here as on every other page.
    """
    by_measure: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        if "_parts" in row:
            by_measure.setdefault(str(row["measure"]), []).append(row)
    for key, group in by_measure.items():
        m = measure_of(key)
        parts = pl.DataFrame([g["_parts"] for g in group]).with_columns(
            pl.col("value").cast(pl.Float64))
        shown = disclose(parts, m, threshold=threshold)
        for row, value, hidden in zip(group, shown["value"], shown["value_suppressed"], strict=True):
            row["actual_ytd"] = value
            row["actual_ytd_suppressed"] = hidden
