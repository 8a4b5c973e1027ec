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
    ("jobcentre", "page.jobcentre"),
    ("mangelomraader", "page.shortage"),
    ("kurser", "page.course"),
    ("effekter", "page.outcome"),
    ("data", "page.data"),
)  # "indlaes" (upload) exists only where VEU_UPLOADS enables it: tests/browser/test_sign_in.py


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


def test_overblik_by_name_and_no_upload_page_for_visitors(app) -> None:
    """/overblik (a link typed by hand) opens Overblik, not "Page not found"; /indlaes is no
    page where uploads are off, and the navigation does not offer it."""
    app.open("overblik")
    assert app.title() == t("page.overview", "da")
    assert app.current_page_label() == t("page.overview", "da")
    assert t("page.upload", "da") not in app.page_labels()
    app.assert_healthy()
    app.open("indlaes")
    assert app.title() == t("page.overview", "da")
    assert not app.page.locator('[data-testid="stFileUploader"]').count()


def test_overblik_by_name_keeps_the_links_filters(app) -> None:
    """A hand-written /overblik link with filters and meeting mode opens Overblik with them (the
    switch to the default page used to happen after the widgets had bound their keys, and
    Streamlit refused it: the page showed an error instead)."""
    app.open("overblik", {"udd": ["AMU", "EUV"], "status": "Forsikret ledig", "moede": "true"})
    assert app.title() == t("page.overview", "da")
    line = next(c for c in app.captions() if c.startswith(t("filters.period", "da")))
    assert f"{t('dimension.education_type', 'da')}: AMU, EUV" in line, line
    assert f"{t('dimension.labour_status', 'da')}: Forsikret ledig" in line, line
    app.assert_healthy()


def test_bad_link_values_are_listed_in_one_escaped_box(app) -> None:
    """Page keys are checked too; outside text is shown as typed (no image is fetched, no link
    made); 40 unknown keys give one box, not 40."""
    params = {"kommune": "Atlantis", "omr": "![x](http://evil.example/pixel.png)",
              "tema": "www.evil.example a@evil.example",
              **{f"x{i}": "[Log ind her](http://evil.example/login)" for i in range(40)}}
    app.open("jobcentre", params)
    boxes = app.warnings()
    link_boxes = [b for b in boxes if "Linket indeholdt" in b]
    assert len(link_boxes) == 1, boxes
    shown = link_boxes[0].replace("\u2060", "")  # the joiner that breaks autolinks is invisible
    assert "Atlantis" in shown and "![x](http://evil.example/pixel.png)" in shown
    main = app.page.locator('[data-testid="stMain"]')
    # (the attacker's host, not any "evil": "rammevilkår" headings have anchors like #rammevilkar-…)
    assert main.locator('a[href*="evil.example"]').count() == 0
    assert main.locator('img[src*="evil.example"]').count() == 0
    app.assert_healthy()
