import copy
from importlib import resources

import pytest
import yaml

from veu_metrics.catalogue import (
    MEASURE_FIELDS,
    MEASURES_MD,
    REQUIRED_KEYS,
    CatalogueError,
    Condition,
    get_measure,
    kpi_measures,
    load_catalogue,
    parse_catalogue,
    render_measures_markdown,
)


def _raw() -> dict:
    text = (resources.files("veu_metrics") / "measures.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def test_every_measure_has_every_field_filled():
    raw = _raw()
    for key, entry in raw.items():
        for name in MEASURE_FIELDS:
            assert name in entry, f"{key} lacks {name}"
            assert entry[name] is not None and entry[name] != "", f"{key}.{name} is empty"
    catalogue = load_catalogue()
    assert list(catalogue) == list(raw)
    for key in REQUIRED_KEYS:
        assert catalogue[key].key == key


def test_missing_field_is_refused_naming_measure_and_field():
    raw = _raw()
    del raw["persons"]["source_en"]
    with pytest.raises(CatalogueError, match=r"'persons' lacks field\(s\): source_en"):
        parse_catalogue(raw)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("unit", "kroner", "unit='kroner'"),
        ("kind", "median", "kind='median'"),
        ("table", "balance", "table='balance'"),
        ("period_basis", "middle", "period_basis='middle'"),
        ("is_person_count", "yes", "is_person_count must be true or false"),
        ("decimals", 7, "decimals must be a whole number"),
        ("title_da", 12, "title_da must be text"),
    ],
)
def test_bad_field_values_are_refused(field, value, message):
    raw = copy.deepcopy(_raw())
    raw["aarselever"][field] = value
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


def test_unknown_field_and_missing_measure_are_refused():
    raw = _raw()
    raw["participations"]["colour"] = "red"
    with pytest.raises(CatalogueError, match="unknown field"):
        parse_catalogue(raw)
    raw = _raw()
    del raw["job_veu_share"]
    with pytest.raises(CatalogueError, match="lacks measure\\(s\\): job_veu_share"):
        parse_catalogue(raw)


@pytest.mark.parametrize("value", [True, 0, -1, 1.5, "2", None])
def test_a_picker_place_that_is_not_a_whole_number_from_1_or_false_is_refused(value):
    raw = copy.deepcopy(_raw())
    raw["aarselever"]["picker"] = value
    message = ("'aarselever' lacks field\\(s\\): picker" if value is None
               else "'aarselever': picker must be a place in the measure picker")
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


def test_two_measures_in_one_picker_place_are_refused_naming_both():
    raw = copy.deepcopy(_raw())
    raw["jobcentre_uptake"]["picker"] = raw["aarselever"]["picker"]
    with pytest.raises(CatalogueError, match="'aarselever', 'jobcentre_uptake' share picker place"):
        parse_catalogue(raw)


def test_a_gap_in_the_picker_places_is_refused_naming_the_measure_after_it():
    raw = copy.deepcopy(_raw())
    raw["persons"]["picker"] = False  # place 2 left empty
    with pytest.raises(CatalogueError, match="'courses_started': picker 3, but no measure has picker 2"):
        parse_catalogue(raw)
    raw = copy.deepcopy(_raw())
    raw["participations"]["picker"] = False  # place 1 left empty
    with pytest.raises(CatalogueError, match="'persons': picker 2, but no measure has picker 1"):
        parse_catalogue(raw)


def test_the_picker_follows_the_places_not_the_file_order():
    raw = copy.deepcopy(_raw())
    places = {k: e["picker"] for k, e in raw.items()}
    assert places["courses_started"] == 3 and places["jobcentre_uptake"] is False
    raw["courses_started"]["picker"], raw["participations"]["picker"] = 1, 3
    catalogue = parse_catalogue(raw)
    assert catalogue["courses_started"].picker == 1 and catalogue["participations"].picker == 3
    assert catalogue["jobcentre_uptake"].picker is None
    for entry in raw.values():  # offering no measure at all is allowed
        entry["picker"] = False
    assert all(m.picker is None for m in parse_catalogue(raw).values())


def test_semantics_the_core_relies_on():
    c = load_catalogue()
    # Course counts are never suppressed; everything about persons is.
    assert not c["courses_started"].is_person_count and not c["job_veu_courses"].is_person_count
    assert not c["job_veu_share"].is_person_count
    for key in ("participations", "persons", "aarselever", "completion_rate", "jobcentre_uptake"):
        assert c[key].is_person_count
    assert {k for k, m in c.items() if m.period_basis == "end"} == {
        "completion_rate", "employment_rate_3m", "employment_rate_6m"}
    assert {k for k, m in c.items() if m.unit == "share"} == {
        "shortage_share", "completion_rate", "employment_rate_3m", "employment_rate_6m", "job_veu_share",
        "age_50_plus_share"}
    assert kpi_measures() == ["courses_started", "participations", "aarselever", "shortage_share",
                              "completion_rate", "employment_rate_3m"]


def test_texts_by_language():
    m = get_measure("aarselever")
    assert m.title("da") == "Årselever"
    assert m.title("en").startswith("Full-time equivalents")
    assert "200" in m.definition("da") and "200" in m.definition("en")
    assert m.help_text("en").endswith("Source: " + m.source_en)
    assert m.unit_label("da") == "årselever"
    with pytest.raises(KeyError, match="unknown measure"):
        get_measure("happiness")


def test_measures_md_is_generated_from_the_catalogue():
    expected = render_measures_markdown()
    assert MEASURES_MD.read_text(encoding="utf-8") == expected, (
        "docs/MEASURES.md is stale: run `python -m veu_metrics.catalogue`")
    for m in load_catalogue().values():
        assert f"(`{m.key}`)" in expected
        assert m.definition_da in expected and m.definition_en in expected


# ------------------------------------------------------------------------------------ formulas
def test_every_measure_has_a_formula_the_kind_agrees_with():
    c = load_catalogue()
    assert c["persons"].formula.numerator.op == "distinct"
    assert c["aarselever"].formula.numerator.divide_by == 200
    uptake = c["jobcentre_uptake"].formula
    assert uptake.per_unemployed and uptake.scale == 1000
    assert uptake.population is not None and uptake.population.column == "unemployed"
    completion = c["completion_rate"].formula
    assert completion.counted_denominator is not None
    assert completion.counted_denominator.where == Condition("completed", known=True)
    for m in c.values():
        assert (m.formula.denominator is not None) == (m.kind == "rate"), m.key
    assert {k for k, m in c.items() if m.formula.population is not None} == {
        "employment_rate_3m", "employment_rate_6m", "jobcentre_uptake"}


@pytest.mark.parametrize(
    ("measure", "formula", "message"),
    [
        ("participations", {"count_where": "colour"}, "condition 'colour' must name a column"),
        ("participations", {"count": "people"}, "write 'count: rows'"),
        ("participations", {"count": "rows", "count_where": "shortage"}, "exactly one of"),
        ("participations", {"count": "rows", "weight": 2}, "unknown key\\(s\\): weight"),
        ("courses_started", {"count_distinct": "person_id"}, "not allowed on table courses"),
        ("aarselever", {"sum": "seats"}, "sum: 'seats' is not allowed"),
        ("aarselever", {"sum": "course_days", "divide_by": 0}, "divide_by must be a positive"),
        ("participations", {"count": "rows", "denominator": {"count": "rows"}},
         "kind count needs a count numerator, no denominator"),
        ("completion_rate", {"count_where": "completed"}, "kind rate needs"),
        ("completion_rate", {"count_where": "completed", "denominator": "population"},
         "denominator must be 'unemployment' or a count"),
        ("job_veu_share", {"count_where": "job_veu", "denominator": "unemployment"},
         "only enrolments have an unemployment denominator"),
        ("jobcentre_uptake", {"count": "rows", "denominator": "unemployment", "scale": -1},
         "scale must be a positive number"),
        ("participations", {"count_where": {"column": "age_band", "in": []}}, "must name a column"),
        ("participations", {"count_where": {"column": "shortage", "in": ["true"]}},
         "with one of labour_status"),
        ("participations", {"count_where": "age_band"}, "condition 'age_band' must name"),
        ("participations", {"count": "rows", "population": "cancelled"}, "condition 'cancelled'"),
    ],
)
def test_bad_formulas_are_refused_naming_the_measure(measure, formula, message):
    raw = copy.deepcopy(_raw())
    raw[measure]["formula"] = formula
    with pytest.raises(CatalogueError, match=f"'{measure}'.*{message}"):
        parse_catalogue(raw)


def test_a_measure_over_enrolments_is_always_protected():
    raw = copy.deepcopy(_raw())
    raw["completion_rate"]["is_person_count"] = False
    with pytest.raises(CatalogueError, match="'completion_rate': is_person_count must be true"):
        parse_catalogue(raw)
    raw = copy.deepcopy(_raw())
    raw["job_veu_share"]["is_person_count"] = True
    with pytest.raises(CatalogueError, match="is_person_count must be false for table courses"):
        parse_catalogue(raw)


def test_measures_md_shows_each_formula():
    text = render_measures_markdown()
    assert "`count_where: completed ÷ known_where: completed`" in text
    assert "`count: rows ÷ average full-time unemployed × 1000; population: unemployed`" in text
