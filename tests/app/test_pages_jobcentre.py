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
    assert "procentpoint mere giver" in markdown      # a coefficient in words
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
