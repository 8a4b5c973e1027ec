"""AppTest: the dataset's occupation list (reference + the demo's ~900 balance titles) in the
filter panel, in links and on Mangelområder (the heatmap draws the top occupations only)."""

from __future__ import annotations

import json

import polars as pl
from tests.app.conftest import texts_of

from veu_metrics.dataset import open_dataset
from veu_metrics.occupations import occupations

MANGEL = "app_pages/shortage.py"


def _dataset_only_title(app_env) -> str:
    listed = open_dataset(app_env).occupations
    own = listed.filter(~pl.col("occupation_code").is_in(occupations()["occupation_code"].implode()))
    assert own.height > 700
    return own["title_da"][0]


def test_filter_panel_offers_the_datasets_titles(open_page, app_env):
    at = open_page(None)
    assert not at.exception
    options = at.multiselect(key="stilling").options
    assert 850 <= len(options) <= 950
    assert _dataset_only_title(app_env) in options
    assert "Sygeplejerske" in options  # the reference titles stay


def test_link_with_a_dataset_only_title_is_accepted(open_page, app_env):
    title = _dataset_only_title(app_env)
    at = open_page(MANGEL, {"stilling": [title]})
    assert not at.exception, [e.value for e in at.exception]
    assert not any(title in w for w in texts_of(at, "warning")), "the link was not refused"
    assert at.multiselect(key="stilling").value == [title]
    assert title in " ".join(texts_of(at, "caption")), "the filter line names the title"


def test_mangel_heatmap_shows_900_titles_one_industry_group_at_a_time(open_page):
    at = open_page(MANGEL)
    assert not at.exception, [e.value for e in at.exception]
    groups = at.selectbox(key="hmgruppe")  # too many titles for one chart: a group at a time
    assert len(groups.options) >= 10
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    drawn = spec["encoding"]["y"]["sort"]  # the chart's rows, in order: the chosen group's
    assert 0 < len(drawn) < 300
    assert len(at.selectbox(key="stillingkort").options) > 800  # every title can go on the map


def test_activity_chart_shows_the_occupations_with_most_participations():
    from ui.shortage_view import activity_chart_rows

    activity = pl.DataFrame({
        "title_da": [f"Stilling {i}" for i in range(6)],
        "participations": [0, 0, None, 40, 0, 12],  # None: suppressed
        "participations_suppressed": [False, False, True, False, False, False],
    })
    rows = activity_chart_rows(activity, "da", top=3)
    assert rows["occupation"].to_list() == ["Stilling 3", "Stilling 5", "Stilling 0"]
    assert activity_chart_rows(activity, "da", top=6)["occupation"][-1] == "Stilling 2"
