import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from veu_metrics import schema
from veu_metrics.dataset import DatasetError, open_dataset, write_metadata
from veu_metrics.occupations import occupations

DATA_MD = Path(__file__).resolve().parents[1] / "docs" / "DATA.md"


def test_data_md_documents_every_table_and_column():
    text = DATA_MD.read_text(encoding="utf-8")
    for table, columns in schema.TABLES.items():
        assert f"## {table}" in text, f"docs/DATA.md lacks a section for {table}"
        section = text.split(f"## {table}", 1)[1].split("\n## ", 1)[0]
        documented = set(re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.M))
        assert documented == set(columns), f"{table}: docs {sorted(documented)} vs code {sorted(columns)}"
    for field in schema.METADATA_FIELDS:
        assert f"`{field}`" in text


def test_data_md_lists_allowed_values():
    text = DATA_MD.read_text(encoding="utf-8")
    for values in (schema.EDUCATION_TYPES, schema.FUNDING_SCHEMES, schema.LABOUR_STATUSES,
                   schema.BALANCE_STATUSES, schema.AGE_BANDS, schema.EDUCATION_LEVELS):
        for value in values:
            assert value in text


def test_check_schema_accepts_the_model():
    for table in schema.TABLES:
        schema.check_schema(table, schema.empty_frame(table).schema)


def test_check_schema_names_missing_column():
    s = dict(schema.TABLES["courses"])
    del s["seats"]
    with pytest.raises(schema.SchemaError, match=r"table 'courses', column 'seats': missing"):
        schema.check_schema("courses", s)


def test_check_schema_names_wrong_type():
    s = dict(schema.TABLES["enrolments"])
    s["municipality_code"] = pl.String()
    with pytest.raises(schema.SchemaError, match=r"column 'municipality_code': type String, expected Int16"):
        schema.check_schema("enrolments", s)


def test_check_schema_names_extra_column():
    s = dict(schema.TABLES["balance"]) | {"comment": pl.String()}
    with pytest.raises(schema.SchemaError, match=r"column 'comment': unexpected"):
        schema.check_schema("balance", s)


def test_occupations_reference():
    occ = occupations()
    assert 60 <= occ.height <= 120
    assert occ["occupation_code"].n_unique() == occ.height
    assert occ["occupation_code"].str.len_chars().is_between(4, 6).all()
    for title in ("Social- og sundhedsassistent", "Elektriker", "Vindmølletekniker", "Lastbilchauffør"):
        assert title in occ["title_da"].to_list()


def _write_minimal_dataset(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for table in schema.TABLES:
        schema.empty_frame(table).write_parquet(directory / f"{table}.parquet")
    write_metadata(directory, {
        "name": "t", "source": "test", "covers_from": "2024-01-01", "covers_to": "2024-12-31",
        "created_at": "2025-01-01T00:00:00", "next_update": "2025-02-01", "version": "1",
        "synthetic": True,
    })


def test_open_dataset_round_trip(tmp_path):
    _write_minimal_dataset(tmp_path / "d")
    ds = open_dataset(tmp_path / "d")
    assert set(ds.tables) == set(schema.TABLES)
    assert ds.covers_to == date(2024, 12, 31)
    assert ds.synthetic


def test_open_dataset_names_table_and_column(tmp_path):
    _write_minimal_dataset(tmp_path / "d")
    bad = schema.empty_frame("targets").rename({"target": "goal"})
    bad.write_parquet(tmp_path / "d" / "targets.parquet")
    with pytest.raises(schema.SchemaError, match=r"table 'targets', column 'target'"):
        open_dataset(tmp_path / "d")


def test_open_dataset_missing_table(tmp_path):
    _write_minimal_dataset(tmp_path / "d")
    (tmp_path / "d" / "balance.parquet").unlink()
    with pytest.raises(schema.SchemaError, match=r"table 'balance'.*no balance.parquet"):
        open_dataset(tmp_path / "d")


def test_open_dataset_not_parquet(tmp_path):
    _write_minimal_dataset(tmp_path / "d")
    (tmp_path / "d" / "courses.parquet").write_text("course_id;title\n")
    with pytest.raises(schema.SchemaError, match=r"table 'courses'.*cannot read"):
        open_dataset(tmp_path / "d")


def test_open_dataset_missing_dir_and_metadata(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        open_dataset(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no metadata.json"):
        open_dataset(tmp_path / "empty")


def test_version_changes_when_a_file_changes(tmp_path):
    _write_minimal_dataset(tmp_path / "d")
    v1 = open_dataset(tmp_path / "d").version
    schema.empty_frame("targets").vstack(pl.DataFrame(
        {"year": [2024], "area_scheme": ["rar"], "area_code": ["fyn"], "measure": ["participations"],
         "focus_area": [None], "target": [10.0]}, schema=schema.TABLES["targets"])
    ).write_parquet(tmp_path / "d" / "targets.parquet")
    assert open_dataset(tmp_path / "d").version != v1
