"""The import columns' table (``veu_metrics.ingest.columns``) drives the importer, the validator,
the data dictionary and docs/IMPORT.md: one entry per column of the model, and each entry's
aliases, expected text and rules show up in what a real file gets back."""

import csv
import io
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from veu_metrics import i18n, schema
from veu_metrics.i18n import t
from veu_metrics.ingest import columns
from veu_metrics.ingest.columns import (
    COLUMNS,
    IMPORT_MD,
    ColumnSpec,
    render_import_columns_markdown,
    with_generated_columns,
)
from veu_metrics.ingest.expected import expect
from veu_metrics.ingest.publish import validate_upload
from veu_metrics.ingest.readers import column_lookup
from veu_metrics.ingest.report import Report
from veu_metrics.tables import compute_data_dictionary
from veu_metrics.text import name_key

GOOD = Path(__file__).parent / "fixtures" / "import" / "good"
CONDITIONS = ("year,municipality_code,population,unskilled_share,senior_share,long_term_share,"
              "shortage_employment_share,amu_distance_km\n"
              "2024,101,650000,0.21,0.28,0.24,0.31,4.5\n"
              "2024,147,105000,0.18,0.27,0.22,0.29,3.0\n")


def test_one_entry_per_model_column_in_the_models_order():
    listed = [(s.table, s.column) for s in COLUMNS]
    assert listed == [(table, column) for table, cols in schema.TABLES.items() for column in cols]


def test_entries_are_consistent():
    for s in COLUMNS:
        for alias in s.all_aliases:
            assert alias == name_key(alias), f"{s.table}.{s.column}: {alias!r} not normalised"
        if s.pattern is not None or s.pattern_text is not None:
            assert s.pattern is not None and s.pattern_text is not None, s
        if s.not_before is not None:
            assert schema.TABLES[s.table][s.not_before] == pl.Date == s.dtype, s
        if s.share:
            assert s.non_negative and s.dtype == pl.Float64, s
        if s.reference == "municipality":
            assert s.dtype == pl.Int16, s
        if s.reference == "area":
            assert "area_scheme" in schema.TABLES[s.table], s
        if s.parse == "month" or s.period:
            assert s.dtype == pl.Date, s


def test_import_md_column_tables_are_generated_from_the_spec():
    text = IMPORT_MD.read_text(encoding="utf-8")
    assert with_generated_columns(text) == text, (
        "docs/IMPORT.md's column tables are stale: run `python -m veu_metrics.ingest.columns`")
    block = render_import_columns_markdown()
    for s in COLUMNS:
        section = block.split(f"\n### {s.table}\n", 1)[1].split("\n### ", 1)[0]
        line = next(x for x in section.splitlines() if x.startswith(f"| `{s.column}` |"))
        assert all(f"`{a}`" in line for a in s.all_aliases)
        assert s.expected_text()[0].replace("|", "\\|") in line


def _good_csv(table: str) -> list[list[str]]:
    text = CONDITIONS if table == "conditions" else (GOOD / f"{table}.csv").read_text("utf-8")
    return list(csv.reader(io.StringIO(text)))


def _file_with(spec: ColumnSpec, header: str, cells: dict[int, str]) -> tuple[str, bytes]:
    """The table's good file with the column named ``header`` and data rows' cells replaced."""
    rows = _good_csv(spec.table)
    index = rows[0].index(spec.column)
    rows[0][index] = header
    for row, value in cells.items():
        rows[row][index] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return f"{spec.table}.csv", out.getvalue().encode("utf-8")


def _on(report: Report, spec: ColumnSpec, kind: str) -> list[str]:
    return [p.expected for p in report.problems if p.kind == kind and p.column == spec.column]


@pytest.mark.parametrize("spec", COLUMNS, ids=lambda s: f"{s.table}.{s.column}")
def test_each_entry_drives_the_header_the_messages_and_the_dictionary(spec: ColumnSpec):
    # Every alias is read as the column; a real file named with the last one imports as it.
    lookup = column_lookup(spec.table)
    assert all(lookup[a] == spec.column for a in spec.all_aliases)
    header = spec.all_aliases[-1] if spec.all_aliases else spec.column
    cells = {1: "§"} | ({2: ""} if not spec.nullable and spec.parse != "themes" else {})
    report = validate_upload([_file_with(spec, header, cells)])
    assert not [p for p in report.problems if p.kind in ("unknown_column", "missing_column")]
    assert [f.table for f in report.files] == [spec.table]
    # A value that cannot be read, or breaks the pattern, is reported with the entry's text.
    en, _da = spec.expected_text()
    if spec.dtype != pl.String:
        kind = "not_allowed" if isinstance(spec.dtype, pl.Enum | pl.List) else "wrong_type"
        assert _on(report, spec, kind) == [en]
    if spec.pattern_text is not None:
        assert _on(report, spec, "bad_pattern") == [expect(spec.pattern_text)[0]]
    # An empty required cell: "a value (<expected>)".
    if 2 in cells:
        assert _on(report, spec, "missing_value") == [f"a value ({en})"]
    # The data dictionary's row.
    for lang in ("da", "en"):
        row = compute_data_dictionary(lang).filter(
            (pl.col("table") == spec.table) & (pl.col("column") == spec.column)).row(0, named=True)
        assert (row["nullable"], row["key"]) == (spec.nullable, spec.key)
        assert row["description"] == t(spec.description_key, lang)


@pytest.fixture
def changed_seats(monkeypatch):
    """The table with one entry changed: courses.seats gets an alias, its own expected text, and
    loses its 0-or-more rule."""
    old = columns.column_spec("courses", "seats")
    monkeypatch.setitem(i18n.texts(), "expected.seats_count",
                        {"da": "et antal pladser", "en": "a number of seats"})
    new = replace(old, aliases=(*old.aliases, "saeder"), non_negative=False,
                  expected="seats_count")
    monkeypatch.setattr(columns, "COLUMNS", tuple(new if s is old else s for s in COLUMNS))
    columns._index.cache_clear()
    yield new
    columns._index.cache_clear()


def test_changing_one_entry_changes_the_import_and_the_docs(changed_seats):
    spec = changed_seats
    assert spec.rules() == ["required"]
    report = validate_upload([_file_with(spec, "Sæder", {1: "mange", 2: "-4"})])
    assert [f.table for f in report.files] == ["courses"]
    assert not [p for p in report.problems if p.kind == "unknown_column"]
    assert _on(report, spec, "wrong_type") == ["a number of seats"]
    assert [p.expected_da for p in report.problems
            if p.kind == "wrong_type" and p.column == "seats"] == ["et antal pladser"]
    assert _on(report, spec, "negative") == []  # the rule is gone with the entry's flag
    block = render_import_columns_markdown()
    assert "| `seats` | `pladser`, `antal_pladser`, `saeder` | a number of seats | required |" \
        in block


def test_the_unchanged_entry_refuses_negative_seats():
    spec = columns.column_spec("courses", "seats")
    report = validate_upload([_file_with(spec, "seats", {2: "-4"})])
    assert _on(report, spec, "negative") == ["0 or more"]


def test_a_balance_with_a_periode_column_is_the_models_layout_not_jobindsats():
    """Bug found on the way: the documented alias ``periode`` (balance.half_year) made any file
    with it be taken for Jobindsats' layout and refused as an unknown public table."""
    text = (GOOD / "balance.csv").read_text("utf-8").replace("half_year", "Periode", 1)
    report = validate_upload([("arbejdsmarkedsbalance.csv", text.encode("utf-8"))])
    assert report.ok, report.to_text()
    assert [(f.table, f.rows) for f in report.files] == [("balance", len(text.splitlines()) - 1)]


def test_a_conditions_year_written_with_two_digits_is_refused():
    """Bug found on the way: targets.year was checked for a plausible year, conditions.year not
    (a year written 24 was imported as the year 24)."""
    spec = columns.column_spec("conditions", "year")
    report = validate_upload([_file_with(spec, "aar", {1: "24"})])
    assert [(p.row, p.value) for p in report.errors if p.kind == "implausible_date"] == [(2, "24")]
