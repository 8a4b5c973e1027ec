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
from veu_metrics.ingest.pipeline import parse_upload
from veu_metrics.ingest.publish import validate_upload
from veu_metrics.ingest.report import Problems


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

    monkeypatch.setattr("veu_metrics.ingest.xlsx_stream.open_workbook", never)
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


# --- A sheet's real extent (issue 13, "bounded work"): the cells, not the <dimension> ----------

_SHEET_OPEN = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               'spreadsheetml/2006/main">')


def workbook_with_sheet(sheet_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET_OPEN + sheet_xml + "</worksheet>")
    return buffer.getvalue()


def sparse_sheet(dimension: str | None, far_cell: str, far_row: int) -> bytes:
    """A header at A1:B1 and one cell far away: 1.5 KB whose grid the Excel reader allocates
    whole (before the extent check, 6.4 GB for GR1000000 and an aborted process)."""
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return workbook_with_sheet(
        f'{head}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>course_id</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>title</t></is></c></row>'
        f'<row r="{far_row}"><c r="{far_cell}{far_row}"><v>1</v></c></row></sheetData>')


@pytest.mark.parametrize("dimension", [None, "A1:B2"])
def test_a_sparse_sheet_is_refused_from_its_cells_whatever_its_dimension_says(monkeypatch,
                                                                              dimension):
    bomb = sparse_sheet(dimension, "GR", 1_000_000)
    assert len(bomb) < 4096
    problem = limits.check_excel(bomb)
    assert problem.kind == "too_many_cells" and problem.found.startswith("200,000,000 cells")
    assert "1.0" not in problem.expected_da and "celle pr. byte" in problem.expected_da

    def never(*_args, **_kwargs):  # the Excel reader is never reached
        raise AssertionError("the workbook was read")

    monkeypatch.setattr("veu_metrics.ingest.xlsx_stream.open_workbook", never)
    report = validate_upload([("kurser.xlsx", bomb)])
    assert [p.kind for p in report.errors] == ["too_many_cells"]


def test_rows_and_columns_are_counted_from_the_cells_too():
    assert limits.check_excel(sparse_sheet(None, "A", 3_000_000)).kind == "too_many_rows"
    assert limits.check_excel(sparse_sheet("A1:B2", "ZZ", 10)).kind == "too_many_columns"


@pytest.mark.parametrize("chunk", [7, 64, limits.SCAN_CHUNK])
def test_the_extent_counts_rows_and_cells_without_references_and_with_prefixes(chunk):
    xml = (b'<sheetData><row><c><v>1</v></c><c t="s"><v>2</v></c></row>'  # row 1: A, B
           b'<x:row r="5"><x:c r="D5"/></x:row>'                         # row 5: D
           b'<row spans="1:3"><c><v>1</v></c></row>'                       # row 6: A
           b'<row r="7"><c r="B7"/><c/><c/></row>'                         # row 7: B, C, D
           b'</sheetData><cols><col min="1" max="30"/></cols><rowBreaks count="1"/>')
    assert limits.sheet_extent(io.BytesIO(xml), chunk=chunk) == (7, 4)
    excel = (b'<sheetData><row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c>'
             b'<c r="B1" s="3"><v>2</v></c></row><row r="2"><c s="1" r="AB12"/></row></sheetData>')
    assert limits.sheet_extent(io.BytesIO(excel), chunk=chunk) == (12, 28)


def test_ordinary_workbooks_are_not_refused_by_the_extent():
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("courses")
    sheet.write_row(0, 0, ["course_id", "title", "provider", "start_date", "seats", "themes"])
    for i in range(3000):
        sheet.write_row(i + 1, 0, [f"K{i:05d}", f"Svejsning {i % 40}", "AMU Syd",
                                   f"2024-{i % 12 + 1:02d}-08", i % 24, None])
    workbook.close()
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        extent = limits.sheet_extent(archive.open("xl/worksheets/sheet1.xml"))
    assert extent == (3001, 6)  # the header row spans 6 columns; its data rows 5
    assert limits.check_excel(data) is None


def test_a_workbook_packing_more_cells_than_its_size_allows_is_refused(monkeypatch):
    rows = "".join(f"<row><c><v>{i % 3}</v></c><c><v>{i % 7}</v></c></row>" for i in range(500))
    data = workbook_with_sheet(f"<sheetData>{rows}</sheetData>")  # 1,000 cells
    monkeypatch.setattr(limits, "MAX_UNPACK_RATIO", 1000)  # this one packs tighter than 25×
    monkeypatch.setattr(limits, "MAX_CELLS_PER_BYTE", 1000 / len(data) - 0.01)  # 999 allowed
    problem = limits.check_excel(data)
    assert problem.kind == "too_many_cells" and problem.found.startswith("1,000 cells")
    monkeypatch.setattr(limits, "MAX_CELLS_PER_BYTE", 1000.5 / len(data))  # 1,000 allowed
    assert limits.check_excel(data) is None


def test_a_tag_too_long_to_count_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNPACK_RATIO", 10_000)  # the padding packs very tightly
    padding = 'x="1" ' * 20_000
    padded = f'<sheetData><row r="1"><c {padding}r="XFD1048576"/></row></sheetData>'
    workbook = workbook_with_sheet(padded)
    assert limits.check_excel(workbook).kind == "too_many_columns"  # the tag fit in one block
    monkeypatch.setattr(limits, "SCAN_CHUNK", 4096)  # now it spans blocks: too long to carry
    problem = limits.check_excel(workbook)
    assert problem.kind == "tag_too_long" and problem.found == "xl/worksheets/sheet1.xml"
    # Only the number gets Danish thousands dots (the sentence's comma was once turned into one).
    assert problem.expected_da == "ark-XML, hvis tags højst er 65.536 byte lange"
    assert problem.expected_en == "sheet XML whose tags are at most 65,536 bytes long"
    long_text = f'<sheetData><row r="1"><c r="B1" t="inlineStr"><is><t>{"x" * 200_000}</t></is>' \
                '</c></row></sheetData>'
    assert limits.sheet_extent(io.BytesIO(long_text.encode()), chunk=1000) == (1, 2)


def test_a_sheet_kept_outside_xl_worksheets_is_counted_too(monkeypatch):
    """The workbook's relationships may put a sheet anywhere; the Excel reader follows them."""
    sheet = (_SHEET_OPEN + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>course_id</t>'
             '</is></c></row><row r="300000"><c r="Q300000"><v>1</v></c></row></sheetData>'
             '</worksheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="courses" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="../data/hidden.xml"/></Relationships>'))
        archive.writestr("data/hidden.xml", sheet)
    data = buffer.getvalue()
    problem = limits.check_excel(data)
    assert problem.kind == "too_many_cells" and problem.found.startswith("5,100,000 cells")

    def never(*_args, **_kwargs):
        raise AssertionError("the workbook was read")

    monkeypatch.setattr("veu_metrics.ingest.xlsx_stream.open_workbook", never)
    assert [p.kind for p in validate_upload([("kurser.xlsx", data)]).errors] == ["too_many_cells"]


@pytest.mark.parametrize("chunk", [3, 7, 64, None])
def test_shared_string_lengths_are_streamed_item_by_item(chunk):
    xml = (b'<sst count="5"><si><t>course_id</t></si><si/><si><r><t>a</t></r><r><t>bc</t></r>'
           b'</si><si /><si><t xml:space="preserve"> x </t></si></sst>')
    lengths = limits.shared_string_lengths(io.BytesIO(xml), chunk=chunk)
    assert list(lengths) == [len(b"<si><t>course_id</t></si>"), 0,
                             len(b"<si><r><t>a</t></r><r><t>bc</t></r></si>"), 0,
                             len(b'<si><t xml:space="preserve"> x </t></si>')]


def shared_string_bomb(cells: int, text: int) -> bytes:
    """``cells`` cells all referring to one shared string of ``text`` characters."""
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>1</v></c>' for c in "ABCDE")
                   + "</row>" for r in range(2, cells // 5 + 2))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
            'course_id</t></si><si><t>' + "".join(chr(97 + (i * 7919) % 26) for i in range(text))
            + "</t></si></sst>"))
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET_OPEN + '<sheetData><row r="1">'
                         '<c r="A1" t="s"><v>0</v></c></row>' + rows + "</sheetData></worksheet>")
    return buffer.getvalue()


def test_a_shared_string_used_by_every_cell_is_refused_before_reading(monkeypatch):
    bomb = shared_string_bomb(20_000, 9_000)  # 47 KB; it grew the server by 361 MB
    problem = limits.check_excel(bomb)
    assert problem.kind == "too_large_unpacked" and "MB of shared text" in problem.found

    def never(*_args, **_kwargs):
        raise AssertionError("the workbook was read")

    monkeypatch.setattr("veu_metrics.ingest.xlsx_stream.open_workbook", never)
    assert [p.kind for p in validate_upload([("kurser.xlsx", bomb)]).errors] == [
        "too_large_unpacked"]
    assert limits.check_excel(shared_string_bomb(200, 100)) is None  # short and few: fine


def _ordinary_workbook(table: str, rows: int) -> bytes:
    """A workbook as xlsxwriter (like Excel) saves one of the model's big tables: shared
    strings, numbers, dates with a date format, booleans."""
    import datetime
    import random

    import xlsxwriter

    rng = random.Random(5)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(table)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    if table == "courses":
        sheet.write_row(0, 0, ["course_id", "title", "education_type", "amu_number", "provider",
                               "provider_municipality_code", "start_date", "end_date",
                               "course_days", "occupation_code", "funding", "seats"])
        for i in range(rows):
            start = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 600))
            sheet.write_row(i + 1, 0, [
                f"K{i:07d}", f"Svejsning {rng.randint(1, 300)}", "AMU",
                str(rng.randint(40000, 49999)), rng.choice(["AMU Syd", "TEC", "NEXT"]),
                rng.choice(["851", "101", "461"]), None, None, rng.randint(1, 40),
                rng.choice(["721210", "833220"]), "Regional uddannelsespulje",
                rng.randint(1, 30)])
            sheet.write_datetime(i + 1, 6, start, day)
            sheet.write_datetime(i + 1, 7, start + datetime.timedelta(days=9), day)
    elif table == "enrolments":
        sheet.write_row(0, 0, ["enrolment_id", "course_id", "person_id", "municipality_code",
                               "labour_status", "gender", "age_band", "completed"])
        for i in range(rows):
            sheet.write_row(i + 1, 0, [
                f"E{i:08d}", f"K{rng.randint(0, 3000):07d}", f"P{rng.randint(0, 10**7):08d}",
                rng.choice([101, 851, 461]), rng.choice(["Beskæftiget", "Ledig"]),
                rng.choice(["K", "M"]), rng.choice(["18-29", "30-49", "50+"]),
                rng.random() < 0.9])
    elif table == "balance":
        sheet.write_row(0, 0, ["half_year", "area_scheme", "area_code", "occupation_code",
                               "status"])
        for i in range(rows):
            sheet.write_row(i + 1, 0, [
                f"{2020 + i // 14400}H{i // 7200 % 2 + 1}", "rar", f"RAR{i // 900 % 8}",
                str(100000 + i % 900 * 7),
                rng.choice(["Mangel", "Paradoks", "Gode jobmuligheder"])])
    else:
        sheet.write_row(0, 0, ["month", "municipality_code", "full_time_unemployed"])
        for i in range(rows):
            sheet.write_datetime(i + 1, 0, datetime.datetime(2015 + i // 1176, i // 98 % 12 + 1,
                                                             1), day)
            sheet.write_row(i + 1, 1, [101 + i % 98 * 4, rng.randint(100, 20000)])
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(("table", "rows"), [
    ("courses", 12_000), ("enrolments", 20_000), ("balance", 30_000), ("unemployment", 11_760)])
def test_ordinary_workbooks_are_within_the_cells_per_byte_limit(table, rows):
    """The limit that keeps validation's memory below 10× the file (issue 13) leaves room for
    the workbooks people save: 0.15–0.3 cells per byte against MAX_CELLS_PER_BYTE."""
    data = _ordinary_workbook(table, rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        found_rows, columns = limits.sheet_extent(archive.open("xl/worksheets/sheet1.xml"))
    cells_per_byte = found_rows * columns / len(data)
    assert 0.1 < cells_per_byte < limits.MAX_CELLS_PER_BYTE * 0.8
    assert limits.check_excel(data) is None
    report = validate_upload([(f"{table}.xlsx", data)])
    assert not {p.kind for p in report.errors} & {"too_many_cells", "too_large_unpacked",
                                                  "unreadable", "truncated"}
    assert report.files[0].rows == rows
