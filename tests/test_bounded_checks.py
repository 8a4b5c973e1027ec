"""The whole-table checks work on row positions and file runs, not on copies of the rows
(issue 13, docs/PERFORMANCE.md): they must still give what the plain definition gives. Each test
compares with a reference written the obvious way, in Python."""

from __future__ import annotations

import io
import random

import polars as pl
import pytest

from veu_metrics import schema
from veu_metrics.ingest import pipeline, rules
from veu_metrics.ingest.pipeline import parse_upload
from veu_metrics.ingest.readers import text_lines
from veu_metrics.ingest.report import ROW, SOURCE, Problems, source_runs

# Rows of three files, the second file's rows split around the third's: (file, key).
INTERLEAVED = ([("a.csv", f"K{i % 4}") for i in range(9)] + [("b.csv", "K1"), ("b.csv", "K9")]
               + [("c.csv", "K9"), ("c.csv", "K2")] + [("b.csv", "K3"), ("b.csv", "K8")])


def _enrolments(rows: list[tuple[str, str]]) -> pl.DataFrame:
    rows_in_file: dict[str, int] = {}
    row_numbers = []
    for source, _ in rows:
        rows_in_file[source] = rows_in_file.get(source, 1) + 1
        row_numbers.append(rows_in_file[source])
    return pl.DataFrame({SOURCE: [s for s, _ in rows], ROW: row_numbers,
                         "enrolment_id": [k for _, k in rows]})


def _listed(problems: Problems, kind: str) -> list[tuple[str, int | None, object, int | None]]:
    return [(p.file, p.row, p.value, p.more) for p in problems.report().problems
            if p.kind == kind]


def test_source_runs_follow_the_files_as_they_come():
    frame = _enrolments(INTERLEAVED)
    assert source_runs(frame) == [("a.csv", 0, 9), ("b.csv", 9, 2), ("c.csv", 11, 2),
                                  ("b.csv", 13, 2)]
    assert source_runs(frame.filter(pl.col(SOURCE) == "a.csv")) == [("a.csv", 0, 9)]


@pytest.mark.parametrize("cap", [1, 2, 20])
def test_add_rows_lists_the_first_rows_of_each_file_and_counts_the_rest(cap):
    bad = _enrolments(INTERLEAVED)
    problems = Problems(cap)
    problems.add_rows(bad, "wrong_type", "enrolment_id", "x")
    expected: list[tuple[str, int | None, object, int | None]] = []
    for source in ("a.csv", "b.csv", "c.csv"):  # the plain definition: group by file
        rows = bad.filter(pl.col(SOURCE) == source)
        expected += [(source, r, k, 0) for r, k in
                     rows.select(ROW, "enrolment_id").head(cap).iter_rows()]
        if rows.height > cap:
            expected.append((source, None, None, rows.height - cap))
    assert _listed(problems, "wrong_type") == expected


@pytest.mark.parametrize("cap", [1, 2, 20])
def test_duplicate_keys_across_files_name_the_first_row_of_the_key(cap):
    frame = _enrolments(INTERLEAVED)
    problems = Problems(cap)
    rules._check_duplicate_keys("enrolments", frame, problems)

    first_seen: dict[str, tuple[str, int]] = {}
    repeats: dict[str, list[tuple[int, str, tuple[str, int]]]] = {}
    for source, row, key in frame.iter_rows():  # the plain definition
        if key in first_seen:
            repeats.setdefault(source, []).append((row, key, first_seen[key]))
        else:
            first_seen[key] = (source, row)
    expected: list[tuple[str, int | None, object, int | None]] = []
    for source in repeats:
        expected += [(source, row, key, 0) for row, key, _ in repeats[source][:cap]]
        if len(repeats[source]) > cap:
            expected.append((source, None, None, len(repeats[source]) - cap))
    assert _listed(problems, "duplicate_key") == expected
    for problem in problems.report().problems:
        if problem.row is not None:
            source, row = first_seen[str(problem.value)]
            assert problem.expected.endswith(f"(the same key is in {source}, row {row})")


def test_a_key_with_an_empty_optional_part_repeats_and_an_incomplete_key_is_skipped():
    """targets' key ends in an optional focus area: two rows without one share a key; a row
    without its (required) area code has no key to repeat."""
    keys = schema.PRIMARY_KEYS["targets"]
    rows = [(2024, "rar", "fyn", "participations", None),
            (2024, "rar", "fyn", "participations", "Bygge og anlæg"),
            (2024, "rar", None, "participations", None),
            (2024, "rar", "fyn", "participations", None),
            (2024, "rar", None, "participations", None)]
    frame = pl.DataFrame(rows, schema={k: schema.TABLES["targets"][k] for k in keys},
                         orient="row").select(pl.lit("t.csv").alias(SOURCE),
                                              pl.int_range(2, 7).alias(ROW), *keys)
    problems = Problems()
    rules._check_duplicate_keys("targets", frame, problems)
    listed = _listed(problems, "duplicate_key")
    assert [(file, row) for file, row, _, _ in listed] == [("t.csv", 5)]
    assert problems.report().problems[0].expected.endswith("(the same key is in t.csv, row 2)")


def test_typed_chunks_are_compacted_without_changing_the_table(monkeypatch):
    """Blocks of COMPACT_CHUNKS chunks replace the chunks; the table and its problems are the
    same as when every chunk was kept."""
    monkeypatch.setattr("veu_metrics.ingest.readers.CHUNK_ROWS", 2)
    lines = ["month;municipality_code;full_time_unemployed"]
    lines += [f"2024-{m:02d}-01;{101 + m};{'x' if m % 5 == 0 else m}" for m in range(1, 12)]
    data = ("\n".join(lines) + "\n").encode()

    def parse() -> tuple[pl.DataFrame, list[tuple[str, int | None]]]:
        problems = Problems()
        frame = parse_upload([("unemployment.csv", data)], problems).tables["unemployment"]
        return frame, [(p.kind, p.row) for p in problems.report().problems]

    monkeypatch.setattr(pipeline, "COMPACT_CHUNKS", 1_000)
    kept, kept_problems = parse()
    monkeypatch.setattr(pipeline, "COMPACT_CHUNKS", 2)
    compacted, compacted_problems = parse()
    assert compacted.equals(kept)
    assert compacted_problems == kept_problems
    assert [p for p in kept_problems if p[0] == "wrong_type"] == [("wrong_type", 6), ("wrong_type", 11)]
    assert compacted.n_chunks() < kept.n_chunks()


@pytest.mark.parametrize("text", ["", "a", "a\n", "a\r\nb", "a\rb\r", "\n\n", 'a;"x\ny"\r\n\rq',
                                  "\r\n\r\n", "x\r\r\n", "æø;å\n"])
def test_text_lines_split_as_a_string_buffer_does(text):
    assert list(text_lines(text)) == list(io.StringIO(text, newline=""))


def test_text_lines_split_as_a_string_buffer_does_on_random_texts():
    rng = random.Random(13)
    for _ in range(2_000):
        text = "".join(rng.choice('a;"\r\n \x85\u2028\x0c') for _ in range(rng.randint(0, 30)))
        assert list(text_lines(text)) == list(io.StringIO(text, newline="")), repr(text)


def test_listed_positions_leave_room_for_what_is_listed_already():
    """The cap is per file and kind over the whole report: one problem listed before leaves room
    for cap − 1 more; the rest of each file is counted."""
    frame = _enrolments(INTERLEAVED)
    problems = Problems(2)
    problems.error("a.csv", "duplicate_key", "x", row=99, column="enrolment_id")
    positions = pl.Series([0, 1, 2, 9, 11, 13, 14], dtype=pl.UInt32)
    listed = problems.listed_positions(frame, positions, "duplicate_key", "enrolment_id")
    assert listed == [0, 9, 11, 13]  # a.csv: room for one; b.csv: two over its two runs; c.csv
    problems.add_rows(frame[listed], "duplicate_key", "enrolment_id", "x")
    assert [(file, more) for file, _, _, more in _listed(problems, "duplicate_key") if more] == [
        ("a.csv", 2), ("b.csv", 1)]
