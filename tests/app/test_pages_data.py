"""AppTest of the Data page: downloads for the filters, the person-level guard, the data
dictionary, definitions, sources and the data-quality summary on the demo fixture."""

from __future__ import annotations

import io
from collections.abc import Callable

import polars as pl
import pytest
from streamlit.delta_generator import DeltaGenerator
from tests.app.conftest import texts_of

from veu_metrics.catalogue import load_catalogue
from veu_metrics.dataset import open_dataset
from veu_metrics.i18n import t
from veu_metrics.schema import TABLES

PAGE = "app_pages/data.py"
AGGREGATE_KEYS = {f"data-{table}-{fmt}" for table in ("activity", "outcome", "balance", "courses")
                  for fmt in ("csv", "csvp", "xlsx", "pq")}


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_data_page_renders_every_tab(open_page, app_env):
    at = open_page(PAGE)
    _no_exception(at)
    assert at.title[0].value == "Data"
    assert [tab.label for tab in at.tabs] == ["Hent data", "Datakatalog", "Definitioner",
                                              "Kilder og licenser", "Datakvalitet"]
    assert {b.key for b in at.download_button} >= AGGREGATE_KEYS
    # Data dictionary: one table per data-model table, one row per column.
    dictionaries = [d.value for d in at.dataframe if "description" in d.value.columns]
    assert [len(d) for d in dictionaries] == [len(columns) for columns in TABLES.values()]
    # Definitions: one card per measure in the catalogue.
    cards = [text for text in texts_of(at, "markdown") if text.startswith("#### ")]
    assert len(cards) == len(load_catalogue())
    sources = " ".join(texts_of(at, "markdown"))
    assert "Indeholder data fra Klimadatastyrelsen, DAGI (CC BY 4.0)" in sources
    assert any("syntetiske" in w for w in texts_of(at, "warning"))


def test_quality_summary_counts_the_fixture(open_page, app_env):
    at = open_page(PAGE)
    _no_exception(at)
    dataset = open_dataset(app_env)
    summary = next(d.value for d in at.dataframe if list(d.value.columns) == ["table", "rows", "first", "last"])
    for table, shown in zip(summary["table"], summary["rows"], strict=True):
        rows = dataset.tables[table].select(pl.len()).collect().item()
        assert shown == rows  # a number (it sorts as one); the display text is Danish
    nulls = next(d.value for d in at.dataframe if "null_share" in d.value.columns)
    completed = nulls[nulls["column"] == "completed"].iloc[0]
    expected = dataset.enrolments.select(pl.col("completed").null_count()).collect().item()
    assert completed["nulls"] == expected
    # The field is named by its meaning on screen (the code is kept for the files only).
    assert completed["field"] == t("dict.enrolments.completed", "da")
    assert any(dataset.version in text for text in texts_of(at, "markdown"))


def test_every_deferred_file_on_the_data_page_is_built(open_page, monkeypatch, demo_dataset):
    """The files built on click (activity, outcomes, courses) run their builders after the page
    script has finished: a name the page rebinds later breaks them only then. The course files
    once failed so: a loop variable named ``measures`` had replaced the measures module."""
    builders: dict[str, Callable[[], bytes]] = {}
    original = DeltaGenerator.download_button

    def capture(self, *args, **kwargs):
        data = kwargs.get("data", args[1] if len(args) > 1 else None)
        if callable(data):
            builders[kwargs["key"]] = data
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", capture)
    at = open_page(PAGE)
    _no_exception(at)
    assert {f"data-{t}-csvp" for t in ("activity", "outcome", "courses")} <= set(builders)
    courses = pl.read_csv(io.BytesIO(builders["data-courses-csvp"]()), infer_schema=False)
    listed = demo_dataset.tables["courses"].select(pl.col("course_id").n_unique()).collect().item()
    assert 0 < courses.height <= listed
    assert courses["course_id"].n_unique() == courses.height
    for table in ("activity", "outcome"):
        frame = pl.read_csv(io.BytesIO(builders[f"data-{table}-csvp"]()), infer_schema=False)
        assert frame.height > 0 and "area_name" in frame.columns


def test_person_level_download_is_off_by_default(open_page):
    at = open_page(PAGE)
    _no_exception(at)
    assert not {"person-csv", "person-pq"} & {b.key for b in at.download_button}
    explanation = " ".join(texts_of(at, "info"))
    assert "VEU_ALLOW_PERSON_DOWNLOAD=true" in explanation and "5 personer" in explanation


def test_person_level_download_when_the_deployment_allows_it(open_page, monkeypatch, app_env):
    monkeypatch.setenv("VEU_ALLOW_PERSON_DOWNLOAD", "true")
    at = open_page(PAGE, {"periode": ["2025-01", "2025-03"], "inddeling": "RAR", "omr": ["RAR Fyn"]})
    _no_exception(at)
    assert {"person-csv", "person-pq"} <= {b.key for b in at.download_button}
    assert any("fortrolig" in w for w in texts_of(at, "warning"))
    assert any(text.endswith("deltagelser.") for text in texts_of(at, "caption"))


def test_filter_changes_the_table_size_and_preview(open_page):
    at = open_page(PAGE, {"inddeling": "RAR", "omr": ["RAR Fyn"], "periode": ["2025-01", "2025-06"]})
    _no_exception(at)
    assert "6 rækker (6 måneder × 1 områder)." in texts_of(at, "caption")
    at.toggle(key="data-preview-activity").set_value(True).run()
    _no_exception(at)
    preview = next(d.value for d in at.dataframe if "courses_started" in d.value.columns)
    assert len(preview) == 6
    assert set(preview["area_name"]) == {"RAR Fyn"}


def test_filter_that_matches_nothing(open_page):
    at = open_page(PAGE, {"fin": ["Uddannelsesløft"], "udd": ["Diplom"], "jobveu": "true"})
    _no_exception(at)
    assert {b.key for b in at.download_button} >= AGGREGATE_KEYS - {
        f"data-balance-{fmt}" for fmt in ("csv", "csvp", "xlsx", "pq")}


def test_period_without_a_published_balance(open_page):
    # The fixture's balance starts with its first half-year; a link to another tab still works.
    at = open_page(PAGE, {"periode": ["2018-01", "2018-01"], "fane": "Datakvalitet"})
    _no_exception(at)


@pytest.mark.parametrize("tab", ["Bogus", "Definitioner"])
def test_tab_from_the_link(open_page, tab):
    at = open_page(PAGE, {"fane": tab})
    _no_exception(at)
    warned = any(tab in text for text in texts_of(at, "warning"))
    assert warned == (tab == "Bogus")


def test_english(open_page):
    at = open_page(PAGE, {"sprog": "English"})
    _no_exception(at)
    assert [tab.label for tab in at.tabs][0] == "Downloads"
    dictionaries = [d.value for d in at.dataframe if "description" in d.value.columns]
    assert "The course's unique id" in list(dictionaries[0]["description"])


def test_an_english_tab_link_opens_in_danish(open_page):
    at = open_page(PAGE, {"fane": "Data quality"})
    _no_exception(at)
    assert not any("Data quality" in text for text in texts_of(at, "warning"))


def test_a_fetched_public_table_is_credited_on_the_sources_tab(open_page, app_env, monkeypatch,
                                                               tmp_path):
    import json
    import shutil

    dataset = tmp_path / "fetched"
    shutil.copytree(app_env, dataset)
    metadata = json.loads((dataset / "metadata.json").read_text(encoding="utf-8"))
    metadata["table_sources"] = {"unemployment": {
        "source": "Kilde: Danmarks Statistik", "table": "AUF01",
        "url": "https://www.statistikbanken.dk/AUF01", "licence": "CC BY 4.0",
        "fetched_at": "2026-01-15T08:00:00+00:00"}}
    (dataset / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    monkeypatch.setenv("VEU_DATA_DIR", str(dataset))
    at = open_page(PAGE)
    _no_exception(at)
    line = next(text for text in texts_of(at, "markdown") if text.startswith("**Ledighed:**"))
    # Metadata is outside text: it is shown escaped (safe_text), so the source reads literally.
    from veu_metrics.safe_text import escape_markdown
    assert escape_markdown("Kilde: Danmarks Statistik") in line
    assert "AUF01" in line and "2026-01-15" in line
