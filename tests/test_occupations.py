"""The occupation list comes from the data (issue 14, item 3): a balance with job titles or codes
the reference list lacks is accepted, titles without a code get a stable assigned code, and the
dataset's list (the union) is what facts, the balance measures and link validation read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from veu_metrics.balance import compute_balance_matrix
from veu_metrics.dataset import open_dataset
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import FilterError, Filters, check_query_params
from veu_metrics.ingest.publish import import_upload, validate_upload
from veu_metrics.ingest.readers import collect_files, table_for_name
from veu_metrics.occupations import (
    ASSIGNED_CODE_PREFIX,
    assigned_code,
    dataset_occupations,
    occupations,
)
from veu_metrics.settings import Settings

GOOD = Path(__file__).parent / "fixtures" / "import" / "good"
REFORM = date(2025, 1, 1)

# A balance as STAR writes it: titles only, some of them outside the reference list (87 titles).
STAR_BALANCE = (
    "Halvår;Område;Stillingsbetegnelse;Beskæftigelsesmuligheder\n"
    "1. halvår 2024;RAR Fyn;Sygeplejerske;Mangel på arbejdskraft\n"
    "1. halvår 2024;RAR Fyn;Rørlægger, fjernvarme;Mangel på arbejdskraft\n"
    "1. halvår 2024;RAR Nordjylland;rørlægger,  FJERNVARME;Paradoksproblemer\n"
    "1. halvår 2024;RAR Nordjylland;Dronepilot;Gode jobmuligheder\n"
)
# Codes the reference lacks, one with its title beside it, one row with a title and no code.
CODED_BALANCE = (
    "half_year,area_scheme,area_code,occupation_code,stillingsbetegnelse,status\n"
    "2024H1,rar,fyn,999901,Robottekniker,Mangel\n"
    "2024H1,rar,nordjylland,999902,,Mangel\n"
    "2024H1,rar,fyn,,Dronepilot,Paradoks\n"
    "2024H1,rar,fyn,222110,Sygeplejerske,Mangel\n"
)


def _files(balance_name: str, balance: str) -> list[tuple[str, bytes]]:
    files = [(n, d) for n, d in collect_files([GOOD]) if table_for_name(n) != "balance"]
    return [*files, (balance_name, balance.encode())]


def test_assigned_code_is_stable_and_never_a_real_code():
    code = assigned_code("Rørlægger, fjernvarme")
    assert code == assigned_code("  rørlægger,   FJERNVARME ")  # case and spaces do not matter
    assert code != assigned_code("Rørlægger")
    assert code.startswith(ASSIGNED_CODE_PREFIX) and len(code) == 10
    assert not code.isdigit()


def test_union_keeps_the_reference_and_adds_the_datasets_titles():
    own = pl.DataFrame({"occupation_code": ["999901", "222110", "T-0000abcd", "999903"],
                        "title_da": ["Robottekniker", "Overskrevet?", "Sygeplejerske", None]})
    union = dataset_occupations(own)
    reference = occupations()
    assert union.height == reference.height + 3
    assert set(reference["occupation_code"]) < set(union["occupation_code"])
    by_code = {c: (da, en, g) for c, da, en, g in union.select(
        "occupation_code", "title_da", "title_en", "industry_group").iter_rows()}
    assert by_code["222110"][0] == "Sygeplejerske"  # the reference's row wins for its codes
    assert by_code["999901"] == ("Robottekniker", "Robottekniker", None)  # enrichment: none
    assert by_code["T-0000abcd"][0] == "Sygeplejerske (T-0000abcd)"  # titles stay unique
    assert by_code["999903"][0] == "999903"  # no title: the code names itself
    assert union["title_da"].n_unique() == union.height
    assert dataset_occupations(None).equals(reference)


def test_star_balance_with_unknown_titles_is_imported_with_a_warning(tmp_path):
    report, version = import_upload(_files("balance.csv", STAR_BALANCE), tmp_path / "ds",
                                    Settings())
    assert version is not None, report.to_text()
    assert not report.errors
    warning = [p for p in report.warnings if p.kind == "new_occupations"]
    assert len(warning) == 1 and warning[0].file == "balance.csv"
    assert warning[0].expected.startswith("2 job title(s) not in the reference list")
    assert "2 without a code" in warning[0].expected
    dataset = open_dataset(tmp_path / "ds")
    balance = dataset.balance.collect()
    pipe = assigned_code("Rørlægger, fjernvarme")
    assert balance["occupation_code"].to_list() == ["222110", pipe, pipe,
                                                    assigned_code("Dronepilot")]
    listed = dict(zip(dataset.occupations["occupation_code"], dataset.occupations["title_da"],
                      strict=True))
    assert listed[pipe] == "Rørlægger, fjernvarme"  # the first spelling names it
    assert listed[assigned_code("Dronepilot")] == "Dronepilot"
    assert dataset.occupations.height == occupations().height + 2
    own = pl.read_parquet(dataset.path / "occupations.parquet")
    assert sorted(own["occupation_code"]) == sorted([pipe, assigned_code("Dronepilot")])


def test_codes_the_reference_lacks_are_accepted_with_their_titles(tmp_path):
    report, version = import_upload(_files("balance.csv", CODED_BALANCE), tmp_path / "ds",
                                    Settings())
    assert version is not None, report.to_text()
    dataset = open_dataset(tmp_path / "ds")
    assert dataset.balance.collect()["occupation_code"].to_list() == [
        "999901", "999902", assigned_code("Dronepilot"), "222110"]
    listed = dict(zip(dataset.occupations["occupation_code"], dataset.occupations["title_da"],
                      strict=True))
    assert listed["999901"] == "Robottekniker"
    assert listed["999902"] == "999902"
    warning = next(p for p in report.warnings if p.kind == "new_occupations")
    assert warning.expected.startswith("3 job title(s)") and "1 without a code" in warning.expected


def test_courses_may_use_a_title_the_balance_brings_but_not_an_unknown_code(tmp_path):
    courses = (GOOD / "courses.csv").read_text(encoding="utf-8")
    files = [(n, d) for n, d in _files("balance.csv", CODED_BALANCE) if n != "courses.csv"]
    ok = courses.replace(",721210,", ",999901,", 1)
    assert validate_upload([*files, ("courses.csv", ok.encode())]).ok
    bad = courses.replace(",721210,", ",999977,", 1)
    report = validate_upload([*files, ("courses.csv", bad.encode())])
    assert [(p.kind, p.value) for p in report.errors] == [("unknown_occupation", "999977")]


def test_a_partial_import_keeps_the_active_versions_titles(tmp_path):
    root = tmp_path / "ds"
    import_upload(_files("balance.csv", STAR_BALANCE), root, Settings())
    unemployment = (GOOD / "unemployment.csv").read_bytes()
    report, version = import_upload([("unemployment.csv", unemployment)], root, Settings())
    assert version is not None, report.to_text()
    assert assigned_code("Dronepilot") in open_dataset(root).occupations["occupation_code"]


def test_a_whole_dataset_directory_brings_its_occupations_file(tmp_path, demo_dataset_dir):
    report, version = import_upload(collect_files([demo_dataset_dir]), tmp_path / "copy",
                                    Settings())
    assert version is not None, report.to_text()
    copied = open_dataset(tmp_path / "copy").occupations
    assert copied.equals(open_dataset(demo_dataset_dir).occupations)
    assert copied["industry_group"].null_count() == 0  # the demo's enrichment came along


@pytest.fixture(scope="module")
def star_facts(tmp_path_factory):
    root = tmp_path_factory.mktemp("star") / "ds"
    report, version = import_upload(_files("balance.csv", STAR_BALANCE), root, Settings())
    assert version is not None, report.to_text()
    return prepare_facts(open_dataset(root), reform_date=REFORM)


def test_facts_and_the_balance_matrix_read_the_datasets_list(star_facts):
    assert star_facts.occupations.height == occupations().height + 2
    matrix = compute_balance_matrix(star_facts, "2024H1")
    titles = dict(zip(matrix["occupation_code"], matrix["title_da"], strict=False))
    assert titles[assigned_code("Dronepilot")] == "Dronepilot"
    assert titles[assigned_code("Rørlægger, fjernvarme")] == "Rørlægger, fjernvarme"
    assert matrix["title_da"].null_count() == 0


def test_link_validation_accepts_a_dataset_only_title(star_facts):
    defaults = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 6, 1))
    assert check_query_params({"stilling": ["Dronepilot"]}, defaults) == []
    filters = Filters.from_query_params({"stilling": ["dronepilot"]}, defaults)
    assert filters.occupations == (assigned_code("Dronepilot"),)
    assert filters.to_query_params()["stilling"] == ["Dronepilot"]
    assert "Dronepilot" in filters.describe("da")
    with pytest.raises(FilterError, match="unknown occupation"):
        Filters.from_query_params({"stilling": ["Månebager"]}, defaults)


def test_a_title_the_dataset_already_lists_keeps_its_code(tmp_path, demo_dataset_dir):
    root = tmp_path / "ds"
    report, version = import_upload(collect_files([demo_dataset_dir]), root, Settings())
    assert version is not None, report.to_text()
    listed = open_dataset(root).occupations
    own = listed.filter(~pl.col("occupation_code").is_in(occupations()["occupation_code"].implode()))
    code, title = own.select("occupation_code", "title_da").row(0)
    balance = ("Halvår;Område;Stillingsbetegnelse;Beskæftigelsesmuligheder\n"
               f"2. halvår 2024;RAR Fyn;{title.upper()};Mangel på arbejdskraft\n"
               "2. halvår 2024;RAR Fyn;Dronepilot;Gode jobmuligheder\n")
    report, version = import_upload([("balance.csv", balance.encode())], root, Settings())
    assert version is not None, report.to_text()
    dataset = open_dataset(root)
    assert dataset.balance.collect()["occupation_code"].to_list() == [
        code, assigned_code("Dronepilot")]
    # the new version lists what its balance (and courses) use: the kept title keeps its row
    after = dict(zip(dataset.occupations["occupation_code"], dataset.occupations["title_da"],
                     strict=True))
    assert after[code] == title and after[assigned_code("Dronepilot")] == "Dronepilot"
