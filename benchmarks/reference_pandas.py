"""The pages' computations in plain pandas (benchmark code only: never used by the app).

Starts from the core's denormalised facts exported as Parquet (``prepare.export_facts``), loaded
into ordinary pandas frames (categoricals for the enum columns, nullable booleans where a value
may be unknown, datetime64 months). Each ``page_*`` function computes the un-suppressed
aggregates the page shows and returns them as comparable tables (``common.table``). Written the
way an analyst would write pandas: boolean masks, ``groupby``, ``reindex``; no disclosure control.
Imports neither Polars nor the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.common import table

UNEMPLOYED_ONLY = {"employment_rate_3m", "employment_rate_6m", "jobcentre_uptake"}
COURSE_MEASURES = {"courses_started", "job_veu_courses", "job_veu_share"}
END_ANCHORED = {"completion_rate", "employment_rate_3m", "employment_rate_6m"}
RATES = {"shortage_share", "completion_rate", "employment_rate_3m", "employment_rate_6m",
         "job_veu_share", "jobcentre_uptake"}
COUNTS = {"participations", "courses_started", "job_veu_courses", "persons"}
SHORTAGE = ("Mangel", "Paradoks")
INSURED = "Forsikret ledig"
KPI_SCOPES = ("current", "previous", "national", "national_previous")
EFFEKTER_SERIES = ("completion_rate", "employment_rate_3m", "employment_rate_6m")


@dataclass
class Data:
    part: pd.DataFrame
    courses: pd.DataFrame
    unemp: pd.DataFrame
    balance: pd.DataFrame
    targets: pd.DataFrame
    spec: dict[str, Any]


def _read(path: Path) -> pd.DataFrame:
    frame = pq.read_table(path).to_pandas(
        date_as_object=False,
        types_mapper={pa.bool_(): pd.BooleanDtype()}.get,
    )
    # Booleans without unknowns are plain numpy booleans (faster masks); others stay nullable.
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.BooleanDtype) and not frame[column].hasnans:
            frame[column] = frame[column].astype(bool)
    return frame


def load(facts_dir: Path, spec: dict[str, Any]) -> Data:
    return Data(
        part=_read(facts_dir / "participations.parquet"),
        courses=_read(facts_dir / "courses.parquet"),
        unemp=_read(facts_dir / "unemployment.parquet"),
        balance=_read(facts_dir / "balance.parquet"),
        targets=_read(facts_dir / "targets.parquet"),
        spec=spec,
    )


# --------------------------------------------------------------------------------- primitives
def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def _months(first: pd.Timestamp, last: pd.Timestamp, grain: str) -> list[pd.Timestamp]:
    if grain == "month":
        return list(pd.date_range(first, last, freq="MS"))
    start = first.to_period("Q").start_time
    return list(pd.date_range(start, last, freq="QS"))


def _period_key(column: pd.Series, grain: str) -> pd.Series:
    if grain == "month":
        return column
    return column.dt.to_period("Q").dt.start_time


def _value(measure: str, numerator: float, denominator: float) -> Any:
    if measure in RATES:
        if not denominator or denominator <= 0:
            return None
        scale = 1000.0 if measure == "jobcentre_uptake" else 1.0
        return numerator / denominator * scale
    if measure in COUNTS:
        return int(round(numerator))
    return numerator


def _area_column(scheme: str, course: bool) -> str:
    prefix = "provider_" if course else ""
    return f"{prefix}municipality_code" if scheme == "municipality" else f"{prefix}{scheme}_code"


def measure_rows(d: Data, measure: str, first: pd.Timestamp, last: pd.Timestamp,
                 codes: list[int] | None, focus: str | None = None) -> pd.DataFrame:
    """The rows a measure counts: its period on its anchor month, the area, unemployed only."""
    if measure in COURSE_MEASURES:
        frame = d.courses
        mask = ~frame["cancelled"] & frame["start_month"].between(first, last)
        if codes is not None:
            mask &= frame["provider_municipality_code"].isin(codes)
    else:
        frame = d.part
        anchor = "end_month" if measure in END_ANCHORED else "start_month"
        mask = frame[anchor].between(first, last)
        if codes is not None:
            mask &= frame["municipality_code"].isin(codes)
        if measure in UNEMPLOYED_ONLY:
            mask &= frame["unemployed"]
    if focus is not None:
        mask &= frame["focus_area"] == focus
    return frame[mask]


def parts(rows: pd.DataFrame, measure: str) -> tuple[float, float]:
    """(numerator, denominator) of a measure over its rows."""
    n = float(len(rows))
    if measure in ("participations", "courses_started", "jobcentre_uptake"):
        return n, 0.0
    if measure == "persons":
        return float(rows["person_id"].nunique()), 0.0
    if measure == "aarselever":
        return float(rows["course_days"].astype("float64").sum()) / 200.0, 0.0
    if measure == "shortage_share":
        return float(rows["shortage"].sum()), n
    if measure == "job_veu_courses":
        return float(rows["job_veu"].sum()), 0.0
    if measure == "job_veu_share":
        return float(rows["job_veu"].sum()), n
    if measure == "completion_rate":
        return float(rows["completed"].sum()), float(rows["completed"].count())
    if measure in ("employment_rate_3m", "employment_rate_6m"):
        column = "employed_3m" if measure.endswith("3m") else "employed_6m"
        return float(rows[column].sum()), float(rows[column].count())
    raise KeyError(measure)


def grouped_parts(rows: pd.DataFrame, measure: str, keys: list[pd.Series]) -> pd.DataFrame:
    """numerator and denominator per group (groups with rows only)."""
    grouped = rows.groupby(keys, observed=True, dropna=False, sort=False)
    if measure in ("participations", "courses_started", "jobcentre_uptake"):
        numerator = grouped.size().astype("float64")
        denominator = numerator * 0.0
    elif measure == "persons":
        numerator = grouped["person_id"].nunique().astype("float64")
        denominator = numerator * 0.0
    elif measure == "aarselever":
        numerator = grouped["course_days"].sum().astype("float64") / 200.0
        denominator = numerator * 0.0
    elif measure in ("shortage_share", "job_veu_share", "job_veu_courses"):
        column = "shortage" if measure == "shortage_share" else "job_veu"
        numerator = grouped[column].sum().astype("float64")
        denominator = grouped.size().astype("float64")
    else:
        column = {"completion_rate": "completed", "employment_rate_3m": "employed_3m",
                  "employment_rate_6m": "employed_6m"}[measure]
        numerator = grouped[column].sum().astype("float64")
        denominator = grouped[column].count().astype("float64")
    return pd.DataFrame({"numerator": numerator, "denominator": denominator})


def unemployment_average(d: Data, first: pd.Timestamp, last: pd.Timestamp,
                         codes: list[int] | None, by: str | None = None,
                         grain: str | None = None) -> pd.DataFrame:
    """Average monthly full-time (and insured) unemployed per period and/or area key."""
    u = d.unemp
    mask = u["month"].between(first, last)
    if codes is not None:
        mask &= u["municipality_code"].isin(codes)
    u = u[mask]
    keys = ["month"] + ([by] if by else [])
    monthly = u.groupby(keys, observed=True).agg(
        full_time_unemployed=("full_time_unemployed", "sum"),
        insured_unemployed=("insured_unemployed", lambda s: s.sum() if s.notna().all() else np.nan),
    ).reset_index()
    out_keys = []
    if grain is not None:
        monthly["period"] = _period_key(monthly["month"], grain)
        out_keys.append("period")
    if by:
        out_keys.append(by)
    if not out_keys:
        return monthly[["full_time_unemployed", "insured_unemployed"]].mean().to_frame().T
    return monthly.groupby(out_keys, observed=True)[
        ["full_time_unemployed", "insured_unemployed"]].mean()


# ------------------------------------------------------------------------------- page pieces
def kpis(d: Data, sc: dict[str, Any], codes: list[int] | None) -> dict:
    windows = {"current": (sc["period_from"], sc["period_to"]),
               "previous": (sc["previous_from"], sc["previous_to"])}
    rows = []
    for measure in d.spec["kpi_measures"]:
        for scope in KPI_SCOPES:
            first, last = windows["previous" if scope.endswith("previous") else "current"]
            if scope.endswith("previous") and not sc["previous_available"]:
                rows.append((measure, scope, None))
                continue
            area = None if scope.startswith("national") else codes
            selected = measure_rows(d, measure, _ts(first), _ts(last), area)
            rows.append((measure, scope, _value(measure, *parts(selected, measure))))
    return table(["measure", "scope"], ["value"], rows)


def series(d: Data, measure: str, first: str, last: str, grain: str,
           codes: list[int] | None) -> list[tuple]:
    lo, hi = _ts(first), _ts(last)
    selected = measure_rows(d, measure, lo, hi, codes)
    anchor = "end_month" if measure in END_ANCHORED else "start_month"
    if measure in COURSE_MEASURES:
        anchor = "start_month"
    grouped = grouped_parts(selected, measure, [_period_key(selected[anchor], grain)])
    grid = _months(lo, hi, grain)
    grouped = grouped.reindex(grid, fill_value=0.0)
    return [(period, _value(measure, n, den)) for period, n, den in
            zip(grid, grouped["numerator"], grouped["denominator"], strict=True)]


def area_table(d: Data, measure: str, first: str, last: str, scheme: str,
               selection: list[int] | None) -> list[tuple]:
    """(area_code, numerator, denominator, value) for every area of a scheme (or the selected
    municipalities, for the municipality scheme)."""
    restrict = scheme == "municipality" and selection is not None
    codes = selection if restrict else None
    if scheme == "municipality":
        grid = [str(c) for c in (selection if restrict else
                                 [m["code"] for m in d.spec["municipalities"]])]
    else:
        grid = list(d.spec["areas"][scheme])
    lo, hi = _ts(first), _ts(last)
    selected = measure_rows(d, measure, lo, hi, codes)
    column = _area_column(scheme, measure in COURSE_MEASURES)
    grouped = grouped_parts(selected, measure, [selected[column]])
    grouped.index = grouped.index.astype(str)
    grouped = grouped.reindex(grid, fill_value=0.0)
    if measure == "jobcentre_uptake":
        u = unemployment_average(d, lo, hi, codes, by=_area_column(scheme, False))
        u.index = u.index.astype(str)
        grouped["denominator"] = u["full_time_unemployed"].reindex(grid).fillna(0.0)
    return [(code, n, den, _value(measure, n, den)) for code, n, den in
            zip(grid, grouped["numerator"], grouped["denominator"], strict=True)]


def latest_courses(d: Data, first: str, last: str, codes: list[int] | None,
                   limit: int | None) -> pd.DataFrame:
    c = d.courses
    mask = ~c["cancelled"] & c["start_month"].between(_ts(first), _ts(last))
    if codes is not None:
        mask &= c["provider_municipality_code"].isin(codes)
    chosen = c.loc[mask, ["course_id", "provider", "start_date", "participants", "seats"]]
    chosen = chosen.sort_values(["start_date", "course_id"], ascending=[False, True])
    return chosen.head(limit) if limit is not None else chosen


def ranking_frame(d: Data, sc: dict[str, Any]) -> pd.DataFrame:
    """Per municipality (whole country): participations, unemployment, uptake, insured share."""
    lo, hi = _ts(sc["period_from"]), _ts(sc["period_to"])
    rows = measure_rows(d, "jobcentre_uptake", lo, hi, None)
    counts = rows.groupby("municipality_code").agg(
        participations=("labour_status", "size"),
        insured_participations=("labour_status", lambda s: int((s == INSURED).sum())),
    )
    unemployed = unemployment_average(d, lo, hi, None, by="municipality_code")
    base = pd.DataFrame(d.spec["municipalities"]).rename(columns={"code": "municipality_code"})
    frame = base.set_index("municipality_code").join(counts).join(unemployed)
    frame["participations"] = frame["participations"].fillna(0).astype("int64")
    frame["insured_participations"] = frame["insured_participations"].fillna(0).astype("int64")
    frame["full_time_unemployed"] = frame["full_time_unemployed"].fillna(0.0)
    positive = frame["full_time_unemployed"] > 0
    frame["uptake"] = (frame["participations"] / frame["full_time_unemployed"] * 1000).where(positive)
    frame["insured_share"] = (frame["insured_unemployed"] / frame["full_time_unemployed"]).where(positive)
    return frame.reset_index()


def _half_year_index(label: str) -> int:
    return int(label[:4]) * 2 + int(label[5]) - 1


def _published(d: Data, index: int) -> list[str]:
    b = d.balance
    return sorted(set(b.loc[b["half_year_index"] == index, "area_scheme"].astype(str)))


def _statuses(d: Data, index: int, scheme: str) -> pd.DataFrame:
    b = d.balance
    chosen = b[(b["half_year_index"] == index) & (b["area_scheme"] == scheme)]
    return chosen[["area_code", "occupation_code", "status"]].assign(
        status=lambda f: f["status"].astype(str))


def _widespread(d: Data, index: int, scheme: str) -> set[str]:
    def meets(idx: int) -> set[str] | None:
        schemes = _published(d, idx)
        if not schemes:
            return None
        used = scheme if scheme in schemes else schemes[0]
        s = _statuses(d, idx, used)
        s = s[(s["status"] == "Mangel")
              & ~s["area_code"].isin(d.spec["widespread_excluded_areas"][used])]
        counts = s.groupby("occupation_code").size()
        return set(counts[counts >= d.spec["widespread_min_areas"][used]].index)

    now, before = meets(index), meets(index - 1)
    if now is None or before is None:
        return set()
    return now & before & set(d.spec["vocational_occupations"])


def _area_of(d: Data, scheme: str) -> dict[int, str]:
    return {m["code"]: m[scheme] for m in d.spec["municipalities"]}


# ------------------------------------------------------------------------------------- pages
def page_overblik(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    codes = sc["selection"]
    spark_rows = []
    for m in d.spec["kpi_measures"]:
        spark_rows += [(m, p, v) for p, v in series(d, m, sc["spark_from"], sc["period_to"],
                                                    "month", codes)]
    trend = series(d, "participations", sc["history_from"], sc["period_to"], "quarter", codes)
    areas = area_table(d, "participations", sc["period_from"], sc["period_to"], sc["scheme"],
                       codes)
    rows = measure_rows(d, "participations", _ts(sc["period_from"]), _ts(sc["period_to"]), codes)
    focus = rows.groupby("focus_area", observed=True, dropna=False).size()
    focus = focus[focus > 0]
    total = float(focus.sum())
    return {
        "kpis": kpis(d, sc, codes),
        "sparklines": table(["measure", "period"], ["value"], spark_rows),
        "trend": table(["period"], ["value"], trend),
        "areas": table(["area_code"], ["value"], [(a, v) for a, _, _, v in areas]),
        "focus": table(["focus_area"], ["participations", "share"],
                       [(None if pd.isna(k) else k, int(n), n / total if total else None)
                        for k, n in focus.items()]),
    }


def _targets(d: Data, o: dict[str, Any]) -> list[tuple]:
    t = d.targets
    chosen = t[(t["year"] == o["year"]) & (t["area_scheme"] == o["scheme"])
               & (t["area_code"] == o["area_code"])]
    codes = o["selection"]
    months = o["months"]
    out = []
    for measure, focus in zip(chosen["measure"], chosen["focus_area"], strict=True):
        focus = None if pd.isna(focus) else str(focus)
        if not months:
            out.append((measure, focus, None, 0.0))
            continue
        ytd = measure_rows(d, measure, _ts(o["ytd_from"]), _ts(o["ytd_to"]), codes, focus)
        actual = _value(measure, *parts(ytd, measure))
        shares = []
        for year in o["profile_years"]:
            rows = measure_rows(d, measure, _ts(f"{year}-01-01"), _ts(f"{year}-12-01"), codes,
                                focus)
            monthly = grouped_parts(rows, measure, [rows["start_month"].dt.month])["numerator"]
            total = float(monthly.sum())
            if total > 0:
                shares.append(float(monthly[monthly.index <= months].sum()) / total)
        expected = sum(shares) / len(shares) if shares else months / 12
        out.append((measure, focus, None if actual is None else float(actual), expected))
    return out


def page_omraade(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    o = sc["omraade"]
    codes = o["selection"]
    others = area_table(d, "participations", sc["period_from"], sc["period_to"], o["scheme"], None)
    munis = area_table(d, "participations", sc["period_from"], sc["period_to"], "municipality",
                       codes)
    latest = latest_courses(d, sc["period_from"], sc["period_to"], codes, 15)
    return {
        "kpis": kpis(d, sc, codes),
        "targets": table(["measure", "focus_area"], ["actual_ytd", "expected_share_of_year"],
                         _targets(d, o)),
        "others": table(["area_code"], ["value"], [(a, v) for a, _, _, v in others]),
        "municipalities": table(["area_code"], ["value"], [(a, v) for a, _, _, v in munis]),
        "latest_courses": table(["position"], ["course_id", "participants"],
                                [(i, c, int(p)) for i, (c, p) in enumerate(
                                    zip(latest["course_id"], latest["participants"], strict=True))]),
    }


def _uptake_trend(d: Data, sc: dict[str, Any], codes: list[int] | None) -> list[tuple]:
    lo, hi = _ts(sc["history_from"]), _ts(sc["period_to"])
    rows = measure_rows(d, "jobcentre_uptake", lo, hi, codes)
    counts = rows.groupby(_period_key(rows["start_month"], "quarter")).size()
    grid = _months(lo, hi, "quarter")
    counts = counts.reindex(grid, fill_value=0).astype("float64")
    unemployed = unemployment_average(d, lo, hi, codes, grain="quarter")["full_time_unemployed"]
    unemployed = unemployed.reindex(grid).fillna(0.0)
    return [(p, _value("jobcentre_uptake", n, den)) for p, n, den in
            zip(grid, counts, unemployed, strict=True)]


def page_jobcentre(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    j = sc["jobcentre"]
    ranking = ranking_frame(d, sc)
    shown = ranking if sc["selection"] is None else ranking[
        ranking["municipality_code"].isin(sc["selection"])]
    uptake_map = area_table(d, "jobcentre_uptake", sc["period_from"], sc["period_to"],
                            "municipality", sc["selection"])
    trend = []
    for level, codes in (("municipality", [j["municipality"]]),
                         ("area", j["trend_area_selection"]), ("country", None)):
        trend += [(level, p, v) for p, v in _uptake_trend(d, sc, codes)]
    return {
        "ranking": table(["municipality_code"],
                         ["participations", "full_time_unemployed", "uptake", "insured_share"],
                         shown[["municipality_code", "participations", "full_time_unemployed",
                                "uptake", "insured_share"]].itertuples(index=False)),
        "map": table(["area_code"], ["numerator", "denominator", "value"], uptake_map),
        "trend": table(["level", "period"], ["value"], trend),
    }


def page_mangel(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    half_year = sc["mangel"]["half_year"]
    index = _half_year_index(half_year)
    schemes = _published(d, index)
    used = "council" if "council" in schemes else schemes[0]
    statuses = _statuses(d, index, used)
    widespread = _widespread(d, index, used)
    in_shortage = statuses["status"].isin(SHORTAGE)
    shortage_areas = statuses[in_shortage].groupby("occupation_code").size()
    matrix = statuses.assign(
        shortage_areas=statuses["occupation_code"].map(shortage_areas).fillna(0).astype(int),
        widespread=statuses["occupation_code"].isin(widespread))
    # Changes against the previous half-year in the same scheme
    if used in _published(d, index - 1):
        previous = _statuses(d, index - 1, used).rename(columns={"status": "previous_status"})
        joined = statuses.merge(previous, on=["area_code", "occupation_code"], how="left")
        now = joined["status"].isin(SHORTAGE)
        before = joined["previous_status"].isin(SHORTAGE)
        change = np.select(
            [joined["previous_status"].isna(), now & ~before, ~now & before,
             joined["status"] != joined["previous_status"]],
            ["new", "new_shortage", "ended_shortage", "changed"], default="unchanged")
        changes = list(zip(joined["occupation_code"], joined["area_code"],
                           joined["previous_status"].where(joined["previous_status"].notna(), None),
                           change, strict=True))
    else:
        changes = [(o, a, None, "not_comparable") for o, a in
                   zip(statuses["occupation_code"], statuses["area_code"], strict=True)]
    # Activity in shortage occupations (shortage looked up in the areas of the selection)
    local = statuses
    if sc["selection"] is not None:
        area_of = _area_of(d, used)
        local = statuses[statuses["area_code"].isin({area_of[c] for c in sc["selection"]})]
    local = local[local["status"].isin(SHORTAGE)]
    per_occupation = local.groupby("occupation_code").agg(
        shortage_areas=("status", "size"), mangel_areas=("status", lambda s: int((s == "Mangel").sum())))
    lo, hi = _ts(sc["period_from"]), _ts(sc["period_to"])
    participations = measure_rows(d, "participations", lo, hi, sc["selection"]).groupby(
        "occupation_code", observed=True).size()
    courses = measure_rows(d, "courses_started", lo, hi, sc["selection"]).groupby(
        "occupation_code").size()
    per_occupation["participations"] = participations.reindex(per_occupation.index).fillna(0).astype(int)
    per_occupation["courses_started"] = courses.reindex(per_occupation.index).fillna(0).astype(int)
    activity = [(o, int(r.shortage_areas), int(r.mangel_areas), o in widespread,
                 int(r.participations), int(r.courses_started))
                for o, r in per_occupation.iterrows()]
    limit = max(d.spec["blind_spot_limit"], 1)
    return {
        "matrix": table(["occupation_code", "area_code"],
                        ["status", "shortage_areas", "widespread_shortage"],
                        matrix[["occupation_code", "area_code", "status", "shortage_areas",
                                "widespread"]].itertuples(index=False)),
        "changes": table(["occupation_code", "area_code"], ["previous_status", "change"], changes),
        "activity": table(["occupation_code"],
                          ["shortage_areas", "mangel_areas", "widespread_shortage",
                           "participations", "courses_started"], activity),
        "blind_spots": table(["occupation_code"], ["participations"],
                             [(r[0], r[4]) for r in activity if r[4] < limit]),
    }


def page_kurser(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    courses = latest_courses(d, sc["period_from"], sc["period_to"], sc["selection"], None)
    by_provider = courses.groupby("provider").agg(
        courses=("course_id", "size"), participants=("participants", "sum"),
        seats=("seats", "sum")).reset_index()
    by_provider = by_provider.sort_values(["courses", "provider"], ascending=[False, True])
    return {
        "courses": table(["position"], ["course_id", "participants"],
                         [(i, c, int(p)) for i, (c, p) in enumerate(
                             zip(courses["course_id"], courses["participants"], strict=True))]),
        "by_provider": table(["provider"], ["courses", "participants", "seats"],
                             by_provider.itertuples(index=False)),
    }


def page_effekter(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    codes = sc["selection"]
    rows = measure_rows(d, "completion_rate", _ts(sc["period_from"]), _ts(sc["period_to"]), codes)
    unemployed = rows["unemployed"]
    helper = pd.DataFrame({
        "group": rows["education_type"],
        "completed": rows["completed"].fillna(False).astype(int),
        "completion_known": rows["completed"].notna().astype(int),
        "employed_3m": (rows["employed_3m"].fillna(False) & unemployed).astype(int),
        "employment_3m_known": (rows["employed_3m"].notna() & unemployed).astype(int),
        "employed_6m": (rows["employed_6m"].fillna(False) & unemployed).astype(int),
        "employment_6m_known": (rows["employed_6m"].notna() & unemployed).astype(int),
    })
    grouped = helper.groupby("group", observed=True, dropna=False)
    outcomes = grouped.sum()
    outcomes.insert(0, "participations", grouped.size())
    series_rows = []
    for m in EFFEKTER_SERIES:
        series_rows += [(m, p, v) for p, v in series(d, m, sc["history_from"], sc["period_to"],
                                                     "quarter", codes)]
    counts = list(outcomes.columns)
    return {
        "outcomes": table(["group"], counts,
                          [(None if pd.isna(g) else g, *map(int, r)) for g, r in
                           zip(outcomes.index, outcomes.itertuples(index=False), strict=True)]),
        "series": table(["measure", "period"], ["value"], series_rows),
    }


PAGE_FUNCTIONS = {
    "overblik": page_overblik, "omraade": page_omraade, "jobcentre": page_jobcentre,
    "mangel": page_mangel, "kurser": page_kurser, "effekter": page_effekter,
}
