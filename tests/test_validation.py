"""The bad-file corpus: every kind of problem gives its specific message and changes nothing.

Each case replaces one file of the good fixture set (tests/fixtures/import/good) with a file that
has one defect (tests/fixtures/import/bad, or built here for binary formats), imports it into a
dataset with an active version, and checks the exact problem (kind, row, column, value) and that
every file under the dataset is byte-identical afterwards.
"""

import hashlib
import io
import json
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from veu_metrics.ingest.publish import import_upload, validate_upload
from veu_metrics.ingest.readers import collect_files, table_for_name
from veu_metrics.ingest.report import MAX_LISTED, MESSAGES, Problem, Problems, Report
from veu_metrics.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "import"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"
PUBLIC = Path(__file__).parent / "fixtures" / "public"


def good_files() -> list[tuple[str, bytes]]:
    return collect_files([GOOD])


def replace_table(files, name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The good files with the one for ``name``'s table swapped for ``data``."""
    table = table_for_name(name)
    if name == "metadata.json":
        return [(n, d) for n, d in files if n != "metadata.json"] + [(name, data)]
    return [(n, d) for n, d in files if table_for_name(n) != table] + [(name, data)]


def tree_hash(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def active(tmp_path: Path) -> Path:
    dataset = tmp_path / "dataset"
    report, version = import_upload(good_files(), dataset, Settings())
    assert version is not None, report.to_text()
    return dataset


def find(report: Report, kind: str) -> list[Problem]:
    return [p for p in report.problems if p.kind == kind]


# (file in tests/fixtures/import/bad, kind, row, column, value, text the "expected" must contain)
CORPUS = [
    ("courses_missing_column.csv", "missing_column", 1, "seats", None, "a column seats"),
    ("courses_unknown_column.csv", "unknown_column", 1, "startdate", "startdate",
     "did you mean start_date?"),
    ("courses_duplicate_column.csv", "duplicate_column", 1, "course_id", "course_id",
     "column 1 is already course_id"),
    ("courses_end_before_start.csv", "end_before_start", 4, "end_date", "2024-01-09",
     "on or after start_date (2024-02-05)"),
    ("courses_not_allowed.csv", "not_allowed", 3, "education_type", "Kursus", "AMU, EUD-enkeltfag"),
    ("courses_unknown_occupation.csv", "unknown_occupation", 6, "occupation_code", "999999",
     "occupations.csv"),
    ("courses_out_of_range.csv", "out_of_range", 7, "start_date", "2024-05-11",
     "2024-01-01 – 2024-03-31"),
    ("courses_implausible_date.csv", "implausible_date", 5, "start_date", "0024-02-12",
     "two digits"),
    ("courses_header_only.csv", "no_rows", 1, None, None, "data row"),
    ("courses_no_header.csv", "no_header", None, None, None, "course_id, title"),
    ("courses_bad_amu_number.csv", "bad_pattern", 2, "amu_number", "4012", "5 digits"),
    ("courses_really_csv.xlsx", "wrong_format", None, None, "CSV text", "rename it to .csv"),
    ("courses_web_page.xlsx", "wrong_format", None, None, "a web page (HTML/XML)",
     "an Excel workbook"),
    ("enrolments_wrong_type.csv", "wrong_type", 3, "person_id", "ABC", "a whole number"),
    ("enrolments_unknown_course.csv", "unknown_course", 8, "course_id", "K999", "courses table"),
    ("enrolments_duplicate_key.csv", "duplicate_key", 5, "enrolment_id", "3",
     "enrolments_duplicate_key.csv, row 4"),
    ("enrolments_tonder_cp1252.csv", "municipality_name", 6, "municipality_code", "Tønder",
     "the municipality code 550 (Tønder)"),
    ("enrolments_truncated.csv", "truncated", 11, None, None, "3 of 11 fields"),
    ("unemployment_negative_decimal_comma.csv", "negative", 4, "full_time_unemployed",
     "-1210.25", "0 or more"),
    ("unemployment_unknown_municipality.csv", "unknown_municipality", 3, "municipality_code",
     "411", "411 Christiansø is not a municipality"),
    ("unemployment_not_month_start.csv", "not_month_start", 9, "month", "2024-02-15",
     "first day of the month"),
    ("balance_bad_half_year.csv", "bad_pattern", 3, "half_year", "2024H3", "YYYYH1 or YYYYH2"),
    ("balance_unknown_area.csv", "unknown_area", 5, "area_code", "midtjylland", "scheme rar"),
    ("balance_zero_bytes.csv", "empty_file", None, None, None, "header row"),
    ("balance_text.parquet", "wrong_format", None, None, "CSV text", "rename it to .csv"),
    ("targets_ragged.csv", "ragged_row", 4, None, "8 fields", "6 fields separated by ','"),
    ("targets_open_quote.csv", "truncated", 3, None, None, "never closed"),
    ("targets_bad_quoting.csv", "bad_quoting", 4, None, "line 4: ',' expected after '\"'",
     "inner quotes doubled"),
    ("targets_unknown_measure.csv", "unknown_measure", 5, "measure", "gennemfoerelse",
     "participations"),
    ("balance_missing_value.csv", "missing_value", 4, "status", None, "a value (one of: Mangel"),
]


@pytest.mark.parametrize(("name", "kind", "row", "column", "value", "expected"), CORPUS,
                         ids=[case[0] for case in CORPUS])
def test_bad_file_gives_its_message_and_leaves_the_dataset_unchanged(
        active, name, kind, row, column, value, expected):
    before = tree_hash(active)
    files = replace_table(good_files(), name, (BAD / name).read_bytes())
    report, version = import_upload(files, active, Settings())
    assert version is None
    assert not report.ok
    matches = [p for p in find(report, kind) if p.file == name]
    assert matches, report.to_text()
    problem = matches[0]
    assert (problem.row, problem.column, problem.value) == (row, column, value)
    assert problem.severity == "error"
    assert expected in problem.expected, problem.expected
    text = report.to_text()
    assert MESSAGES[kind]["en"] in text and name in text
    assert tree_hash(active) == before


def _courses_workbook(title_rows: int, end_date_k003: str) -> bytes:
    """The good courses as an Excel workbook with title rows above the header."""
    frame = pl.read_csv(GOOD / "courses.csv", infer_schema=False)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Kurser")
    for r in range(title_rows):
        sheet.write(r, 0, "Kursusudtræk fra skolernes system" if r == 0 else "")
    sheet.write_row(title_rows, 0, frame.columns)
    for r, record in enumerate(frame.rows(), start=title_rows + 1):
        record = list(record)
        if record[0] == "K003":
            record[frame.columns.index("end_date")] = end_date_k003
        sheet.write_row(r, 0, [v for v in record])
    book.close()
    return buffer.getvalue()


def _parquet(table_csv: str) -> bytes:
    buffer = io.BytesIO()
    pl.read_csv(GOOD / table_csv, infer_schema=False).write_parquet(buffer)
    return buffer.getvalue()


ANY = object()

BUILT = [
    # Excel with a title row: the error is in sheet row 5 (title 1, header 2, K001 3, K002 4)
    ("courses.xlsx", lambda: _courses_workbook(1, "2024-01-09"), "end_before_start", 5,
     "end_date", "2024-01-09", "2024-02-05"),
    ("courses.xlsx", lambda: _courses_workbook(0, "2024-02-09")[:3000], "truncated", None, None,
     None, "cannot be opened"),
    ("balance.parquet", lambda: _parquet("balance.csv")[:-200], "truncated", None, None, None,
     "footer"),
    ("courses.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old_excel",
     None, None, None, "save as .xlsx"),
    ("metadata.json", lambda: b'{"name": "x",\n "covers_from": 2024-01-01}', "metadata_invalid",
     2, None, "Expecting ',' delimiter", "JSON object"),
    ("data.csv", lambda: b"foo;bar;baz\n1;2;3\n", "unknown_table", None, None, None,
     "named by its table"),
    # public sources in their published layouts (tests/fixtures/public), refused with advice
    ("AUF01_men.csv", lambda: (PUBLIC / "20260115143200AUF01_men_only.csv").read_bytes(),
     "dimension_not_total", None, "(column 2)", "M Mænd", "at its total"),
    ("AUF01_quarters.csv", lambda: (PUBLIC / "AUF01_api_quarters.csv").read_bytes(),
     "period_not_month", None, None, "quarter", "monthly figures"),
    ("VEU20.csv", lambda: (PUBLIC / "20260115143300VEU20.csv").read_bytes(),
     "unsupported_source", None, None, ANY, "VEU20"),
    ("AULP01.csv", lambda: '"Fuldtidsledige i pct. af arbejdsstyrken"\n\n" ";"2024M01"\n'
     '"101 København";"4,1"\n'.encode("cp1252"), "not_a_count", None, None, ANY,
     "not a percentage"),
    ("AUF01_sector.csv", lambda: b"SEKTOR;TID;INDHOLD\nOffentlig;2024M01;5\n",
     "no_area_dimension", None, None, "SEKTOR", "municipalities"),
    ("ledighed.csv", lambda: b"month;municipality_code;full_time_unemployed\n2024-01-01;101;12.000\n",
     "ambiguous_number", 2, "full_time_unemployed", "12.000", "thousands separator"),
    # two titles whose assigned codes are equal (found by search): refused, never merged
    ("balance.csv", lambda: b"half_year;area_code;stillingsbetegnelse;status\n"
     b"2024H1;RAR Fyn;Stilling 73800;Mangel\n2024H1;RAR Fyn;Stilling 124855;Mangel\n",
     "assigned_code_clash", 3, "occupation_code", "Stilling 124855", "both get T-840c3bd8"),
    # the reader's own words vary between versions: any value
    ("balance.parquet", lambda: b"PAR1" + b"\x07" * 300 + b"PAR1", "unreadable", None, None,
     ANY, "a Parquet file that Polars/Arrow can read"),
    # a percentage where the framework conditions want a share
    ("conditions.csv", lambda: (b"year,municipality_code,population,unskilled_share,senior_share,"
                                b"long_term_share,shortage_employment_share,amu_distance_km\n"
                                b"2024,101,667099,31,0.28,0.22,0.18,2.5\n"),
     "share_above_one", 2, "unskilled_share", ANY, "a share from 0 to 1"),
]


@pytest.mark.parametrize(("name", "build", "kind", "row", "column", "value", "expected"), BUILT,
                         ids=[f"{case[0]}-{case[2]}" for case in BUILT])
def test_built_bad_file_gives_its_message_and_leaves_the_dataset_unchanged(
        active, name, build, kind, row, column, value, expected):
    before = tree_hash(active)
    data = build()
    files = replace_table(good_files(), name, data) if table_for_name(name) or \
        name == "metadata.json" else good_files() + [(name, data)]
    report, version = import_upload(files, active, Settings())
    assert version is None
    problem = find(report, kind)[0]
    assert (problem.file, problem.row, problem.column) == (name, row, column)
    assert value is ANY or problem.value == value
    assert expected in problem.expected
    assert tree_hash(active) == before


def test_the_corpus_covers_every_error_kind_a_file_can_cause():
    covered = {case[1] for case in CORPUS} | {case[2] for case in BUILT}
    # These come from the situation, not from a file's content; each has its own test.
    not_from_files = {"no_files", "missing_table", "publish_failed", "busy", "too_large",
                      "dataset_unreadable", "ignored_file", "ignored_sheet", "table_by_columns",
                      "column_filled"}
    warnings = {"no_activity_month", "no_unemployment_rows", "insured_above_total",
                "missing_month", "incomplete_month",
                "over_capacity", "cancelled_with_enrolments", "negative_target", "links_unchecked",
                # public sources and the number rule: tests/test_published.py, test_importer.py
                "note_file", "dimension_total_kept", "not_municipality_rows",
                "municipality_by_name", "thousands_separator", "decimal_point",
                # balance titles outside the reference list: tests/test_occupations.py
                "new_occupations"}
    # Input limits and dates beyond today's margin: built by tests/test_limits.py and
    # tests/test_integrity.py (a zip bomb, a deep JSON, a wide or long file, a course in 2062).
    limit_kinds = {"too_large_unpacked", "too_many_parts", "too_many_rows", "too_many_columns",
                   "cell_too_long", "metadata_too_deep", "future_date", "too_many_cells",
                   "tag_too_long"}
    assert set(MESSAGES) - covered - not_from_files - warnings - limit_kinds == set()


def test_all_problems_are_reported_at_once():
    content = (BAD / "courses_end_before_start.csv").read_text(encoding="utf-8")
    content = content.replace(",EUV,", ",Kursus,").replace(",834410,", ",999999,")
    files = replace_table(good_files(), "courses.csv", content.encode())
    files = replace_table(files, "enrolments.csv",
                          (BAD / "enrolments_wrong_type.csv").read_bytes())
    report = validate_upload(files)
    assert {(p.file, p.kind, p.row) for p in report.errors} == {
        ("courses.csv", "end_before_start", 4),
        ("courses.csv", "not_allowed", 3),
        ("courses.csv", "unknown_occupation", 6),
        ("enrolments.csv", "wrong_type", 3),
    }


def test_missing_value_names_row_and_column():
    content = (GOOD / "balance.csv").read_text().replace("2024H1,rar,fyn,531210,",
                                                         "2024H1,rar,fyn,531210,\n#")
    content = "\n".join(line for line in content.splitlines() if not line.startswith("#")) + "\n"
    report = validate_upload([("balance.csv", content.encode())])
    assert [(p.kind, p.row, p.column) for p in report.errors] == [("missing_value", 4, "status")]


def test_many_bad_rows_give_a_short_report():
    # Every row has a bad municipality code: listed 20 times, then one "… and N more" entry.
    # (50,000 rows keep the test quick; the capping does not depend on the size.)
    rows = 50_000
    body = "".join(f"2024-01-01;9{i % 10}9;10;5\n" for i in range(rows))
    data = ("month;municipality_code;full_time_unemployed;insured_unemployed\n" + body).encode()
    report = validate_upload([("unemployment.csv", data)])
    listed = find(report, "unknown_municipality")
    assert len(listed) == MAX_LISTED + 1
    assert listed[-1].more == rows - MAX_LISTED
    assert [p.row for p in listed[:3]] == [2, 3, 4]
    assert sum(p.more or 1 for p in listed) == rows
    assert "… and 49980 more like this" in report.to_text()
    # the same months repeat, so duplicate keys are capped the same way
    assert len(report.to_text().splitlines()) < 2 * MAX_LISTED + 10


def test_warnings_for_suspicious_but_legal_data():
    courses = (GOOD / "courses.csv").read_text()
    # No course starts in February any more; K001 gets 1 seat for its 3 enrolments.
    courses = courses.replace("2024-02-05,2024-02-09", "2024-03-05,2024-03-09")
    courses = courses.replace("2024-02-12,2024-02-23", "2024-03-12,2024-03-23")
    courses = courses.replace("automatisering,12,false", "automatisering,1,false")
    enrolments = (GOOD / "enrolments.csv").read_text() + \
        "11,K006,1010,101,Beskæftiget,Kvinde,30-39,KVU,,,\n"
    unemployment = (GOOD / "unemployment.csv").read_text().replace(
        "2024-01-01,550,540,324.0", "2024-01-01,550,540,600").replace(
        "2024-03-01,849,480,288.0\n", "")
    unemployment += "2024-05-01,101,14000,8400\n"  # April is missing
    files = replace_table(good_files(), "courses.csv", courses.encode())
    files = replace_table(files, "enrolments.csv", enrolments.encode())
    files = replace_table(files, "unemployment.csv", unemployment.encode())
    files = [(n, d) for n, d in files if n != "metadata.json"]  # May is beyond its period
    report = validate_upload(files)
    assert report.ok, report.to_text()
    warned = {(p.kind, p.row, p.column, p.value) for p in report.warnings}
    assert ("no_activity_month", None, "start_date", "2024-02") in warned
    assert ("over_capacity", 2, "seats", "3 enrolments") in warned
    assert ("cancelled_with_enrolments", 7, "cancelled", "1 enrolments") in warned
    assert ("insured_above_total", 5, "insured_unemployed", "600") in warned
    assert ("missing_month", None, "month", "2024-04") in warned
    assert ("incomplete_month", None, "month", "2024-03: 6 municipalities") in warned
    assert ("incomplete_month", None, "month", "2024-05: 1 municipalities") in warned
    missing = find(report, "no_unemployment_rows")
    assert len(missing) == 1 and missing[0].value.startswith("91 municipalities: 147 Frederiksberg")


def test_optional_column_missing_is_a_warning_and_filled():
    lines = (GOOD / "enrolments.csv").read_text().splitlines()
    cut = "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n"
    files = replace_table(good_files(), "enrolments.csv", cut.encode())
    report = validate_upload(files)
    assert report.ok
    assert [(p.kind, p.column, p.severity) for p in find(report, "column_filled")] == [
        ("column_filled", "employed_6m", "warning")]


def test_file_named_otherwise_is_recognised_by_its_columns():
    report = validate_upload([("export (3).csv", (GOOD / "balance.csv").read_bytes())])
    assert report.ok
    assert [(p.kind, p.value) for p in report.warnings] == [("table_by_columns", "balance")]
    assert report.files[0].table == "balance"


def test_report_formats_in_english_and_danish():
    problems = Problems()
    problems.error("courses.csv", "end_before_start",
                   ("a date on or after start_date (2024-02-05)",
                    "en dato samme dag som eller efter start_date (2024-02-05)"),
                   row=4, column="end_date", value="2024-01-09")
    problems.warning("courses.csv", "no_activity_month", ("at least one course", "mindst ét"),
                     column="start_date", value="2024-02")
    report = problems.report()
    english = report.to_text("en")
    danish = report.to_text("da")
    assert ("ERROR courses.csv, row 4, column end_date: end date is before start date — found "
            "'2024-01-09'; expected: a date on or after start_date (2024-02-05)") in english
    assert ("FEJL courses.csv, række 4, kolonne end_date: slutdato ligger før startdato — "
            "fundet '2024-01-09'; forventet: en dato samme dag som eller efter start_date "
            "(2024-02-05)") in danish
    assert "ADVARSEL courses.csv, kolonne start_date" in danish
    assert danish.rstrip().endswith("Intet er ændret.")
    as_json = json.loads(report.to_json())
    assert (as_json["ok"], as_json["errors"], as_json["warnings"]) == (False, 1, 1)
    assert as_json["problems"][0] == {
        "severity": "error", "kind": "end_before_start", "file": "courses.csv", "row": 4,
        "column": "end_date", "value": "2024-01-09",
        "expected": "a date on or after start_date (2024-02-05)",
        "message": "end date is before start date", "more": 0,
    }
    frame = report.to_frame("da")
    assert frame.columns == ["severity", "kind", "file", "row", "column", "value", "expected",
                             "message", "more"]
    assert frame["message"].to_list() == ["slutdato ligger før startdato",
                                          "ingen kurser starter i denne måned"]


def test_every_message_has_both_languages():
    assert MESSAGES, "no problem.* headlines in messages.yaml"
    for kind, entry in MESSAGES.items():
        assert entry["en"] and entry["da"] and entry["en"] != entry["da"], kind


def test_upload_size_limit_refuses_big_files_without_reading_them():
    big = b"month;municipality_code;full_time_unemployed;insured_unemployed\n" + b"x" * 2_000_000
    report = validate_upload([("unemployment.csv", big), ("balance.csv",
                                                          (GOOD / "balance.csv").read_bytes())],
                             max_file_mb=1)
    assert [(p.kind, p.file, p.expected) for p in report.errors] == [
        ("too_large", "unemployment.csv", "a file of at most 1 MB")]
    assert [f.file for f in report.files] == ["balance.csv"]
