"""Issue 15's leftovers on the pages: the blind spots' rule and zeros, Område's area carried to
the other pages, the Data page's note on the files' totals."""

from __future__ import annotations

from veu_metrics.balance import BLIND_SPOT_LIMIT
from veu_metrics.disclosure import MAX_NOISE
from veu_metrics.formatting import SUPPRESSED_MARKER
from veu_metrics.i18n import t

from .conftest import texts_of


def test_blind_spots_state_the_codes_rule_and_show_a_zero_as_zero(open_page):
    at = open_page("app_pages/shortage.py")
    assert not at.exception
    title = t("shortage.blind_title", "da")
    subheader = next(s for s in at.subheader if s.value == title)
    assert f"færre end {BLIND_SPOT_LIMIT} kursusdeltagelser" in subheader.help
    assert "færre end 5" not in subheader.help
    assert f"{SUPPRESSED_MARKER} betyder 1–4" in subheader.help  # the demo's threshold is 5
    assert f"0–{MAX_NOISE}" in subheader.help
    blind = at.dataframe[-1].value  # the blind spots' table, last on the page
    counts = blind["participations"]
    assert str(counts.dtype).startswith("int")  # numbers, not text: 0 is a 0, not a marker
    assert (counts == 0).any()
    shown = counts.dropna()
    assert not ((shown > 0) & (shown < 5)).any()  # a shown count is 0 or at least the threshold
    assert (shown < BLIND_SPOT_LIMIT).all()


def test_the_area_chosen_on_omraade_becomes_the_shared_filter(open_page):
    at = open_page("app_pages/area.py")
    choice = at.selectbox(key="omraade")
    other = next(o for o in choice.options if o != choice.value)
    choice.set_value(other).run()
    assert not at.exception
    assert at.multiselect(key="omr").value == [other]
    assert at.radio(key="inddeling").value == at.session_state["inddeling"]
    for page in ("app_pages/overview.py", "app_pages/shortage.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert at.multiselect(key="omr").value == [other], page
    # ... and back on Område the choice is the shared one
    at.switch_page("app_pages/area.py").run()
    assert at.selectbox(key="omraade").value == other


def test_a_sidebar_area_change_is_followed_by_omraade(open_page):
    at = open_page("app_pages/area.py")
    choice = at.selectbox(key="omraade")
    first, second = choice.options[0], choice.options[1]
    choice.set_value(first).run()
    at.multiselect(key="omr").set_value([second]).run()
    assert not at.exception
    assert at.selectbox(key="omraade").value == second


def test_the_data_page_says_the_files_have_totals(open_page):
    at = open_page("app_pages/data.py")
    assert not at.exception
    assert t("data.totals_note", "da") in texts_of(at, "caption")


def test_an_old_link_with_the_old_industry_group_spelling_selects_the_group(open_page):
    at = open_page(None, {"erhverv": "It og telekommunikation"})
    assert not at.exception
    assert at.multiselect(key="erhverv").value == ["IT og telekommunikation"]
    assert not any("erhverv" in w for w in texts_of(at, "warning"))  # nothing was ignored
