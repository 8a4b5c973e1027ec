"""A plain dataset folder is opened with the import's integrity checks (issue 13, item 4):
duplicate ids, enrolments of unknown courses, nulls in required columns and metadata dates out
of order or far in the future are refused with the import report's words; the import refuses a
mistyped future year."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from veu_metrics.dataset import DatasetError, IntegrityError, open_dataset, resolve_dataset_dir
from veu_metrics.ingest.publish import import_upload
from veu_metrics.ingest.readers import collect_files
from veu_metrics.integrity import FUTURE_MARGIN_DAYS
from veu_metrics.schema import SchemaError
from veu_metrics.settings import Settings

GOOD = Path(__file__).parent / "fixtures" / "import" / "good"


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A plain (unversioned) copy of a clean imported version."""
    versioned = tmp_path / "versioned"
    _, version = import_upload(collect_files([GOOD]), versioned, Settings())
    assert version
    folder = tmp_path / "plain"
    shutil.copytree(resolve_dataset_dir(versioned), folder)
    return folder


def rewrite(folder: Path, table: str, change) -> None:
    path = folder / f"{table}.parquet"
    frame = change(pl.read_parquet(path))
    path.unlink()
    frame.write_parquet(path)


def kinds(exc: IntegrityError) -> set[str]:
    return {p.kind for p in exc.report.errors}


def test_a_clean_folder_opens(plain):
    assert open_dataset(plain, integrity=True).metadata


def test_duplicate_ids_are_refused(plain):
    rewrite(plain, "enrolments", lambda f: pl.concat([f, f.head(3)]))
    with pytest.raises(IntegrityError) as caught:
        open_dataset(plain, integrity=True)
    assert kinds(caught.value) == {"duplicate_key"}
    assert "enrolments.parquet" in str(caught.value)
    open_dataset(plain)  # the schema alone is fine: only the integrity check sees it


def test_enrolments_of_unknown_courses_are_refused(plain):
    rewrite(plain, "enrolments",
            lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("NOPE"))
                                     .otherwise(pl.col("course_id")).alias("course_id")))
    with pytest.raises(IntegrityError) as caught:
        open_dataset(plain, integrity=True)
    assert kinds(caught.value) == {"unknown_course"}
    assert "'NOPE'" in str(caught.value)


def test_nulls_in_required_columns_are_refused(plain):
    rewrite(plain, "courses", lambda f: f.with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(None).otherwise(pl.col("start_date"))
        .alias("start_date")))
    with pytest.raises(IntegrityError) as caught:
        open_dataset(plain, integrity=True)
    assert kinds(caught.value) == {"missing_value"}
    assert caught.value.report.errors[0].row == 2


def test_metadata_dates_reversed_or_far_ahead_are_refused(plain):
    meta = json.loads((plain / "metadata.json").read_text())
    reversed_meta = meta | {"covers_from": meta["covers_to"], "covers_to": meta["covers_from"]}
    (plain / "metadata.json").write_text(json.dumps(reversed_meta))
    with pytest.raises(IntegrityError) as caught:
        open_dataset(plain, integrity=True)
    assert kinds(caught.value) == {"metadata_invalid"}
    (plain / "metadata.json").write_text(json.dumps(meta | {"covers_to": "2062-03-31"}))
    with pytest.raises(IntegrityError) as caught:
        open_dataset(plain, integrity=True)
    assert kinds(caught.value) == {"future_date"}


def test_damaged_parquet_files_are_a_clear_error_not_a_panic(plain):
    path = plain / "enrolments.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated: no footer
    with pytest.raises((DatasetError, SchemaError), match="enrolments"):
        open_dataset(plain, integrity=True)
    # damaged in place: the footer is fine, the first data page is garbage
    path.write_bytes(data[:20] + bytes(range(64)) + data[84:])
    with pytest.raises(DatasetError, match="cannot be read"):
        open_dataset(plain, integrity=True)


def test_the_import_refuses_a_mistyped_future_year(tmp_path):
    courses = (GOOD / "courses.csv").read_text().splitlines()
    first = courses[1].split(",")
    far = (date.today() + timedelta(days=FUTURE_MARGIN_DAYS + 30)).isoformat()
    line = courses[1].replace(first[0], "K999", 1).replace("2024-01-08", far, 1).replace(
        "2024-01-19", far, 1)
    files = [(n, d) for n, d in collect_files([GOOD]) if n != "courses.csv"]
    files.append(("courses.csv", ("\n".join([*courses, line]) + "\n").encode()))
    report, version = import_upload(files, tmp_path / "ds", Settings())
    assert version is None
    problem = next(p for p in report.errors if p.kind == "future_date")
    assert (problem.file, problem.column, problem.value) == ("courses.csv", "start_date", far)
