"""The page registry (ui/pages.py): one name per page, the Danish url paths kept, and every link
key a page's widgets bind declared with that page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui.pages import APP_KEYS, BREAKDOWN_KEY, GRAIN_KEY, LEGACY_KEYS, PAGE_KEYS, PAGES, UPLOAD_PAGE
from veu_metrics.filters import QUERY_KEYS
from veu_metrics.i18n import LANGUAGES, texts

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
ALL = (*PAGES, UPLOAD_PAGE)

# Users' bookmarks: these url paths must never change (the default page also answers at "/").
BOOKMARKED = {"overview": "overblik", "area": "omraade", "jobcentre": "jobcentre",
              "shortage": "mangelomraader", "course": "kurser", "outcome": "effekter",
              "data": "data", "upload": "indlaes"}

_BOUND = re.compile(r'key="(\w+)"[^()]*?bind="query-params"|bind="query-params"[^()]*?key="(\w+)"')
_PICKED = re.compile(r'render_measure_picker\([^)]*key="(\w+)"')
_SHARED_PICKERS = {"render_grain_picker": GRAIN_KEY, "render_breakdown_picker": BREAKDOWN_KEY}


def _bound_keys(source: str) -> set[str]:
    keys = {a or b for a, b in _BOUND.findall(source)} | set(_PICKED.findall(source))
    return keys | {key for call, key in _SHARED_PICKERS.items() if f"{call}(" in source}


def test_the_url_paths_stay_as_bookmarked():
    assert {p.name: p.url_path for p in ALL} == BOOKMARKED
    assert len({p.url_path for p in ALL}) == len(ALL)


@pytest.mark.parametrize("page", ALL, ids=lambda p: p.name)
def test_one_name_per_page(page):
    """The page file, its title's text key and (where it has one) its view module share a name."""
    assert (DASHBOARD / page.file).is_file()
    for lang in LANGUAGES:
        assert texts()[page.title_key][lang]


def test_every_page_file_and_view_module_belongs_to_a_page():
    names = {p.name for p in ALL}
    assert {f.stem for f in (DASHBOARD / "app_pages").glob("*.py")} == names
    views = {f.stem.removesuffix("_view") for f in (DASHBOARD / "ui").glob("*_view.py")}
    shared = {"map"}  # map_view: the map block of every page that has a map, not a page's view
    assert views - shared <= names, f"view modules without a page of that name: {views - names}"


@pytest.mark.parametrize("page", ALL, ids=lambda p: p.name)
def test_a_pages_link_keys_are_the_keys_its_widgets_bind(page):
    source = (DASHBOARD / page.file).read_text(encoding="utf-8")
    view = DASHBOARD / page.view_module
    if view.is_file():
        source += view.read_text(encoding="utf-8")
    assert _bound_keys(source) == set(page.link_keys)


def test_the_shared_pickers_bind_the_keys_the_registry_names():
    source = (DASHBOARD / "ui" / "components.py").read_text(encoding="utf-8")
    for function, key in _SHARED_PICKERS.items():
        body = source.split(f"def {function}(", 1)[1].split("\ndef ", 1)[0]
        assert f'key="{key}"' in body


def test_page_keys_are_derived_and_never_a_filters_key():
    assert set(APP_KEYS) | set(LEGACY_KEYS) | {k for p in ALL for k in p.link_keys} == PAGE_KEYS
    assert not PAGE_KEYS & set(QUERY_KEYS.values())
    app = (DASHBOARD / "app.py").read_text(encoding="utf-8")
    assert _bound_keys(app) | {"moede"} == set(APP_KEYS)  # the meeting toggle: components
