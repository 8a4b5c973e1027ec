"""No traceback, ever (issue 13, item 5): every page runs against damaged datasets — a truncated
Parquet file, a deleted file, reversed metadata, a file damaged in place after the app had opened
it — and shows a message; a run never hangs (AppTest's timeout fails the test)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tests.app.conftest import APP, texts_of

PAGES = ["app_pages/overview.py", "app_pages/area.py", "app_pages/jobcentre.py",
         "app_pages/shortage.py", "app_pages/course.py", "app_pages/outcome.py",
         "app_pages/data.py"]
TIMEOUT = 90  # a hang fails here instead of blocking the suite


def truncate(folder: Path) -> None:
    path = next(p for p in sorted(folder.rglob("*.parquet")) if "enrolments" in str(p))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def delete(folder: Path) -> None:
    (folder / "courses.parquet").unlink()


def reverse_metadata(folder: Path) -> None:
    meta = json.loads((folder / "metadata.json").read_text())
    meta["covers_from"], meta["covers_to"] = meta["covers_to"], meta["covers_from"]
    (folder / "metadata.json").write_text(json.dumps(meta))


def damage_in_place(folder: Path) -> None:
    """Overwrite bytes of a data page, keeping the Parquet footer intact (readers panic or fail
    only when they reach the page)."""
    path = folder / "courses.parquet"
    data = path.read_bytes()
    path.write_bytes(data[:20] + bytes(range(64)) + data[84:])


@pytest.fixture
def copy_of_demo(tmp_path, demo_dataset_dir, app_env, monkeypatch) -> Path:
    folder = tmp_path / "dataset"
    shutil.copytree(demo_dataset_dir, folder)
    monkeypatch.setenv("VEU_DATA_DIR", str(folder))
    return folder


def run(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(page).run()
    return at


def messages(at: AppTest) -> str:
    return " ".join(texts_of(at, "error") + texts_of(at, "warning"))


@pytest.mark.parametrize("damage", [truncate, delete, reverse_metadata, damage_in_place],
                         ids=lambda f: f.__name__)
def test_a_damaged_dataset_opened_cold_gives_a_message_on_every_page(copy_of_demo, damage):
    damage(copy_of_demo)
    for page in PAGES:
        at = run(page)
        assert not at.exception, (page, [e.value for e in at.exception])
        assert "Datasættet kan ikke åbnes" in messages(at), page


def test_damage_after_opening_keeps_the_last_good_version_and_every_page_answers(copy_of_demo):
    warm = run(PAGES[0])
    assert not warm.exception
    damage_in_place(copy_of_demo)
    for page in PAGES:
        at = run(page)
        assert not at.exception, (page, [e.value for e in at.exception])
        text = messages(at)
        assert "seneste gyldige version" in text, page
    # the Data page reads the files themselves: it explains instead of hanging
    at = run("app_pages/data.py")
    assert not at.exception


@pytest.mark.parametrize("page", PAGES)
def test_markdown_in_metadata_is_shown_as_text(copy_of_demo, page):
    meta = json.loads((copy_of_demo / "metadata.json").read_text())
    meta["source"] = "![x](http://evil.example/pixel.png) [Log ind](http://evil.example/login)"
    meta["name"] = "# Overskrift"
    (copy_of_demo / "metadata.json").write_text(json.dumps(meta))
    at = run(page)
    assert not at.exception
    shown: list[str] = texts_of(at, "caption") + texts_of(at, "markdown")
    assert any(r"\!\[x\]\(http\:" in text for text in shown), page
    assert not any("](http://evil" in text for text in shown), page


