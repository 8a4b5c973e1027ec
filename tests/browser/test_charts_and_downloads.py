"""Charts are drawn by vega-embed in the browser, and the files under a chart arrive and parse:
the Danish CSV (';' and decimal comma) and the Excel workbook hold the numbers the page shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from veu_metrics import geography
from veu_metrics.catalogue import get_measure
from veu_metrics.disclosure import MAX_NOISE
from veu_metrics.i18n import t

pytestmark = pytest.mark.browser

PARTICIPATIONS = get_measure("participations").title("da")
COURSES_STARTED = get_measure("courses_started").title("da")

# How much a vega chart drew: an SVG's data marks (vega's "role-mark" groups, not the axes),
# or a canvas's inked pixels (not transparent, not white) divided by 100.
_DRAWN_MARKS_JS = """el => {
  const s = el.querySelector('svg.marks');
  if (s) {
    return s.querySelectorAll('g.role-mark > path, g.role-mark > rect, g.role-mark > line').length;
  }
  const c = el.querySelector('canvas');
  if (!c) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n += 1;
  }
  return Math.floor(n / 100);
}"""


def assert_charts_drawn(app) -> None:
    charts = app.page.locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() >= 2  # the trend and the focus areas on Overblik
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        drawn = chart.locator("canvas, svg.marks").first
        drawn.wait_for(state="visible")
        box = drawn.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, f"chart {i} is tiny: {box}"
        assert chart.evaluate(_DRAWN_MARKS_JS) >= 5, f"chart {i} draws no data"


def _download(app, where, label: str, folder: Path) -> Path:
    """Click the first download button ``label`` inside ``where`` and save what arrives."""
    button = where.get_by_role("button", name=label, exact=True).first
    with app.page.expect_download() as event:
        button.click()
    download = event.value
    assert download.failure() is None, download.failure()
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def test_charts_render_and_their_csv_and_excel_downloads_parse(app, tmp_path: Path) -> None:
    app.open("", {"periode": ["2025-01", "2025-12"]})
    assert_charts_drawn(app)
    shown_total = int(app.kpis()[PARTICIPATIONS].replace(".", ""))
    # The first chart is the quarterly participations trend, with its downloads under it.
    expander = app.page.locator('[data-testid="stMain"] [data-testid="stExpander"]',
                                has_text=t("download.title", "da")).first
    expander.locator("summary").click()

    csv_file = _download(app, expander, t("download.csv_da", "da"), tmp_path)
    excel_file = _download(app, expander, "Excel", tmp_path)

    assert csv_file.suffix == ".csv" and excel_file.suffix == ".xlsx"
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Danish Excel reads UTF-8
    from_csv = pl.read_csv(csv_file, separator=";", decimal_comma=True, try_parse_dates=True)
    from_excel = pl.read_excel(excel_file, sheet_id=1)
    # A file for people: the screen's column labels, no flag columns (nothing is hidden here).
    period, value = t("col.period", "da"), PARTICIPATIONS
    assert from_csv.columns == [period, t("col.group", "da"), value]
    # Quarters from the data's first month (Jan 2018) to the period's end (Q4 2025): 8 years.
    assert from_csv.height == 32
    assert from_csv[period].to_list()[0] == date(2018, 1, 1)
    assert from_csv[period].to_list()[-1] == date(2025, 10, 1)
    # The file holds the numbers behind the card: 2025's four quarters add up to its total,
    # within the perturbation of each (disclosure control perturbs every cell on its own).
    year_2025 = from_csv.filter(pl.col(period).dt.year() == 2025)
    assert abs(year_2025[value].sum() - shown_total) <= MAX_NOISE * (year_2025.height + 1)
    # The workbook's data sheet holds the same rows as the CSV.
    assert from_excel.columns == from_csv.columns
    assert from_excel.select(period, value).rows() == from_csv.select(period, value).rows()
    app.assert_healthy()


def test_data_page_table_adds_up_to_the_overview_cards(app, tmp_path: Path) -> None:
    """The Data page's month × area activity table, downloaded, holds the numbers Overblik shows
    for the same (default) filters: 12 months × 5 councils, and the same totals."""
    app.open()
    cards = app.kpis()
    app.go_to_page(t("page.data", "da"))
    section = app.page.locator('[data-testid="stMain"]')

    csv_file = _download(app, section, t("download.csv_da", "da"), tmp_path)
    excel_file = _download(app, section, "Excel", tmp_path)

    table = pl.read_csv(csv_file, separator=";", decimal_comma=True, try_parse_dates=True)
    # A file for people: the columns carry their Danish labels (codes are in the plain CSV).
    month, area, code = t("col.month", "da"), t("col.area_name", "da"), t("col.area_code", "da")
    # The grid's rows, then its totals (12 months, 5 areas, the grand total), marked in "I alt".
    total = t("data.total.col", "da")
    grid, totals = table.filter(pl.col(total).is_null()), table.filter(pl.col(total).is_not_null())
    assert grid.height == 12 * 5 and totals.height == 12 + 5 + 1
    assert sorted(grid[month].unique().to_list()) == (
        [date(2025, m, 1) for m in (11, 12)] + [date(2026, m, 1) for m in range(1, 11)])
    assert set(grid[area]) == set(geography.area_names("council").values())
    # Participations are perturbed cell by cell: the 60 cells add up to the card's total within
    # their noise. Course counts are not person counts and add up exactly.
    participations = int(cards[PARTICIPATIONS].replace(".", ""))
    courses = int(cards[COURSES_STARTED].replace(".", ""))
    assert abs(grid[PARTICIPATIONS].sum() - participations) <= MAX_NOISE * (grid.height + 1)
    assert grid[COURSES_STARTED].sum() == courses
    # The grand total is the card's own cell (the same records): the very same published value.
    grand = totals.filter(pl.col(total) == t("data.total.grand", "da"))
    assert grand[PARTICIPATIONS].item() == participations
    assert grand[COURSES_STARTED].item() == courses
    assert not [c for c in table.columns if c.endswith("_suppressed")]
    workbook = pl.read_excel(excel_file, sheet_id=1)
    assert workbook.select(month, code, PARTICIPATIONS).rows() == table.select(
        month, code, PARTICIPATIONS).rows()
    app.assert_healthy()


def test_meeting_pack_follows_the_strategy_year_with_brief_and_target_chart(app, tmp_path) -> None:
    app.open("omraade", {"aar": "2026", "omraade": "Beskæftigelsesrådet Midtjylland"})
    app.assert_healthy()
    brief = app.page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"]',
                             has_text=t("brief.title", "da")).first.inner_text()
    assert "mål" in brief
    pack = _download(app, app.page.locator('[data-testid="stMain"]'), t("area.meeting_pack", "da"),
                     tmp_path)
    assert pack.name == "VEU-status-Midtjylland-2026.html"
    html = pack.read_text(encoding="utf-8")
    assert "Status kort fortalt" in html and "Periode: Periode" not in html
    assert "Periode: jan 2026–okt 2026" in html  # the strategy year, not the last 12 months
    assert html.count("data:image/png;base64,") == 2  # the target chart and the development
    assert "<h2>Udvikling</h2>" in html
