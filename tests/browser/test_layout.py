"""Every page at 1024 and 1400 px and in meeting mode: nothing essential cut, no chart or legend
wider than its box, no map outside its column, and no table that holds numbers as text.

Each check measures what the browser drew: the boxes of elements against their containers, and
the cells of each table's accessible grid (the values beneath the display text: a table that
holds "1.234" or "12,5 %" there holds text, and sorts 93, 9, 8, 76 …).
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# The upload page is not served where uploads are off (the suite's server); its signed-in view is
# driven in test_sign_in.py.
PAGES = ("", "omraade", "jobcentre", "mangelomraader", "kurser", "effekter", "data")
VIEWS = (  # (id, width, meeting mode)
    ("1024", 1024, False),
    ("1400", 1400, False),
    ("meeting", 1400, True),
)

# Essential texts: page titles and headings, KPI titles/values/comparisons, buttons (Del link),
# tabs, the chips of chosen values in the sidebar. Truncated = its text is wider than its box.
_CUT_TEXT_JS = r"""() => {
  const selectors = ['h1', 'h2', 'h3', '[data-testid="stMetric"]',
    '[data-testid="stMain"] button', '[data-testid="stTab"]',
    '[data-testid="stSidebar"] [data-tag]', '[data-testid="stSidebarNav"] a'];
  const cut = [];
  for (const el of document.querySelectorAll(selectors.join(','))) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (box.right <= 0) continue;  // in the folded sidebar (meeting mode): not on screen
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (!r.width) continue;
      // Every box between the text and the page that clips overflow must hold the whole text.
      for (let a = node.parentElement; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        const c = a.getBoundingClientRect();
        if ((cs.overflowX !== 'visible' || cs.textOverflow === 'ellipsis')
            && (r.right > c.right + 1 || r.left < c.left - 1)) {
          cut.push(node.textContent.trim().slice(0, 60));
          break;
        }
        const id = a.getAttribute('data-testid');
        if (id === 'stMain' || id === 'stSidebar') break;
      }
    }
  }
  return cut;
}"""

# A Vega chart draws into a canvas (or svg) inside its element: wider than the element means the
# right part (a legend, an axis title, a label) is cut off.
_CLIPPED_CHARTS_JS = r"""() => {
  const out = [];
  document.querySelectorAll('[data-testid="stVegaLiteChart"]').forEach((chart, i) => {
    const box = chart.getBoundingClientRect();
    const drawn = chart.querySelector('canvas, svg.marks');
    if (!box.width || !drawn) return;
    const r = drawn.getBoundingClientRect();
    if (r.right > box.right + 1 || r.left < box.left - 1)
      out.push(`chart ${i}: drawn ${Math.round(r.width)} px in a ${Math.round(box.width)} px box`);
  });
  const main = document.querySelector('[data-testid="stMainBlockContainer"]')
            || document.querySelector('[data-testid="stMain"]');
  const mainBox = main.getBoundingClientRect();
  document.querySelectorAll('[data-testid="stDeckGlJsonChart"]').forEach((map, i) => {
    const box = map.getBoundingClientRect();
    if (!box.width) return;
    if (box.right > mainBox.right + 1 || box.left < mainBox.left - 1)
      out.push(`map ${i}: ${Math.round(box.left)}–${Math.round(box.right)} outside the page`);
    const canvas = map.querySelector('canvas');
    if (canvas) {
      const c = canvas.getBoundingClientRect();
      if (c.right > box.right + 1 || c.bottom > box.bottom + 1)
        out.push(`map ${i}: canvas larger than its box`);
    }
  });
  return out;
}"""

# The accessible grid holds each cell's value beneath its display text.
_TABLE_CELLS_JS = r"""() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"]'))
  .map(table => {
    const heads = Array.from(table.querySelectorAll('th')).map(th => th.innerText.trim());
    const rows = Array.from(table.querySelectorAll('tr')).map(
      tr => Array.from(tr.querySelectorAll('td')).map(td => td.innerText.trim()))
      .filter(r => r.length);
    return {heads, rows};
  })"""

# Number formatting for people: thousands dots, a decimal comma, a per cent sign, the marker.
_FORMATTED_NUMBER = re.compile(r"^(−|-)?\d{1,3}(\.\d{3})+(,\d+)?( ?%)?$|^(−|-)?\d+,\d+( ?%)?$"
                               r"|^(−|-)?\d+(,\d+)? ?%$|^\.\.$")


def text_held_numbers(tables: list[dict]) -> list[str]:
    """Columns whose cells hold formatted numbers as text (they would sort as text)."""
    found = []
    for table in tables:
        for index, head in enumerate(table["heads"]):
            cells = [row[index] for row in table["rows"] if index < len(row) and row[index]]
            formatted = [c for c in cells if _FORMATTED_NUMBER.match(c)]
            if formatted and len(formatted) >= max(1, len(cells) // 2):
                found.append(f"{head!r} holds text such as {formatted[:3]}")
    return found


def test_formatted_numbers_are_recognised() -> None:
    tables = [{"heads": ["Navn", "Antal", "Andel", "Tal"],
               "rows": [["A", "1.234", "12,5 %", "93"], ["B", "..", "7 %", "9"]]}]
    assert text_held_numbers(tables) == [
        "'Antal' holds text such as ['1.234', '..']", "'Andel' holds text such as ['12,5 %', '7 %']"]


@pytest.mark.parametrize("page", PAGES, ids=[p or "overblik" for p in PAGES])
@pytest.mark.parametrize(("view", "width", "meeting"), VIEWS, ids=[v[0] for v in VIEWS])
def test_nothing_essential_is_cut_and_tables_hold_numbers(app, page: str, view: str, width: int,
                                                          meeting: bool) -> None:
    app.page.set_viewport_size({"width": width, "height": 2400})
    app.open(page, {"moede": "true"} if meeting else None)
    app.page.wait_for_timeout(800)  # charts and maps settle after the last rerun
    app.assert_healthy()
    where = f"/{page} at {view}"

    cut = app.page.evaluate(_CUT_TEXT_JS)
    assert cut == [], f"{where}: cut texts {cut}"
    clipped = app.page.evaluate(_CLIPPED_CHARTS_JS)
    assert clipped == [], f"{where}: {clipped}"
    as_text = text_held_numbers(app.page.evaluate(_TABLE_CELLS_JS))
    assert as_text == [], f"{where}: tables sort numbers as text: {as_text}"
    if meeting:  # pages and filters one click away (or already open: the user unfolded them)
        expand = app.page.locator('[data-testid="stExpandSidebarButton"]')
        nav = app.page.locator('[data-testid="stSidebarNav"] a').first
        assert expand.is_visible() or nav.is_visible(), f"{where}: no way to open the pages and filters"


def test_a_long_area_name_in_the_sidebar_chip_is_whole_at_1024(app) -> None:
    app.page.set_viewport_size({"width": 1024, "height": 1600})
    app.open("", {"omr": "Beskæftigelsesrådet Nordjylland"})
    app.assert_healthy()
    chip = app.page.locator('[data-testid="stSidebar"] [data-tag]').first
    assert "Beskæftigelsesrådet Nordjylland" in chip.inner_text()
    assert app.page.evaluate(_CUT_TEXT_JS) == []
