"""The shared filter panel (sidebar). Every widget is bound to the URL under a short, stable key,
so a link opens the same view on any page. Widget values are Danish labels (the official names),
the same in both UI languages, so a link works whatever language its reader uses. Beside the
period and the area scheme, the widgets are drawn from the dimension registry
(``veu_metrics.dimensions``): one per filter dimension, in its order."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from veu_metrics import geography
from veu_metrics.aggregate import withheld_selection
from veu_metrics.dimensions import FILTER_DIMENSIONS, Dimension, spec
from veu_metrics.filters import (
    PERIOD_KEY,
    SCHEME_LINK_LABELS,
    FilterError,
    Filters,
    allowed_values,
    check_query_params,
)
from veu_metrics.geography import AreaScheme
from veu_metrics.i18n import t
from veu_metrics.occupations import LEGACY_INDUSTRY_GROUPS, occupations
from veu_metrics.periods import (
    CUSTOM,
    LAST_12,
    PRESET_KEY,
    month_key,
    month_of_key,
    month_range,
    period_presets,
    preset_label,
)

SCHEME_LABELS = SCHEME_LINK_LABELS
SCHEME_BY_LABEL = {label: code for code, label in SCHEME_LABELS.items()}


@dataclass(frozen=True)
class PanelOptions:
    months: tuple[str, ...]  # "YYYY-MM", oldest first
    default_period: tuple[str, str]
    default_scheme: AreaScheme
    occupations: tuple[tuple[str, str], ...] = ()  # (Danish title, code): the dataset's list


def panel_options(covers_from: date, covers_to: date, reform_date: date,
                  occupation_list: pl.DataFrame | None = None) -> PanelOptions:
    months = [month_key(m) for m in month_range(covers_from, covers_to)]
    last = months[-1]
    first = months[max(0, len(months) - 12)]
    scheme = geography.scheme_for(month_of_key(last), reform_date)
    occ = occupation_list if occupation_list is not None else occupations()
    return PanelOptions(tuple(months), (first, last), scheme,
                        tuple(zip(occ["title_da"], occ["occupation_code"], strict=True)))


def _area_labels(scheme: AreaScheme) -> dict[str, str]:
    """Area name → code for a scheme (names are unique within a scheme)."""
    return {name: code for code, name in geography.area_names(scheme).items()}


def _occupation_labels(options: PanelOptions) -> dict[str, str]:
    """Danish title → code, from the dataset's occupation list (titles are unique in it)."""
    if options.occupations:
        return dict(options.occupations)
    occ = occupations()
    return dict(zip(occ["title_da"], occ["occupation_code"], strict=True))


def reset_filters(options: PanelOptions) -> None:
    st.session_state["periode"] = options.default_period
    st.session_state[PRESET_KEY] = LAST_12
    st.session_state["inddeling"] = SCHEME_LABELS[options.default_scheme]
    for dim in FILTER_DIMENSIONS:
        st.session_state[spec(dim).key] = False if spec(dim).kind == "toggle" else []


def default_filters_of(options: PanelOptions) -> Filters:
    return Filters(period_from=month_of_key(options.default_period[0]),
                   period_to=month_of_key(options.default_period[1]), scheme=options.default_scheme)


def _check_preset(raw: dict[str, list[str]], presets: dict[str, tuple[date, date]]
                  ) -> list[FilterError]:
    values = raw.get(PRESET_KEY, [])
    if values and values[-1] not in presets and values[-1] != CUSTOM:
        return [FilterError(PRESET_KEY, values[-1], t("link.problem.not_a_period_choice", "en"),
                            t("link.problem.not_a_period_choice", "da"))]
    return []


def _render_period(options: PanelOptions, presets: dict[str, tuple[date, date]],
                   raw: dict[str, list[str]], lang: str) -> tuple[str, str]:
    """The period: a preset (last 12 months, a year, a quarter) or a custom range on the slider.
    Both are in the link (``periodevalg``, and ``periode`` for a custom range); an old link with
    only ``periode`` opens as a custom range."""
    choices = [*presets, CUSTOM]
    linked = raw.get(PRESET_KEY, [])
    if PERIOD_KEY in raw and (not linked or linked[-1] not in choices) \
            and PRESET_KEY not in st.session_state:
        st.session_state[PRESET_KEY] = CUSTOM
    if linked and linked[-1] not in choices:
        st.query_params.pop(PRESET_KEY, None)
    preset = st.selectbox(
        t("filters.period", lang), choices, key=PRESET_KEY, bind="query-params",
        format_func=lambda p: preset_label(p, lang), help=t("filters.period.help", lang),
    )
    if preset != CUSTOM and preset in presets:
        first, last = presets[preset]
        return f"{first:%Y-%m}", f"{last:%Y-%m}"
    start, end = st.select_slider(
        t("filters.period.custom", lang), options=list(options.months),
        value=options.default_period, key=PERIOD_KEY, bind="query-params",
        label_visibility="collapsed",
    )
    return start, end


def _seed_other_spelling(raw: dict[str, list[str]], key: str, values: tuple[str, ...]) -> None:
    """A link naming options in another case or an old spelling ('It og telekommunikation')
    selects them: the core accepts such values, but a bound widget would drop them silently.
    Only on a cold link (before the widget has state of its own)."""
    if key in st.session_state or not raw.get(key):
        return
    canonical = {v.lower(): v for v in values}
    canonical |= {old.lower(): new for old, new in LEGACY_INDUSTRY_GROUPS.items() if new in values}
    found = [canonical.get(v.lower()) for v in raw[key]]
    if found != raw[key] and all(found):
        st.session_state[key] = list(dict.fromkeys(v for v in found if v))


def _render_filter(dim: Dimension, raw: dict[str, list[str]],
                   labels: dict[str, dict[str, str]], lang: str) -> bool | tuple[str, ...]:
    """One filter dimension's widget, bound to the URL under its link key; returns the value of
    its ``Filters`` field (codes for areas and occupations, whose widgets show names)."""
    filter_spec = spec(dim)
    key, label = filter_spec.key, t(filter_spec.label, lang)
    help_text = t(filter_spec.help, lang) if filter_spec.help else None
    if filter_spec.kind == "toggle":
        return bool(st.toggle(label, key=key, bind="query-params", help=help_text))
    if filter_spec.kind in ("area", "occupation"):
        names = labels[filter_spec.kind]  # name → code
        options = list(names) if filter_spec.kind == "area" else sorted(names)
        placeholder = t("filters.all_country" if filter_spec.kind == "area" else "filters.all",
                        lang)
        chosen = st.multiselect(label, options, key=key, bind="query-params",
                                placeholder=placeholder, help=help_text)
        return tuple(names[name] for name in chosen if name in names)
    values = allowed_values(filter_spec.field)
    _seed_other_spelling(raw, key, values)
    return tuple(st.multiselect(label, list(values), key=key, bind="query-params",
                                placeholder=t("filters.all", lang), help=help_text))


def render_filter_panel(options: PanelOptions, lang: str, extra_keys: frozenset[str] = frozenset()
                        ) -> tuple[Filters, list[FilterError]]:
    """Draw the sidebar filters; return the Filters they describe and any problems in the link
    (checked by the core before the widgets run, because Streamlit drops what it cannot use)."""
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    problems = check_query_params(raw, default_filters_of(options),
                                  page_keys=extra_keys | {PRESET_KEY})
    months = set(options.months)
    for value in raw.get(PERIOD_KEY, []):  # a valid month outside the data's range
        if value not in months and not any(p.key == PERIOD_KEY and value in str(p.value) for p in problems):
            problems.append(FilterError(PERIOD_KEY, value, t("link.problem.outside_data", "en"),
                                        t("link.problem.outside_data", "da")))

    presets = period_presets(month_of_key(options.months[0]), month_of_key(options.months[-1]))
    problems += _check_preset(raw, presets)

    with st.sidebar:
        st.markdown(f"### {t('filters.title', lang)}")
        start, end = _render_period(options, presets, raw, lang)
        scheme_label = st.radio(
            t("filters.scheme", lang), list(SCHEME_LABELS.values()),
            index=list(SCHEME_LABELS).index(options.default_scheme), key="inddeling",
            bind="query-params", horizontal=True, help=t("filters.scheme.help", lang),
        )
        scheme = SCHEME_BY_LABEL[scheme_label]
        labels = {"area": _area_labels(scheme), "occupation": _occupation_labels(options)}
        # Filters field → value: a toggle's bool or a tuple of codes, as the registry pairs them
        # (a static type cannot follow that pairing; Filters validates every value).
        fields: dict[str, Any] = {}
        # "Flere filtre": opened before the first filter that belongs in it
        more: AbstractContextManager[object] | None = None
        for dim in FILTER_DIMENSIONS:
            section: AbstractContextManager[object] = nullcontext()
            if spec(dim).more:
                if more is None:
                    more = st.expander(t("filters.more", lang), expanded=False)
                section = more
            with section:
                fields[spec(dim).field] = _render_filter(dim, raw, labels, lang)
        st.button(t("filters.reset", lang), on_click=reset_filters, args=(options,),
                  width="stretch")

    if month_of_key(start) > month_of_key(end):  # a reversed link: fall back to the default period
        start, end = options.default_period
    filters = Filters(period_from=month_of_key(start), period_to=month_of_key(end), scheme=scheme,
                      **fields)
    if withheld_selection(filters):  # say why the cards show '..' (docs/CONFIDENTIALITY.md)
        st.sidebar.caption(t("disclosure.custom_selection", lang))
    return filters, problems
