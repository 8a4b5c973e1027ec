"""The dashboard's filter state: one immutable object, its URL form, its one-line description.

``Filters`` is what every ``compute_*`` function takes. It round-trips to URL query parameters
with stable short keys (``periode``, ``inddeling``, ``omr`` …) in exactly the form the dashboard's
URL-bound widgets write, so a link built here opens the same view in the app. A wrong link raises
``FilterError`` naming the key (``check_query_params`` lists every problem), never a traceback.

Which filters exist, their fields, link keys, values and labels come from the dimension registry
(``dimensions.DIMENSIONS``); this module reads them. Facts column names the predicates below
refer to are documented in ``facts.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cache
from typing import Any

import polars as pl

from veu_metrics import geography
from veu_metrics.dimensions import FILTER_DIMENSIONS, Dimension, spec
from veu_metrics.formatting import format_month
from veu_metrics.i18n import t
from veu_metrics.occupations import THEMES, occupations
from veu_metrics.periods import add_months, last_complete_month, month_key, months_between
from veu_metrics.text import slugify

DEFAULT_REFORM_DATE = date(2025, 1, 1)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")

# Filter field → URL key. Keys are part of the public interface (links in meeting invitations):
# never rename one. The link dialect is exactly what the dashboard's URL-bound widgets write:
# Streamlit writes a widget's *label* and a list as repeated parameters, so values are the official
# Danish names (the same in both UI languages) and the period is one key with two months.
# The dimensions' fields and keys come from the registry (``dimensions.DIMENSIONS``).
QUERY_KEYS: dict[str, str] = {
    "period_from": "periode",
    "period_to": "periode",
    "scheme": "inddeling",
    **{spec(d).field: spec(d).key for d in FILTER_DIMENSIONS},
}
PERIOD_KEY = "periode"
FILTER_KEYS: tuple[str, ...] = tuple(dict.fromkeys(QUERY_KEYS.values()))

# The area scheme as the widget labels it (Danish names; the same in the English UI).
SCHEME_LINK_LABELS: dict[geography.AreaScheme, str] = {
    "rar": "RAR", "council": "Beskæftigelsesråd", "municipality": "Kommune"}

_DIMENSION_OF_KEY: dict[str, Dimension] = {spec(d).key: d for d in FILTER_DIMENSIONS}

# List filters whose values come from a fixed vocabulary (occupations and areas are looked up).
_VOCABULARIES: dict[str, tuple[str, ...]] = {
    spec(d).field: d.values for d in FILTER_DIMENSIONS
    if spec(d).kind == "list" and d.values is not None
}

# The filters that hold a tuple of values (every filter dimension but the toggles).
LIST_FIELDS: tuple[str, ...] = tuple(spec(d).field for d in FILTER_DIMENSIONS
                                     if spec(d).kind != "toggle")

THEME_BITS: dict[str, int] = {theme: 1 << i for i, theme in enumerate(THEMES)}
"""Each theme's bit in the facts' ``themes_mask`` column (a list column is slow to filter)."""


class FilterError(ValueError):
    """A filter value cannot be used. ``key`` is the URL key (or field name), ``value`` the bad value.

    ``message_en`` and ``message_da`` say what is wrong and how to fix it; ``str()`` is English.
    """

    def __init__(self, key: str, value: object, message_en: str, message_da: str | None = None):
        self.key = key
        self.value = value
        self.message_en = message_en
        self.message_da = message_da or message_en
        super().__init__(f"{key}={value!r}: {message_en}")

    def message(self, lang: str = "da") -> str:
        text = self.message_da if lang == "da" else self.message_en
        return f"{self.key}={self.value!r}: {text}"

    @classmethod
    def of(cls, key: str, value: object, text_key: str, **values: object) -> FilterError:
        """The problem whose message is ``text_key`` of the text store, in both languages."""
        return cls(key, value, t(text_key, "en", **values), t(text_key, "da", **values))


_DATASET_OCCUPATIONS: dict[str, tuple[str, str]] = {}
"""Occupations of the datasets opened in this process beyond the reference list: code →
(Danish title, English title). Filled by ``register_occupations``; only ever grows."""
_REGISTRY_LOCK = threading.Lock()


def register_occupations(frame: pl.DataFrame) -> None:
    """Make a dataset's occupation list (``occupations.dataset_occupations``) valid filter values:
    its codes and titles are accepted in links and named in descriptions. ``facts.prepare_facts``
    calls it; the app also calls it when it opens a dataset (links are checked before the facts
    are built). Registrations add up, so a link to an earlier version's title still opens."""
    rows = frame.select("occupation_code", "title_da", "title_en").iter_rows()
    new = {code: (da, en or da) for code, da, en in rows
           if code not in _DATASET_OCCUPATIONS and code not in _reference_codes()}
    if not new:
        return
    with _REGISTRY_LOCK:
        _DATASET_OCCUPATIONS.update(new)
        _occupation_codes.cache_clear()
        _occupation_titles.cache_clear()


@cache
def _reference_codes() -> frozenset[str]:
    return frozenset(occupations()["occupation_code"].to_list())


@cache
def _occupation_codes() -> frozenset[str]:
    return _reference_codes() | frozenset(_DATASET_OCCUPATIONS)


@cache
def _area_codes(scheme: geography.AreaScheme) -> tuple[str, ...]:
    return tuple(geography.areas(scheme)["area_code"].to_list())


def _parse_month(key: str, raw: str) -> date:
    match = MONTH_PATTERN.match(raw.strip())
    if not match:
        raise FilterError.of(key, raw, "link.problem.month_format")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise FilterError.of(key, raw, "link.problem.month_number")
    if not 1990 <= year <= 2100:
        raise FilterError.of(key, raw, "link.problem.year_range")
    return date(year, month, 1)


@dataclass(frozen=True)
class Filters:
    """Every filter the dashboard offers. Empty tuples mean "no restriction".

    ``areas`` are area codes of ``scheme`` (``geography.areas(scheme)``); for the municipality
    scheme they are 3-digit codes as text ("101"). Months are first days of months.
    """

    period_from: date
    period_to: date
    scheme: geography.AreaScheme = "rar"
    areas: tuple[str, ...] = ()
    education_types: tuple[str, ...] = ()
    funding: tuple[str, ...] = ()
    labour_status: tuple[str, ...] = ()
    industry_groups: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    balance_status: tuple[str, ...] = ()
    job_veu_only: bool = False

    def __post_init__(self) -> None:
        self.validate()

    # ------------------------------------------------------------------ validation
    def validate(self) -> None:
        """Raise FilterError (keyed by URL key) if any value is not allowed."""
        self._validate_period()
        self._validate_values()

    def _validate_period(self) -> None:
        for name in ("period_from", "period_to"):
            value = getattr(self, name)
            if not isinstance(value, date) or value.day != 1:
                raise FilterError.of(QUERY_KEYS[name], value, "link.problem.first_day")
        if self.period_from > self.period_to:
            raise FilterError.of(QUERY_KEYS["period_from"], month_key(self.period_from),
                                 "link.problem.starts_after_end", end=month_key(self.period_to))
        if self.scheme not in geography.AREA_SCHEMES:
            raise FilterError.of(QUERY_KEYS["scheme"], self.scheme, "link.problem.unknown_scheme",
                                 schemes=", ".join(geography.AREA_SCHEMES))

    def _validate_values(self) -> None:
        for name in LIST_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, tuple):
                raise FilterError.of(QUERY_KEYS[name], value, "link.problem.not_a_tuple")
        unknown_areas = [a for a in self.areas if a not in _area_codes(self.scheme)]
        if unknown_areas:
            raise FilterError.of(QUERY_KEYS["areas"], unknown_areas[0],
                                 "link.problem.area_of_scheme_use", scheme=self.scheme,
                                 codes=", ".join(_area_codes(self.scheme)[:10]))
        for name, allowed in _VOCABULARIES.items():
            bad = [v for v in getattr(self, name) if v not in allowed]
            if bad:
                raise FilterError.of(QUERY_KEYS[name], bad[0], "link.problem.unknown_value",
                                     allowed=", ".join(allowed))
        bad_occupations = [c for c in self.occupations if c not in _occupation_codes()]
        if bad_occupations:
            raise FilterError.of(QUERY_KEYS["occupations"], bad_occupations[0],
                                 "link.problem.unknown_occupation_code")
        for name in (spec(d).field for d in FILTER_DIMENSIONS if spec(d).kind == "toggle"):
            if not isinstance(getattr(self, name), bool):
                raise FilterError.of(QUERY_KEYS[name], getattr(self, name),
                                     "link.problem.not_a_flag")

    # ------------------------------------------------------------------ derived values
    @property
    def months(self) -> int:
        return months_between(self.period_from, self.period_to)

    def previous_year(self) -> Filters:
        """The same filters one year earlier (for 'change vs the same period last year')."""
        return replace(self, period_from=add_months(self.period_from, -12),
                       period_to=add_months(self.period_to, -12))

    def whole_country(self) -> Filters:
        return replace(self, areas=())

    def with_changes(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    def municipality_codes(self) -> list[int] | None:
        """The municipalities inside the selected areas; None when the whole country is selected."""
        if not self.areas:
            return None
        lookup = geography.area_lookup(self.scheme)
        chosen = lookup.filter(pl.col("area_code").is_in(list(self.areas)))
        return chosen["municipality_code"].to_list()

    # ------------------------------------------------------------------ Polars predicates
    def period_predicate(self, month_column: str) -> pl.Expr:
        return pl.col(month_column).is_between(self.period_from, self.period_to)

    def area_predicate(self, municipality_column: str) -> pl.Expr:
        """Rows whose municipality lies in the selected areas (always true for the whole country)."""
        codes = self.municipality_codes()
        if codes is None:
            return pl.lit(True)
        return pl.col(municipality_column).is_in(codes)

    def attribute_predicate(self, include_participant: bool = True) -> pl.Expr:
        """Course (and, if asked, participant) attribute filters over the facts' column names.

        ``include_participant=False`` leaves out filters on participants (labour status), for
        course counts: a course has no labour status.
        """
        parts: list[pl.Expr] = []
        for dim in FILTER_DIMENSIONS:
            kind, value = spec(dim).kind, getattr(self, spec(dim).field)
            if kind == "area" or not value or dim.column is None:
                continue  # areas: ``area_predicate`` (the column depends on the measure)
            if dim.participant_only and not include_participant:
                continue
            column = pl.col(dim.column)
            if kind == "toggle":
                parts.append(column)
            elif dim.bits:
                parts.append((column & sum(THEME_BITS[v] for v in value)) != 0)
            else:
                parts.append(column.is_in(list(value)))
        if not parts:
            return pl.lit(True)
        return pl.all_horizontal(parts)

    # ------------------------------------------------------------------ URL round trip
    def to_query_params(self, defaults: Filters | None = None) -> dict[str, list[str]]:
        """The link that opens this view: the dashboard's keys and values (lists as repeated
        parameters, e.g. ``urlencode(params, doseq=True)``); values equal to ``defaults`` are
        left out, as the app leaves them out of its URL."""
        params: dict[str, list[str]] = {}
        period = [month_key(self.period_from), month_key(self.period_to)]
        if defaults is None or (self.period_from, self.period_to) != (defaults.period_from,
                                                                      defaults.period_to):
            params[PERIOD_KEY] = period
        if defaults is None or self.scheme != defaults.scheme:
            params[QUERY_KEYS["scheme"]] = [SCHEME_LINK_LABELS[self.scheme]]
        for dim in FILTER_DIMENSIONS:
            name, key, kind = spec(dim).field, spec(dim).key, spec(dim).kind
            value = getattr(self, name)
            if defaults is not None and value == getattr(defaults, name):
                continue
            if kind == "area":
                names = geography.area_names(self.scheme)
                params[key] = [names[a] for a in value]
            elif kind == "occupation":
                titles = _occupation_titles("da")
                params[key] = [titles[c] for c in value]
            elif kind == "toggle":
                params[key] = ["true" if value else "false"]
            else:
                params[key] = list(value)
        return {k: v for k, v in params.items() if v or defaults is not None}

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]],
                          defaults: Filters) -> Filters:
        """Read filters from a link; missing keys take ``defaults``.

        Keys that are not filter keys are ignored (pages keep their own state in the URL too).
        Raises FilterError naming the key for a malformed or unknown value; ``check_query_params``
        lists every problem instead.
        """
        values: dict[str, Any] = {}
        for key in FILTER_KEYS:
            if key in params:
                values.update(_parse_key(key, _as_list(params[key]), params, defaults))
        # An area list only makes sense with its scheme: a changed scheme drops the default areas.
        if "scheme" in values and "areas" not in values and values["scheme"] != defaults.scheme:
            values["areas"] = ()
        return replace(defaults, **values)

    # ------------------------------------------------------------------ descriptions
    def describe(self, lang: str = "da") -> str:
        """One line naming the active filters, e.g. 'Periode: jan. 2024–dec. 2024 · Område: RAR Fyn'."""
        first = format_month(self.period_from, lang)
        last = format_month(self.period_to, lang)
        period = first if self.period_from == self.period_to else f"{first}–{last}"
        parts = [f"{t('filters.period', lang)}: {period}"]
        for dim in FILTER_DIMENSIONS:
            kind, value = spec(dim).kind, getattr(self, spec(dim).field)
            label = t(dim.describe_label, lang)
            if kind == "area":
                names = geography.area_names(self.scheme, lang) if value else {}
                chosen = ", ".join(names[a] for a in value) or t("filters.all_country", lang)
                parts.append(f"{label}: {chosen}")
            elif not value:
                continue
            elif kind == "toggle":
                parts.append(label)
            elif kind == "occupation":
                titles = _occupation_titles(lang)
                parts.append(f"{label}: {', '.join(titles.get(c, c) for c in value)}")
            else:
                parts.append(f"{label}: {', '.join(value)}")
        return " · ".join(parts)

    def short_name(self) -> str:
        """A short slug for file names, e.g. 'veu_2024-01_2024-12_rar-fyn_amu'."""
        parts = [month_key(self.period_from), month_key(self.period_to)]
        if self.areas:
            parts.append(f"{self.scheme}-" + "-".join(self.areas[:3])
                         + ("-m" if len(self.areas) > 3 else ""))
        extra = [getattr(self, n) for n in _SLUG_FIELDS]
        chosen = [v for values in extra for v in values]
        if chosen:
            parts.append("-".join(slugify(v) for v in chosen[:2]) + ("-m" if len(chosen) > 2 else ""))
        if self.job_veu_only:
            parts.append("jobveu")
        return "veu_" + "_".join(parts)


# A file name names the first chosen values in the order of the Filters fields (not the
# registry's), so that the name of a view's file stays what it was.
_SLUG_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Filters)
    if f.name in {spec(d).field for d in FILTER_DIMENSIONS if spec(d).kind in ("list", "occupation")})


def _as_list(raw: str | list[str]) -> list[str]:
    """A URL value as a list: repeated parameters arrive as a list, a single one as a string.
    Values are never split on commas (official names contain commas)."""
    values = raw if isinstance(raw, list) else [raw]
    return [v.strip() for v in values if v is not None and v.strip() != ""]


def _scheme_from_link(text: str) -> geography.AreaScheme:
    by_label = {label.lower(): code for code, label in SCHEME_LINK_LABELS.items()}
    scheme = by_label.get(text.lower(), text.lower())
    if not geography.is_scheme(scheme):
        labels = ", ".join(SCHEME_LINK_LABELS.values())
        raise FilterError.of(QUERY_KEYS["scheme"], text, "link.problem.unknown_scheme",
                             schemes=labels)
    return scheme


def _parse_key(key: str, values: list[str], params: Mapping[str, str | list[str]],
               defaults: Filters) -> dict[str, object]:
    """The Filters fields one URL key sets; FilterError for a value that cannot be used."""
    if key == PERIOD_KEY:
        if len(values) != 2:
            raise FilterError.of(key, ",".join(values), "link.problem.two_months")
        first, last = (_parse_month(key, v) for v in values)
        if first > last:
            raise FilterError.of(key, f"{values[0]}–{values[1]}", "link.problem.ends_before_start")
        return {"period_from": first, "period_to": last}
    if key == QUERY_KEYS["scheme"]:
        if len(values) != 1:
            raise FilterError.of(key, ",".join(values), "link.problem.one_scheme")
        return {"scheme": _scheme_from_link(values[0])}
    dim = _DIMENSION_OF_KEY[key]
    name, kind = spec(dim).field, spec(dim).kind
    if kind == "toggle":
        flag = values[-1].lower() if values else "false"
        if flag not in {"1", "true", "ja", "yes", "0", "false", "nej", "no"}:
            raise FilterError.of(key, values[-1], "link.problem.not_a_link_flag")
        return {name: flag in {"1", "true", "ja", "yes"}}
    if kind == "area":
        scheme_raw = _as_list(params.get(QUERY_KEYS["scheme"], []))
        try:
            scheme = _scheme_from_link(scheme_raw[0]) if len(scheme_raw) == 1 else defaults.scheme
        except FilterError:  # reported under its own key; judge the areas by the default scheme
            scheme = defaults.scheme
        names = geography.area_names(scheme)
        by_name = {name.lower(): code for code, name in names.items()}
        codes = []
        for value in values:
            code = value if value in names else by_name.get(value.lower())
            if code is None:
                raise FilterError.of(key, value, "link.problem.area_of_scheme",
                                     scheme=SCHEME_LINK_LABELS[scheme])
            codes.append(code)
        return {name: tuple(dict.fromkeys(codes))}
    if kind == "occupation":
        by_title = {title.lower(): code for code, title in _occupation_titles("da").items()}
        codes = []
        for value in values:
            code = value if value in _occupation_codes() else by_title.get(value.lower())
            if code is None:
                raise FilterError.of(key, value, "link.problem.unknown_occupation")
            codes.append(code)
        return {name: tuple(dict.fromkeys(codes))}
    allowed = {v.lower(): v for v in _VOCABULARIES[name]}
    chosen = []
    for value in values:
        if value.lower() not in allowed:
            listed = ", ".join(_VOCABULARIES[name])
            raise FilterError.of(key, value, "link.problem.unknown_value", allowed=listed)
        chosen.append(allowed[value.lower()])
    return {name: tuple(dict.fromkeys(chosen))}


def check_query_params(params: Mapping[str, str | list[str]], defaults: Filters,
                       page_keys: Iterable[str] = ()) -> list[FilterError]:
    """Every problem in a link at once (a bad value per key; keys nobody owns), for the app to
    explain what it ignored. An empty list means the link is fine."""
    problems: list[FilterError] = []
    owned = set(FILTER_KEYS) | set(page_keys) | {"embed", "embed_options"}
    for key, raw in params.items():
        if key not in owned:
            problems.append(FilterError.of(key, ",".join(_as_list(raw)),
                                           "link.problem.unknown_setting"))
            continue
        if key not in FILTER_KEYS:
            continue
        values = _as_list(raw)
        # Check value by value, so one bad area does not hide another.
        singles = [values] if key in (PERIOD_KEY, QUERY_KEYS["scheme"]) else [[v] for v in values]
        for chunk in singles:
            try:
                _parse_key(key, chunk, params, defaults)
            except FilterError as problem:
                problems.append(problem)
    return problems


@cache
def _occupation_titles(lang: str) -> dict[str, str]:
    frame = occupations()
    column = "title_en" if lang == "en" else "title_da"
    titles = dict(zip(frame["occupation_code"], frame[column], strict=True))
    titles.update({code: pair[1 if lang == "en" else 0]
                   for code, pair in _DATASET_OCCUPATIONS.items()})
    return titles


def default_filters(covers_to: date, reform_date: date = DEFAULT_REFORM_DATE) -> Filters:
    """The last 12 complete months, in the council scheme in force at the period's end."""
    last = last_complete_month(covers_to)
    return Filters(period_from=add_months(last, -11), period_to=last,
                   scheme=geography.scheme_for(last, reform_date))


def allowed_values(field_name: str) -> tuple[str, ...]:
    """The values a list filter accepts (areas: of the 'rar' scheme; see geography.areas)."""
    if field_name in _VOCABULARIES:
        return _VOCABULARIES[field_name]
    if field_name == "occupations":
        return tuple(sorted(_occupation_codes()))
    raise KeyError(field_name)
