"""AppTest of the upload page: check files (a bad CSV gives its error row), publish into a
versioned dataset, and the demo-data case where publishing is not possible."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.app.conftest import texts_of

from veu_metrics import publish
from veu_metrics.importer import collect_files
from veu_metrics.settings import load_settings

PAGE = "app_pages/upload.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
GOOD = FIXTURES / "good"
BAD_CSV = FIXTURES / "bad" / "courses_missing_column.csv"


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def versioned_dataset(tmp_path: Path, monkeypatch, app_env) -> Path:
    """A versioned dataset holding the small good import fixture as its first version."""
    root = tmp_path / "dataset"
    report, version = publish.import_upload(collect_files([GOOD]), root, load_settings({}))
    assert report.ok and version
    monkeypatch.setenv("VEU_DATA_DIR", str(root))
    return root


def test_upload_page_renders(open_page, app_env):
    at = open_page(PAGE)
    _no_exception(at)
    assert at.title[0].value == "Indlæs data"
    assert at.file_uploader(key="upload_files").accept_multiple_files
    assert {"csv", "xlsx", "parquet", "json"} <= {t.lstrip(".") for t in at.file_uploader[0].allowed_type}
    assert _button(at, "Kontrollér").disabled and _button(at, "Indlæs og udgiv").disabled
    assert any(str(app_env) in text for text in texts_of(at, "caption"))


def test_a_bad_csv_is_reported_row_by_row_and_nothing_changes(open_page, versioned_dataset):
    before = publish.active_version(versioned_dataset)
    at = open_page(PAGE)
    at.file_uploader(key="upload_files").upload(BAD_CSV.name, BAD_CSV.read_bytes(), "text/csv").run()
    _button(at, "Kontrollér").click().run()
    _no_exception(at)
    summary = " ".join(texts_of(at, "error"))
    assert "fejl og 0 advarsler. Intet er ændret" in summary
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    errors = problems[problems["severity"] == "Fejl"]
    assert len(errors) >= 1
    assert set(errors["file"]) == {BAD_CSV.name}
    assert {"report-csv", "report-json", "report-txt"} <= {b.key for b in at.download_button}
    # A refused import does not publish either.
    _button(at, "Indlæs og udgiv").click().run()
    _no_exception(at)
    assert publish.active_version(versioned_dataset) == before
    assert len(publish.version_ids(versioned_dataset)) == 1


def test_publishing_a_good_file_makes_a_new_active_version(open_page, versioned_dataset):
    first = publish.active_version(versioned_dataset)
    balance = GOOD / "balance.csv"
    at = open_page(PAGE)
    at.file_uploader(key="upload_files").upload(balance.name, balance.read_bytes(), "text/csv").run()
    at.radio(key="upload_mode").set_value("update").run()
    _button(at, "Kontrollér").click().run()
    assert any(text.startswith("Ingen fejl: 1 fil kan indlæses") for text in texts_of(at, "success"))
    assert publish.active_version(versioned_dataset) == first, "a check publishes nothing"
    _button(at, "Indlæs og udgiv").click().run()
    _no_exception(at)
    second = publish.active_version(versioned_dataset)
    assert second != first and publish.version_ids(versioned_dataset) == [first, second]
    assert any(second in text for text in texts_of(at, "success"))
    versions = next(d.value for d in at.dataframe if "active" in d.value.columns)
    assert list(versions["id"]) == [second, first]
    assert list(versions["active"]) == [True, False]


def test_an_unreadable_file_is_explained_not_crashed(open_page, versioned_dataset):
    at = open_page(PAGE)
    at.file_uploader(key="upload_files").upload("kurser.xlsx", b"not a workbook at all",
                                                "application/octet-stream").run()
    _button(at, "Kontrollér").click().run()
    _no_exception(at)
    assert texts_of(at, "error"), "the problem is shown as an error message"


def test_demo_data_can_be_checked_but_not_published(open_page, monkeypatch, demo_dataset_dir):
    monkeypatch.delenv("VEU_DATA_DIR")
    monkeypatch.setattr("veu_metrics.settings.DEFAULT_DEMO_DIR", demo_dataset_dir)
    at = open_page(PAGE)
    _no_exception(at)
    assert any("VEU_DATA_DIR" in text for text in texts_of(at, "info"))
    assert any("veu-metrics import" in code.value for code in at.code)
    at.file_uploader(key="upload_files").upload(BAD_CSV.name, BAD_CSV.read_bytes(), "text/csv").run()
    assert _button(at, "Indlæs og udgiv").disabled
    _button(at, "Kontrollér").click().run()
    _no_exception(at)
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert BAD_CSV.name in set(problems["file"])


def test_english(open_page):
    at = open_page(PAGE, {"sprog": "English"})
    _no_exception(at)
    assert at.title[0].value == "Import data"
    assert _button(at, "Check").disabled
