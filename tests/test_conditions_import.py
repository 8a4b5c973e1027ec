"""The framework-conditions table imports like the others: Danish file and column names,
Danish numbers, and a share written as a percentage is refused."""

from __future__ import annotations

import polars as pl

from veu_metrics import schema
from veu_metrics.ingest.pipeline import parse_upload
from veu_metrics.ingest.publish import prepare_import
from veu_metrics.ingest.report import ROW, SOURCE, Problems

HEADER = ("År;Kommunekode;Folketal;Andel ufaglærte;Andel 50 år;Andel langtidsledige;"
          "Andel beskæftigede mangel;Afstand AMU km")


def test_a_danish_conditions_file_is_read_into_the_model():
    text = HEADER + "\n2024;101;667099;0,31;0,28;0,22;0,18;2,5\n2024;825;1750;0,45;0,41;0,3;0,2;48\n"
    problems = Problems()
    parsed = parse_upload([("rammevilkaar.csv", text.encode("utf-8"))], problems)
    report = problems.report(parsed.files)
    assert report.errors == [], report.to_text()
    frame = parsed.tables["conditions"].drop(SOURCE, ROW)
    assert frame.schema == pl.Schema(schema.TABLES["conditions"])
    row = frame.row(0, named=True)
    assert (row["year"], row["municipality_code"], row["population"]) == (2024, 101, 667099.0)
    assert row["unskilled_share"] == 0.31 and row["amu_distance_km"] == 2.5


def test_a_percentage_where_a_share_belongs_is_an_error():
    text = HEADER + "\n2024;101;667099;31;0,28;0,22;0,18;2,5\n"
    prepared = prepare_import([("rammevilkaar.csv", text.encode("utf-8"))])
    kinds = {(p.kind, p.column) for p in prepared.report.problems if p.severity == "error"}
    assert ("share_above_one", "unskilled_share") in kinds
