"""The Jobcentre page in AppTest: typed tables (so they sort as numbers), the ranking by the
difference, the words about it, the job centre's conditions and the model in plain Danish."""

from __future__ import annotations

import pandas as pd
from tests.app.conftest import texts_of

PAGE = "app_pages/jobcentre.py"


def _ranking(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Forventet, nedre" in d.value.columns
                and "Nr. efter brug" in d.value.columns)


def test_ranking_is_typed_and_sorted_by_the_difference(open_page):
    at = open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    ranking = _ranking(at)
    # actual, expected and the difference come right after the name (in view at 1024 px)
    assert list(ranking.columns[:6]) == ["Nr.", "Jobcenter", "Brug pr. 1.000",
                                         "Forventet pr. 1.000", "Forskel", "Vurdering"]
    for column in ("Nr.", "Brug pr. 1.000", "Forventet pr. 1.000", "Forskel", "Forventet, nedre",
                   "Forventet, øvre", "Deltagelser (ledige)", "Fuldtidsledige (gns.)",
                   "Andel forsikrede", "Nr. efter brug"):
        assert pd.api.types.is_numeric_dtype(ranking[column]), column
    differences = ranking["Forskel"].dropna().tolist()
    assert differences == sorted(differences, reverse=True)
    assert set(ranking["Vurdering"].dropna()) <= {"Over forventet", "Som forventet",
                                                  "Under forventet", ".."}
    # the expected values vary: the model has something to show
    expected = ranking["Forventet pr. 1.000"].dropna()
    assert expected.max() > 1.5 * expected.min()


def test_ranking_in_words_conditions_and_model(open_page):
    at = open_page(PAGE, {"kommune": "Horsens"})
    assert not at.exception, [e.value for e in at.exception]
    markdown = " ".join(texts_of(at, "markdown"))
    assert "jobcentre bruger opkvalificering mere end forventet" in markdown
    assert "Mest over det forventede" in markdown and "Mest under det forventede" in markdown
    assert "**Horsens:** faktisk" in markdown
    assert "andel af devians forklaret" in markdown  # the model's fit in words
    assert "procentpoint mere giver" in markdown  # a coefficient in words
    conditions = next(d.value for d in at.dataframe if "Hele landet" in d.value.columns)
    assert list(conditions.columns) == ["Rammevilkår", "Horsens", "Beskæftigelsesrådet Midtjylland",
                                        "Hele landet"]
    assert pd.api.types.is_numeric_dtype(conditions["Horsens"])
    assert len(conditions) == 8
    comparable = [d.value for d in at.dataframe if "Forventet, nedre" in d.value.columns][-1]
    assert comparable["Jobcenter"].iloc[0] == "Horsens" and len(comparable) == 6


def test_data_page_shows_the_model(open_page):
    at = open_page("app_pages/data.py")
    assert not at.exception, [e.value for e in at.exception]
    assert "Modellen bag forventet brug" in [s.value for s in at.subheader]
    coefficients = next(d.value for d in at.dataframe if "Ændring i forventet brug" in d.value.columns)
    assert pd.api.types.is_numeric_dtype(coefficients["Ændring i forventet brug"])


def test_ranking_excel_has_the_data_and_the_definitions(demo_dataset):
    import io
    from datetime import date

    import fastexcel

    from ui import jobcentre_view
    from veu_metrics import exports
    from veu_metrics.facts import prepare_facts
    from veu_metrics.filters import default_filters
    from veu_metrics.jobcentre import compute_jobcentre_ranking

    facts = prepare_facts(demo_dataset, reform_date=date(2025, 1, 1))
    filters = default_filters(facts.covers_to)
    ranking = compute_jobcentre_ranking(facts, filters, threshold=5)
    frame = jobcentre_view.ranking_export(ranking, "da")
    assert frame["difference_rank"].drop_nulls().is_sorted()
    workbook = exports.to_excel_bytes(
        frame, title="Rangliste", definitions=jobcentre_view.column_definitions("da"),
        filters_description=filters.describe("da"), filters_params=filters.to_query_params(),
        data_version="v", exported_at=pd.Timestamp("2026-11-01").to_pydatetime(), lang="da",
        disclosure_threshold=5)
    reader = fastexcel.read_excel(io.BytesIO(workbook).getvalue())
    data = reader.load_sheet(0).to_polars()
    assert "expected_uptake" in data.columns and "assessment" in data.columns
    definitions = reader.load_sheet(1).to_polars()
    keys = definitions[definitions.columns[0]].to_list()
    for key in ("jobcentre_uptake", "expected_uptake", "expected_lower", "expected_upper",
                "difference", "assessment"):
        assert key in keys, key


def test_the_page_in_english_and_in_meeting_mode(open_page):
    at = open_page(PAGE, {"sprog": "English", "moede": "1"})
    assert not at.exception, [e.value for e in at.exception]
    markdown = " ".join(texts_of(at, "markdown"))
    assert "job centres use upskilling more than expected" in markdown
    ranking = next(d.value for d in at.dataframe if "Expected, lower" in d.value.columns)
    assert list(ranking.columns[:5]) == ["Rank", "Job centre", "Uptake per 1,000",
                                         "Expected per 1,000", "Difference"]
    assert set(ranking["Assessment"].dropna()) <= {"Above expected", "As expected",
                                                   "Below expected", ".."}


def test_trend_table_is_typed(open_page):
    at = open_page(PAGE, {"kommune": "Odense"})
    assert not at.exception, [e.value for e in at.exception]
    trend = next(d.value for d in at.dataframe if "Kvartal" in d.value.columns)
    assert list(trend.columns[1:]) == ["Odense", "Beskæftigelsesrådet Syddanmark", "Hele landet"]
    for column in trend.columns[1:]:
        assert pd.api.types.is_numeric_dtype(trend[column]), column
    assert pd.api.types.is_datetime64_any_dtype(trend["Kvartal"]) or trend["Kvartal"].map(
        lambda v: hasattr(v, "year")).all()
