"""The sidebar filters in a real browser: a change redraws the KPI cards and the charts and is
written to the URL; a link opened cold shows the same view, on every page it navigates to; a
malformed link is explained and ignored."""

from __future__ import annotations

from datetime import date

import pytest

from veu_metrics.catalogue import get_measure
from veu_metrics.filters import Filters
from veu_metrics.i18n import t

pytestmark = pytest.mark.browser

PARTICIPATIONS = get_measure("participations").title("da")  # "Kursusdeltagelser"
# The dataset ends in October 2026, after the 2025 reform: the panel starts on the five
# employment councils and the last 12 months.
DEFAULT_FILTERS = Filters(period_from=date(2025, 11, 1), period_to=date(2026, 10, 1),
                          scheme="council")


def danish_count(text: str) -> int:
    """'3.277' → 3277 (a KPI card's whole number with Danish thousands separators)."""
    return int(text.replace(".", "").replace("\N{NO-BREAK SPACE}", "").strip())


def test_choosing_an_area_updates_cards_chart_and_url(app) -> None:
    app.open()
    assert DEFAULT_FILTERS.describe("da") in app.captions()
    national = danish_count(app.kpis()[PARTICIPATIONS])
    trend_before = app.chart_signature(0)

    app.choose(t("filters.areas", "da"), "Beskæftigelsesrådet Syddanmark")

    assert app.query().get("omr") == ["Beskæftigelsesrådet Syddanmark"]
    expected = Filters(period_from=date(2025, 11, 1), period_to=date(2026, 10, 1),
                       scheme="council", areas=("syddanmark",))
    assert expected.describe("da") in app.captions()
    regional = danish_count(app.kpis()[PARTICIPATIONS])
    assert 0 < regional < national  # one region's participations are a part of the country's
    assert app.chart_changed(trend_before), "the trend chart did not change"
    app.assert_healthy()


def test_job_veu_toggle_updates_cards_and_url(app) -> None:
    app.open()
    everything = danish_count(app.kpis()[PARTICIPATIONS])
    trend_before = app.chart_signature(0)

    app.open_more_filters()
    toggle = app.sidebar_widget("stCheckbox", t("filters.jobveu", "da"))
    app.flip(toggle, on=True)

    assert app.query().get("jobveu") == ["true"]
    job_veu = danish_count(app.kpis()[PARTICIPATIONS])
    assert 0 < job_veu < everything  # Job-VEU is a subset of all job-oriented VEU
    assert app.chart_changed(trend_before), "the trend chart did not change"
    assert DEFAULT_FILTERS.describe("da") + " · Kun Job-VEU" in app.captions()
    app.assert_healthy()


LINK = {
    "periode": ["2024-01", "2024-12"],
    "inddeling": "RAR",
    "omr": "RAR Fyn",
    "jobveu": "true",
}
LINK_FILTERS = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1), scheme="rar",
                       areas=("fyn",), job_veu_only=True)


def test_link_opened_cold_reproduces_the_view_on_other_pages(app) -> None:
    app.open("", LINK)

    # The widgets took their values from the link...
    thumbs = app.page.locator('[data-testid="stSidebar"] [data-testid="stSliderThumbValue"]')
    assert [thumbs.nth(i).inner_text() for i in range(thumbs.count())] == ["2024-01", "2024-12"]
    scheme = app.sidebar_widget("stRadio", t("filters.scheme", "da"))
    assert scheme.locator("input:checked").first.evaluate(
        "el => el.closest('label').innerText.trim()") == "RAR"
    areas = app.sidebar_widget("stMultiSelect", t("filters.areas", "da"))
    assert "RAR Fyn" in areas.inner_text()
    # ...and the page says which view it shows.
    assert LINK_FILTERS.describe("da") in app.captions()
    app.assert_healthy()

    for label in (t("page.area", "da"), t("page.course", "da")):
        app.go_to_page(label)
        assert app.current_page_label() == label
        query = app.query()
        assert {key: query.get(key) for key in LINK} == {
            "periode": ["2024-01", "2024-12"], "inddeling": ["RAR"], "omr": ["RAR Fyn"],
            "jobveu": ["true"]}, f"the filters were lost on the way to {label}"
        assert LINK_FILTERS.describe("da") in app.captions(), f"{label} shows other filters"
        app.assert_healthy()


def test_malformed_link_is_explained_and_the_page_still_works(app) -> None:
    app.open("", {"inddeling": "Amt", "omr": "Atlantis", "udd": "Trylleskole"})

    warnings = "\n".join(app.warnings())
    for bad in ("Amt", "Atlantis", "Trylleskole"):
        assert f"'{bad}'" in warnings, f"no warning names {bad!r}: {warnings}"
    assert app.page.locator('[data-testid="stAlertContentWarning"]', has_text="Atlantis"
                            ).locator('[data-testid="stAlertDynamicIcon"]').inner_text() == "🔗"
    # The bad values were ignored: the default view is drawn.
    assert app.title() == t("page.overview", "da")
    assert DEFAULT_FILTERS.describe("da") in app.captions()
    assert len(app.kpis()) == 6
    app.assert_healthy()
