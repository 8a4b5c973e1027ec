"""Reading CSV, Excel and Parquet as Danish offices write them (veu_metrics.ingest: readers, pipeline, values)."""

import io
from datetime import date, datetime

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

from veu_metrics import schema
from veu_metrics.ingest.pipeline import parse_upload
from veu_metrics.ingest.readers import (
    COLUMN_ALIASES,
    TABLE_ALIASES,
    column_lookup,
    decode_text,
    find_header_row,
    sniff_format,
    sniff_separator,
    table_for_name,
)
from veu_metrics.ingest.report import ROW, SOURCE, Problems
from veu_metrics.ingest.values import FALSE_WORDS, TRUE_WORDS
from veu_metrics.text import name_key


def parse(files):
    problems = Problems()
    parsed = parse_upload(files, problems)
    return parsed, problems.report(parsed.files)


def model(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop(SOURCE, ROW)


@pytest.mark.parametrize(("text", "expected"), [
    ("Kursus-ID ", "kursus_id"),
    ("Køn", "koen"),
    ("Indsatsområde", "indsatsomraade"),
    ("\ufeffcourse_id", "course_id"),
    ("Beskæftiget 3 mdr.", "beskaeftiget_3_mdr"),
    ("ÅR", "aar"),
])
def test_normalize_name(text, expected):
    assert name_key(text) == expected


@pytest.mark.parametrize(("name", "table"), [
    ("courses.csv", "courses"),
    ("Kurser.xlsx", "courses"),
    ("enrolments_2024.csv", "enrolments"),
    ("deltagelser-2023.parquet", "enrolments"),
    ("enrolments/part-00000.parquet", "enrolments"),
    ("Arbejdsmarkedsbalancen 2025H1.csv", "balance"),
    ("ledighed.csv", "unemployment"),
    ("Mål.xlsx", "targets"),
    ("data.csv", None),
    ("coursework.csv", None),
])
def test_table_for_name(name, table):
    assert table_for_name(name) == table


def test_every_alias_names_a_real_column_and_no_alias_is_ambiguous():
    for table, aliases in COLUMN_ALIASES.items():
        seen: dict[str, str] = {}
        for column, names in aliases.items():
            assert column in schema.TABLES[table], f"{table}.{column} is not in the model"
            for name in names:
                assert name == name_key(name), f"alias {name!r} is not normalised"
                assert seen.setdefault(name, column) == column, f"{table}: {name} is ambiguous"
                assert name not in schema.TABLES[table] or name == column
    assert set(TABLE_ALIASES) == set(schema.TABLES)
    assert column_lookup("courses")["startdato"] == "start_date"
    assert column_lookup("courses")["kommunekode"] == "provider_municipality_code"
    assert column_lookup("enrolments")["kommunekode"] == "municipality_code"


def test_decode_windows_1252_tonder():
    text, encoding = decode_text("Tønder;Aabenraa\n".encode("cp1252"))
    assert (text, encoding) == ("Tønder;Aabenraa\n", "windows-1252")


def test_decode_utf8_with_and_without_bom():
    assert decode_text("Tønder".encode()) == ("Tønder", "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + "Tønder".encode()) == ("Tønder", "utf-8 (BOM)")


def test_decode_utf8_cut_inside_a_letter_stays_utf8():
    data = "Tønder;Tønder".encode()[:-5]  # cut between the two bytes of "ø"
    assert decode_text(data) == ("Tønder;T", "utf-8")


@pytest.mark.parametrize(("text", "separator"), [
    ("a;b;c\n1,5;2,5;3\n4,0;5;6\n", ";"),
    ("a,b,c\n1.5,2.5,3\n", ","),
    ("a\tb\tc\n1\t2\t3\n", "\t"),
    ("Udtræk fra jobcentret\n\nmonth;municipality_code;x\n2024-01-01;101;1,5\n", ";"),
])
def test_sniff_separator(text, separator):
    assert sniff_separator(text) == separator


@pytest.mark.parametrize(("data", "kind"), [
    (b"PAR1....PAR1", "parquet"),
    (b"course_id;title\n", "text"),
    (b"<!DOCTYPE html><html>", "html"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "xls"),
    (b"\x00\x01\x02binary", "binary"),
])
def test_sniff_format(data, kind):
    assert sniff_format(data) == kind


def test_find_header_row_skips_title_rows():
    records = [["Ledighed pr. kommune"], [""], ["Kilde: STAR", ""],
               ["Måned", "Kommunekode", "Fuldtidsledige", "Forsikrede ledige"], ["2024-01-01", "101"]]
    assert find_header_row(records, "unemployment") == 3
    assert find_header_row(records, None) == 3
    assert find_header_row([["just", "words"]], None) is None


def test_semicolon_csv_with_decimal_commas_danish_headers_and_dates():
    content = (
        "Måned;Kommunekode;Fuldtidsledige;Forsikrede ledige\n"
        "01-01-2024;0101;14.250,5;8550,25\n"
        "01.02.2024;101;14250;\n"
        "2024-03;461;−3,5;0\n"  # a true minus sign, as Excel sometimes writes it
    )
    parsed, report = parse([("ledighed.csv", content.encode("utf-8"))])
    assert report.problems == [], report.to_text()
    expected = pl.DataFrame({
        "month": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
        "municipality_code": [101, 101, 461],
        "full_time_unemployed": [14250.5, 14250.0, -3.5],
        "insured_unemployed": [8550.25, None, 0.0],
    })
    assert_frame_equal(model(parsed.tables["unemployment"]),
                                  schema.conform("unemployment", expected))
    assert parsed.tables["unemployment"][ROW].to_list() == [2, 3, 4]
    summary = parsed.files[0]
    assert (summary.separator, summary.encoding, summary.table) == (";", "utf-8", "unemployment")


COURSES_HEADER = ("kursus_id;titel;uddannelsestype;amu_nummer;udbyder;kommunekode;startdato;"
                  "slutdato;kursusdage;stillingskode;erhvervsgruppe;finansiering;job-veu;"
                  "indsatsområde;temaer;pladser;aflyst")


def test_windows_1252_file_keeps_tonder():
    content = (COURSES_HEADER + "\n"
               "K1;Social- og sundhedsassistent;EUV;;SOSU Tønder;550;01-03-2024;15-03-2024;"
               "10;532110;Sundhed, omsorg og pleje;Uddannelsesløft;ja;Sundhed og omsorg;;20;nej\n")
    parsed, report = parse([("kurser.csv", content.encode("cp1252"))])
    assert report.ok, report.to_text()
    courses = parsed.tables["courses"]
    assert courses["provider"].to_list() == ["SOSU Tønder"]
    assert courses["funding"].to_list() == ["Uddannelsesløft"]
    assert courses["job_veu"].to_list() == [True]
    assert courses["cancelled"].to_list() == [False]
    assert courses["start_date"].to_list() == [date(2024, 3, 1)]
    assert parsed.files[0].encoding == "windows-1252"


def test_values_are_matched_case_insensitively_and_themes_split():
    content = (COURSES_HEADER + "\n"
               "K1;Svejsning;amu;40123;AMU Nord;851;2024-01-08;2024-01-19;2,5;721210;"
               "jern, metal og auto;REGIONAL UDDANNELSESPULJE;1;industri og produktion;"
               "Grøn omstilling | automatisering;12;0\n")
    parsed, report = parse([("courses.csv", content.encode())])
    assert report.ok, report.to_text()
    row = parsed.tables["courses"].row(0, named=True)
    assert row["education_type"] == "AMU"
    assert row["industry_group"] == "Jern, metal og auto"
    assert row["funding"] == "Regional uddannelsespulje"
    assert row["themes"] == ["grøn omstilling", "automatisering"]
    assert row["course_days"] == 2.5
    assert row["job_veu"] is True and row["cancelled"] is False


def test_quoted_fields_with_separator_and_newline_keep_row_numbers():
    content = ('half_year,area_scheme,area_code,occupation_code,status\n'
               '2024H1,rar,"nordjylland",721210,Mangel\n'
               '"2024H1",rar,fyn,"531210","Gode\njobmuligheder, ikke?"\n'
               '2024H1,rar,fyn,532110,Ukendt\n')
    parsed, report = parse([("balance.csv", content.encode())])
    # a record spanning two lines is one row, as in Excel: the next record is row 4
    assert [(p.kind, p.row) for p in report.errors] == [("not_allowed", 3), ("not_allowed", 4)]
    assert parsed.tables["balance"][ROW].to_list() == [2, 3, 4]


def _workbook(sheets: dict[str, list[list[object]]], date_format: str = "dd-mm-yyyy") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    dates = book.add_format({"num_format": date_format})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, dates)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_excel_with_title_rows_reads_header_and_numbers_rows_as_excel_does():
    data = _workbook({"Ark1": [
        ["Ledighed 1. kvartal 2024"],
        [],
        ["Måned", "Kommunekode", "Fuldtidsledige", "Forsikrede ledige"],
        [datetime(2024, 1, 1), 101, 14250.5, 8550.25],
        [],
        ["01-02-2024", "0461", 5120, None],
    ]})
    parsed, report = parse([("unemployment.xlsx", data)])
    assert report.problems == [], report.to_text()
    frame = parsed.tables["unemployment"]
    assert frame[ROW].to_list() == [4, 6]  # sheet rows: title in 1, header in 3
    assert frame["month"].to_list() == [date(2024, 1, 1), date(2024, 2, 1)]
    assert frame["municipality_code"].to_list() == [101, 461]
    assert frame["full_time_unemployed"].to_list() == [14250.5, 5120.0]
    assert frame["insured_unemployed"].to_list() == [8550.25, None]
    assert parsed.files[0].header_row == 3


def test_excel_error_row_counts_the_title_row():
    data = _workbook({"Ark1": [
        ["Kursusoversigt"],
        ["course_id", "title", "start_date", "seats"],
        ["K1", "Svejsning", datetime(2024, 1, 8), 12],
        ["K2", "Truck", "not a date", 10],
    ]})
    _, report = parse([("courses.xlsx", data)])
    wrong = [p for p in report.errors if p.kind == "wrong_type"]
    assert [(p.row, p.column, p.value) for p in wrong] == [(4, "start_date", "not a date")]


def test_excel_workbook_with_a_sheet_per_table():
    data = _workbook({
        "balance": [["half_year", "area_scheme", "area_code", "occupation_code", "status"],
                    ["2024H1", "rar", "fyn", "531210", "Mangel"]],
        "targets": [["year", "area_scheme", "area_code", "measure", "focus_area", "target"],
                    [2024, "rar", "fyn", "participations", None, 1200]],
        "Noter": [["anything"]],
    })
    parsed, report = parse([("export.xlsx", data)])
    assert report.ok, report.to_text()
    assert [(p.kind, p.value) for p in report.warnings] == [("ignored_sheet", "Noter")]
    assert set(parsed.tables) == {"balance", "targets"}
    assert parsed.tables["targets"]["target"].to_list() == [1200.0]
    assert parsed.tables["balance"][SOURCE].to_list() == ["export.xlsx [balance]"]


def test_excel_serial_number_in_a_date_column_is_a_date():
    data = _workbook({"x": [["month", "municipality_code", "full_time_unemployed",
                             "insured_unemployed"],
                            [45292, 101, 10, 5]]})  # 45292 = 2024-01-01 as an Excel serial
    parsed, _ = parse([("unemployment.xlsx", data)])
    assert parsed.tables["unemployment"]["month"].to_list() == [date(2024, 1, 1)]


def test_parquet_with_model_types_reads_unchanged():
    frame = schema.conform("balance", pl.DataFrame({
        "half_year": ["2024H1", "2024H2"], "area_scheme": ["rar", "rar"],
        "area_code": ["fyn", "nordjylland"], "occupation_code": ["531210", "721210"],
        "status": ["Mangel", "Paradoks"],
    }))
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    parsed, report = parse([("balance.parquet", buffer.getvalue())])
    assert report.ok
    assert_frame_equal(model(parsed.tables["balance"]), frame)
    assert parsed.tables["balance"][ROW].to_list() == [1, 2]


def test_area_names_become_codes_and_half_year_is_normalised():
    content = ("halvår;områdetype;område;stillingskode;vurdering\n"
               "2024-h1;rar;RAR Østjylland;721210;Mangel\n"
               "2025 H1;council;Beskæftigelsesrådet Sjælland;721210;Paradoks\n")
    parsed, report = parse([("balance.csv", content.encode())])
    assert report.ok, report.to_text()
    assert parsed.tables["balance"]["area_code"].to_list() == ["oestjylland", "sjaelland"]
    assert parsed.tables["balance"]["half_year"].to_list() == ["2024H1", "2025H1"]


def test_several_files_for_one_table_are_stacked_with_their_own_row_numbers():
    header = "month;municipality_code;full_time_unemployed;insured_unemployed\n"
    parsed, _ = parse([
        ("unemployment_2024.csv", (header + "2024-01-01;101;10;5\n").encode()),
        ("unemployment_2023.csv", (header + "\n2023-12-01;101;9;4\n").encode()),
    ])
    frame = parsed.tables["unemployment"]
    assert frame.select(SOURCE, ROW).rows() == [("unemployment_2024.csv", 2),
                                                ("unemployment_2023.csv", 3)]


def test_hidden_and_lock_files_are_skipped_and_other_files_warned():
    _, report = parse([("~$courses.xlsx", b"lock"), (".DS_Store", b"\x00"),
                       ("README.md", b"# notes")])
    assert [(p.kind, p.file, p.severity) for p in report.problems] == [
        ("no_files", "(input)", "error"), ("ignored_file", "README.md", "warning")]


def test_import_md_documents_every_alias_and_problem_kind():
    from pathlib import Path

    from veu_metrics.ingest.report import MESSAGES

    text = (Path(__file__).resolve().parents[1] / "docs" / "IMPORT.md").read_text(encoding="utf-8")
    for table, aliases in TABLE_ALIASES.items():
        for alias in (table, *aliases):
            assert f"`{alias}`" in text, f"file name {alias} is not documented"
    for table, columns in COLUMN_ALIASES.items():
        section = text.split(f"\n### {table}\n", 1)[1].split("\n### ", 1)[0]
        for column, aliases in columns.items():
            line = next(line for line in section.splitlines() if line.startswith(f"| `{column}` |"))
            for alias in aliases:
                assert f"`{alias}`" in line, f"{table}.{column}: alias {alias} is not documented"
    for kind in MESSAGES:
        assert f"| `{kind}` |" in text, f"problem kind {kind} is not documented"
    for word in TRUE_WORDS + FALSE_WORDS:
        assert f"`{word}`" in text, f"boolean word {word} is not documented"


UNEMPLOYMENT_HEADER = "month;municipality_code;full_time_unemployed;insured_unemployed\n"


@pytest.mark.parametrize(("rows", "full_time", "insured", "kinds"), [
    # a decimal comma in another number column of the file: the dots are thousands separators
    ("2024-01;101;12.000;1.500,5\n", [12000.0], [1500.5], {"thousands_separator"}),
    # a decimal comma elsewhere in the same column
    ("2024-01;101;12.000;\n2024-01;147;12,5;\n", [12000.0, 12.5], [None, None],
     {"thousands_separator"}),
    # two dots can only be thousands separators; the rest of the column follows
    ("2024-01;101;1.234.567;\n2024-01;147;1.500;\n", [1234567.0, 1500.0], [None, None],
     {"thousands_separator"}),
    # the file writes decimals with a dot and has no comma: 12.000 is twelve, said so
    ("2024-01;101;12.000;12.5\n", [12.0], [12.5], {"decimal_point"}),
    # nothing tells: refused, never silently 12.0
    ("2024-01;101;12.000;1.500\n", [None], [None], {"ambiguous_number"}),
    # comma and dot decimals both in the file: refused
    ("2024-01;101;12.000;1,5\n2024-01;147;5;2.5\n", [None, 5.0], [1.5, 2.5],
     {"ambiguous_number"}),
    # no thousands-shaped values at all: nothing to decide, nothing reported
    ("2024-01;101;12000;1500\n", [12000.0], [1500.0], set()),
])
def test_thousands_rule(rows, full_time, insured, kinds):
    parsed, report = parse([("ledighed.csv", (UNEMPLOYMENT_HEADER + rows).encode())])
    frame = parsed.tables["unemployment"]
    assert frame["full_time_unemployed"].to_list() == full_time
    assert frame["insured_unemployed"].to_list() == insured
    assert {p.kind for p in report.problems} - {"column_filled"} == kinds
    assert "wrong_type" not in {p.kind for p in report.problems}


def test_thousands_rule_whole_number_column_reads_thousands():
    text = ("course_id;title;education_type;provider;provider_municipality_code;start_date;"
            "end_date;course_days;funding;job_veu;seats;cancelled\n"
            "K1;Svejsning;AMU;Skolen;101;2024-01-08;2024-01-12;5;Andet;ja;1.200;nej\n")
    parsed, report = parse([("courses.csv", text.encode())])
    assert parsed.tables["courses"]["seats"].to_list() == [1200]
    assert any(p.kind == "thousands_separator" and p.column == "seats" for p in report.problems)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024M01", date(2024, 1, 1)),
    ("2024M12", date(2024, 12, 1)),
    ("Jan 2024", date(2024, 1, 1)),
    ("Maj 2024", date(2024, 5, 1)),
    ("okt 2023", date(2023, 10, 1)),
    ("januar 2025", date(2025, 1, 1)),
    ("May 2015", date(2015, 5, 1)),
    ("2024M13", None),
    ("Foo 2024", None),
])
def test_month_codes(text, expected):
    parsed, _ = parse([("ledighed.csv", (UNEMPLOYMENT_HEADER + f"{text};101;5;\n").encode())])
    assert parsed.tables["unemployment"]["month"].to_list() == [expected]


def test_balance_as_star_writes_it_titles_labels_and_half_year_texts():
    text = ("Halvår;Område;Stillingsbetegnelse;Beskæftigelsesmuligheder\n"
            "2. halvår 2024;RAR Østjylland;Sygeplejerske;Mangel på arbejdskraft\n"
            "1. halvår 2025;RAR Østjylland;Sygeplejerske;Omfattende mangel på arbejdskraft\n"
            "1. halvår 2025;RAR Fyn;Sygeplejerske;Paradoksproblemer\n"
            "1. halvår 2025;RAR Fyn;Social- og sundhedshjælper;Gode jobmuligheder\n")
    parsed, report = parse([("balance.csv", text.encode())])
    frame = parsed.tables["balance"]
    assert frame["half_year"].to_list() == ["2024H2", "2025H1", "2025H1", "2025H1"]
    assert frame["occupation_code"].to_list() == ["222110", "222110", "222110", "532120"]
    assert frame["status"].cast(pl.String).to_list() == [
        "Mangel", "Mangel", "Paradoks", "Gode jobmuligheder"]
    assert frame["area_code"].null_count() == 0
    assert not [p for p in report.problems if p.severity == "error"]


def test_balance_with_code_and_title_reads_the_code():
    text = ("half_year;area_scheme;area_code;stillingsbetegnelse;occupation_code;status\n"
            "2024H2;rar;fyn;Sygeplejerske;222110;Mangel\n")
    parsed, report = parse([("balance.csv", text.encode())])
    assert parsed.tables["balance"]["occupation_code"].to_list() == ["222110"]
    assert report.ok
