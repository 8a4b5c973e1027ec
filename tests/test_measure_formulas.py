"""Measures defined by their catalogue formula alone (measures.yaml → aggregate.part_exprs).

The scenario (2024, Odense 461 and Svendborg 479 in RAR Fyn, København 101 in Hovedstaden):

- course A in Odense, Mar 2024: persons 1–8 from Odense aged 50-59 (1–3), 60+ (4), 30-39 (5–8);
  persons 9–12 from København aged 60+ (9), 16-24 (10–12). Persons 1–2 are women.
- course B in Svendborg, Jun 2024: persons 13–18 from Svendborg aged 50-59 (13–17), 25-29 (18).
- course C in Odense, Mar 2023 (last year): persons 19–28 from Odense aged 40-49.

Hand-computed for 2024, whole country: 18 participations, 10 aged 50+ (1–4, 9, 13–17).
RAR Fyn: 14 participations, 9 aged 50+. Odense: 8, 4; Svendborg 6, 5; København 4, 1.
"""

from datetime import date
from importlib import resources

import polars as pl
import pytest
import yaml

from measures_builders import FYN, REFORM, YEAR, People, course, tables
from veu_metrics import aggregate
from veu_metrics.catalogue import (
    DISTINCT_COLUMNS,
    FLAG_COLUMNS,
    SUM_COLUMNS,
    VALUE_COLUMNS,
    get_measure,
    load_catalogue,
    parse_catalogue,
)
from veu_metrics.disclosure import RECORD_KEY, published_count
from veu_metrics.facts import prepare_facts
from veu_metrics.measures import compute_area_table, compute_kpis, compute_series

RAW = 1
"""Threshold 1: disclosure control off, the true values."""


def scenario() -> dict[str, pl.DataFrame]:
    p = People()
    courses = [
        course("A", date(2024, 3, 4), date(2024, 3, 8)),
        course("B", date(2024, 6, 3), date(2024, 6, 4), provider_municipality_code=479),
        course("C", date(2023, 3, 6), date(2023, 3, 7)),
    ]
    enrolments = [
        *p.enrol("A", [1, 2], age_band="50-59", gender="Mand"),
        *p.enrol("A", [3], age_band="50-59"),
        *p.enrol("A", [4], age_band="60+"),
        *p.enrol("A", [5, 6, 7, 8], age_band="30-39"),
        *p.enrol("A", [9], municipality_code=101, age_band="60+"),
        *p.enrol("A", [10, 11, 12], municipality_code=101, age_band="16-24"),
        *p.enrol("B", [13, 14, 15, 16, 17], municipality_code=479, age_band="50-59"),
        *p.enrol("B", [18], municipality_code=479, age_band="25-29"),
        *p.enrol("C", list(range(19, 29)), age_band="40-49"),
    ]
    return tables(courses, enrolments)


@pytest.fixture(scope="module")
def facts():
    return prepare_facts(scenario(), REFORM, covers_from=date(2023, 1, 1),
                         covers_to=date(2024, 12, 31))


def kpi(facts, filters, measure, threshold=RAW):
    return compute_kpis(facts, filters, threshold, [measure]).row(0, named=True)


# --------------------------------------------------------------- the measure added by the recipe
def test_share_aged_50_plus_is_defined_by_its_catalogue_entry():
    m = get_measure("age_50_plus_share")
    assert (m.kind, m.unit, m.table, m.is_person_count) == ("rate", "share", "enrolments", True)
    assert m.formula.spec() == "count_where: age_band in [50-59, 60+] ÷ count: rows"


def test_share_aged_50_plus_nationally_by_area_and_over_time(facts):
    row = kpi(facts, YEAR, "age_50_plus_share")
    assert (row["value"], row["value_suppressed"]) == (pytest.approx(10 / 18), False)
    assert kpi(facts, FYN, "age_50_plus_share")["value"] == pytest.approx(9 / 14)
    assert kpi(facts, FYN, "age_50_plus_share")["value_national"] == pytest.approx(10 / 18)
    assert kpi(facts, FYN, "age_50_plus_share")["value_previous"] == 0.0  # course C: all 40-49

    areas = compute_area_table(facts, YEAR, "age_50_plus_share", "municipality", threshold=RAW)
    by_code = dict(zip(areas["area_code"], areas["value"], strict=True))
    assert by_code["461"] == pytest.approx(4 / 8)
    assert by_code["479"] == pytest.approx(5 / 6)
    assert by_code["101"] == pytest.approx(1 / 4)
    assert by_code["860"] is None  # no participations: no share

    series = compute_series(facts, YEAR, "age_50_plus_share", threshold=RAW, grain="quarter")
    assert series["value"].to_list() == [pytest.approx(5 / 12), pytest.approx(5 / 6), None, None]
    by_gender = compute_series(facts, YEAR, "age_50_plus_share", threshold=RAW, grain="year",
                               breakdown="gender")
    assert dict(zip(by_gender["group"], by_gender["value"], strict=True)) == {
        "Kvinde": pytest.approx(8 / 16), "Mand": pytest.approx(2 / 2)}


def test_share_aged_50_plus_is_a_rate_of_its_published_counts(facts):
    """Protection on: numerator and denominator are cell-key-perturbed counts of their own
    records, and the share is the ratio of the published counts at the precision shown."""
    threshold = 3
    rows = facts.participations.filter(pl.col("start_month").dt.year() == 2024)
    older = rows.filter(pl.col("age_band").cast(pl.String).is_in(["50-59", "60+"]))
    numerator = published_count(older.height, int(older[RECORD_KEY].cast(pl.Int64).sum()),
                                threshold)
    denominator = published_count(rows.height, int(rows[RECORD_KEY].cast(pl.Int64).sum()),
                                  threshold)
    assert numerator and denominator
    row = kpi(facts, YEAR, "age_50_plus_share", threshold=threshold)
    assert row["value"] == pytest.approx(round(numerator / denominator, 3))
    table = compute_area_table(facts, YEAR, "age_50_plus_share", "rar", threshold=threshold)
    fyn = table.filter(pl.col("area_code") == "fyn").row(0, named=True)
    assert fyn["value"] == pytest.approx(round(fyn["numerator"] / fyn["denominator"], 3))
    # A custom selection of areas publishes no person figure of its own.
    custom = YEAR.with_changes(scheme="municipality", areas=("461", "101"))
    assert kpi(facts, custom, "age_50_plus_share", threshold=threshold)["value_suppressed"]


# ------------------------------------------------------------- any catalogue entry is computable
_EXTRA = """
women_unemployed_share:
  formula:
    population: unemployed
    count_where: {column: gender, in: [Kvinde]}
    denominator: {count: rows}
"""


def test_a_new_catalogue_entry_needs_no_formula_code(facts, monkeypatch):
    """A measure that exists only as a catalogue entry is computed by the generic code."""
    raw = yaml.safe_load((resources.files("veu_metrics") / "measures.yaml").read_text("utf-8"))
    extra = yaml.safe_load(_EXTRA)
    extra["women_unemployed_share"] = {**raw["job_veu_share"], "table": "enrolments",
                                       "is_person_count": True, "picker": False,
                                       **extra["women_unemployed_share"]}
    catalogue = parse_catalogue({**raw, **extra})
    monkeypatch.setattr(aggregate, "get_measure", catalogue.__getitem__)
    scenario_facts = prepare_facts(_unemployed_scenario(), REFORM, covers_from=date(2024, 1, 1),
                                   covers_to=date(2024, 12, 31))
    row = kpi(scenario_facts, YEAR, "women_unemployed_share")
    assert row["value"] == pytest.approx(2 / 3)  # persons 1, 2 of the unemployed 1–3


def _unemployed_scenario() -> dict[str, pl.DataFrame]:
    p = People()
    return tables([course("A", date(2024, 3, 4))], [
        *p.enrol("A", [1, 2], labour_status="Forsikret ledig"),
        *p.enrol("A", [3], labour_status="Øvrig ledig", gender="Mand"),
        *p.enrol("A", [4, 5], labour_status="Beskæftiget"),
    ])


def test_formula_columns_exist_in_the_facts_with_their_kind(facts):
    frames = {"enrolments": facts.participations, "courses": facts.courses}
    for table, frame in frames.items():
        named = {*FLAG_COLUMNS[table], *VALUE_COLUMNS[table], *DISTINCT_COLUMNS[table],
                 *SUM_COLUMNS[table]}
        assert named <= set(frame.columns), (table, named - set(frame.columns))
        for column in FLAG_COLUMNS[table]:
            assert frame.schema[column] == pl.Boolean, (table, column)
        for column in VALUE_COLUMNS[table]:
            assert isinstance(frame.schema[column], pl.Enum), (table, column)


def test_every_value_a_formula_names_is_a_value_of_its_column(facts):
    """A misspelt value would silently count nothing: the catalogue's values must exist."""
    frames = {"enrolments": facts.participations, "courses": facts.courses}
    checked = 0
    for m in load_catalogue().values():
        f = m.formula
        specs = [f.numerator, f.counted_denominator]
        conditions = [f.population, *(s.where for s in specs if s is not None)]
        for c in conditions:
            if c is not None and c.values is not None:
                categories = frames[m.table].schema[c.column].categories.to_list()
                assert set(c.values) <= set(categories), (m.key, c.column, c.values)
                checked += 1
    assert checked >= 1  # age_50_plus_share
