"""Atomic, versioned publishing of imports (veu_metrics.ingest.publish)."""

import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

from veu_metrics.dataset import dataset_version, open_dataset
from veu_metrics.ingest import publish
from veu_metrics.ingest.publish import (
    PublishError,
    activate_version,
    active_version,
    dataset_lock,
    import_upload,
    list_versions,
    new_version_id,
    version_ids,
)
from veu_metrics.ingest.readers import collect_files
from veu_metrics.schema import TABLES
from veu_metrics.settings import Settings

GOOD = Path(__file__).parent / "fixtures" / "import" / "good"
SRC = Path(__file__).resolve().parents[1] / "src"


def good_files() -> list[tuple[str, bytes]]:
    return collect_files([GOOD])


def only(*names: str) -> list[tuple[str, bytes]]:
    return [(n, d) for n, d in good_files() if n in names]


def tree_hash(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def active_hash(root: Path) -> dict[str, str]:
    """CURRENT and every file of the active version: what the app reads."""
    version = (root / "CURRENT").read_text().strip()
    return {"CURRENT": hashlib.sha256((root / "CURRENT").read_bytes()).hexdigest()} | {
        f"v/{k}": v for k, v in tree_hash(root / "versions" / version).items()}


def frames(path: Path) -> dict[str, pl.DataFrame]:
    dataset = open_dataset(path)
    return {table: frame.collect() for table, frame in dataset.tables.items()}


@pytest.fixture
def active(tmp_path: Path) -> Path:
    dataset = tmp_path / "dataset"
    report, version = import_upload(good_files(), dataset, Settings())
    assert version is not None, report.to_text()
    return dataset


def test_first_import_publishes_a_version_and_points_current_at_it(active):
    (version,) = version_ids(active)
    assert (active / "CURRENT").read_text() == version + "\n"
    dataset = open_dataset(active)
    assert dataset.path == active / "versions" / version
    tables = frames(active)
    assert {t: f.height for t, f in tables.items()} == {
        "courses": 6, "enrolments": 10, "balance": 5, "unemployment": 21, "targets": 4}
    k005 = tables["courses"].filter(pl.col("course_id") == "K005").row(0, named=True)
    assert (k005["course_days"], k005["provider_municipality_code"], k005["job_veu"]) == (
        5.5, 751, True)
    assert tables["courses"]["themes"].to_list()[2] == ["grøn omstilling", "vindenergi"]
    assert dataset.metadata["name"] == "Testdata (import)"
    assert not any(".tmp-" in p.name for p in (active / "versions").iterdir())


def test_publishing_changes_the_dataset_version_the_app_keys_on(active):
    before = dataset_version(active)
    _, version = import_upload(only("balance.csv"), active, Settings())
    assert version is not None
    after = dataset_version(active)
    assert after != before
    first = version_ids(active)[0]
    activate_version(active, first)
    assert dataset_version(active) == before


def test_exception_between_writing_and_publishing_leaves_active_unchanged(active, monkeypatch):
    before = tree_hash(active)
    version_before = dataset_version(active)

    def crash(directory, expected_rows):
        assert (directory / "courses.parquet").is_file()  # written, not yet published
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(publish, "_verify_version", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        import_upload(good_files(), active, Settings())
    assert tree_hash(active) == before
    assert dataset_version(active) == version_before
    assert frames(active)["courses"].height == 6


def test_failure_while_switching_current_leaves_active_unchanged(active, monkeypatch):
    before = tree_hash(active)

    def crash(root, version_id):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C at the worst moment

    monkeypatch.setattr(publish, "_point_current", crash)
    with pytest.raises(KeyboardInterrupt):
        import_upload(only("balance.csv"), active, Settings())
    assert tree_hash(active) == before
    open_dataset(active)


def test_killed_import_leaves_active_unchanged_and_next_import_cleans_up(active):
    before = active_hash(active)
    version_before = dataset_version(active)
    script = f"""
import sys, time
sys.path.insert(0, {str(SRC)!r})
from pathlib import Path
from veu_metrics.ingest import publish
from veu_metrics.ingest.readers import collect_files
from veu_metrics.settings import Settings
def hang(directory, expected_rows):
    print("written", flush=True)
    time.sleep(120)
publish._verify_version = hang
publish.import_upload(collect_files([Path({str(GOOD)!r})]), Path({str(active)!r}), Settings())
"""
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert process.stdout.readline() == b"written\n"
    finally:
        process.kill()  # SIGKILL: no cleanup code runs
        process.wait()
    leftovers = [p for p in (active / "versions").iterdir() if ".tmp-" in p.name]
    assert len(leftovers) == 1
    assert active_hash(active) == before
    assert dataset_version(active) == version_before
    assert frames(active)["enrolments"].height == 10
    # The OS released the lock with the process; the next import removes the half-built folder.
    _, version = import_upload(only("balance.csv"), active, Settings())
    assert version is not None
    assert not any(".tmp-" in p.name for p in (active / "versions").iterdir())


def test_disk_error_is_reported_not_raised(active, monkeypatch):
    before = tree_hash(active)

    def full(self, file, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    report, version = import_upload(good_files(), active, Settings())
    assert version is None
    assert [p.kind for p in report.errors] == ["publish_failed"]
    assert "No space left on device" in report.errors[0].expected
    assert tree_hash(active) == before


def test_a_second_import_at_the_same_time_is_refused(active):
    before = tree_hash(active)
    with dataset_lock(active):
        # flock is per open file: a second open in this process conflicts like another process
        report, version = import_upload(good_files(), active, Settings())
    assert version is None
    assert [p.kind for p in report.errors] == ["busy"]
    assert tree_hash(active) == before


def test_partial_import_keeps_the_other_tables(active):
    old = frames(active)
    balance = (GOOD / "balance.csv").read_text() + "2025H1,council,nordjylland,721210,Mangel\n"
    report, version = import_upload([("balance.csv", balance.encode())], active, Settings())
    assert version is not None, report.to_text()
    new = frames(active)
    assert new["balance"].height == 6
    for table in ("courses", "enrolments", "unemployment", "targets"):
        assert_frame_equal(new[table], old[table])
    directory = active / "versions" / version
    assert json.loads((directory / "metadata.json").read_text())["name"] == "Testdata (import)"


def test_partial_import_is_checked_against_the_kept_tables(active):
    before = tree_hash(active)
    enrolments = (GOOD / "enrolments.csv").read_text() + \
        "11,K404,1010,101,Beskæftiget,Kvinde,30-39,KVU,,,\n"
    report, version = import_upload([("enrolments.csv", enrolments.encode())], active, Settings())
    assert version is None
    assert [(p.kind, p.row, p.value) for p in report.errors] == [("unknown_course", 12, "K404")]
    assert tree_hash(active) == before


def test_update_mode_replaces_rows_by_key_and_adds_new_ones(active):
    update = ("month;municipality_code;full_time_unemployed;insured_unemployed\n"
              "01-03-2024;101;15000,5;9000\n"   # replaces March for København
              "01-04-2024;101;14000;8400\n")    # a new month
    report, version = import_upload([("ledighed.csv", update.encode())], active, Settings(),
                                    mode="update")
    assert version is not None, report.to_text()
    unemployment = frames(active)["unemployment"]
    assert unemployment.height == 22
    copenhagen = unemployment.filter(pl.col("municipality_code") == 101).sort("month")
    assert copenhagen["full_time_unemployed"].to_list() == [14250.5, 14250.5, 15000.5, 14000.0]
    assert open_dataset(active).metadata["covers_to"] == "2024-04-30"


def test_first_import_needs_every_table(tmp_path):
    dataset = tmp_path / "new"
    report, version = import_upload(only("balance.csv"), dataset, Settings())
    assert version is None
    assert sorted(p.file for p in report.errors if p.kind == "missing_table") == [
        "courses", "enrolments", "targets", "unemployment"]
    assert not (dataset / "CURRENT").exists()


def test_metadata_is_derived_when_not_supplied(tmp_path):
    dataset = tmp_path / "Jobcenter data"
    files = [(n, d) for n, d in good_files() if n != "metadata.json"]
    report, version = import_upload(files, dataset, Settings())
    assert version is not None, report.to_text()
    metadata = open_dataset(dataset).metadata
    assert metadata["name"] == "Jobcenter data"
    # first course start 2024-01-08, unemployment months Jan–Mar 2024 → to the end of March
    assert (metadata["covers_from"], metadata["covers_to"]) == ("2024-01-01", "2024-03-31")
    assert metadata["synthetic"] is False
    assert metadata["version"] == version


def test_versions_are_pruned_but_never_the_active_one(active):
    settings = Settings(keep_versions=2)
    first = version_ids(active)[0]
    published = [import_upload(only("balance.csv"), active, settings)[1] for _ in range(3)]
    assert version_ids(active) == published[-2:]
    activate_version(active, published[-2])
    _, latest = import_upload(only("targets.csv"), active, Settings(keep_versions=1))
    assert version_ids(active) == [latest]  # the previously active one was not active any more
    assert first not in version_ids(active)


def test_activate_switches_back_and_refuses_unknown_ids(active):
    first = active_version(active)
    balance = (GOOD / "balance.csv").read_text().replace("Paradoks", "Mangel")
    _, second = import_upload([("balance.csv", balance.encode())], active, Settings())
    assert frames(active)["balance"]["status"].to_list().count("Mangel") == 3
    activate_version(active, first)
    assert frames(active)["balance"]["status"].to_list().count("Mangel") == 2
    infos = list_versions(active)
    assert [(i.id, i.active) for i in infos] == [(first, True), (second, False)]
    assert infos[0].rows["enrolments"] == 10
    with pytest.raises(PublishError, match="does not exist"):
        activate_version(active, "19990101-000000")
    with pytest.raises(PublishError, match="not a version id"):
        activate_version(active, "../../etc")


def test_import_into_a_plain_dataset_leaves_its_files_alone(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    for table, frame in frames_from_good().items():
        frame.write_parquet(plain / f"{table}.parquet")
    (plain / "metadata.json").write_bytes((GOOD / "metadata.json").read_bytes())
    before = tree_hash(plain)
    report, version = import_upload(only("balance.csv"), plain, Settings())
    assert version is not None, report.to_text()
    after = tree_hash(plain)
    assert {k: v for k, v in after.items() if k in before} == before
    assert open_dataset(plain).path == plain / "versions" / version


def frames_from_good() -> dict[str, pl.DataFrame]:
    from veu_metrics.ingest.pipeline import parse_upload
    from veu_metrics.ingest.report import ROW, SOURCE, Problems

    parsed = parse_upload(good_files(), Problems())
    return {t: f.drop(SOURCE, ROW) for t, f in parsed.tables.items()}


# ---------------------------------------------------------------------------------------------
# Round trip: the demo dataset exported to CSV and Excel imports to identical frames


def _text_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(c).list.eval(pl.element().cast(pl.String)).list.join("|")
        for c, t in frame.schema.items() if isinstance(t, pl.List))


def export_danish_csv(frame: pl.DataFrame) -> bytes:
    """As a Danish office's Excel writes CSV: ';', decimal comma, 01-03-2024, ja/nej,
    municipality codes with a leading zero, Windows-1252."""
    frame = _text_columns(frame).with_columns(
        [pl.when(pl.col(c)).then(pl.lit("ja")).when(~pl.col(c)).then(pl.lit("nej")).alias(c)
         for c, t in frame.schema.items() if t == pl.Boolean]
        + [pl.col(c).cast(pl.String).str.zfill(4)
           for c in frame.columns if c.endswith("municipality_code")])
    text = frame.write_csv(separator=";", decimal_comma=True, date_format="%d-%m-%Y")
    return text.encode("cp1252")


def export_excel(tables: dict[str, pl.DataFrame]) -> bytes:
    """One workbook, a sheet per table, a title row above each header, real date cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = book.add_format({"num_format": "dd-mm-yyyy"})
    for table, frame in tables.items():
        frame = _text_columns(frame)
        sheet = book.add_worksheet(table)
        sheet.write(0, 0, f"Udtræk: {table}")
        sheet.write_row(1, 0, frame.columns)
        dates = [i for i, t in enumerate(frame.dtypes) if t == pl.Date]
        for r, row in enumerate(frame.iter_rows(), start=2):
            sheet.write_row(r, 0, row)
            for i in dates:
                if row[i] is not None:
                    sheet.write_datetime(r, i, datetime.combine(row[i], datetime.min.time()),
                                         date_format)
    book.close()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def demo_tables(demo_dataset_dir) -> dict[str, pl.DataFrame]:
    return frames(demo_dataset_dir)


def test_round_trip_through_danish_csv(demo_dataset_dir, demo_tables, tmp_path):
    files = [(f"{t}.csv", export_danish_csv(f)) for t, f in demo_tables.items()]
    files.append(("metadata.json", (demo_dataset_dir / "metadata.json").read_bytes()))
    report, version = import_upload(files, tmp_path / "imported", Settings())
    assert version is not None, report.to_text()
    assert report.errors == []
    imported = frames(tmp_path / "imported")
    for table in TABLES:
        assert_frame_equal(imported[table], demo_tables[table])
    assert open_dataset(tmp_path / "imported").metadata == open_dataset(demo_dataset_dir).metadata


def test_round_trip_through_excel(demo_dataset_dir, demo_tables, tmp_path):
    files = [("veu-data.xlsx", export_excel(demo_tables)),
             ("metadata.json", (demo_dataset_dir / "metadata.json").read_bytes())]
    report, version = import_upload(files, tmp_path / "imported", Settings())
    assert version is not None, report.to_text()
    imported = frames(tmp_path / "imported")
    for table in TABLES:
        assert_frame_equal(imported[table], demo_tables[table])


def test_round_trip_through_parquet_parts(demo_dataset_dir, demo_tables, tmp_path):
    report, version = import_upload(collect_files([demo_dataset_dir]), tmp_path / "imported",
                                    Settings())
    assert version is not None, report.to_text()
    imported = frames(tmp_path / "imported")
    for table in TABLES:
        assert_frame_equal(imported[table], demo_tables[table])


def test_partial_import_onto_synthetic_data_stays_marked_synthetic(demo_dataset_dir, tmp_path):
    target = tmp_path / "ds"
    import_upload(collect_files([demo_dataset_dir]), target, Settings())
    assert open_dataset(target).synthetic
    _, version = import_upload(only("targets.csv"), target, Settings())
    assert version is not None
    assert open_dataset(target).synthetic  # four of five tables are still the demo's
    assert os.path.samefile(  # kept tables are hard links, not copies
        target / "versions" / version / "courses.parquet",
        target / "versions" / version_ids(target)[0] / "courses.parquet")


def test_dates_in_the_metadata_of_a_version_are_iso(active):
    metadata = open_dataset(active).metadata
    for key in ("covers_from", "covers_to"):
        date.fromisoformat(metadata[key])


def test_version_ids_sort_numerically_and_never_go_back(tmp_path):
    versions = tmp_path / "versions"
    for name in ("20261129-083712-10", "20261129-083712", "20261129-083712-9"):
        (versions / name).mkdir(parents=True)
    assert version_ids(tmp_path) == ["20261129-083712", "20261129-083712-9", "20261129-083712-10"]
    assert new_version_id(versions, datetime(2026, 11, 29, 8, 37, 12)) == "20261129-083712-11"
    # a clock set back still gives a later id, so pruning keeps removing the oldest
    assert new_version_id(versions, datetime(2020, 1, 1)) == "20261129-083712-11"
    assert new_version_id(versions, datetime(2026, 11, 29, 9, 0, 0)) == "20261129-090000"


def test_kept_tables_keep_their_parts_layout(demo_dataset_dir, demo_tables, tmp_path):
    import shutil

    plain = tmp_path / "demo"
    shutil.copytree(demo_dataset_dir, plain)  # never publish into the shared fixture
    assert (plain / "enrolments").is_dir()
    _, version = import_upload(only("balance.csv"), plain, Settings())
    assert version is not None
    parts = sorted(p.name for p in (plain / "versions" / version / "enrolments").iterdir())
    assert parts == sorted(p.name for p in (demo_dataset_dir / "enrolments").iterdir())
    assert_frame_equal(frames(plain)["enrolments"], demo_tables["enrolments"])
    assert open_dataset(plain).synthetic


def test_partial_import_needs_a_readable_active_version(active):
    (active / "CURRENT").write_text("20000101-000000\n")  # points at a version that is gone
    report, version = import_upload(only("balance.csv"), active, Settings())
    assert version is None
    problem = next(p for p in report.errors if p.kind == "dataset_unreadable")
    assert "20000101-000000" in problem.expected
    assert (active / "CURRENT").read_text() == "20000101-000000\n"
    # a complete import does not need the broken version, and repairs the pointer
    _, version = import_upload(good_files(), active, Settings())
    assert version is not None and open_dataset(active).path.name == version
