"""The Jobcentre page in Chromium: the chart of actual against expected with its intervals is
drawn, and the ranking's Excel arrives with the data and the definitions of its columns."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from tests.browser.test_charts_and_downloads import _DRAWN_MARKS_JS, _download

from veu_metrics.i18n import t

pytestmark = pytest.mark.browser


def test_expected_chart_and_ranking_excel(app, tmp_path: Path) -> None:
    app.open("jobcentre")
    chart = app.page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg.marks").first.wait_for(state="visible")
    assert chart.evaluate(_DRAWN_MARKS_JS) >= 5, "the actual-vs-expected chart draws no data"

    expander = app.page.locator('[data-testid="stMain"] [data-testid="stExpander"]',
                                has_text=t("download.title", "da")).first
    expander.scroll_into_view_if_needed()
    expander.locator("summary").click()
    excel_file = _download(app, expander, t("jobcentre.download_ranking", "da"), tmp_path)
    assert excel_file.suffix == ".xlsx"
    data = pl.read_excel(excel_file, sheet_id=1)
    for column in ("municipality_name", "uptake", "expected_uptake", "expected_lower",
                   "expected_upper", "difference", "assessment"):
        assert column in data.columns, column
    assert data.height > 50
    definitions = pl.read_excel(excel_file, sheet_id=2)
    keys = definitions[definitions.columns[0]].to_list()
    assert "expected_uptake" in keys and "assessment" in keys
    app.assert_healthy()
