from datetime import date

import polars as pl
import pytest

from veu_metrics import geography as geo

SHARED_CSV = "municipalities.csv"


def test_98_municipalities_with_unique_codes():
    m = geo.municipalities()
    assert m.height == 98
    assert m["municipality_code"].n_unique() == 98
    assert 411 not in m["municipality_code"].to_list()  # Christiansø is not a municipality
    assert m.null_count().sum_horizontal().item() == 0


@pytest.mark.parametrize(
    ("scheme_column", "expected"),
    [
        ("rar_code", {"hovedstaden": 28, "bornholm": 1, "sjaelland": 17, "fyn": 10,
                      "sydjylland": 12, "oestjylland": 12, "vestjylland": 7, "nordjylland": 11}),
        ("council_code", {"hovedstaden": 29, "midtjylland": 19, "syddanmark": 22,
                          "sjaelland": 17, "nordjylland": 11}),
    ],
)
def test_area_sizes(scheme_column, expected):
    counts = geo.municipalities().group_by(scheme_column).len()
    got = {str(k): v for k, v in counts.iter_rows()}
    assert got == expected


@pytest.mark.parametrize("scheme", ["rar", "council", "municipality"])
def test_every_municipality_in_exactly_one_area(scheme):
    lookup = geo.area_lookup(scheme)
    assert lookup.height == 98
    assert lookup["municipality_code"].n_unique() == 98
    assert set(lookup["area_code"]) == set(geo.areas(scheme)["area_code"])


def test_known_assignments():
    m = geo.municipalities().select("municipality_name", "rar_code", "council_code")
    by_name = {r[0]: (str(r[1]), str(r[2])) for r in m.iter_rows()}
    assert by_name["Viborg"] == ("oestjylland", "midtjylland")
    assert by_name["Hedensted"][0] == "oestjylland"
    assert by_name["Middelfart"][0] == "fyn"
    assert by_name["Bornholm"] == ("bornholm", "hovedstaden")


def test_enum_types():
    m = geo.municipalities()
    assert isinstance(m.schema["rar_code"], pl.Enum)
    assert isinstance(m.schema["council_code"], pl.Enum)
    assert isinstance(m.schema["amk"], pl.Enum)


def test_scheme_for_reform_date():
    reform = date(2025, 1, 1)
    assert geo.scheme_for(date(2024, 12, 31), reform) == "rar"
    assert geo.scheme_for(date(2025, 1, 1), reform) == "council"
    assert geo.scheme_for(date(2025, 6, 30), date(2025, 7, 1)) == "rar"


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unknown area scheme"):
        geo.areas("amt")


def test_area_names_in_both_languages():
    assert geo.area_names("rar")["oestjylland"] == "RAR Østjylland"
    assert geo.area_names("council", "en")["sjaelland"] == "Employment Council Zealand"
    assert geo.area_names("municipality")["101"] == "København"
