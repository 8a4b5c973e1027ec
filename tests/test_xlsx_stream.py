"""The streaming Excel reader (veu_metrics.ingest.xlsx_stream) and the importer reading through it."""

from __future__ import annotations

import datetime
import io
import zipfile

import polars as pl
import pytest
import xlsxwriter

from veu_metrics.ingest import pipeline, xlsx_stream
from veu_metrics.ingest.pipeline import parse_upload
from veu_metrics.ingest.report import ROW, Problems

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def handmade(sheet_xml: str, *, shared: list[str] | None = None, styles: str | None = None,
             workbook_pr: str = "", sheet_part: str = "xl/worksheets/sheet1.xml",
             sheet_name: str = "courses") -> bytes:
    """A minimal workbook whose one sheet is ``sheet_xml`` (the inside of <sheetData>)."""
    rels = [f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="/{sheet_part}"/>']
    if shared is not None:
        rels.append(f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" '
                    'Target="sharedStrings.xml"/>')
    if styles is not None:
        rels.append(f'<Relationship Id="rId3" Type="{DOC}/styles" Target="styles.xml"/>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{RELS}"><Relationship Id="r" '
                         f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}">{workbook_pr}<sheets>'
            f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels",
                         f'<Relationships xmlns="{RELS}">{"".join(rels)}</Relationships>')
        if shared is not None:
            items = "".join(f"<si>{s}</si>" for s in shared)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{items}</sst>')
        if styles is not None:
            archive.writestr("xl/styles.xml", f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>')
        archive.writestr(sheet_part, f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_xml}'
                         '</sheetData></worksheet>')
    return buffer.getvalue()


def rows_of(data: bytes, sheet: str = "courses") -> list[tuple[int, dict[int, str]]]:
    book = xlsx_stream.open_workbook(data)
    return list(xlsx_stream.iter_rows(book, sheet))


def test_cell_types_become_the_text_the_importer_parses():
    data = handmade(
        '<row r="1"><c r="A1"><v>101</v></c><c r="B1"><v>12.5</v></c><c r="C1" t="b"><v>1</v></c>'
        '<c r="D1" t="b"><v>0</v></c><c r="E1" t="e"><v>#N/A</v></c>'
        '<c r="F1" t="str"><f>A1&amp;"x"</f><v>101x</v></c><c r="G1"><v>-3.0</v></c>'
        '<c r="H1"/><c r="I1"><v>1E-5</v></c></row>')
    assert rows_of(data) == [(1, {0: "101", 1: "12.5", 2: "true", 3: "false", 5: "101x",
                                  6: "-3", 8: "1e-05"})]


def test_shared_strings_are_held_as_one_string_with_offsets():
    data = handmade('<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>0</v></c>'
                    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>',
                    shared=["<t>Køn</t>", "<r><t>Kursus</t></r><r><t>-id</t></r>",
                            "<t/>", "<t>a_x000D_b</t><rPh><t>ignored</t></rPh>"])
    book = xlsx_stream.open_workbook(data)
    assert isinstance(book.shared.text, str) and book.shared.offsets.typecode == "I"
    assert len(book.shared) == 4
    assert list(xlsx_stream.iter_rows(book, "courses")) == [
        (1, {0: "Kursus-id", 1: "Køn", 2: "", 3: "a\rb"})]


def test_a_shared_string_index_out_of_range_is_a_clear_error():
    data = handmade('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', shared=["<t>x</t>"])
    with pytest.raises(xlsx_stream.XlsxError, match="shared string 7"):
        rows_of(data)


def test_inline_strings_and_rich_text_runs():
    data = handmade('<row r="1"><c r="A1" t="inlineStr"><is><t>course_id</t></is></c>'
                    '<c r="B1" t="inlineStr"><is><r><t>ti</t></r><r><t>tle</t></r></is></c>'
                    '</row>')
    assert rows_of(data) == [(1, {0: "course_id", 1: "title"})]


STYLES = ('<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
          '<numFmt numFmtId="165" formatCode="#,##0 &quot;dage&quot;"/></numFmts>'
          '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
          '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
          '<xf numFmtId="165"/><xf numFmtId="22"/></cellXfs>')


def test_dates_follow_the_cell_formats_and_the_date_system():
    row = ('<row r="1"><c r="A1" s="1"><v>45292</v></c><c r="B1" s="2"><v>45293</v></c>'
           '<c r="C1" s="3"><v>45292</v></c><c r="D1"><v>45292</v></c>'
           '<c r="E1" s="4"><v>45292.5</v></c></row>')
    assert rows_of(handmade(row, styles=STYLES)) == [
        (1, {0: "2024-01-01", 1: "2024-01-02", 2: "45292", 3: "45292",
             4: "2024-01-01 12:00:00"})]
    book_1904 = handmade(row, styles=STYLES, workbook_pr='<workbookPr date1904="1"/>')
    assert rows_of(book_1904)[0][1][0] == "2028-01-02"  # 45292 days after 1904-01-01


@pytest.mark.parametrize(("code", "is_date"), [
    ("yyyy-mm-dd", True), ("d. mmm yyyy", True), ("[h]:mm:ss", True), ("General", False),
    ('#,##0 "dage"', False), ("0.00%", False), ("[Red]0.00", False), ("0.00E+00", False)])
def test_date_formats(code, is_date):
    assert xlsx_stream.is_date_format(code) is is_date


def test_sparse_rows_and_cells_keep_their_places():
    data = handmade('<row r="3"><c r="C3"><v>1</v></c></row><row r="7"><c r="A7"><v>2</v></c>'
                    '<c><v>3</v></c><c r="E7"><v>4</v></c></row><row r="8"/><row><c><v>5</v></c>'
                    '</row>')
    rows = rows_of(data)
    assert rows == [(3, {2: "1"}), (7, {0: "2", 1: "3", 4: "4"}), (9, {0: "5"})]
    book = xlsx_stream.open_workbook(data)
    assert xlsx_stream.grid_rows(xlsx_stream.iter_rows(book, "courses"), 7) == [
        [None] * 5, [None] * 5, [None, None, "1", None, None], [None] * 5, [None] * 5,
        [None] * 5, ["2", "3", None, None, "4"]]


def test_chunks_split_at_the_boundary_and_note_cells_right_of_the_header():
    rows = [(r, {0: f"K{r}", 1: str(r)}) for r in range(2, 8)] + [(8, {0: "K8", 3: "x"})]
    beyond: set[int] = set()
    chunks = list(xlsx_stream.iter_chunks(iter(rows), 2, ROW, chunk_rows=3, beyond=beyond))
    assert [c.height for c in chunks] == [3, 3, 1]
    assert chunks[1][ROW].to_list() == [5, 6, 7]
    assert chunks[2].row(0) == ("K8", None, 8)
    assert chunks[0].schema == pl.Schema({"c0": pl.String, "c1": pl.String, ROW: pl.Int64})
    assert beyond == {3}


def test_sheets_are_found_through_the_workbook_relationships():
    data = handmade('<row r="1"><c r="A1"><v>1</v></c></row>', sheet_part="data/hidden.xml",
                    sheet_name="Ark1")
    book = xlsx_stream.open_workbook(data)
    assert book.sheets == [("Ark1", "data/hidden.xml")]
    assert rows_of(data, "Ark1") == [(1, {0: "1"})]


@pytest.mark.parametrize("sheet", [
    '<row r="1"><c r="A1"><v>1</v></c>',  # never closed
    '<row r="1"><c r="A1"><v>abc</v></c></row>',  # a number cell holding text
    '<row r="1"><c r="!!"><v>1</v></c></row>',  # a reference that is not like A1
])
def test_a_malformed_sheet_is_a_clear_problem_not_a_traceback(sheet):
    data = handmade('<row r="1"><c r="A1" t="inlineStr"><is><t>course_id</t></is></c>'
                    '<c r="B1" t="inlineStr"><is><t>title</t></is></c></row>'
                    + sheet.replace('r="1"', 'r="2"').replace('r="A1"', 'r="A2"'))
    problems = Problems()
    parsed = parse_upload([("courses.xlsx", data)], problems)
    errors = problems.report().errors
    assert "courses" not in parsed.tables
    assert [p.kind for p in errors] == ["unreadable"]
    assert errors[0].file == "courses.xlsx" and errors[0].value


def test_a_document_type_declaration_is_refused():
    source = zipfile.ZipFile(io.BytesIO(handmade("")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            part = source.read(name)
            if name.endswith("sheet1.xml"):
                part = b'<!DOCTYPE x [<!ENTITY a "b">]>' + part
            archive.writestr(name, part)
    data = buffer.getvalue()
    with pytest.raises(xlsx_stream.XlsxError):
        rows_of(data)


def test_a_sheet_longer_than_a_chunk_imports_every_row(monkeypatch):
    """Rows across chunk boundaries keep their sheet row numbers and problems."""
    monkeypatch.setattr("veu_metrics.ingest.xlsx_stream.CHUNK_ROWS", 4)
    chunks: list[int] = []
    real = xlsx_stream.iter_chunks

    def counted(*args, **kwargs):
        for chunk in real(*args, **kwargs):
            chunks.append(chunk.height)
            yield chunk

    monkeypatch.setattr("veu_metrics.ingest.xlsx_stream.iter_chunks", counted)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("unemployment")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["month", "municipality_code", "full_time_unemployed",
                           "insured_unemployed"])
    for i in range(10):
        sheet.write_datetime(i + 1, 0, datetime.datetime(2020 + i, 1, 1), day)
        sheet.write_row(i + 1, 1, [101, "x" if i in (2, 6) else 10 + i, 5])
    book.close()
    problems = Problems()
    parsed = parse_upload([("unemployment.xlsx", buffer.getvalue())], problems)
    frame = parsed.tables["unemployment"]
    assert chunks == [4, 4, 2]
    assert frame[ROW].to_list() == list(range(2, 12))
    assert frame["month"][9] == datetime.date(2029, 1, 1)
    assert frame["full_time_unemployed"].null_count() == 2
    assert [(p.kind, p.row) for p in problems.report().errors] == [
        ("wrong_type", 4), ("wrong_type", 8)]


def test_a_later_chunk_that_changes_the_number_rule_is_read_again(monkeypatch):
    """'12.000' alone is ambiguous; a decimal comma further down the sheet (another chunk) says
    the dots are thousands separators: the sheet is read as a whole would be, with no error."""
    monkeypatch.setattr("veu_metrics.ingest.xlsx_stream.CHUNK_ROWS", 2)
    passes: list[dict[str, str] | None] = []
    real = pipeline._parse_chunks

    def counted(sheet, table, to_table, mapping, modes, chunks, problems):
        passes.append(modes)
        return real(sheet, table, to_table, mapping, modes, chunks, problems)

    monkeypatch.setattr(pipeline, "_parse_chunks", counted)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("unemployment")
    sheet.write_row(0, 0, ["month", "municipality_code", "full_time_unemployed"])
    values = ["12.000", "1.500", "7", "3,5", "2"]
    for i, value in enumerate(values):
        sheet.write_row(i + 1, 0, [f"2024-0{i + 1}-01", "101", value])
    book.close()
    problems = Problems()
    parsed = parse_upload([("unemployment.xlsx", buffer.getvalue())], problems)
    report = problems.report()
    assert not report.errors
    assert parsed.tables["unemployment"]["full_time_unemployed"].to_list() == [
        12000.0, 1500.0, 7.0, 3.5, 2.0]
    assert [p.kind for p in report.warnings if p.column == "full_time_unemployed"] == [
        "thousands_separator"]
    assert passes == [None, {"full_time_unemployed": "thousands"}]  # read once more


def test_a_csv_file_is_streamed_in_chunks_with_its_read_problems_first(monkeypatch):
    """CSV is read chunk by chunk too: a ragged row in a later chunk and a cut-off last row are
    reported (before the cells' problems), and every row keeps its line number."""
    monkeypatch.setattr("veu_metrics.ingest.readers.CHUNK_ROWS", 3)
    lines = ["month;municipality_code;full_time_unemployed"]
    lines += [f"2024-{m:02d}-01;101;{m}" for m in range(1, 8)]
    lines[5] = "2024-05-01;101;5;9"  # a ragged row in the second chunk
    lines[6] = "2024-06-01;101;x"  # a cell that is not a number
    text = "\n".join(lines) + "\n2024-08-01;101"  # cut off, no line end
    problems = Problems()
    parsed = parse_upload([("unemployment.csv", text.encode())], problems)
    kinds = [(p.kind, p.row) for p in problems.report().errors]
    assert kinds == [("truncated", 9), ("ragged_row", 6), ("wrong_type", 7),
                     ("missing_value", 9)]
    assert parsed.tables["unemployment"][ROW].to_list() == list(range(2, 10))


def test_a_broken_quote_late_in_a_csv_file_refuses_the_whole_file(monkeypatch):
    monkeypatch.setattr("veu_metrics.ingest.readers.CHUNK_ROWS", 2)
    lines = ["month;municipality_code;full_time_unemployed"]
    lines += [f"2024-{m:02d}-01;101;{m}" for m in range(1, 7)]
    text = "\n".join(lines) + '\n2024-07-01;101;"7\n'  # a quote never closed
    problems = Problems()
    parsed = parse_upload([("unemployment.csv", text.encode())], problems)
    assert "unemployment" not in parsed.tables
    assert [p.kind for p in problems.report().errors] == ["truncated"]
