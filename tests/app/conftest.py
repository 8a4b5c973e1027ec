"""AppTest fixtures: the real app on the demo fixture dataset, one page at a time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
SHARED_BOUNDARIES = REPO.parent / "shared" / "geo" / "kommuner_250m.geojson"


@pytest.fixture
def app_env(monkeypatch, demo_dataset_dir: Path) -> Path:
    """Point the app at the small demo dataset; boundaries from ../shared when present."""
    monkeypatch.setenv("VEU_DATA_DIR", str(demo_dataset_dir))
    boundaries = SHARED_BOUNDARIES if SHARED_BOUNDARIES.is_file() else REPO / "no-such-file.geojson"
    monkeypatch.setenv("VEU_BOUNDARIES", str(boundaries))
    return demo_dataset_dir


@pytest.fixture
def open_page(app_env: Path) -> Callable[..., AppTest]:
    """open_page("app_pages/x.py", {"omr": ["RAR Fyn"]}) → the AppTest after the page ran."""

    def run(page: str | None = None, params: Mapping[str, str | list[str]] | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at

    return run


def texts_of(at: AppTest, kind: str) -> list[str]:
    """The visible texts of one element kind (markdown, caption, warning, info, …)."""
    return [element.value for element in at.get(kind)]
