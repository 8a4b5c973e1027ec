"""The dimension registry drives every list that names dimensions.

Parametrised over ``dimensions.DIMENSIONS``: a dimension added to the registry (CONTRIBUTING.md,
"Recipe: add a dimension") is checked here as a filter (link round trip, refusal of a bad value,
description, rows kept), as a breakdown (engine, group order, picker), as an outcome grouping and
for its texts, without a new test. The sidebar's widgets are checked in tests/app/test_dimensions_panel.py.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from typing import get_args

import polars as pl
import pytest

from measures_builders import REFORM, People, balance_rows, course, tables
from ui.components import BREAKDOWN_CHOICES
from ui.outcome_view import GROUPINGS
from veu_metrics.aggregate import BREAKDOWNS, PARTICIPANT_BREAKDOWNS
from veu_metrics.dimensions import (
    BOOLEAN_VALUES,
    BREAKDOWN_DIMENSIONS,
    DIMENSIONS,
    FILTER_DIMENSIONS,
    OUTCOME_DIMENSIONS,
    Breakdown,
    Dimension,
    FilterSpec,
    check_registry,
    dimension,
    spec,
)
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import (
    FILTER_KEYS,
    QUERY_KEYS,
    THEME_BITS,
    FilterError,
    Filters,
    allowed_values,
    check_query_params,
)
from veu_metrics.i18n import LANGUAGES, t, texts
from veu_metrics.measures import MeasureError, compute_outcomes, compute_series
from veu_metrics.occupations import INDUSTRY_GROUPS, THEMES
from veu_metrics.schema import (
    AGE_BANDS,
    EDUCATION_LEVELS,
    EDUCATION_TYPES,
    FOCUS_AREAS,
    FUNDING_SCHEMES,
    GENDERS,
    LABOUR_STATUSES,
)

DEFAULTS = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 6, 1), scheme="rar")
OCCUPATIONS = ("532110", "741110")  # Social- og sundhedsassistent, Elektriker
# One value per filter kind that the looked-up dimensions take (codes; links carry names).
LOOKED_UP = {"area": ("fyn",), "occupation": ("532110",)}


def scenario() -> dict[str, pl.DataFrame]:
    """20 courses in RAR Fyn whose attributes cycle through every dimension's values, with
    participants whose attributes cycle too: every dimension has several values in the data."""
    p = People()
    courses, enrolments = [], []
    for i in range(20):
        courses.append(course(
            f"K{i}", date(2024, 1 + i % 6, 3), date(2024, 1 + i % 6, 20),
            provider_municipality_code=461 if i % 2 else 479,
            education_type=EDUCATION_TYPES[i % len(EDUCATION_TYPES)],
            funding=FUNDING_SCHEMES[i % len(FUNDING_SCHEMES)],
            industry_group=INDUSTRY_GROUPS[i % len(INDUSTRY_GROUPS)],
            focus_area=FOCUS_AREAS[i % len(FOCUS_AREAS)], themes=[THEMES[i % len(THEMES)]],
            job_veu=i % 3 == 0, occupation_code=OCCUPATIONS[i % 2]))
        enrolments += p.enrol(
            f"K{i}", [100 + 3 * i, 101 + 3 * i, 102 + 3 * i],
            municipality_code=101 if i % 4 == 0 else 461,
            labour_status=LABOUR_STATUSES[i % len(LABOUR_STATUSES)],
            gender=GENDERS[i % len(GENDERS)], age_band=AGE_BANDS[i % len(AGE_BANDS)],
            education_level=EDUCATION_LEVELS[i % len(EDUCATION_LEVELS)],
            completed=i % 2 == 0, employed_3m=i % 5 != 0, employed_6m=i % 3 != 0)
    balance = balance_rows("2024H1", "rar", "fyn", {"532110": "Mangel", "741110": "Gode jobmuligheder"})
    balance += balance_rows("2024H1", "rar", "hovedstaden", {"532110": "Gode jobmuligheder"})
    return tables(courses, enrolments, balance)


@pytest.fixture(scope="module")
def facts():
    return prepare_facts(scenario(), REFORM, covers_from=date(2024, 1, 1),
                         covers_to=date(2024, 6, 30))


def _sample(dim: Dimension, frame: pl.DataFrame) -> bool | tuple[str, ...]:
    """A value of the dimension's filter that keeps some rows of ``frame`` and drops others."""
    kind = spec(dim).kind
    if kind == "toggle":
        return True
    if kind in LOOKED_UP:
        return LOOKED_UP[kind]
    assert dim.column is not None and dim.values is not None
    for value in dim.values:
        if _expected_mask(dim, (value,), frame).any():
            return (value,)
    raise AssertionError(f"no value of {dim.name} occurs in the scenario")


def _expected_mask(dim: Dimension, value: bool | tuple[str, ...], frame: pl.DataFrame) -> pl.Series:
    """Which rows the filter should keep, computed without the filter code."""
    assert dim.column is not None
    column = frame[dim.column]
    if value is True:
        return column.cast(pl.Boolean)
    assert isinstance(value, tuple)
    if dim.bits:
        bits = sum(THEME_BITS[v] for v in value)
        return (column.cast(pl.Int64) & bits) != 0
    return column.cast(pl.String).is_in(list(value))


FILTER_IDS = [d.name for d in FILTER_DIMENSIONS]


# ----------------------------------------------------------------------------------- registry
def test_the_registry_is_consistent_and_the_breakdown_type_follows_it():
    check_registry()
    assert {d.name for d in BREAKDOWN_DIMENSIONS} == set(get_args(Breakdown))
    assert dimension("funding").filter == FilterSpec("funding", "fin", "filters.fin")
    with pytest.raises(KeyError, match="unknown dimension 'colour'"):
        dimension("colour")


@pytest.mark.parametrize(("change", "message"), [
    ({"name": "education_type"}, "name used twice"),
    ({"filter": FilterSpec("funding2", "udd", "filters.udd")}, "link key used twice"),
    ({"filter": FilterSpec("education_types", "x", "filters.udd")}, "Filters field used twice"),
    ({"values": None}, "needs its values"),
    ({"column": None}, "needs a facts column"),
    ({"breakdown": False, "picker": True}, "in the picker but not a breakdown"),
])
def test_a_contradicting_registry_is_refused(change, message):
    funding = dimension("funding")
    broken = tuple(replace(d, **change) if d is funding else d for d in DIMENSIONS)
    with pytest.raises(ValueError, match=message):
        check_registry(broken)


def test_a_breakdown_missing_from_the_breakdown_type_is_refused():
    extra = Dimension("colour", "colour", ("rød", "blå"), breakdown=True)
    with pytest.raises(ValueError, match="colour"):
        check_registry((*DIMENSIONS, extra))


def test_the_filters_fields_are_the_registry_filters():
    """Every field of Filters but the period and the scheme is a filter dimension's, typed by
    its kind (a toggle is a bool, the others a tuple), and every link key is the registry's."""
    own = {"period_from", "period_to", "scheme"}
    defaults = {f.name: f.default for f in fields(Filters) if f.name not in own}
    assert set(defaults) == {spec(d).field for d in FILTER_DIMENSIONS}
    for dim in FILTER_DIMENSIONS:
        assert defaults[spec(dim).field] == (False if spec(dim).kind == "toggle" else ())
        assert QUERY_KEYS[spec(dim).field] == spec(dim).key
    assert ("periode", "inddeling", *(spec(d).key for d in FILTER_DIMENSIONS)) == FILTER_KEYS


# ------------------------------------------------------------------------------------ filters
@pytest.mark.parametrize("dim", FILTER_DIMENSIONS, ids=FILTER_IDS)
def test_each_filter_round_trips_through_a_link(dim, facts):
    value = _sample(dim, facts.participations)
    chosen = DEFAULTS.with_changes(**{spec(dim).field: value})
    params = chosen.to_query_params(DEFAULTS)
    assert list(params) == [spec(dim).key], "one link key, the registry's"
    assert Filters.from_query_params(params, DEFAULTS) == chosen
    assert check_query_params(params, DEFAULTS) == []
    assert Filters.from_query_params(chosen.to_query_params(), DEFAULTS) == chosen


@pytest.mark.parametrize("dim", FILTER_DIMENSIONS, ids=FILTER_IDS)
def test_each_filter_refuses_a_value_it_does_not_have_under_its_key(dim):
    key = spec(dim).key
    with pytest.raises(FilterError) as info:
        Filters.from_query_params({key: "Ingen sådan værdi"}, DEFAULTS)
    assert info.value.key == key
    assert [p.key for p in check_query_params({key: "Ingen sådan værdi"}, DEFAULTS)] == [key]
    if spec(dim).kind == "list":
        assert allowed_values(spec(dim).field) == dim.values
        with pytest.raises(FilterError):
            DEFAULTS.with_changes(**{spec(dim).field: ("Ingen sådan værdi",)})


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("dim", FILTER_DIMENSIONS, ids=FILTER_IDS)
def test_each_filter_is_named_in_the_description(dim, lang, facts):
    label = t(dim.describe_label, lang)
    value = _sample(dim, facts.participations)
    described = DEFAULTS.with_changes(**{spec(dim).field: value}).describe(lang)
    parts = described.split(" · ")
    area = spec(dim).kind == "area"  # the area is always named ("Hele landet" by default)
    assert len(parts) == (2 if area else 3), "the period, the area and the filter chosen"
    assert parts[-1].startswith(label)
    if spec(dim).kind == "list":
        assert parts[-1] == f"{label}: {value[0]}"  # type: ignore[index]
    if not area:
        assert len(DEFAULTS.describe(lang).split(" · ")) == 2


@pytest.mark.parametrize("dim", [d for d in FILTER_DIMENSIONS if spec(d).kind != "area"],
                         ids=[d.name for d in FILTER_DIMENSIONS if spec(d).kind != "area"])
def test_each_filter_keeps_the_rows_with_its_value(dim, facts):
    rows = facts.participations
    value = _sample(dim, rows)
    chosen = DEFAULTS.with_changes(**{spec(dim).field: value})
    kept = rows.with_row_index().filter(chosen.attribute_predicate())["index"].to_list()
    expected = rows.with_row_index().filter(_expected_mask(dim, value, rows))["index"].to_list()
    assert kept == expected and 0 < len(kept) < rows.height
    # Counting courses leaves a participant filter out; a course filter applies to courses too.
    courses = facts.courses.filter(chosen.attribute_predicate(include_participant=False))
    if dim.participant_only:
        assert courses.height == facts.courses.height
    else:
        assert courses.height == int(_expected_mask(dim, value, facts.courses).sum())


# --------------------------------------------------------------------------------- breakdowns
@pytest.mark.parametrize("dim", BREAKDOWN_DIMENSIONS, ids=[d.name for d in BREAKDOWN_DIMENSIONS])
def test_each_breakdown_splits_a_series_in_the_registry_order(dim, facts):
    assert BREAKDOWNS[dim.name] == (dim.column or "")  # type: ignore[index]
    assert (dim.name in PARTICIPANT_BREAKDOWNS) == dim.participant_only
    series = compute_series(facts, DEFAULTS, "participations", threshold=1, grain="year",
                            breakdown=dim.name)  # type: ignore[arg-type]
    groups = series["group"].to_list()
    assert len(groups) > 1
    if dim.values is not None:
        assert groups == [v for v in dim.values if v in groups], "groups in the registry's order"
    if dim.participant_only:
        with pytest.raises(MeasureError, match="courses"):
            compute_series(facts, DEFAULTS, "courses_started", threshold=1,
                           breakdown=dim.name)  # type: ignore[arg-type]
    else:
        compute_series(facts, DEFAULTS, "courses_started", threshold=1,
                       breakdown=dim.name)  # type: ignore[arg-type]


def test_the_breakdown_picker_offers_the_registry_picker_dimensions_in_its_order():
    assert (None, *(d.name for d in DIMENSIONS if d.picker)) == BREAKDOWN_CHOICES


@pytest.mark.parametrize("dim", OUTCOME_DIMENSIONS, ids=[d.name for d in OUTCOME_DIMENSIONS])
def test_each_outcome_grouping_is_offered_and_computed(dim, facts):
    assert dim.name in GROUPINGS
    outcomes = compute_outcomes(facts, DEFAULTS, threshold=1, by=dim.name)
    assert outcomes.height > 0
    assert tuple(d.name for d in OUTCOME_DIMENSIONS) == GROUPINGS


# ----------------------------------------------------------------------------- facts and texts
@pytest.mark.parametrize("dim", [d for d in DIMENSIONS if d.column],
                         ids=[d.name for d in DIMENSIONS if d.column])
def test_each_dimension_column_is_in_the_facts(dim, facts):
    assert dim.column in facts.participations.columns
    assert (dim.column in facts.courses.columns) != dim.participant_only


@pytest.mark.parametrize("dim", DIMENSIONS, ids=[d.name for d in DIMENSIONS])
def test_each_dimension_has_the_texts_its_roles_need_in_both_languages(dim):
    needed = []
    if dim.filter is not None:
        needed += [dim.filter.label, dim.describe_label]
        needed += [dim.filter.help] if dim.filter.help else []
    if dim.picker:
        needed.append(dim.breakdown_label)
        if dim.values == BOOLEAN_VALUES:  # the groups are named yes / no
            needed += [f"{dim.breakdown_label}.yes", f"{dim.breakdown_label}.no"]
    if dim.outcome:
        needed.append(dim.grouping_label)
    for key in needed:
        assert key in texts(), f"{dim.name}: no text '{key}' in texts.yaml"
        assert all(texts()[key].get(lang) for lang in LANGUAGES)
