"""KPI cards at 1024 and 1400 px, in normal and meeting mode, in Danish and English: every word of a
card (title, value, comparison) is whole on one line, the value is on one line, and nothing in a
card is clipped. Long Danish titles ("Gennemførelsesprocent") once broke inside the word at 1024 px.

The browser says where each word was drawn: a Range over a word has one box per line it is on.
"""

from __future__ import annotations

import pytest

from veu_metrics.catalogue import get_measure, kpi_measures

pytestmark = pytest.mark.browser

VIEWS = (  # (id, width, meeting mode)
    ("1024", 1024, False),
    ("1024-meeting", 1024, True),
    ("1400", 1400, False),
    ("1400-meeting", 1400, True),
)
PAGES = (("overblik", ""), ("omraade", "omraade"))
LANGUAGES = (("da", None), ("en", "English"))

# Per card: its title, the words drawn on more than one line, whether the value takes one line,
# the elements whose content is wider than their box (clipped or spilling out), and whether it
# has its help icon and a sparkline.
_CARDS_JS = r"""() => Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(card => {
  const lines = range => {
    const tops = new Set();
    for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    return tops.size;
  };
  const split = [];
  let words = 0;
  const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('svg')) continue;  // the sparkline's own marks
    for (const m of node.textContent.matchAll(/\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      words += 1;
      const n = lines(range);
      if (n > 1) split.push(`${m[0]} (${n} lines)`);
    }
  }
  const value = card.querySelector('[data-testid="stMetricValue"]');
  const valueRange = document.createRange();
  valueRange.selectNodeContents(value);
  const clipped = [];
  for (const el of [card, ...card.querySelectorAll('*')]) {
    if (!(el instanceof HTMLElement) || getComputedStyle(el).display === 'inline') continue;
    if (el.scrollWidth > el.clientWidth + 1)
      clipped.push(`${el.getAttribute('data-testid') || el.tagName.toLowerCase()}: `
                   + `${el.scrollWidth} px of content in ${el.clientWidth} px`);
  }
  return {
    label: card.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
    value: value.innerText.trim(),
    width: Math.round(card.getBoundingClientRect().width),
    words, split, valueLines: lines(valueRange), clipped,
    help: !!card.querySelector('[data-testid="stTooltipIcon"]'),
    sparkline: !!card.querySelector('[data-testid="stMetricChart"]'),
  };
})"""


@pytest.mark.parametrize(("lang", "sprog"), LANGUAGES, ids=[lang[0] for lang in LANGUAGES])
@pytest.mark.parametrize(("page_id", "path"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize(("view", "width", "meeting"), VIEWS, ids=[v[0] for v in VIEWS])
def test_kpi_cards_keep_every_word_whole_and_nothing_clipped(
        app, lang: str, sprog: str | None, page_id: str, path: str, view: str, width: int,
        meeting: bool) -> None:
    app.page.set_viewport_size({"width": width, "height": 1600})
    params = {"moede": "true"} if meeting else {}
    if sprog:
        params["sprog"] = sprog
    app.open(path, params or None)
    app.page.wait_for_timeout(500)  # the sparklines settle after the last rerun
    app.assert_healthy()
    where = f"/{path} at {view} ({lang})"

    cards = app.page.evaluate(_CARDS_JS)
    assert [c["label"] for c in cards] == [get_measure(m).title(lang) for m in kpi_measures()], where
    for card in cards:
        what = f"{where}, card {card['label']!r} ({card['width']} px wide)"
        assert card["words"] >= 3, f"{what}: no text found in the card"
        assert card["split"] == [], f"{what}: words broken across lines {card['split']}"
        assert card["valueLines"] == 1, f"{what}: the value {card['value']!r} takes {card['valueLines']} lines"
        assert card["clipped"] == [], f"{what}: content wider than its box {card['clipped']}"
        assert card["help"], f"{what}: the definition (help icon) is gone"
        assert card["sparkline"] == (page_id == "overblik"), f"{what}: sparkline shown/missing"
