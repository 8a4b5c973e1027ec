"""AppTest of the upload page: check files (a bad CSV gives its error row), publish into a
versioned dataset, and the demo-data case where publishing is not possible — as a signed-in
administrator (AppTest's own ``user`` and ``secrets``); and what everyone else gets: no page
without VEU_UPLOADS, a sign-in button, a refusal for a signed-in non-administrator, and no
session-state or URL trick that publishes. The real sign-in is tested in the browser suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tests.app.conftest import APP, texts_of

from veu_metrics import audit
from veu_metrics.ingest import publish
from veu_metrics.ingest.readers import collect_files
from veu_metrics.settings import load_settings

PAGE = "app_pages/upload.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
GOOD = FIXTURES / "good"
BAD_CSV = FIXTURES / "bad" / "courses_missing_column.csv"


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


ADMIN = "admin@example.dk"
AUTH_SECRETS = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                "client_id": "veu", "client_secret": "s",
                "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


def _run_as(page: str, user: dict | None, params: dict | None = None,
            secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = dict(AUTH_SECRETS if secrets is None else secrets)
    at.user = user if user is not None else {"is_logged_in": False}
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    return at


@pytest.fixture
def uploads_on(monkeypatch, app_env) -> None:
    monkeypatch.setenv("VEU_UPLOADS", "oidc")
    monkeypatch.setenv("VEU_ADMINS", f"{ADMIN}, other@example.dk")


@pytest.fixture
def open_page(uploads_on):
    """The upload page as the signed-in administrator."""

    def run(page: str, params: dict | None = None) -> AppTest:
        return _run_as(page, {"is_logged_in": True, "email": ADMIN, "name": "Admin"}, params)

    return run


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
    captions = " ".join(texts_of(at, "caption"))
    assert ADMIN in captions.replace("\\", "").replace("\u2060", "")  # shown escaped
    assert "200 MB" in captions, "the size limit is visible, not only on hover"


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
    # The audit log: who, how, which file with its hash, the check's summary; shown to the admin
    entry = audit.read(versioned_dataset)[-1]
    assert (entry.action, entry.via, entry.by, entry.version) == ("publish", "web", ADMIN, second)
    assert entry.files[0]["name"] == "balance.csv" and len(entry.files[0]["sha256"]) == 64
    assert entry.summary["errors"] == 0
    log = next(d.value for d in at.dataframe if "action" in d.value.columns)
    assert log["version"][0] == second and ADMIN in log["by"][0]


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


# ------------------------------------------------------------------ everyone else: read-only
def test_without_uploads_enabled_the_page_is_not_in_the_app(app_env, versioned_dataset):
    at = AppTest.from_file(APP, default_timeout=120).run()
    _no_exception(at)
    # (and no comment about it leaks onto the page through Streamlit's "magic")
    assert not any("VEU_UPLOADS" in text for text in texts_of(at, "markdown"))
    with pytest.raises(Exception):  # noqa: B017 - AppTest refuses a page not in the navigation
        at.switch_page(PAGE).run()
    # The Data page shows no audit log and no server path to a visitor
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/data.py").run()
    _no_exception(at)
    assert not any("action" in d.value.columns for d in at.dataframe)


def test_an_anonymous_visitor_gets_a_sign_in_button_and_nothing_else(uploads_on,
                                                                     versioned_dataset):
    at = _run_as(PAGE, {"is_logged_in": False})
    _no_exception(at)
    assert [b.label for b in at.button if b.label == "Log ind"]
    assert not at.file_uploader and not [b for b in at.button if b.label == "Indlæs og udgiv"]
    shown = " ".join(texts_of(at, "caption") + texts_of(at, "markdown") + texts_of(at, "info"))
    assert str(versioned_dataset) not in shown and "veu-metrics" not in shown
    assert not [c for c in at.code if "veu-metrics" in c.value or c.language == "bash"]


def test_a_signed_in_user_not_on_the_list_is_refused(uploads_on, versioned_dataset):
    at = _run_as(PAGE, {"is_logged_in": True, "email": "mallory@example.dk"})
    _no_exception(at)
    assert any("mallory" in text for text in texts_of(at, "warning"))
    assert not at.file_uploader


def test_an_e_mail_claim_without_a_sign_in_is_not_an_administrator(uploads_on,
                                                                   versioned_dataset):
    """AppTest's default user has an e-mail but is not signed in: that is no administrator."""
    at = _run_as(PAGE, {"email": ADMIN})
    assert not at.file_uploader


def test_oidc_without_an_auth_section_explains_how_to_enable_it(uploads_on, versioned_dataset):
    at = AppTest.from_file(APP, default_timeout=120)
    at.user = {"is_logged_in": False}
    at.run()
    at.switch_page(PAGE).run()
    _no_exception(at)
    assert any("secrets.toml" in text for text in texts_of(at, "warning"))
    assert not at.file_uploader


def test_no_session_state_or_url_trick_publishes(uploads_on, versioned_dataset):
    """A visitor who forges the page's state or its URL still gets nothing published."""
    before = publish.version_ids(versioned_dataset)
    at = _run_as(PAGE, {"is_logged_in": False},
                 params={"upload_mode": "replace", "admin": ADMIN, "is_logged_in": "true"})
    at.session_state["upload_mode"] = "replace"
    at.session_state["_upload_result"] = None
    at.session_state["admin"] = ADMIN
    at.run()
    _no_exception(at)
    assert not at.file_uploader
    assert publish.version_ids(versioned_dataset) == before
    assert [e for e in audit.read(versioned_dataset) if e.via == "web"] == []


def test_the_data_page_shows_the_audit_log_to_an_administrator_only(uploads_on,
                                                                     versioned_dataset):
    admin = _run_as("app_pages/data.py", {"is_logged_in": True, "email": ADMIN})
    _no_exception(admin)
    log = next(d.value for d in admin.dataframe if "action" in d.value.columns)
    assert list(log["action"]) == ["publish"]
    visitor = _run_as("app_pages/data.py", {"is_logged_in": False})
    _no_exception(visitor)
    assert not any("action" in d.value.columns for d in visitor.dataframe)
