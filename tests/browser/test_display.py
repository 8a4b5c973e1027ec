"""How the app presents itself: meeting mode folds the panel away (one click to open it), the English switch translates the
texts (and a link keeps the language), and no page asks for anything outside the app's host."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest

from veu_metrics.catalogue import get_measure, kpi_measures
from veu_metrics.filters import Filters
from veu_metrics.i18n import t

pytestmark = pytest.mark.browser

# Without VEU_UPLOADS (the suite's server) there is no upload page in the navigation.
PAGE_KEYS = ("page.overview", "page.area", "page.jobcentre", "page.shortage", "page.course",
             "page.outcome", "page.data")
DEFAULT_FILTERS = Filters(period_from=date(2025, 11, 1), period_to=date(2026, 10, 1),
                          scheme="council")


_FORGET_SIDEBAR_CHOICE_JS = """() => Object.keys(window.localStorage)
  .filter(k => k.startsWith('stSidebarCollapsed')).forEach(k => window.localStorage.removeItem(k))"""


def _sidebar_shown(app) -> bool:
    sidebar = app.page.locator('[data-testid="stSidebar"]')
    box = sidebar.bounding_box() if sidebar.is_visible() else None
    return bool(box and box["width"] > 50)


def test_meeting_mode_collapses_the_panel_one_click_away_and_a_link_keeps_it(app) -> None:
    app.open()
    assert _sidebar_shown(app)

    toggle = app.page.locator('[data-testid="stMain"] [data-testid="stCheckbox"]',
                              has_text=t("meeting.toggle", "da")).first
    app.flip(toggle, on=True)

    assert app.query().get("moede") == ["true"]
    assert not _sidebar_shown(app)
    assert app.title() == t("page.overview", "da")
    assert len(app.kpis()) == 6  # the content stays; only the panel folds away
    app.assert_healthy()

    # Pages and filters are one click away: the expand control opens the panel.
    expand = app.page.locator('[data-testid="stExpandSidebarButton"]')
    assert expand.is_visible()
    expand.click()
    app.page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=stSidebar]');"
        " return s && s.getBoundingClientRect().width > 50 && s.getBoundingClientRect().left >= 0; }",
        timeout=10_000)
    assert app.page.locator('[data-testid="stSidebarNav"] a').first.is_visible()
    assert t("filters.title", "da") in app.page.locator('[data-testid="stSidebar"]').inner_text()

    # A meeting link opened cold on another page starts with the panel folded, with the filters.
    # (Streamlit remembers a user's own unfolding in the browser: start as a fresh browser.)
    app.page.evaluate(_FORGET_SIDEBAR_CHOICE_JS)
    app.open("kurser", {"moede": "true", "inddeling": "RAR", "omr": "RAR Fyn"})
    assert not _sidebar_shown(app)
    assert app.query().get("omr") == ["RAR Fyn"]
    app.assert_healthy()

    toggle = app.page.locator('[data-testid="stMain"] [data-testid="stCheckbox"]',
                              has_text=t("meeting.toggle", "da")).first
    app.flip(toggle, on=False)
    assert _sidebar_shown(app)
    assert "moede" not in app.query()


def test_english_switch_translates_the_texts(app) -> None:
    app.open()
    assert app.title() == "Overblik"
    assert app.page_labels() == [t(key, "da") for key in PAGE_KEYS]

    switch = app.page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"]').first
    app.rerun_after(lambda: switch.locator("button", has_text="English").click())

    assert app.query().get("sprog") == ["English"]
    assert app.title() == "Overview"
    assert app.page_labels() == [t(key, "en") for key in PAGE_KEYS]
    assert list(app.kpis()) == [get_measure(m).title("en") for m in kpi_measures()]
    assert DEFAULT_FILTERS.describe("en") in app.captions()
    assert t("filters.title", "en") in app.page.locator('[data-testid="stSidebar"]').inner_text()
    app.assert_healthy()

    # The language is part of the URL: it stays on the next page.
    app.go_to_page(t("page.course", "en"))
    assert app.current_page_label() == "Courses"
    assert app.query().get("sprog") == ["English"]
    assert DEFAULT_FILTERS.describe("en") in app.captions()
    app.assert_healthy()


def test_no_request_leaves_the_app(app) -> None:
    """Every test's tab is guarded (see conftest); here the guard itself is checked, and a whole
    page's requests (scripts, styles, fonts, data, the map) are seen to stay on the app's host."""
    hosts: set[str] = set()
    app.page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc
                                                     or request.url.split(":")[0]))
    app.open()
    assert hosts == {urlsplit(app.server.url).netloc}

    app.page.evaluate("() => fetch('https://example.org/probe.json').catch(() => null)")
    app.page.wait_for_timeout(300)
    assert app.external_requests == ["https://example.org/probe.json"]
    app.external_requests.clear()  # seen and refused: the guard works
    app.console_errors.clear()  # the refused probe's own "net::ERR_FAILED"
