"""`veu-metrics validate`, `import` and `versions`: reports on stdout, exit codes 0 / 1 / 2."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from veu_metrics.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "import"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"


def tree_hash(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def dataset(tmp_path: Path, capsys) -> Path:
    target = tmp_path / "dataset"
    assert main(["import", str(GOOD), "--into", str(target)]) == 0
    capsys.readouterr()
    return target


def test_validate_clean_directory_exits_0_with_warnings_allowed(capsys):
    assert main(["validate", str(GOOD)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Import report: 0 errors, 1 warning\n")
    assert "courses.csv → courses (CSV, utf-8, ',', 6 rows)" in out
    assert out.rstrip().endswith("Result: no errors — the data can be imported.")


def test_validate_bad_file_exits_1_and_says_what_to_fix(capsys):
    assert main(["validate", str(BAD / "courses_end_before_start.csv")]) == 1
    out = capsys.readouterr().out
    assert ("ERROR courses_end_before_start.csv, row 4, column end_date: end date is before "
            "start date — found '2024-01-09'; expected: a date on or after start_date "
            "(2024-02-05)") in out


def test_validate_json(capsys):
    assert main(["validate", str(BAD / "enrolments_wrong_type.csv"), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert (result["ok"], result["errors"], result["version"]) == (False, 1, None)
    assert [(p["kind"], p["row"], p["column"], p["value"]) for p in result["problems"]
            if p["severity"] == "error"] == [("wrong_type", 3, "person_id", "ABC")]


def test_validate_in_danish(capsys):
    assert main(["validate", str(BAD / "enrolments_tonder_cp1252.csv"), "--lang", "da"]) == 1
    out = capsys.readouterr().out
    assert ("FEJL enrolments_tonder_cp1252.csv, række 6, kolonne municipality_code: kommunenavn, "
            "hvor der skal stå en kommunekode — fundet 'Tønder'; forventet: kommunekoden 550 "
            "(Tønder), ikke navnet") in out


def test_validate_against_a_dataset_checks_links_to_kept_tables(dataset, capsys):
    assert main(["validate", str(BAD / "enrolments_unknown_course.csv")]) == 0
    assert main(["validate", str(BAD / "enrolments_unknown_course.csv"),
                 "--dataset", str(dataset)]) == 1
    assert "enrolment points to a course that does not exist — found 'K999'" in \
        capsys.readouterr().out
    main(["validate", str(BAD / "enrolments_unknown_course.csv"), "--dataset", str(dataset),
          "--json"])
    result = json.loads(capsys.readouterr().out)
    assert [p["kind"] for p in result["problems"] if p["severity"] == "error"] == [
        "unknown_course"]


def test_import_publishes_and_prints_the_version(tmp_path, capsys):
    target = tmp_path / "ds"
    assert main(["import", str(GOOD), "--into", str(target), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True
    assert (target / "CURRENT").read_text().strip() == result["version"]


def test_import_with_errors_exits_1_and_changes_nothing(dataset, capsys):
    before = tree_hash(dataset)
    assert main(["import", str(BAD / "courses_not_allowed.csv"), "--into", str(dataset)]) == 1
    out = capsys.readouterr().out
    assert "Nothing was changed." in out and "Published" not in out
    assert tree_hash(dataset) == before


def test_partial_import_of_explicit_files(dataset, capsys):
    assert main(["import", str(GOOD / "balance.csv"), str(GOOD / "targets.csv"),
                 "--into", str(dataset)]) == 0
    assert "Published as version" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    [],
    ["validate"],
    ["import", str(GOOD)],                        # --into is required
    ["validate", str(GOOD), "--lang", "fr"],
    ["validate", "/no/such/path"],
    ["versions", "/no/such/dataset"],
])
def test_usage_errors_exit_2(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse exits by itself
        code = exc.code
    assert code == 2
    assert capsys.readouterr().err


def test_versions_lists_and_switches_back(dataset, capsys):
    first = (dataset / "CURRENT").read_text().strip()
    assert main(["import", str(GOOD / "balance.csv"), "--into", str(dataset)]) == 0
    second = (dataset / "CURRENT").read_text().strip()
    capsys.readouterr()
    assert main(["versions", str(dataset)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"  {first}  Testdata (import)  2024-01-01 – 2024-03-31")
    assert lines[1].startswith(f"* {second}  ")
    assert main(["versions", str(dataset), "--activate", first]) == 0
    assert (dataset / "CURRENT").read_text().strip() == first
    assert capsys.readouterr().out.startswith(f"* {first}")
    assert main(["versions", str(dataset), "--activate", "20000101-000000"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_versions_json(dataset, capsys):
    assert main(["versions", str(dataset), "--json"]) == 0
    (version,) = json.loads(capsys.readouterr().out)
    assert version["active"] is True
    assert version["rows"] == {"courses": 6, "enrolments": 10, "balance": 5, "unemployment": 21,
                               "targets": 4}


def test_the_installed_command_returns_the_exit_code(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "veu_metrics.cli", "validate", str(BAD / "balance_zero_bytes.csv")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "balance_zero_bytes.csv: the file is empty (0 bytes)" in result.stdout
