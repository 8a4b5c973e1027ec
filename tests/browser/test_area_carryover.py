"""The area chosen on Område carries over (issue 15): the choice writes the sidebar's URL-bound
area filter, which the other pages then show. AppTest cannot see a bound widget write the URL
back; the browser can."""

from __future__ import annotations

import re

import pytest

from veu_metrics.i18n import t

pytestmark = pytest.mark.browser

AREA = "Beskæftigelsesrådet Syddanmark"


def test_the_area_chosen_on_omraade_is_in_the_link_and_on_other_pages(app) -> None:
    app.open("omraade")
    choice = app.page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has=app.page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(
            rf"^\s*{re.escape(t('area.choose', 'da'))}\s*$"))).first
    choice.click()
    option = app.page.locator('[role="option"]', has_text=re.compile(rf"^{re.escape(AREA)}$"))
    app.rerun_after(option.first.click)

    assert app.query().get("omr") == [AREA]
    areas = app.sidebar_widget("stMultiSelect", t("filters.areas", "da"))
    assert AREA in areas.inner_text()
    app.assert_healthy()

    app.go_to_page(t("page.overview", "da"))
    assert app.query().get("omr") == [AREA], "the area was lost on the way to Overblik"
    assert any(f"{AREA}" in caption for caption in app.captions())
    app.assert_healthy()
