from datetime import date

import polars as pl
import pytest

from veu_metrics.filters import (
    QUERY_KEYS,
    FilterError,
    Filters,
    check_query_params,
    default_filters,
)

DEFAULTS = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1), scheme="rar")


def test_default_filters_take_last_twelve_complete_months_and_scheme_in_force():
    f = default_filters(date(2026, 10, 31))
    assert (f.period_from, f.period_to, f.scheme) == (date(2025, 11, 1), date(2026, 10, 1), "council")
    # Data ending mid-month: that month is not complete.
    f = default_filters(date(2024, 10, 15))
    assert (f.period_from, f.period_to, f.scheme) == (date(2023, 10, 1), date(2024, 9, 1), "rar")
    # The reform date is a setting.
    assert default_filters(date(2025, 6, 30), reform_date=date(2025, 7, 1)).scheme == "rar"
    assert default_filters(date(2025, 6, 30), reform_date=date(2025, 6, 1)).scheme == "council"


def test_defaults_give_empty_query_params():
    assert DEFAULTS.to_query_params(DEFAULTS) == {}


def test_query_params_are_what_the_app_writes_and_leave_defaults_out():
    f = DEFAULTS.with_changes(
        period_from=date(2023, 3, 1), areas=("fyn", "bornholm"),
        industry_groups=("Sundhed, omsorg og pleje",), funding=("6 ugers jobrettet uddannelse",),
        occupations=("532110",), job_veu_only=True,
    )
    assert f.to_query_params(DEFAULTS) == {
        "periode": ["2023-03", "2024-12"],
        "omr": ["RAR Fyn", "RAR Bornholm"],
        "erhverv": ["Sundhed, omsorg og pleje"],
        "fin": ["6 ugers jobrettet uddannelse"],
        "stilling": ["Social- og sundhedsassistent"],
        "jobveu": ["true"],
    }


def test_every_field_round_trips():
    f = Filters(
        period_from=date(2022, 2, 1), period_to=date(2023, 7, 1), scheme="municipality",
        areas=("101", "825"), education_types=("AMU", "FVU/OBU"), funding=("Uddannelsesløft",),
        labour_status=("Forsikret ledig", "Øvrig ledig"), industry_groups=("Bygge og anlæg",),
        occupations=("532110",), focus_areas=("Grøn omstilling",), themes=("vindenergi",),
        balance_status=("Mangel", "Paradoks"), job_veu_only=True,
    )
    params = f.to_query_params(DEFAULTS)
    assert set(params) == set(QUERY_KEYS.values())
    assert params["inddeling"] == ["Kommune"] and params["omr"] == ["København", "Læsø"]
    assert Filters.from_query_params(params, DEFAULTS) == f
    # Without defaults every key is written, and reading it back gives the same filters.
    assert Filters.from_query_params(f.to_query_params(), DEFAULTS) == f


def test_from_query_params_accepts_single_values_codes_and_any_case():
    f = Filters.from_query_params(
        {"udd": ["AMU", "ikv"], "fokus": "Grøn omstilling", "inddeling": "council",
         "omr": ["sjaelland", "beskæftigelsesrådet syddanmark"],
         "stilling": ["532110", "elektriker"], "lang": "en", "grain": "year"}, DEFAULTS
    )
    assert f.education_types == ("AMU", "IKV")
    assert f.focus_areas == ("Grøn omstilling",)
    assert (f.scheme, f.areas) == ("council", ("sjaelland", "syddanmark"))
    assert f.occupations == ("532110", "741110")
    assert f.period_from == DEFAULTS.period_from


def test_values_with_commas_are_never_split():
    f = Filters.from_query_params({"erhverv": "Sundhed, omsorg og pleje"}, DEFAULTS)
    assert f.industry_groups == ("Sundhed, omsorg og pleje",)


def test_changing_scheme_in_url_drops_default_areas():
    defaults = DEFAULTS.with_changes(areas=("fyn",))
    f = Filters.from_query_params({"inddeling": "Beskæftigelsesråd"}, defaults)
    assert (f.scheme, f.areas) == ("council", ())


@pytest.mark.parametrize(
    ("params", "key", "bad_value"),
    [
        ({"periode": ["2024-13", "2024-12"]}, "periode", "2024-13"),
        ({"periode": ["januar", "2024-12"]}, "periode", "januar"),
        ({"periode": ["2024-01", "24-01"]}, "periode", "24-01"),
        ({"periode": ["1800-01", "2024-01"]}, "periode", "1800-01"),
        ({"periode": ["2025-01", "2024-12"]}, "periode", "2025-01–2024-12"),
        ({"periode": "2024-01"}, "periode", "2024-01"),
        ({"inddeling": "landsdel"}, "inddeling", "landsdel"),
        ({"omr": ["RAR Fyn", "Atlantis"]}, "omr", "Atlantis"),
        ({"inddeling": "Beskæftigelsesråd", "omr": "RAR Fyn"}, "omr", "RAR Fyn"),
        ({"inddeling": "Kommune", "omr": "411"}, "omr", "411"),
        ({"udd": ["AMU", "Ph.d."]}, "udd", "Ph.d."),
        ({"fin": "lotto"}, "fin", "lotto"),
        ({"status": "pensionist"}, "status", "pensionist"),
        ({"erhverv": "Sundhed"}, "erhverv", "Sundhed"),
        ({"stilling": "999999"}, "stilling", "999999"),
        ({"fokus": "rumfart"}, "fokus", "rumfart"),
        ({"tema": "kunstig intelligens"}, "tema", "kunstig intelligens"),
        ({"balance": "middel"}, "balance", "middel"),
        ({"jobveu": "maybe"}, "jobveu", "maybe"),
    ],
)
def test_every_malformed_or_unknown_value_is_refused_with_its_key(params, key, bad_value):
    with pytest.raises(FilterError) as info:
        Filters.from_query_params(params, DEFAULTS)
    assert info.value.key == key
    assert info.value.value == bad_value
    assert info.value.message_da and info.value.message_en
    assert key in info.value.message("da") and key in str(info.value)


def test_check_query_params_lists_every_problem_at_once():
    problems = check_query_params(
        {"omr": ["RAR Fyn", "Atlantis", "Lilleput"], "periode": ["2099-01", "2099-13"],
         "xyz": "1", "visning": "År"}, DEFAULTS, page_keys={"visning"})
    found = {(p.key, p.value) for p in problems}
    assert found == {("omr", "Atlantis"), ("omr", "Lilleput"), ("periode", "2099-13"), ("xyz", "1")}
    assert check_query_params(DEFAULTS.with_changes(areas=("fyn",)).to_query_params(), DEFAULTS) == []


def test_a_bad_scheme_does_not_hide_a_bad_area():
    problems = check_query_params({"inddeling": "Amt", "omr": "Atlantis"}, DEFAULTS)
    assert {(p.key, p.value) for p in problems} == {("inddeling", "Amt"), ("omr", "Atlantis")}


def test_constructor_refuses_bad_values():
    with pytest.raises(FilterError, match="first day of a month"):
        Filters(period_from=date(2024, 1, 2), period_to=date(2024, 2, 1))
    with pytest.raises(FilterError, match="starts after it ends"):
        Filters(period_from=date(2024, 3, 1), period_to=date(2024, 2, 1))
    with pytest.raises(FilterError, match="tuple"):
        Filters(period_from=date(2024, 1, 1), period_to=date(2024, 2, 1), areas=["fyn"])


def test_describe_names_active_filters_in_both_languages():
    f = DEFAULTS.with_changes(areas=("fyn",), education_types=("AMU",))
    assert f.describe("da") == "Periode: jan 2024–dec 2024 · Område: RAR Fyn · Uddannelsestype: AMU"
    assert f.describe("en") == "Period: Jan 2024–Dec 2024 · Area: RAR Funen · Education type: AMU"
    g = Filters(period_from=date(2024, 5, 1), period_to=date(2024, 5, 1), occupations=("532110",),
                job_veu_only=True)
    assert g.describe("da") == ("Periode: maj 2024 · Område: Hele landet · "
                                "Stilling: Social- og sundhedsassistent · Kun Job-VEU")


def test_short_name_is_a_file_name_slug():
    f = DEFAULTS.with_changes(areas=("fyn",), education_types=("FVU/OBU",), job_veu_only=True)
    assert f.short_name() == "veu_2024-01_2024-12_rar-fyn_fvu-obu_jobveu"
    assert DEFAULTS.short_name() == "veu_2024-01_2024-12"




def test_predicates_select_the_right_rows():
    frame = pl.DataFrame({
        "start_month": [date(2023, 12, 1), date(2024, 1, 1), date(2024, 12, 1), date(2025, 1, 1)],
        "municipality_code": pl.Series([101, 461, 479, 400], dtype=pl.Int16),
        "education_type": ["AMU", "AMU", "EUV", "AMU"],
        "labour_status": ["Beskæftiget", "Forsikret ledig", "Forsikret ledig", "Øvrig ledig"],
        "themes_mask": pl.Series([0, 1, 2, 3], dtype=pl.UInt8),
        "job_veu": [True, False, True, True],
    })
    f = DEFAULTS.with_changes(areas=("fyn",))  # Odense 461 and Svendborg 479 are in RAR Fyn
    assert frame.filter(f.period_predicate("start_month"))["start_month"].to_list() == [
        date(2024, 1, 1), date(2024, 12, 1)]
    assert frame.filter(f.area_predicate("municipality_code"))["municipality_code"].to_list() == [461, 479]
    g = DEFAULTS.with_changes(education_types=("AMU",), themes=("grøn omstilling",),
                              labour_status=("Øvrig ledig",))
    assert frame.filter(g.attribute_predicate())["municipality_code"].to_list() == [400]
    # Course counts ignore the participant filter (labour status).
    assert frame.filter(g.attribute_predicate(include_participant=False))[
        "municipality_code"].to_list() == [461, 400]
    assert frame.filter(DEFAULTS.with_changes(job_veu_only=True).attribute_predicate()).height == 3
    assert frame.filter(DEFAULTS.attribute_predicate()).height == 4


def test_previous_year_and_whole_country():
    f = DEFAULTS.with_changes(areas=("fyn",))
    assert f.previous_year().period_from == date(2023, 1, 1)
    assert f.previous_year().period_to == date(2023, 12, 1)
    assert f.whole_country().areas == ()
    assert f.months == 12
