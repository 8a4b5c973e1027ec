"""Every page opens cold in a real browser: its title, no exception box, no console error, no
"None"/"null" where a label belongs, and a screenshot of it (artifacts/screenshots/, and docs/screenshots/ with VEU_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import pytest

from veu_metrics.i18n import t

pytestmark = pytest.mark.browser

# The pages' url paths are part of the app's interface (links in minutes and e-mails use them).
# (url path, title key); the default page, Overblik, lives at "/" (st.navigation ignores its path).
PAGES = (
    ("", "page.overview"),
    ("omraade", "page.area"),
    ("jobcentre", "page.jobcentres"),
    ("mangelomraader", "page.shortage"),
    ("kurser", "page.courses"),
    ("effekter", "page.outcomes"),
    ("data", "page.data"),
    ("indlaes", "page.upload"),
)


@pytest.mark.parametrize(("url_path", "title_key"), PAGES, ids=[p or "overblik" for p, _ in PAGES])
def test_page_loads_without_errors(app, url_path: str, title_key: str) -> None:
    app.open(url_path, tall=True)

    shot = app.screenshot(url_path or "overblik")  # kept in artifacts/ whatever follows
    assert app.current_page_label() == t(title_key, "da")
    assert app.title(), "the page has no title (h1)"
    app.assert_healthy()
    assert shot.stat().st_size > 10_000  # a drawn page, not a blank one
    app.publish_screenshot(shot)  # a working page (a cosmetic flaw below still fails the test)
    leaked = app.leaked_placeholders()
    assert leaked == [], f"/{url_path} shows a missing value as text: {leaked}"
