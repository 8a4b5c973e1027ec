"""Public sources in their published layouts (veu_metrics.ingest.published, through the importer).

The corpus in tests/fixtures/public/ is hand-written from the sources' documented formats (see its
README.md); every file either imports or is refused with a message that says what to do.
"""

import io
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from veu_metrics.ingest.pipeline import parse_upload
from veu_metrics.ingest.published import classify_area, is_total, parse_period
from veu_metrics.ingest.report import Problems

CORPUS = Path(__file__).parent / "fixtures" / "public"


def parse(*names: str, extra: list[tuple[str, bytes]] | None = None):
    files = [(n, (CORPUS / n).read_bytes()) for n in names] + (extra or [])
    problems = Problems()
    parsed = parse_upload(files, problems)
    return parsed, problems.report(parsed.files)


def rows(parsed):
    frame = parsed.tables["unemployment"]
    return sorted(frame.select("month", "municipality_code", "full_time_unemployed").rows())


def kinds(report, severity=None):
    return {p.kind for p in report.problems if severity is None or p.severity == severity}


def test_statbank_web_download_with_codes_and_texts():
    parsed, report = parse("20260115143000AUF01_codes_and_texts.csv")
    assert report.ok
    assert rows(parsed)[:3] == [(date(2024, 1, 1), 101, 12345.0), (date(2024, 1, 1), 147, 1850.0),
                                (date(2024, 1, 1), 730, 1402.0)]
    assert len(rows(parsed)) == 9  # 3 municipalities × 3 months; totals, 997 and 998 skipped
    skipped = next(p for p in report.problems if p.kind == "not_municipality_rows")
    assert "000 Hele landet" in skipped.value and "997 Udlandet" in skipped.value
    assert "municipality_by_name" in kinds(report, "warning")
    # the row number is the line of the file (title lines, 'Enhed' and the blank line counted)
    frame = parsed.tables["unemployment"]
    assert frame.filter(frame["municipality_code"] == 101)["__row"].unique().to_list() == [7]


def test_statbank_web_download_keeps_only_a_dimensions_total():
    parsed, report = parse("20260115143100AUF01_two_ages.csv")
    assert report.ok
    assert rows(parsed) == [(date(2024, 1, 1), 101, 12345.0), (date(2024, 1, 1), 751, 4321.0),
                            (date(2024, 2, 1), 101, 12201.0), (date(2024, 2, 1), 751, 4299.0)]
    kept = next(p for p in report.problems if p.kind == "dimension_total_kept")
    assert kept.column == "Alder" and "16-24 år" in kept.value


def test_statbank_dimension_not_at_total_is_refused_naming_what_to_choose():
    parsed, report = parse("20260115143200AUF01_men_only.csv")
    assert not report.ok
    problem = next(p for p in report.problems if p.kind == "dimension_not_total")
    assert "M Mænd" in problem.value and "total" in problem.expected


def test_statbank_api_csv_with_bom_and_texts():
    parsed, report = parse("AUF01_api.csv")
    assert report.ok
    assert rows(parsed) == [(date(2024, 1, 1), 101, 12345.0), (date(2024, 1, 1), 147, 1850.0),
                            (date(2024, 1, 1), 730, 1402.0), (date(2024, 2, 1), 101, 12201.0),
                            (date(2024, 2, 1), 147, 1822.0), (date(2024, 2, 1), 730, 1388.0)]


def test_quarters_are_refused_for_a_monthly_table():
    _, report = parse("AUF01_api_quarters.csv")
    assert kinds(report, "error") == {"period_not_month"}


def test_jobindsats_api_json_names_and_danish_numbers():
    parsed, report = parse("jobindsats_ledighed.json")
    assert report.ok
    assert (date(2023, 1, 1), 730, 2184.0) in rows(parsed)  # "Randers", "2.184"
    assert len(rows(parsed)) == 6
    assert {"thousands_separator", "municipality_by_name", "not_municipality_rows"} <= kinds(report)


def test_jobindsats_website_export_months_across():
    parsed, report = parse("jobindsats_fuldtidsledige_export.csv")
    assert report.ok
    assert (date(2024, 5, 1), 730, 1990.0) in rows(parsed)  # "Maj 2024", "1.990"
    assert len(rows(parsed)) == 6


def test_veu20_is_refused_with_what_to_import_instead():
    _, report = parse("20260115143300VEU20.csv")
    problem = next(p for p in report.problems if p.kind == "unsupported_source")
    assert "VEU20" in problem.expected and "enrolment" in problem.expected


def test_notes_beside_the_data_are_skipped_with_a_note():
    parsed, report = parse("README.txt", "SOURCE.txt", "AUF01_api.csv")
    assert report.ok
    notes = [p.file for p in report.problems if p.kind == "note_file"]
    assert notes == ["README.txt", "SOURCE.txt"]
    assert parsed.tables["unemployment"].height == 6


def test_percentages_are_refused():
    text = ('"Fuldtidsledige i pct. af arbejdsstyrken efter område og tid"\n\n'
            '" ";"2024M01"\n"101 København";"4,1"\n')
    problems = Problems()
    parse_upload([("AULP01.csv", text.encode("cp1252"))], problems)
    assert {p.kind for p in problems.report().problems} == {"not_a_count"}


def test_statbank_xlsx_download():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("AUF01")
    grid = [
        ["Fuldtidsledige (foreløbig opgørelse) efter område, alder og tid"],
        ["Enhed: antal"],
        [],
        [None, None, "2024M01", "2024M02"],
        ["Hele landet", "Alder i alt", 98765, 97654],
        ["København", None, 12345, 12201],
        ["Frederiksberg", None, 1850.5, 1822],
    ]
    for r, record in enumerate(grid):
        for c, value in enumerate(record):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    problems = Problems()
    parsed = parse_upload([("20260115143000AUF01.xlsx", buffer.getvalue())], problems)
    assert problems.report().ok
    assert rows(parsed) == [(date(2024, 1, 1), 101, 12345.0), (date(2024, 1, 1), 147, 1850.5),
                            (date(2024, 2, 1), 101, 12201.0), (date(2024, 2, 1), 147, 1822.0)]


@pytest.mark.parametrize(("cell", "kind", "text"), [
    ("2024M01", "month", "2024M01"), ("Jan 2024", "month", "2024M01"),
    ("Maj 2015", "month", "2015M05"), ("2023K3", "quarter", "2023K3"), ("2024", "year", "2024"),
])
def test_parse_period(cell, kind, text):
    period = parse_period(cell)
    assert period is not None and (period.kind, period.text) == (kind, text)


@pytest.mark.parametrize(("value", "expected"), [
    ("101 København", ("named", "101")), ("Randers", ("named", "730")), ("0101", ("municipality", "101")),
    ("101", ("municipality", "101")), ("000 Hele landet", ("skip", None)), ("0", ("skip", None)),
    ("084 Region Hovedstaden", ("skip", None)), ("Region Midtjylland", ("skip", None)),
    ("997 Udlandet", ("skip", None)), ("998", ("skip", None)),
    ("Landsdel Byen København", ("skip", None)), ("Gotham", ("unknown", None)),
    ("RAR Østjylland", ("skip", None)), ("AMK Øst", ("skip", None)),
    ("All Denmark", ("skip", None)), ("Province Byen København", ("skip", None)),
    ("Abroad", ("skip", None)), ("Copenhagen", ("named", "101")),
    ("101 Copenhagen", ("named", "101")), ("Gentofte Kommune", ("named", "157")),
])
def test_classify_area(value, expected):
    assert classify_area(value) == expected


@pytest.mark.parametrize(("value", "total"), [
    ("TOT", True), ("TOT Alder i alt", True), ("Køn i alt", True), ("I alt", True),
    ("M Mænd", False), ("16-24 år", False),
])
def test_is_total(value, total):
    assert is_total(value) is total


def test_jobindsats_variables_as_objects_and_numbers_as_numbers():
    answer = ('[{"Variables": [{"Name": "Område"}, {"Name": "Periode"}, {"Name": "Antal"}],'
              ' "Data": [["Hele landet", "2023M01", 85123], ["Randers", "2023M01", 2184],'
              ' ["Aarhus", "2023M01", 6350.5]]}]')
    problems = Problems()
    parsed = parse_upload([("ledighed_jobindsats.json", answer.encode())], problems)
    assert problems.report().ok
    assert rows(parsed) == [(date(2023, 1, 1), 730, 2184.0), (date(2023, 1, 1), 751, 6350.5)]


def test_a_json_file_that_is_not_an_answer_is_ignored_with_a_warning():
    problems = Problems()
    parse_upload([("notes.json", b'{"hello": 1}')], problems)
    assert "ignored_file" in {p.kind for p in problems.report().problems}


def test_an_empty_label_beside_a_dimensions_total_is_reported_not_a_crash():
    # Found by the type checker: a blank label cell (None) in a dimension that also has its total
    # made the 'only the total is kept' warning fail while joining the other labels.
    from veu_metrics.ingest.published import Grid, to_unemployment

    grid = Grid(labels={"OMRÅDE": ["101 København", "101 København"],
                        "ALDER": ["TOT Alder i alt", None]},
                time=["2024M01", "2024M01"], value=["12345", "17"], rows=[5, 6],
                title="AUF01: Fuldtidsledige (antal)")
    problems = Problems()
    frame = to_unemployment("auf01.csv", grid, problems)
    assert frame is not None and frame["c2"].to_list() == ["12345"]
    kept = next(p for p in problems.report().problems if p.kind == "dimension_total_kept")
    assert kept.column == "ALDER" and kept.value == ""
