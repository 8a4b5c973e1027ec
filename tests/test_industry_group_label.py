"""'IT og telekommunikation' (issue 15): the label is fixed where it is declared, and data, files
and links made with the old spelling 'It og telekommunikation' are still read."""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl

from veu_metrics.dataset import open_dataset
from veu_metrics.filters import Filters, check_query_params
from veu_metrics.generate import generate_dataset
from veu_metrics.occupations import (
    INDUSTRY_GROUP_ENUM,
    INDUSTRY_GROUPS,
    LEGACY_INDUSTRY_GROUPS,
    conform_occupations,
    occupations,
)

OLD, NEW = "It og telekommunikation", "IT og telekommunikation"
OLD_ENUM = pl.Enum([OLD if g == NEW else g for g in INDUSTRY_GROUPS])


def test_the_label_is_declared_in_capitals_everywhere():
    assert NEW in INDUSTRY_GROUPS and OLD not in INDUSTRY_GROUPS
    assert LEGACY_INDUSTRY_GROUPS[OLD] == NEW
    groups = set(occupations()["industry_group"].cast(pl.String).drop_nulls())
    assert NEW in groups and OLD not in groups


def test_a_dataset_written_with_the_old_spelling_opens_with_the_new(tmp_path):
    source = generate_dataset(tmp_path / "new", enrolments=2_000, seed=7)
    old = tmp_path / "old"
    shutil.copytree(source, old)
    courses_file = next(old.rglob("courses.parquet"))
    courses = pl.read_parquet(courses_file)
    it_courses = courses.filter(pl.col("industry_group") == NEW).height
    assert it_courses > 0  # the generator makes IT courses
    # rewrite the file as an older version of the project wrote it: the old Enum
    courses.with_columns(pl.col("industry_group").cast(pl.String)
                         .replace({NEW: OLD}).cast(OLD_ENUM)).write_parquet(courses_file)
    assert pl.read_parquet(courses_file)["industry_group"].dtype == OLD_ENUM

    read = open_dataset(old).tables["courses"].collect()
    assert read["industry_group"].dtype == INDUSTRY_GROUP_ENUM
    assert read.filter(pl.col("industry_group") == NEW).height == it_courses
    assert read.equals(open_dataset(source).tables["courses"].collect())


def test_an_occupations_file_with_the_old_spelling_is_read():
    frame = pl.DataFrame({"occupation_code": ["999991"], "title_da": ["Testtitel"],
                          "industry_group": [OLD]})
    assert conform_occupations(frame)["industry_group"].cast(pl.String).to_list() == [NEW]


def test_a_link_with_the_old_spelling_selects_the_group():
    defaults = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1), scheme="council")
    assert check_query_params({"erhverv": [OLD]}, defaults) == []
    assert Filters.from_query_params({"erhverv": [OLD]}, defaults).industry_groups == (NEW,)
