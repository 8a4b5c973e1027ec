"""Typed tables (ui.tables): numbers stay numbers, the display text is Danish or English."""

from __future__ import annotations

import polars as pl

from ui import area_view, tables
from veu_metrics.columns import Column

FRAME = pl.DataFrame({
    "area_name": ["A", "B", "C"], "participations": [93, 9, None],
    "participations_suppressed": [False, False, True], "share_of_target": [0.5, 1.2, None],
})


def test_numbers_stay_numbers_and_hidden_cells_are_empty_with_the_marker():
    shown, resolved, placeholder = tables.table_parts(
        FRAME, "da", {"share_of_target": Column(kind="share", progress=True)})
    assert shown.columns == ["area_name", "participations", "share_of_target"]
    assert shown.schema["participations"].is_integer()
    assert shown["participations"].to_list() == [93, 9, None]
    assert shown["share_of_target"].to_list() == [50.0, 120.0, None]  # a bar in per cent
    assert placeholder == ".."
    # Sorted as numbers: 93 above 9 (never "9" > "93" as text).
    assert shown.sort("participations", descending=True, nulls_last=True)["area_name"].to_list() == [
        "A", "B", "C"]


def test_display_values_are_danish_and_english_texts():
    big = FRAME.with_columns(pl.Series("participations", [18644, 9, None]))
    shown, resolved, _ = tables.table_parts(big, "da")
    styler = tables.styled(shown, resolved, "da")
    html = styler.to_html()
    assert "18.644" in html
    shown_en, resolved_en, _ = tables.table_parts(big, "en")
    assert "18,644" in tables.styled(shown_en, resolved_en, "en").to_html()


def test_a_table_without_hidden_cells_shows_a_dash_for_a_gap():
    frame = pl.DataFrame({"a": [1.0, None]})
    assert tables.table_parts(frame, "da")[2] == "–"


def test_target_values_take_each_target_s_unit():
    rows = pl.DataFrame({
        "measure": ["aarselever", "participations", "shortage_share"], "label": ["a", "b", "c"],
        "target": [916.26, 1772.0, 0.35], "actual_ytd": [1.0, 2.0, 0.1],
        "actual_ytd_suppressed": [False] * 3, "expected_by_now": [1.0, 2.0, 0.3],
        "projection": [1.0, 2.0, 0.1], "projection_suppressed": [False] * 3,
        "share_of_target": [0.1, 0.2, 0.3], "share_of_target_suppressed": [False] * 3,
        "status": ["Bagud"] * 3,
    })
    shown, resolved, _ = tables.table_parts(rows, "da", area_view.TARGET_COLUMNS)
    html = tables.styled(shown, resolved, "da").to_html()
    assert "916,3" in html and "1.772" in html and "35,0 %" in html
    assert tables.column_config(resolved, "da")["measure"] is None  # kept for the files only


def test_meeting_pack_file_name_is_short():
    assert area_view.meeting_pack_filename("Beskæftigelsesrådet Midtjylland", 2026, "da") == (
        "VEU-status-Midtjylland-2026.html")
    assert area_view.meeting_pack_filename("RAR Fyn", 2024, "en") == "VEU-status-Fyn-2024.html"
