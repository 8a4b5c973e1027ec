"""Bounded work for any input: a zip bomb disguised as .xlsx is refused from its declared sizes,
before anything is unpacked; deep JSON and GeoJSON are refused without a RecursionError; rows,
columns and cell length have limits with a clear message."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from veu_metrics import limits
from veu_metrics.boundaries import try_load_boundaries
from veu_metrics.dataset import DatasetError, read_metadata
from veu_metrics.importer import parse_upload
from veu_metrics.publish import validate_upload
from veu_metrics.validation import Problems


def zip_bomb(unpacked_mb: int) -> bytes:
    """A valid-looking workbook whose sheet unpacks to ``unpacked_mb`` MB of one repeated byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                sheet.write(block)
    return buffer.getvalue()


def workbook_with_dimension(ref: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml",
                         f'<?xml version="1.0"?><worksheet><dimension ref="{ref}"/></worksheet>')
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_its_declared_size(monkeypatch):
    bomb = zip_bomb(200)  # 200 MB of spaces: about 200 KB packed
    assert len(bomb) < 1024 * 1024
    problem = limits.check_excel(bomb)
    assert problem is not None and problem.kind == "too_large_unpacked"

    def never(*_args, **_kwargs):  # the Excel reader is never reached
        raise AssertionError("the workbook was unpacked")

    monkeypatch.setattr("fastexcel.read_excel", never)
    report = validate_upload([("kurser.xlsx", bomb)])
    assert [p.kind for p in report.errors] == ["too_large_unpacked"]
    assert "200 MB unpacked" in report.errors[0].value


@pytest.mark.parametrize(("ref", "kind"), [("A1:Q3000000", "too_many_rows"),
                                           ("A1:ZZZ10", "too_many_columns")])
def test_an_excel_range_beyond_the_limits_is_refused(ref, kind):
    assert limits.check_excel(workbook_with_dimension(ref)).kind == kind


def test_ordinary_workbooks_pass():
    assert limits.check_excel(workbook_with_dimension("A1:Q5000")) is None


def test_csv_rows_columns_and_cell_length(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    problems = Problems()
    parse_upload([("courses.csv", b"a;b\n1;2\n3;4\n5;6\n7;8\n")], problems)
    assert [p.kind for p in problems.report().errors] == ["too_many_rows"]
    monkeypatch.setattr(limits, "MAX_ROWS", 100)
    problems = Problems()
    names = ["course_id", "title", "provider", "seats"] * (limits.MAX_COLUMNS // 4 + 1)
    parse_upload([("courses.csv", ";".join(names).encode() + b"\nK1;T" + b";" * len(names)
                   + b"\n")], problems)
    assert "too_many_columns" in [p.kind for p in problems.report().errors]
    problems = Problems()
    parse_upload([("courses.csv", b"course_id;title\nK1;" + b"x" * 20_000 + b"\n")], problems)
    errors = problems.report().errors
    assert [p.kind for p in errors] == ["cell_too_long"] and "20,000" in errors[0].value


def test_deep_metadata_json_is_refused_not_a_traceback(tmp_path):
    deep = "[" * 3000 + "]" * 3000
    report = validate_upload([("metadata.json", deep.encode())])
    assert [p.kind for p in report.errors] == ["metadata_too_deep"]
    medium = {"name": "x", "source": "y", "covers_from": "2020-01-01", "covers_to": "2020-12-31",
              "created_at": "2021-01-01", "next_update": None, "version": "v", "synthetic": False}
    nested: object = 1
    for _ in range(100):
        nested = {"a": nested}
    (tmp_path / "metadata.json").write_text(json.dumps(medium | {"extra": nested}))
    with pytest.raises(DatasetError, match="levels"):
        read_metadata(tmp_path)


def test_a_geojson_nested_3000_levels_gives_a_message(tmp_path):
    path = tmp_path / "kommuner.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 3000 + "]" * 3000 + "}")
    status = try_load_boundaries(path)
    assert status.boundaries is None and "nested" in status.problem


def test_a_workbook_of_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ZIP_PARTS", 1)
    assert limits.check_excel(workbook_with_dimension("A1:B2")).kind == "too_many_parts"
