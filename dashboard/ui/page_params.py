"""Page-owned URL keys (``soeg``, ``effekt``, ``fane``, ``kommune``, ``aar`` …): the filter
panel's link check skips them, and Streamlit silently drops a value its widget cannot use. Every
such value is reported in the same box as the filters' link problems (``components``):

- pages call :func:`warn_bad_page_value` / :func:`resolve_page_value` before drawing a widget
  whose values they know (a link made in the other language, whose widget labels differ, then
  opens the same view);
- for every other page key, :func:`dropped_page_values` compares the link as it came
  (:func:`link_as_opened`) with the widgets' values after the page ran: a value that neither
  stayed in the URL nor became the widget's value was not usable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from veu_metrics.filters import FilterError
from veu_metrics.i18n import LANGUAGES, t

_RUN_PROBLEMS = "_veu_page_link_problems"
_HANDLED = "_veu_page_keys_handled"


def _page_problem(key: str, value: str) -> FilterError:
    return FilterError(key, value, t("link.problem.not_on_this_page", "en"),
                       t("link.problem.not_on_this_page", "da"))


def link_as_opened() -> dict[str, list[str]]:
    """The URL's keys and values at the start of a run (call before any widget); resets the
    problems the page's own checks report in this run."""
    st.session_state[_RUN_PROBLEMS] = []
    st.session_state[_HANDLED] = set()
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _report(key: str, value: str) -> None:
    st.session_state.setdefault(_RUN_PROBLEMS, []).append(_page_problem(key, value))


def _handled(key: str) -> None:
    st.session_state.setdefault(_HANDLED, set()).add(key)


def warn_bad_page_value(key: str, allowed: Iterable[str], lang: str) -> None:
    """Report a URL value for ``key`` that is not one of ``allowed``."""
    _handled(key)
    if key not in st.query_params:
        return
    allowed_set = set(allowed)
    for value in st.query_params.get_all(key):
        if value and value not in allowed_set:
            _report(key, value)
            return


def resolve_page_value(key: str, choices: Mapping[str, str], lang: str) -> None:
    """A bound choice whose URL value is its label: accept the label in any UI language.

    ``choices`` maps each choice's state value (what ``st.session_state[key]`` holds) to the
    text key of its label. A label from another language selects the same choice; a value that
    is no label at all is reported (and the widget keeps its default).
    """
    _handled(key)
    if key not in st.query_params:
        return
    value = st.query_params.get(key)
    if not value:
        return
    labels = {state: {t(text_key, other) for other in LANGUAGES} for state, text_key in choices.items()}
    if value in {t(text_key, lang) for text_key in choices.values()}:
        return
    for state, names in labels.items():
        if value in names:
            if st.session_state.get(key) != state:
                st.session_state[key] = state
            return
    _report(key, value)


def _as_texts(value: object) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, list | tuple | set | frozenset):
        return {str(v).strip().lower() for v in value}
    return {str(value).strip().lower()}


def dropped_page_values(opened: Mapping[str, list[str]], page_keys: Iterable[str]
                        ) -> list[FilterError]:
    """Call after the page ran: the problems its own checks reported, and every page-key value
    from the link that Streamlit dropped because the page's widget could not use it."""
    problems: list[FilterError] = list(st.session_state.get(_RUN_PROBLEMS, []))
    handled: set[str] = set(st.session_state.get(_HANDLED, set()))
    for key in page_keys:
        if key in handled or key not in opened:
            continue
        after = {v.strip().lower() for v in st.query_params.get_all(key)}
        state = _as_texts(st.session_state.get(key)) if key in st.session_state else None
        if state is None:
            continue  # the widget is not on this page: its value waits for its own page
        for value in opened[key]:
            if value and value.strip().lower() not in after | state:
                problems.append(_page_problem(key, value))
    return problems
