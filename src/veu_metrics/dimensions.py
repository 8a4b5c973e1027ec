"""Every dimension of the data, declared once.

A dimension is a property of a participation or a course that the dashboard filters by, splits a
trend by, or groups outcomes by: education type, funding, labour-market status, area … Each entry
of ``DIMENSIONS`` says where the dimension lives (its facts column), which values it has and in
which order, how it is named (keys in ``texts.yaml``) and which roles it plays. Everything else is
derived from this table: the filter fields, link keys, vocabularies and description of
``filters``, the breakdowns of ``aggregate``, the group orders and outcome groupings of
``measures``, facts' course and participant columns, and the sidebar's widgets, the breakdown
picker and the outcome groupings in the app. CONTRIBUTING.md ("Recipe: add a dimension") says
how to add one.

The period and the area scheme are filters too, but not dimensions: they choose *when* and *by
which division*, and have their own widgets and link keys in ``filters``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from veu_metrics.occupations import INDUSTRY_GROUPS, THEMES
from veu_metrics.schema import (
    AGE_BANDS,
    BALANCE_STATUSES,
    EDUCATION_LEVELS,
    EDUCATION_TYPES,
    FOCUS_AREAS,
    FUNDING_SCHEMES,
    GENDERS,
    LABOUR_STATUSES,
)

Breakdown = Literal["area", "education_type", "funding", "labour_status", "industry_group",
                    "focus_area", "balance_status", "occupation", "job_veu", "shortage",
                    "gender", "age_band", "education_level"]
"""The names of the dimensions a measure can be split by (``Dimension.breakdown``); an import-time
check keeps it equal to the registry, so a type checker can follow a breakdown's name."""

FilterKind = Literal["list", "area", "occupation", "toggle"]
"""How a filter takes its values: ``list`` from the dimension's fixed values, ``area`` from the
areas of the chosen scheme (names in links), ``occupation`` from the occupation list (titles in
links), ``toggle`` a yes/no that keeps rows where the column is true."""

BOOLEAN_VALUES = ("true", "false")
"""The groups of a yes/no dimension, in their order (a Boolean column cast to text)."""


@dataclass(frozen=True)
class FilterSpec:
    """How a dimension is a filter: its field on ``filters.Filters``, its link key, its widget."""

    field: str
    """The ``Filters`` field (a tuple of values, or a bool for a toggle)."""
    key: str
    """The URL key. Part of the public interface (links in meeting invitations): never rename."""
    label: str
    """``texts.yaml`` key of the sidebar widget's label (a toggle's label also in descriptions)."""
    kind: FilterKind = "list"
    help: str | None = None
    """``texts.yaml`` key of the widget's help text, if it has one."""
    more: bool = True
    """Under the panel's "Flere filtre" (False: in its first section, beside the period)."""


@dataclass(frozen=True)
class Dimension:
    """One dimension. ``name`` is the breakdown/grouping name (singular, e.g. ``funding``)."""

    name: str
    column: str | None
    """The facts column (on ``Facts.participations``, and on ``Facts.courses`` unless
    ``participant_only``). None where it is derived: an area from the municipality under the
    chosen scheme, a year from the end month."""
    values: tuple[str, ...] | None = None
    """The values in display order (from ``schema``); None when looked up (areas, occupations)
    or derived (years)."""
    filter: FilterSpec | None = None
    breakdown: bool = False
    """A trend can be split by it (``aggregate.BREAKDOWNS``)."""
    picker: bool = False
    """Offered in the trend's breakdown picker (needs ``breakdown`` and a ``breakdown.<name>``
    text)."""
    outcome: bool = False
    """An outcome grouping on the Effekter page (needs an ``outcomes.by.<name>`` text)."""
    participant_only: bool = False
    """A property of the participant, not of the course: courses have no value (a course count
    ignores the filter, and cannot be split by it)."""
    bits: bool = False
    """The column holds the values as bits of an integer (``themes_mask``, a course has several)."""

    @property
    def describe_label(self) -> str:
        """``texts.yaml`` key naming the dimension in the line that describes active filters."""
        if self.filter is not None and self.filter.kind == "toggle":
            return self.filter.label
        return f"dimension.{self.name}"

    @property
    def breakdown_label(self) -> str:
        return f"breakdown.{self.name}"

    @property
    def grouping_label(self) -> str:
        return f"outcomes.by.{self.name}"


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("area", None,
              filter=FilterSpec("areas", "omr", "filters.areas", kind="area", more=False),
              breakdown=True, picker=True),
    Dimension("education_type", "education_type", EDUCATION_TYPES,
              filter=FilterSpec("education_types", "udd", "filters.udd"),
              breakdown=True, picker=True, outcome=True),
    Dimension("funding", "funding", FUNDING_SCHEMES,
              filter=FilterSpec("funding", "fin", "filters.fin"),
              breakdown=True, picker=True, outcome=True),
    Dimension("labour_status", "labour_status", LABOUR_STATUSES,
              filter=FilterSpec("labour_status", "status", "filters.status"),
              breakdown=True, picker=True, outcome=True, participant_only=True),
    Dimension("industry_group", "industry_group", INDUSTRY_GROUPS,
              filter=FilterSpec("industry_groups", "erhverv", "filters.erhverv"),
              breakdown=True, picker=True),
    Dimension("focus_area", "focus_area", FOCUS_AREAS,
              filter=FilterSpec("focus_areas", "fokus", "filters.fokus"),
              breakdown=True, picker=True),
    Dimension("theme", "themes_mask", THEMES,
              filter=FilterSpec("themes", "tema", "filters.tema"), bits=True),
    Dimension("balance_status", "balance_status", BALANCE_STATUSES,
              filter=FilterSpec("balance_status", "balance", "filters.balance"), breakdown=True),
    Dimension("occupation", "occupation_code",
              filter=FilterSpec("occupations", "stilling", "filters.stilling", kind="occupation"),
              breakdown=True),
    Dimension("job_veu", "job_veu", BOOLEAN_VALUES,
              filter=FilterSpec("job_veu_only", "jobveu", "filters.jobveu", kind="toggle",
                                help="filters.jobveu.help"),
              breakdown=True, picker=True),
    Dimension("shortage", "shortage", BOOLEAN_VALUES, breakdown=True, picker=True, outcome=True),
    Dimension("gender", "gender", GENDERS, breakdown=True, participant_only=True),
    Dimension("age_band", "age_band", AGE_BANDS, breakdown=True, participant_only=True),
    Dimension("education_level", "education_level", EDUCATION_LEVELS, breakdown=True,
              participant_only=True),
    Dimension("year", None, outcome=True),
)
"""The registry. Its order is the order of the sidebar's widgets, of the keys in a link, of the
parts of a filter description, of the breakdown picker and of the outcome groupings."""

_BY_NAME = {d.name: d for d in DIMENSIONS}

FILTER_DIMENSIONS: tuple[Dimension, ...] = tuple(d for d in DIMENSIONS if d.filter is not None)
BREAKDOWN_DIMENSIONS: tuple[Dimension, ...] = tuple(d for d in DIMENSIONS if d.breakdown)
OUTCOME_DIMENSIONS: tuple[Dimension, ...] = tuple(d for d in DIMENSIONS if d.outcome)


def dimension(name: str) -> Dimension:
    """The dimension called ``name``; KeyError naming the known ones otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown dimension {name!r}; known: {', '.join(_BY_NAME)}") from None


def spec(dim: Dimension) -> FilterSpec:
    """The filter of a filter dimension (for code that iterates ``FILTER_DIMENSIONS``)."""
    if dim.filter is None:
        raise ValueError(f"dimension {dim.name!r} is not a filter")
    return dim.filter


def course_columns() -> tuple[str, ...]:
    """Facts columns of the course dimensions (carried from each course onto its participations)."""
    return tuple(d.column for d in DIMENSIONS if d.column and not d.participant_only)


def participant_columns() -> tuple[str, ...]:
    """Facts columns of the participant dimensions (from the enrolments)."""
    return tuple(d.column for d in DIMENSIONS if d.column and d.participant_only)


def check_registry(dimensions: tuple[Dimension, ...] = DIMENSIONS) -> None:
    """Raise ValueError when the registry contradicts itself (run at import and by the tests)."""
    def unique(label: str, items: list[str]) -> None:
        repeated = sorted({i for i in items if items.count(i) > 1})
        if repeated:
            raise ValueError(f"dimensions: {label} used twice: {', '.join(repeated)}")

    filters = [d.filter for d in dimensions if d.filter is not None]
    unique("name", [d.name for d in dimensions])
    unique("Filters field", [f.field for f in filters])
    unique("link key", [f.key for f in filters])
    for d in dimensions:
        if d.filter is not None and d.filter.kind == "list" and d.values is None:
            raise ValueError(f"dimensions: list filter {d.name!r} needs its values")
        if d.filter is not None and d.filter.kind != "area" and d.column is None:
            raise ValueError(f"dimensions: filter {d.name!r} needs a facts column")
        if d.picker and not d.breakdown:
            raise ValueError(f"dimensions: {d.name!r} is in the picker but not a breakdown")
    breakdowns = [d.name for d in dimensions if d.breakdown]
    if set(breakdowns) != set(get_args(Breakdown)):
        raise ValueError("dimensions: the Breakdown type and the registry's breakdowns differ: "
                         f"{sorted(set(breakdowns) ^ set(get_args(Breakdown)))}")


check_registry()
