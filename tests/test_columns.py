"""Column labels and kinds for tables people read (on screen and in files)."""

from datetime import date

import polars as pl

from veu_metrics.columns import (
    Column,
    cell_text,
    file_headers,
    format_table_date,
    measure_cell_text,
    resolve_columns,
)


def test_kinds_come_from_the_catalogue_then_the_type():
    frame = pl.DataFrame({
        "area_name": ["Fyn"], "participations": [12], "participations_suppressed": [False],
        "aarselever": [3.25], "completion_rate": [0.5], "start_date": [date(2026, 10, 30)],
        "job_veu": [True], "other": [1.5],
    })
    resolved = resolve_columns(frame, "da")
    assert "participations_suppressed" not in resolved  # a flag decides the marker, not a column
    assert {n: (c.kind, c.decimals) for n, c in resolved.items()} == {
        "area_name": ("text", 0), "participations": ("count", 0), "aarselever": ("number", 1),
        "completion_rate": ("share", 1), "start_date": ("date", 0), "job_veu": ("flag", 0),
        "other": ("number", 1)}
    assert resolved["area_name"].label == "Område"
    assert resolved["participations"].label == "Kursusdeltagelser"
    assert resolve_columns(frame, "en")["participations"].label == "Course participations"


def test_a_given_column_wins_and_labels_are_text_keys_or_texts():
    frame = pl.DataFrame({"cells": [3], "x": [0.25]})
    resolved = resolve_columns(frame, "da", {"cells": Column(label="shortage.col.cells"),
                                             "x": Column(label="Min andel", kind="share",
                                                         decimals=0, progress=True)})
    assert resolved["cells"].label == "Stilling × område"
    assert (resolved["x"].label, resolved["x"].kind, resolved["x"].progress) == ("Min andel", "share", True)


def test_cells_read_as_danish_and_english_readers_expect():
    share, count = Column(kind="share", decimals=1), Column(kind="count", decimals=0)
    assert cell_text(0.125, share, "da") == "12,5 %" and cell_text(0.125, share, "en") == "12.5%"
    assert cell_text(18644, count, "da") == "18.644" and cell_text(18644, count, "en") == "18,644"
    assert cell_text(None, count, "da") == "–"
    assert cell_text(True, Column(kind="flag"), "da") == "Ja"
    assert cell_text(date(2026, 10, 1), Column(kind="month"), "da") == "okt 2026"
    assert cell_text(date(2026, 10, 1), Column(kind="quarter"), "da") == "2026 K4"
    assert cell_text(date(2026, 10, 1), Column(kind="quarter"), "en") == "2026 Q4"
    assert cell_text(date(2026, 10, 30), Column(kind="date"), "da") == "30-10-2026"
    assert format_table_date(date(2026, 3, 4)) == "04-03-2026"


def test_a_cell_takes_the_unit_of_the_measure_in_its_row():
    assert measure_cell_text(916.26, "aarselever", "da") == "916,3"
    assert measure_cell_text(1772.0, "participations", "da") == "1.772"
    assert measure_cell_text(0.35, "shortage_share", "da") == "35,0 %"


def test_file_headers_are_the_screen_labels_made_unique():
    frame = pl.DataFrame({"area_name": ["A"], "area": ["B"], "participations": [1],
                          "participations_suppressed": [False]})
    headers = file_headers(frame, "da", {"area": Column(label="col.area_name")})
    assert headers == {"area_name": "Område", "area": "Område (2)",
                       "participations": "Kursusdeltagelser"}
