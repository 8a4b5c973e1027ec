"""AppTest per page (Overblik, Område, Jobcentre, Mangelområder): renders with demo data, with a
filter, with a filter that matches nothing, and from links (good and malformed)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.app.conftest import texts_of

from veu_metrics.catalogue import get_measure, kpi_measures
from veu_metrics.dataset import open_dataset
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import Filters
from veu_metrics.formatting import format_value
from veu_metrics.measures import compute_kpis
from veu_metrics.periods import add_months
from veu_metrics.settings import load_settings

PAGES = ["app_pages/overview.py", "app_pages/area.py", "app_pages/jobcentre.py",
         "app_pages/shortage.py"]


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_demo_data(open_page, page):
    at = open_page(page)
    _no_exception(at)
    assert at.title, "every page has a title"
    assert any("Demodata" in w for w in texts_of(at, "warning")), "the demo banner is shown"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_a_filter(open_page, page):
    at = open_page(page, {"inddeling": "RAR", "omr": ["RAR Fyn"], "udd": ["AMU"]})
    _no_exception(at)
    captions = " ".join(texts_of(at, "caption"))
    # The area page follows the strategy year's scheme: RAR Fyn lies in the Syddanmark council.
    area = "Syddanmark" if page.endswith("area.py") else "RAR Fyn"
    assert area in captions and "AMU" in captions, "the active filters are written under the title"


@pytest.mark.parametrize("page", PAGES)
def test_page_with_a_filter_that_matches_nothing(open_page, page):
    # Uddannelsesløft (full vocational education) is never Job-VEU AMU for employed people in
    # the demo data: a combination that matches no course.
    at = open_page(page, {"fin": ["Uddannelsesløft"], "udd": ["Diplom"], "jobveu": "true"})
    _no_exception(at)


@pytest.mark.parametrize("page", PAGES)
def test_malformed_link_gives_a_message_and_the_page_works(open_page, page):
    at = open_page(page, {"omr": ["Atlantis"], "periode": ["2099-01", "2099-12"], "xyz": "1"})
    _no_exception(at)
    warnings = " ".join(texts_of(at, "warning"))
    assert "Atlantis" in warnings and "2099-01" in warnings and "xyz" in warnings


def test_english_switch_changes_the_texts(open_page):
    at = open_page(None, {"sprog": "English"})
    _no_exception(at)
    assert at.title[0].value == "Overview"


def test_overview_cards_equal_the_core_figures(open_page, app_env):
    """The Overblik cards show exactly what the core computes for the same filter."""
    at = open_page(None, {"inddeling": "RAR", "omr": ["RAR Østjylland"]})
    _no_exception(at)
    dataset = open_dataset(app_env)
    settings = load_settings({})
    facts = prepare_facts(dataset, reform_date=settings.reform_date)
    last = dataset.covers_to.replace(day=1)
    filters = Filters(period_from=add_months(last, -11), period_to=last, scheme="rar",
                      areas=("oestjylland",))
    expected = compute_kpis(facts, filters, settings.disclosure_threshold)
    shown = {m.label: m.value for m in at.metric}
    assert len(shown) == len(kpi_measures())
    for row in expected.iter_rows(named=True):
        measure = get_measure(row["measure"])
        text = format_value(row["value"], measure.unit, measure.decimals, "da",
                            suppressed=row["value_suppressed"])
        assert shown[measure.title("da")] == text


def test_share_link_encodes_repeated_and_danish_values():
    from ui.components import share_link

    link = share_link("http://host/omraade", {"omr": ["RAR Østjylland", "RAR Fyn"], "jobveu": ["true"]})
    assert link == "http://host/omraade?omr=RAR+%C3%98stjylland&omr=RAR+Fyn&jobveu=true"
    assert share_link("http://host/", {}) == "http://host/"


def test_a_link_made_in_english_selects_the_same_grain_and_split_in_danish(open_page):
    at = open_page(None, {"visning": "Year", "opdel": "Education type"})
    _no_exception(at)
    assert at.session_state["visning"] == "År"
    assert at.session_state["opdel"] == "Uddannelsestype"
    assert not [w for w in texts_of(at, "warning") if "visning" in w or "opdel" in w]


def test_a_link_built_by_the_core_opens_the_same_filters_in_the_app(open_page, app_env):
    """Filters.to_query_params speaks the app's URL dialect: the app reads back the same filters."""
    last = open_dataset(app_env).covers_to.replace(day=1)
    wanted = Filters(
        period_from=add_months(last, -23), period_to=add_months(last, -2), scheme="rar",
        areas=("fyn", "oestjylland"), education_types=("AMU",),
        industry_groups=("Sundhed, omsorg og pleje",), funding=("Regional uddannelsespulje",),
        labour_status=("Forsikret ledig",), occupations=("532110",), focus_areas=("Sundhed og omsorg",),
        themes=("digitalisering",), balance_status=("Mangel",), job_veu_only=True,
    )
    at = open_page(None, wanted.to_query_params())
    _no_exception(at)
    assert at.session_state["_veu_context"].filters == wanted
    assert not [w for w in texts_of(at, "warning") if "🔗" in w or "Linket" in w]


@pytest.mark.parametrize("period", [["2024-13", "2024-12"], ["2024-05"]])
def test_a_period_link_that_cannot_be_used_is_explained(open_page, period):
    # Streamlit seeds the period slider from what it can use of the link; the warning says what
    # was ignored and the line under the title says which period is shown.
    at = open_page(None, {"periode": period})
    _no_exception(at)
    assert any("periode" in w for w in texts_of(at, "warning"))
    ctx = at.session_state["_veu_context"]
    assert ctx.filters.describe("da") in texts_of(at, "caption")


def test_tables_show_a_dash_not_none_for_missing_values():
    import polars as pl

    from ui.components import display_frame

    frame = pl.DataFrame({"rank": [1, None], "name": ["A", None], "n": [7, None],
                          "n_suppressed": [False, True]})
    shown = display_frame(frame, "da")
    assert shown.to_dict(as_series=False) == {"rank": ["1", "–"], "name": ["A", "–"], "n": ["7", ".."]}


def test_select_clicked_area_sets_scheme_and_area_and_a_second_click_clears(open_page):
    """The map's on_select callback (the browser test clicks a real map; here the callback's logic)."""
    from streamlit.testing.v1 import AppTest

    script = '''
import streamlit as st
from ui.map_view import select_clicked_area
st.session_state.setdefault("inddeling", "Beskæftigelsesråd")
st.session_state.setdefault("omr", [])
st.session_state["m"] = {"selection": {"objects": {"areas": [{"area_code": "fyn"}]}}}
if st.button("click", key="b"):
    select_clicked_area("m", "rar")
st.write(st.session_state["inddeling"], st.session_state["omr"])
'''
    at = AppTest.from_string(script).run()
    at.button(key="b").click().run()
    assert (at.session_state["inddeling"], at.session_state["omr"]) == ("RAR", ["RAR Fyn"])
    at.button(key="b").click().run()
    assert at.session_state["omr"] == []


@pytest.mark.parametrize(("preset", "first", "last"), [
    ("2024", date(2024, 1, 1), date(2024, 12, 1)),
    ("2025 K2", date(2025, 4, 1), date(2025, 6, 1)),
])
def test_a_period_preset_in_the_link_sets_the_period(open_page, preset, first, last):
    at = open_page(None, {"periodevalg": preset})
    _no_exception(at)
    filters = at.session_state["_veu_context"].filters
    assert (filters.period_from, filters.period_to) == (first, last)
    assert not [w for w in texts_of(at, "warning") if "periodevalg" in w]


def test_an_old_link_with_only_a_period_opens_as_a_custom_range(open_page):
    at = open_page(None, {"periode": ["2023-02", "2023-07"]})
    _no_exception(at)
    filters = at.session_state["_veu_context"].filters
    assert (filters.period_from, filters.period_to) == (date(2023, 2, 1), date(2023, 7, 1))
    assert at.selectbox(key="periodevalg").value == "Valgfri periode"


def test_an_unknown_period_preset_is_explained(open_page):
    at = open_page(None, {"periodevalg": "1999"})
    _no_exception(at)
    assert any("periodevalg" in w for w in texts_of(at, "warning"))


def test_many_occupations_are_shown_one_industry_group_at_a_time(open_page):
    at = open_page("app_pages/shortage.py", {"kunmangel": "false"})
    _no_exception(at)
    group = at.selectbox(key="hmgruppe")
    assert '"labelOverlap":false' in at.get("vega_lite_chart")[0].proto.spec.replace(" ", "")
    table = at.dataframe[0].value  # the heatmap's numbers
    assert set(table["industry_group"]) == {group.value}


def test_the_area_filter_narrows_the_heatmap(open_page):
    at = open_page("app_pages/shortage.py", {"inddeling": "RAR", "omr": ["RAR Fyn"]})
    _no_exception(at)
    assert set(at.dataframe[0].value["area"]) <= {"Fyn", "Syddanmark"}
