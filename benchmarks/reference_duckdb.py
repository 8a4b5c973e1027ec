"""The pages' computations as DuckDB SQL (benchmark code only: never used by the app).

The core's denormalised facts (``prepare.export_facts``) are loaded into in-memory DuckDB tables;
each ``page_*`` function runs the SQL for the un-suppressed aggregates the page shows and returns
comparable tables (``common.table``). Python only glues: it fills period grids and picks the
balance's scheme. Values are bound as parameters; municipality and area lists are inlined from
the benchmark's own spec (integers and fixed codes). Imports neither Polars, pandas nor the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.common import table

UNEMPLOYED_ONLY = {"employment_rate_3m", "employment_rate_6m", "jobcentre_uptake"}
COURSE_MEASURES = {"courses_started", "job_veu_courses", "job_veu_share"}
END_ANCHORED = {"completion_rate", "employment_rate_3m", "employment_rate_6m"}
RATES = {"shortage_share", "completion_rate", "employment_rate_3m", "employment_rate_6m",
         "job_veu_share", "jobcentre_uptake"}
COUNTS = {"participations", "courses_started", "job_veu_courses", "persons"}
KPI_SCOPES = ("current", "previous", "national", "national_previous")
EFFEKTER_SERIES = ("completion_rate", "employment_rate_3m", "employment_rate_6m")


def masked_parts(measure: str, condition: str = "TRUE") -> tuple[str, str]:
    """(numerator, denominator) SQL aggregates of a measure over the rows meeting ``condition``."""
    def count(extra: str = "TRUE") -> str:
        return f"count(*) FILTER (WHERE ({condition}) AND {extra})"

    if measure in ("participations", "courses_started", "jobcentre_uptake"):
        return count(), "0"
    if measure == "persons":
        return f"count(DISTINCT person_id) FILTER (WHERE {condition})", "0"
    if measure == "aarselever":
        return f"coalesce(sum(course_days::DOUBLE) FILTER (WHERE {condition}), 0) / 200.0", "0"
    if measure == "shortage_share":
        return count("shortage"), count()
    if measure == "job_veu_courses":
        return count("job_veu"), "0"
    if measure == "job_veu_share":
        return count("job_veu"), count()
    column = {"completion_rate": "completed", "employment_rate_3m": "employed_3m",
              "employment_rate_6m": "employed_6m"}[measure]
    return count(column), f"count({column}) FILTER (WHERE {condition})"


@dataclass
class Data:
    con: duckdb.DuckDBPyConnection
    spec: dict[str, Any]


def load(facts_dir: Path, spec: dict[str, Any]) -> Data:
    con = duckdb.connect(":memory:")
    for name, source in (("part", "participations"), ("courses", "courses"),
                         ("unemp", "unemployment"), ("balance", "balance"), ("targets", "targets")):
        path = str(facts_dir / f"{source}.parquet").replace("'", "''")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
    con.execute("CREATE TABLE munis (code SMALLINT, name VARCHAR, rar VARCHAR, council VARCHAR)")
    con.executemany("INSERT INTO munis VALUES (?, ?, ?, ?)",
                    [(m["code"], m["name"], m["rar"], m["council"]) for m in spec["municipalities"]])
    return Data(con=con, spec=spec)


# --------------------------------------------------------------------------------- primitives
def _day(text: str) -> date:
    return date.fromisoformat(text)


def _in(column: str, codes: list[int] | None) -> str:
    if codes is None:
        return "TRUE"
    return f"{column} IN ({', '.join(str(int(c)) for c in codes)})" if codes else "FALSE"


def _rows(measure: str, first: date, last: date, codes: list[int] | None,
          focus: str | None = None) -> tuple[str, str, list]:
    """(table, WHERE clause, parameters) of the rows a measure counts."""
    if measure in COURSE_MEASURES:
        where = (f"NOT cancelled AND start_month BETWEEN ? AND ? "
                 f"AND {_in('provider_municipality_code', codes)}")
        name = "courses"
    else:
        anchor = "end_month" if measure in END_ANCHORED else "start_month"
        where = f"{anchor} BETWEEN ? AND ? AND {_in('municipality_code', codes)}"
        if measure in UNEMPLOYED_ONLY:
            where += " AND unemployed"
        name = "part"
    params: list = [first, last]
    if focus is not None:
        where += " AND focus_area = ?"
        params.append(focus)
    return name, where, params


def _anchor(measure: str) -> str:
    return "end_month" if measure in END_ANCHORED else "start_month"


def _value(measure: str, numerator: float, denominator: float) -> Any:
    if measure in RATES:
        if not denominator or denominator <= 0:
            return None
        return numerator / denominator * (1000.0 if measure == "jobcentre_uptake" else 1.0)
    if measure in COUNTS:
        return int(round(numerator))
    return float(numerator)


def _grid(first: date, last: date, grain: str) -> list[date]:
    if grain == "quarter":
        first = date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
    step = 3 if grain == "quarter" else 1
    out, index = [], first.year * 12 + first.month - 1
    while date(index // 12, index % 12 + 1, 1) <= last:
        out.append(date(index // 12, index % 12 + 1, 1))
        index += step
    return out


def _period(column: str, grain: str) -> str:
    return column if grain == "month" else f"date_trunc('quarter', {column})::DATE"


def grouped(d: Data, measure: str, first: date, last: date, codes: list[int] | None,
            key: str, focus: str | None = None) -> dict[Any, tuple[float, float]]:
    """{key: (numerator, denominator)} for the groups with rows."""
    name, where, params = _rows(measure, first, last, codes, focus)
    numerator, denominator = masked_parts(measure)
    sql = (f"SELECT {key} AS k, ({numerator})::DOUBLE, ({denominator})::DOUBLE "
           f"FROM {name} WHERE {where} GROUP BY ALL")
    return {k: (n, den) for k, n, den in d.con.execute(sql, params).fetchall()}


def unemployment(d: Data, first: date, last: date, codes: list[int] | None,
                 key: str | None) -> dict[Any, float]:
    """Average monthly full-time unemployed per key (a period or area expression)."""
    inner_key = f", {key} AS k" if key else ", NULL AS k"
    sql = (f"SELECT k, avg(ftu) FROM (SELECT month{inner_key}, sum(full_time_unemployed) AS ftu "
           f"FROM unemp WHERE month BETWEEN ? AND ? AND {_in('municipality_code', codes)} "
           f"GROUP BY ALL) GROUP BY k")
    return dict(d.con.execute(sql, [first, last]).fetchall())


def series(d: Data, measure: str, first: str, last: str, grain: str,
           codes: list[int] | None) -> list[tuple]:
    lo, hi = _day(first), _day(last)
    found = grouped(d, measure, lo, hi, codes, _period(_anchor(measure), grain))
    return [(p, _value(measure, *found.get(p, (0.0, 0.0)))) for p in _grid(lo, hi, grain)]


def kpis(d: Data, sc: dict[str, Any], codes: list[int] | None) -> dict:
    """All KPI measures × scopes in one pass per table (FILTER clauses per measure and scope)."""
    windows = {"current": (_day(sc["period_from"]), _day(sc["period_to"])),
               "previous": (_day(sc["previous_from"]), _day(sc["previous_to"]))}
    values: dict[tuple[str, str], tuple[float, float]] = {}
    for course_table in (False, True):
        chosen = [m for m in d.spec["kpi_measures"] if (m in COURSE_MEASURES) == course_table]
        if not chosen:
            continue
        columns, params = [], []
        for m in chosen:
            for scope in KPI_SCOPES:
                first, last = windows["previous" if scope.endswith("previous") else "current"]
                area = "TRUE" if scope.startswith("national") else _in(
                    "provider_municipality_code" if course_table else "municipality_code", codes)
                condition = f"{_anchor(m)} BETWEEN ? AND ? AND {area}"
                if m in UNEMPLOYED_ONLY:
                    condition += " AND unemployed"
                for expr in masked_parts(m, condition):
                    columns.append(f"({expr})::DOUBLE")
                    params += [first, last] * (expr.count("?") // 2)  # each FILTER has the window
        earliest = min(w[0] for w in windows.values())
        latest = max(w[1] for w in windows.values())
        name = "courses" if course_table else "part"
        where = ("NOT cancelled AND start_month BETWEEN ? AND ?" if course_table
                 else "start_month <= ? AND end_month >= ?")
        bounds = [earliest, latest] if course_table else [latest, earliest]
        row = d.con.execute(f"SELECT {', '.join(columns)} FROM {name} WHERE {where}",
                            params + bounds).fetchone()
        i = 0
        for m in chosen:
            for scope in KPI_SCOPES:
                values[(m, scope)] = (row[i] or 0.0, row[i + 1] or 0.0)
                i += 2
    rows = []
    for m in d.spec["kpi_measures"]:
        for scope in KPI_SCOPES:
            if scope.endswith("previous") and not sc["previous_available"]:
                rows.append((m, scope, None))
            else:
                rows.append((m, scope, _value(m, *values[(m, scope)])))
    return table(["measure", "scope"], ["value"], rows)


def _area_key(scheme: str, course: bool) -> str:
    prefix = "provider_" if course else ""
    column = f"{prefix}municipality_code" if scheme == "municipality" else f"{prefix}{scheme}_code"
    return f"CAST({column} AS VARCHAR)"


def area_table(d: Data, measure: str, first: str, last: str, scheme: str,
               selection: list[int] | None) -> list[tuple]:
    restrict = scheme == "municipality" and selection is not None
    codes = selection if restrict else None
    if scheme == "municipality":
        grid = [str(c) for c in (selection if restrict else
                                 [m["code"] for m in d.spec["municipalities"]])]
    else:
        grid = list(d.spec["areas"][scheme])
    lo, hi = _day(first), _day(last)
    found = grouped(d, measure, lo, hi, codes, _area_key(scheme, measure in COURSE_MEASURES))
    if measure == "jobcentre_uptake":
        averages = unemployment(d, lo, hi, codes, _area_key(scheme, False))
        found = {k: (found.get(k, (0.0, 0.0))[0], averages.get(k) or 0.0) for k in grid}
    out = []
    for code in grid:
        n, den = found.get(code, (0.0, 0.0))
        out.append((code, n, den, _value(measure, n, den)))
    return out


def course_list(d: Data, first: str, last: str, codes: list[int] | None,
                limit: int | None) -> list[tuple]:
    sql = (f"SELECT course_id, participants FROM courses WHERE NOT cancelled AND start_month "
           f"BETWEEN ? AND ? AND {_in('provider_municipality_code', codes)} "
           f"ORDER BY start_date DESC, course_id" + (f" LIMIT {int(limit)}" if limit else ""))
    return d.con.execute(sql, [_day(first), _day(last)]).fetchall()


RANKING_SQL = """
WITH counts AS (
    SELECT municipality_code, count(*) AS p
    FROM part WHERE start_month BETWEEN $1 AND $2 AND unemployed GROUP BY ALL),
monthly AS (
    SELECT month, municipality_code, sum(full_time_unemployed) AS ftu,
           CASE WHEN bool_or(insured_unemployed IS NULL) THEN NULL
                ELSE sum(insured_unemployed) END AS ins
    FROM unemp WHERE month BETWEEN $1 AND $2 GROUP BY ALL),
unemployed AS (SELECT municipality_code, avg(ftu) AS ftu, avg(ins) AS ins FROM monthly GROUP BY ALL),
base AS (
    SELECT m.code, coalesce(c.p, 0) AS p, coalesce(u.ftu, 0.0) AS ftu, u.ins
    FROM munis m LEFT JOIN counts c ON c.municipality_code = m.code
    LEFT JOIN unemployed u ON u.municipality_code = m.code)
SELECT code, p, ftu,
       CASE WHEN ftu > 0 THEN p / ftu * 1000 END AS uptake,
       CASE WHEN ftu > 0 THEN ins / ftu END AS insured_share
FROM base
"""


# ------------------------------------------------------------------------------------- pages
def page_overblik(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    codes = sc["selection"]
    spark_rows = []
    for m in d.spec["kpi_measures"]:
        spark_rows += [(m, p, v) for p, v in series(d, m, sc["spark_from"], sc["period_to"],
                                                    "month", codes)]
    trend = series(d, "participations", sc["history_from"], sc["period_to"], "quarter", codes)
    areas = area_table(d, "participations", sc["period_from"], sc["period_to"], sc["scheme"], codes)
    focus = grouped(d, "participations", _day(sc["period_from"]), _day(sc["period_to"]), codes,
                    "CAST(focus_area AS VARCHAR)")
    total = sum(n for n, _ in focus.values())
    return {
        "kpis": kpis(d, sc, codes),
        "sparklines": table(["measure", "period"], ["value"], spark_rows),
        "trend": table(["period"], ["value"], trend),
        "areas": table(["area_code"], ["value"], [(a, v) for a, _, _, v in areas]),
        "focus": table(["focus_area"], ["participations", "share"],
                       [(k, int(n), n / total if total else None) for k, (n, _) in focus.items()
                        if n > 0]),
    }


def _targets(d: Data, o: dict[str, Any]) -> list[tuple]:
    chosen = d.con.execute(
        "SELECT measure, CAST(focus_area AS VARCHAR) FROM targets WHERE year = ? AND "
        "CAST(area_scheme AS VARCHAR) = ? AND area_code = ?",
        [o["year"], o["scheme"], o["area_code"]]).fetchall()
    months, years = o["months"], o["profile_years"]
    out = []
    for measure, focus in chosen:
        if not months:
            out.append((measure, focus, None, 0.0))
            continue
        # One query per target: the year-to-date figure and the profile years' months
        lo = date(min(years), 1, 1) if years else _day(o["ytd_from"])
        key = "year(start_month) * 100 + month(start_month)"
        found = grouped(d, measure, lo, _day(o["ytd_to"]), o["selection"], key, focus)
        ytd_year = _day(o["ytd_from"]).year
        ytd = [v for k, v in found.items() if k // 100 == ytd_year]
        numerator = sum(n for n, _ in ytd)
        denominator = sum(den for _, den in ytd)
        actual = _value(measure, numerator, denominator)
        shares = []
        for year in years:
            total = sum(n for k, (n, _) in found.items() if k // 100 == year)
            if total > 0:
                done = sum(n for k, (n, _) in found.items() if k // 100 == year and k % 100 <= months)
                shares.append(done / total)
        expected = sum(shares) / len(shares) if shares else months / 12
        out.append((measure, focus, None if actual is None else float(actual), expected))
    return out


def page_omraade(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    o = sc["omraade"]
    codes = o["selection"]
    others = area_table(d, "participations", sc["period_from"], sc["period_to"], o["scheme"], None)
    munis = area_table(d, "participations", sc["period_from"], sc["period_to"], "municipality",
                       codes)
    latest = course_list(d, sc["period_from"], sc["period_to"], codes, 15)
    return {
        "kpis": kpis(d, sc, codes),
        "targets": table(["measure", "focus_area"], ["actual_ytd", "expected_share_of_year"],
                         _targets(d, o)),
        "others": table(["area_code"], ["value"], [(a, v) for a, _, _, v in others]),
        "municipalities": table(["area_code"], ["value"], [(a, v) for a, _, _, v in munis]),
        "latest_courses": table(["position"], ["course_id", "participants"],
                                [(i, c, p) for i, (c, p) in enumerate(latest)]),
    }


def _uptake_trend(d: Data, sc: dict[str, Any], codes: list[int] | None) -> list[tuple]:
    lo, hi = _day(sc["history_from"]), _day(sc["period_to"])
    counts = grouped(d, "jobcentre_uptake", lo, hi, codes, _period("start_month", "quarter"))
    averages = unemployment(d, lo, hi, codes, _period("month", "quarter"))
    return [(p, _value("jobcentre_uptake", counts.get(p, (0.0, 0.0))[0], averages.get(p) or 0.0))
            for p in _grid(lo, hi, "quarter")]


def page_jobcentre(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    j = sc["jobcentre"]
    params = [_day(sc["period_from"]), _day(sc["period_to"])]
    ranking = d.con.execute(RANKING_SQL, params).fetchall()
    selection = sc["selection"]
    shown = [r for r in ranking if selection is None or r[0] in selection]
    trend = []
    for level, codes in (("municipality", [j["municipality"]]),
                         ("area", j["trend_area_selection"]), ("country", None)):
        trend += [(level, p, v) for p, v in _uptake_trend(d, sc, codes)]
    return {
        "ranking": table(["municipality_code"],
                         ["participations", "full_time_unemployed", "uptake", "insured_share"],
                         shown),
        "map": table(["area_code"], ["numerator", "denominator", "value"],
                     area_table(d, "jobcentre_uptake", sc["period_from"], sc["period_to"],
                                "municipality", selection)),
        "trend": table(["level", "period"], ["value"], trend),
    }


def _half_year_index(label: str) -> int:
    return int(label[:4]) * 2 + int(label[5]) - 1


def _published(d: Data, index: int) -> list[str]:
    found = d.con.execute("SELECT DISTINCT CAST(area_scheme AS VARCHAR) FROM balance "
                          "WHERE half_year_index = ?", [index]).fetchall()
    return sorted(r[0] for r in found)


WIDESPREAD_SQL = """
SELECT occupation_code FROM balance
WHERE half_year_index = ? AND CAST(area_scheme AS VARCHAR) = ? AND status = 'Mangel'
  AND {excluded}
GROUP BY occupation_code HAVING count(*) >= ?
"""


def _widespread(d: Data, index: int, scheme: str) -> set[str]:
    found = []
    for idx in (index, index - 1):
        schemes = _published(d, idx)
        if not schemes:
            return set()
        used = scheme if scheme in schemes else schemes[0]
        codes = ", ".join(f"'{a}'" for a in d.spec["widespread_excluded_areas"][used])
        excluded = f"area_code NOT IN ({codes})" if codes else "TRUE"
        rows = d.con.execute(WIDESPREAD_SQL.format(excluded=excluded), [
            idx, used, d.spec["widespread_min_areas"][used]]).fetchall()
        found.append({r[0] for r in rows})
    return found[0] & found[1] & set(d.spec["vocational_occupations"])


def page_mangel(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    index = _half_year_index(sc["mangel"]["half_year"])
    schemes = _published(d, index)
    used = "council" if "council" in schemes else schemes[0]
    widespread = _widespread(d, index, used)
    con = d.con
    matrix = con.execute("""
        WITH s AS (SELECT area_code, occupation_code, CAST(status AS VARCHAR) AS status
                   FROM balance WHERE half_year_index = ? AND CAST(area_scheme AS VARCHAR) = ?)
        SELECT occupation_code, area_code, status,
               count(*) FILTER (WHERE status IN ('Mangel', 'Paradoks')) OVER (PARTITION BY occupation_code)
        FROM s""", [index, used]).fetchall()
    if used in _published(d, index - 1):
        changes = con.execute("""
            WITH now AS (SELECT area_code, occupation_code, CAST(status AS VARCHAR) AS status
                         FROM balance WHERE half_year_index = $1 AND CAST(area_scheme AS VARCHAR) = $2),
                 before AS (SELECT area_code, occupation_code, CAST(status AS VARCHAR) AS status
                            FROM balance WHERE half_year_index = $1 - 1
                            AND CAST(area_scheme AS VARCHAR) = $2)
            SELECT n.occupation_code, n.area_code, b.status,
                   CASE WHEN b.status IS NULL THEN 'new'
                        WHEN n.status IN ('Mangel', 'Paradoks') AND b.status NOT IN ('Mangel', 'Paradoks')
                             THEN 'new_shortage'
                        WHEN n.status NOT IN ('Mangel', 'Paradoks') AND b.status IN ('Mangel', 'Paradoks')
                             THEN 'ended_shortage'
                        WHEN n.status <> b.status THEN 'changed' ELSE 'unchanged' END
            FROM now n LEFT JOIN before b USING (area_code, occupation_code)""",
            [index, used]).fetchall()
    else:
        changes = [(o, a, None, "not_comparable") for o, a, _, _ in matrix]
    selection = sc["selection"]
    area_filter = "TRUE" if selection is None else (
        f"area_code IN (SELECT DISTINCT {used} FROM munis WHERE {_in('code', selection)})")
    lo, hi = _day(sc["period_from"]), _day(sc["period_to"])
    activity = con.execute(f"""
        WITH s AS (SELECT occupation_code, count(*) AS shortage_areas,
                          count(*) FILTER (WHERE status = 'Mangel') AS mangel_areas
                   FROM balance WHERE half_year_index = $1 AND CAST(area_scheme AS VARCHAR) = $2
                   AND status IN ('Mangel', 'Paradoks') AND {area_filter} GROUP BY ALL),
             p AS (SELECT CAST(occupation_code AS VARCHAR) AS occupation_code, count(*) AS n
                   FROM part WHERE start_month BETWEEN $3 AND $4
                   AND {_in('municipality_code', selection)} GROUP BY ALL),
             c AS (SELECT occupation_code, count(*) AS n FROM courses
                   WHERE NOT cancelled AND start_month BETWEEN $3 AND $4
                   AND {_in('provider_municipality_code', selection)} GROUP BY ALL)
        SELECT s.occupation_code, s.shortage_areas, s.mangel_areas,
               coalesce(p.n, 0), coalesce(c.n, 0)
        FROM s LEFT JOIN p USING (occupation_code) LEFT JOIN c USING (occupation_code)""",
        [index, used, lo, hi]).fetchall()
    activity = [(o, a, m, o in widespread, p, c) for o, a, m, p, c in activity]
    limit = max(d.spec["blind_spot_limit"], 1)
    return {
        "matrix": table(["occupation_code", "area_code"],
                        ["status", "shortage_areas", "widespread_shortage"],
                        [(o, a, s, n, o in widespread) for o, a, s, n in matrix]),
        "changes": table(["occupation_code", "area_code"], ["previous_status", "change"], changes),
        "activity": table(["occupation_code"],
                          ["shortage_areas", "mangel_areas", "widespread_shortage",
                           "participations", "courses_started"], activity),
        "blind_spots": table(["occupation_code"], ["participations"],
                             [(r[0], r[4]) for r in activity if r[4] < limit]),
    }


def page_kurser(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    courses = course_list(d, sc["period_from"], sc["period_to"], sc["selection"], None)
    by_provider = d.con.execute(
        f"SELECT provider, count(*), sum(participants), sum(seats) FROM courses "
        f"WHERE NOT cancelled AND start_month BETWEEN ? AND ? "
        f"AND {_in('provider_municipality_code', sc['selection'])} "
        f"GROUP BY provider ORDER BY count(*) DESC, provider",
        [_day(sc["period_from"]), _day(sc["period_to"])]).fetchall()
    return {
        "courses": table(["position"], ["course_id", "participants"],
                         [(i, c, p) for i, (c, p) in enumerate(courses)]),
        "by_provider": table(["provider"], ["courses", "participants", "seats"], by_provider),
    }


def page_effekter(d: Data, sc: dict[str, Any]) -> dict[str, dict]:
    codes = sc["selection"]
    outcomes = d.con.execute(f"""
        SELECT CAST(education_type AS VARCHAR), count(*),
               count(*) FILTER (WHERE completed), count(completed),
               count(*) FILTER (WHERE unemployed AND employed_3m),
               count(*) FILTER (WHERE unemployed AND employed_3m IS NOT NULL),
               count(*) FILTER (WHERE unemployed AND employed_6m),
               count(*) FILTER (WHERE unemployed AND employed_6m IS NOT NULL)
        FROM part WHERE end_month BETWEEN ? AND ? AND {_in('municipality_code', codes)}
        GROUP BY ALL""", [_day(sc["period_from"]), _day(sc["period_to"])]).fetchall()
    series_rows = []
    for m in EFFEKTER_SERIES:
        series_rows += [(m, p, v) for p, v in series(d, m, sc["history_from"], sc["period_to"],
                                                     "quarter", codes)]
    counts = ["participations", "completed", "completion_known", "employed_3m",
              "employment_3m_known", "employed_6m", "employment_6m_known"]
    return {
        "outcomes": table(["group"], counts, outcomes),
        "series": table(["measure", "period"], ["value"], series_rows),
    }


PAGE_FUNCTIONS = {
    "overblik": page_overblik, "omraade": page_omraade, "jobcentre": page_jobcentre,
    "mangel": page_mangel, "kurser": page_kurser, "effekter": page_effekter,
}
