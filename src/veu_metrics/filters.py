"""The dashboard's filter state: one immutable object, its URL form, its one-line description.

``Filters`` is what every ``compute_*`` function takes. It round-trips to URL query parameters
with stable short keys (``fra``, ``til``, ``omr`` …) so that a link opens the same view; values
of list filters are written as URL-safe slugs (``sundhed-omsorg-og-pleje``) because some category
names contain commas. A wrong link raises ``FilterError`` naming the key, never a traceback.

Facts column names the predicates below refer to are documented in ``facts.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cache

import polars as pl

from veu_metrics import geography
from veu_metrics.formatting import format_month
from veu_metrics.occupations import INDUSTRY_GROUPS, THEMES, occupations
from veu_metrics.schema import (
    BALANCE_STATUSES,
    EDUCATION_TYPES,
    FOCUS_AREAS,
    FUNDING_SCHEMES,
    LABOUR_STATUSES,
)

DEFAULT_REFORM_DATE = date(2025, 1, 1)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")

# Filter field → URL key. Keys are part of the public interface (links in meeting invitations):
# never rename one.
QUERY_KEYS: dict[str, str] = {
    "period_from": "fra",
    "period_to": "til",
    "scheme": "inddeling",
    "areas": "omr",
    "education_types": "udd",
    "funding": "fin",
    "labour_status": "status",
    "industry_groups": "erhverv",
    "occupations": "stilling",
    "focus_areas": "fokus",
    "themes": "tema",
    "balance_status": "balance",
    "job_veu_only": "jobveu",
}

# List filters whose values come from a fixed vocabulary (occupations and areas are looked up).
_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "education_types": EDUCATION_TYPES,
    "funding": FUNDING_SCHEMES,
    "labour_status": LABOUR_STATUSES,
    "industry_groups": INDUSTRY_GROUPS,
    "focus_areas": FOCUS_AREAS,
    "themes": THEMES,
    "balance_status": BALANCE_STATUSES,
}

LIST_FIELDS = ("areas", "education_types", "funding", "labour_status", "industry_groups",
               "occupations", "focus_areas", "themes", "balance_status")

# Labels for describe(): (Danish, English).
_LABELS: dict[str, tuple[str, str]] = {
    "period": ("Periode", "Period"),
    "areas": ("Område", "Area"),
    "education_types": ("Uddannelse", "Education"),
    "funding": ("Finansiering", "Funding"),
    "labour_status": ("Arbejdsmarkedsstatus", "Labour-market status"),
    "industry_groups": ("Erhverv", "Industry"),
    "occupations": ("Stilling", "Occupation"),
    "focus_areas": ("Fokusområde", "Focus area"),
    "themes": ("Tema", "Theme"),
    "balance_status": ("Arbejdsmarkedsbalance", "Labour-market balance"),
    "job_veu_only": ("Kun Job-VEU", "Job-VEU only"),
    "whole_country": ("Hele landet", "Whole country"),
}

_SCHEME_LABELS = {
    "rar": ("RAR-områder", "RAR areas"),
    "council": ("Beskæftigelsesråd", "Employment councils"),
    "municipality": ("Kommuner", "Municipalities"),
}

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


def slugify(value: str) -> str:
    """A URL-safe, readable slug: 'Sundhed, omsorg og pleje' → 'sundhed-omsorg-og-pleje'."""
    text = value.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@cache
def _slug_maps(field_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """(value → slug, accepted spelling → value) for a vocabulary filter."""
    values = _VOCABULARIES[field_name]
    to_slug = {v: slugify(v) for v in values}
    if len(set(to_slug.values())) != len(values):
        raise RuntimeError(f"slugs of {field_name} collide")
    accepted = {s: v for v, s in to_slug.items()} | {v.lower(): v for v in values}
    return to_slug, accepted


@cache
def _occupation_codes() -> frozenset[str]:
    return frozenset(occupations()["occupation_code"].to_list())


@cache
def _area_codes(scheme: str) -> tuple[str, ...]:
    return tuple(geography.areas(scheme)["area_code"].to_list())


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (negative goes back)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Number of months from ``first`` to ``last`` inclusive (both first days of months)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _format_month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _parse_month(key: str, raw: str) -> date:
    match = MONTH_PATTERN.match(raw.strip())
    if not match:
        raise FilterError(key, raw, "expected a month as YYYY-MM, e.g. 2024-03",
                          "forventede en måned som ÅÅÅÅ-MM, fx 2024-03")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise FilterError(key, raw, "the month must be 01–12", "måneden skal være 01–12")
    if not 1990 <= year <= 2100:
        raise FilterError(key, raw, "the year must be between 1990 and 2100",
                          "året skal ligge mellem 1990 og 2100")
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
        for name in ("period_from", "period_to"):
            value = getattr(self, name)
            if not isinstance(value, date) or value.day != 1:
                raise FilterError(QUERY_KEYS[name], value, "expected the first day of a month",
                                  "forventede den første dag i en måned")
        if self.period_from > self.period_to:
            raise FilterError(
                QUERY_KEYS["period_from"], _format_month_key(self.period_from),
                f"the period starts after it ends ({_format_month_key(self.period_to)}); "
                "swap the months",
                f"perioden starter efter den slutter ({_format_month_key(self.period_to)}); "
                "byt om på månederne",
            )
        if self.scheme not in geography.AREA_SCHEMES:
            raise FilterError(QUERY_KEYS["scheme"], self.scheme,
                              f"unknown area scheme; use one of {', '.join(geography.AREA_SCHEMES)}",
                              f"ukendt områdeinddeling; brug en af {', '.join(geography.AREA_SCHEMES)}")
        for name in LIST_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, tuple):
                raise FilterError(QUERY_KEYS[name], value, "expected a tuple of values",
                                  "forventede en række værdier")
        unknown_areas = [a for a in self.areas if a not in _area_codes(self.scheme)]
        if unknown_areas:
            raise FilterError(
                QUERY_KEYS["areas"], unknown_areas[0],
                f"not an area of the scheme '{self.scheme}'; "
                f"use one of {', '.join(_area_codes(self.scheme)[:10])}…",
                f"ikke et område i inddelingen '{self.scheme}'; "
                f"brug en af {', '.join(_area_codes(self.scheme)[:10])}…",
            )
        for name, allowed in _VOCABULARIES.items():
            bad = [v for v in getattr(self, name) if v not in allowed]
            if bad:
                raise FilterError(QUERY_KEYS[name], bad[0],
                                  f"unknown value; allowed: {', '.join(allowed)}",
                                  f"ukendt værdi; tilladt: {', '.join(allowed)}")
        bad_occupations = [c for c in self.occupations if c not in _occupation_codes()]
        if bad_occupations:
            raise FilterError(QUERY_KEYS["occupations"], bad_occupations[0],
                              "unknown occupation code (see the occupations list)",
                              "ukendt stillingskode (se listen over stillinger)")
        if not isinstance(self.job_veu_only, bool):
            raise FilterError(QUERY_KEYS["job_veu_only"], self.job_veu_only, "expected true or false",
                              "forventede ja eller nej")

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

    def with_changes(self, **changes: object) -> Filters:
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
        column_for = {
            "education_types": "education_type",
            "funding": "funding",
            "industry_groups": "industry_group",
            "focus_areas": "focus_area",
            "balance_status": "balance_status",
            "occupations": "occupation_code",
        }
        if include_participant:
            column_for["labour_status"] = "labour_status"
        for name, column in column_for.items():
            values = getattr(self, name)
            if values:
                parts.append(pl.col(column).is_in(list(values)))
        if self.themes:
            mask = sum(THEME_BITS[t] for t in self.themes)
            parts.append((pl.col("themes_mask") & mask) != 0)
        if self.job_veu_only:
            parts.append(pl.col("job_veu"))
        if not parts:
            return pl.lit(True)
        return pl.all_horizontal(parts)

    def has_attribute_filters(self) -> bool:
        return any(getattr(self, n) for n in LIST_FIELDS if n != "areas") or self.job_veu_only

    # ------------------------------------------------------------------ URL round trip
    def to_query_params(self, defaults: Filters | None = None) -> dict[str, str]:
        """Stable short keys; values equal to ``defaults`` are left out."""
        params: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if defaults is not None and value == getattr(defaults, f.name):
                continue
            key = QUERY_KEYS[f.name]
            if f.name in ("period_from", "period_to"):
                params[key] = _format_month_key(value)
            elif f.name == "scheme":
                params[key] = value
            elif f.name == "job_veu_only":
                params[key] = "1" if value else "0"
            elif f.name in _VOCABULARIES:
                to_slug, _ = _slug_maps(f.name)
                params[key] = ",".join(to_slug[v] for v in value)
            else:
                params[key] = ",".join(value)
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]],
                          defaults: Filters) -> Filters:
        """Read filters from URL query parameters; missing keys take ``defaults``.

        Keys that are not filter keys are ignored (pages keep their own state in the URL too).
        Raises FilterError naming the key for a malformed or unknown value.
        """
        values: dict[str, object] = {}
        for name, key in QUERY_KEYS.items():
            if key not in params:
                continue
            raw = params[key]
            text = ",".join(raw) if isinstance(raw, list) else str(raw)
            if name in ("period_from", "period_to"):
                values[name] = _parse_month(key, text)
            elif name == "scheme":
                scheme = text.strip().lower()
                if scheme not in geography.AREA_SCHEMES:
                    raise FilterError(key, text,
                                      f"unknown area scheme; use one of {', '.join(geography.AREA_SCHEMES)}",
                                      f"ukendt områdeinddeling; brug en af {', '.join(geography.AREA_SCHEMES)}")
                values[name] = scheme
            elif name == "job_veu_only":
                flag = text.strip().lower()
                if flag in {"1", "true", "ja", "yes"}:
                    values[name] = True
                elif flag in {"0", "false", "nej", "no", ""}:
                    values[name] = False
                else:
                    raise FilterError(key, text, "expected 1 or 0", "forventede 1 eller 0")
            else:
                values[name] = _parse_list(name, key, text)
        # An area list only makes sense with its scheme: a changed scheme drops the default areas.
        if "scheme" in values and "areas" not in values and values["scheme"] != defaults.scheme:
            values["areas"] = ()
        return replace(defaults, **values)

    # ------------------------------------------------------------------ descriptions
    def describe(self, lang: str = "da") -> str:
        """One line naming the active filters, e.g. 'Periode: jan. 2024–dec. 2024 · Område: RAR Fyn'."""
        i = 0 if lang == "da" else 1
        first = format_month(self.period_from, lang)
        last = format_month(self.period_to, lang)
        period = first if self.period_from == self.period_to else f"{first}–{last}"
        parts = [f"{_LABELS['period'][i]}: {period}"]
        if self.areas:
            names = geography.area_names(self.scheme, lang)
            parts.append(f"{_LABELS['areas'][i]}: {', '.join(names[a] for a in self.areas)}")
        else:
            parts.append(f"{_LABELS['areas'][i]}: {_LABELS['whole_country'][i]}")
        for name in ("education_types", "funding", "labour_status", "industry_groups",
                     "focus_areas", "themes", "balance_status"):
            values = getattr(self, name)
            if values:
                parts.append(f"{_LABELS[name][i]}: {', '.join(values)}")
        if self.occupations:
            titles = _occupation_titles(lang)
            parts.append(f"{_LABELS['occupations'][i]}: "
                         f"{', '.join(titles.get(c, c) for c in self.occupations)}")
        if self.job_veu_only:
            parts.append(_LABELS["job_veu_only"][i])
        return " · ".join(parts)

    def short_name(self) -> str:
        """A short slug for file names, e.g. 'veu_2024-01_2024-12_rar-fyn_amu'."""
        parts = [_format_month_key(self.period_from), _format_month_key(self.period_to)]
        if self.areas:
            parts.append(f"{self.scheme}-" + "-".join(self.areas[:3])
                         + ("-m" if len(self.areas) > 3 else ""))
        extra = [getattr(self, n) for n in LIST_FIELDS if n != "areas"]
        chosen = [v for values in extra for v in values]
        if chosen:
            parts.append("-".join(slugify(v) for v in chosen[:2]) + ("-m" if len(chosen) > 2 else ""))
        if self.job_veu_only:
            parts.append("jobveu")
        return "veu_" + "_".join(parts)


def _parse_list(name: str, key: str, text: str) -> tuple[str, ...]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    if name == "areas":
        return tuple(items)  # checked against the scheme in Filters.validate
    if name == "occupations":
        unknown = [c for c in items if c not in _occupation_codes()]
        if unknown:
            raise FilterError(key, unknown[0], "unknown occupation code (see the occupations list)",
                              "ukendt stillingskode (se listen over stillinger)")
        return tuple(dict.fromkeys(items))
    _, accepted = _slug_maps(name)
    result = []
    for item in items:
        value = accepted.get(item.lower())
        if value is None:
            allowed = ", ".join(_slug_maps(name)[0].values())
            raise FilterError(key, item, f"unknown value; allowed: {allowed}",
                              f"ukendt værdi; tilladt: {allowed}")
        result.append(value)
    return tuple(dict.fromkeys(result))


@cache
def _occupation_titles(lang: str) -> dict[str, str]:
    frame = occupations()
    column = "title_en" if lang == "en" else "title_da"
    return dict(zip(frame["occupation_code"], frame[column], strict=True))


def last_complete_month(covers_to: date) -> date:
    """The last month fully covered by data ending on ``covers_to``."""
    is_month_end = date.fromordinal(covers_to.toordinal() + 1).day == 1
    return month_start(covers_to) if is_month_end else add_months(month_start(covers_to), -1)


def default_filters(covers_to: date, reform_date: date = DEFAULT_REFORM_DATE) -> Filters:
    """The last 12 complete months, in the council scheme in force at the period's end."""
    last = last_complete_month(covers_to)
    return Filters(period_from=add_months(last, -11), period_to=last,
                   scheme=geography.scheme_for(last, reform_date))


def scheme_label(scheme: str, lang: str = "da") -> str:
    return _SCHEME_LABELS[scheme][0 if lang == "da" else 1]


def allowed_values(field_name: str) -> tuple[str, ...]:
    """The values a list filter accepts (areas: of the 'rar' scheme; see geography.areas)."""
    if field_name in _VOCABULARIES:
        return _VOCABULARIES[field_name]
    if field_name == "occupations":
        return tuple(sorted(_occupation_codes()))
    raise KeyError(field_name)


def as_tuple(values: Iterable[str] | None) -> tuple[str, ...]:
    """Widget values (lists) to the tuple a Filters field takes."""
    return tuple(values) if values else ()

