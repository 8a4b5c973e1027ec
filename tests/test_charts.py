import json
from datetime import date

import polars as pl

from veu_metrics import charts, style


def _series():
    return pl.DataFrame({
        "period": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
        "value": [1234.0, None, 2500.5],
        "value_suppressed": [False, True, False],
    })


def test_value_text_is_danish_and_marks_suppressed():
    frame = charts.with_value_text(_series(), "value", "participations", 0, "da")
    assert frame["value_text"].to_list() == ["1.234", "..", "2.500"]


def test_trend_chart_has_danish_locale_and_tooltips():
    chart = charts.build_trend_chart(_series(), period_col="period", value_col="value",
                                     unit="participations", decimals=0, lang="da", y_title="Deltagelser")
    spec = chart.to_dict()
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert "1.234" in json.dumps(spec, ensure_ascii=False)
    spec.pop("$schema")  # an identifier, never fetched
    assert "http" not in json.dumps(spec)


def test_english_chart_has_no_danish_locale():
    chart = charts.build_trend_chart(_series(), period_col="period", value_col="value",
                                     unit="participations", decimals=0, lang="en", y_title="Participations")
    assert "locale" not in chart.to_dict()["config"]


def test_balance_heatmap_uses_the_four_official_categories():
    frame = pl.DataFrame({"occ": ["Smed", "Kok"], "area": ["RAR Fyn", "RAR Fyn"],
                          "status": ["Mangel", "Gode jobmuligheder"]})
    spec = charts.build_balance_heatmap(frame, row_col="occ", column_col="area", status_col="status",
                                        lang="da", row_title="Stilling", column_title="Område",
                                        status_title="Status").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Mangel", "Paradoks", "Gode jobmuligheder", "Mindre gode jobmuligheder"]
    assert scale["range"] == list(style.BALANCE_COLOURS.values())


def test_bar_chart_marks_suppressed_categories():
    frame = pl.DataFrame({"area": ["A", "B"], "value": [10.0, None], "value_suppressed": [False, True]})
    spec = json.dumps(charts.build_bar_chart(frame, category_col="area", value_col="value",
                                             unit="persons", decimals=0, lang="da", x_title="Personer").to_dict(),
                      ensure_ascii=False)
    assert '".."' in spec


def test_target_chart_shares_of_target():
    frame = pl.DataFrame({"label": ["Deltagelser"], "actual": [50.0], "projection": [90.0],
                          "target": [100.0], "on_track": [False]})
    labels = {"on_track": "På sporet", "behind": "Bagud", "actual": "Indtil nu",
              "projection": "Forventet", "status": "Status", "axis": "Andel af mål"}
    spec = json.dumps(charts.build_target_chart(frame, label_col="label", actual_col="actual",
                                                projection_col="projection", target_col="target",
                                                on_track_col="on_track", lang="da", labels=labels).to_dict(),
                      ensure_ascii=False)
    assert "50 %" in spec and "90 %" in spec and "Bagud" in spec


def test_target_chart_labels_every_target_above_its_bullet():
    names = [f"Mål nummer {i}" for i in range(8)]
    frame = pl.DataFrame({"label": names, "actual": [50.0] * 8, "projection": [90.0] * 8,
                          "target": [100.0] * 8, "expected": [60.0] * 8,
                          "on_track": [False, True, None, True, False, True, True, False]})
    labels = {"on_track": "På rette vej", "behind": "Bagud", "unknown": "Kan ikke vurderes",
              "actual": "Indtil nu", "projection": "Forventet", "status": "Status",
              "axis": "Andel af målet", "expected_now": "Forventet nu"}
    spec = charts.build_target_chart(frame, label_col="label", actual_col="actual",
                                     projection_col="projection", target_col="target",
                                     on_track_col="on_track", lang="da", labels=labels,
                                     expected_col="expected").to_dict()
    # The names are text marks (an axis would drop labels that crowd it), one per target.
    name_layers = [layer for layer in spec["layer"] if layer["mark"].get("type") == "text"
                   and layer["encoding"]["text"]["field"] == "label"]
    assert len(name_layers) == 1 and name_layers[0]["encoding"]["y"]["axis"] is None
    rows = next(iter(spec["datasets"].values()))
    assert [r["label"] for r in rows] == names
    assert [r["expected_share"] for r in rows] == [0.6] * 8
    assert {r["status_text"] for r in rows} == {"På rette vej", "Bagud", "Kan ikke vurderes"}
    assert spec["height"] == {"step": charts.BULLET_ROW_HEIGHT}  # grows with the targets


def test_bar_chart_keeps_every_label_and_grows_per_bar():
    frame = pl.DataFrame({"area": [f"Beskæftigelsesrådet {i}" for i in range(12)],
                          "value": [float(i) for i in range(12)]})
    spec = charts.build_bar_chart(frame, category_col="area", value_col="value", unit="persons",
                                  decimals=0, lang="da", x_title="Personer").to_dict()
    assert spec["height"] == {"step": charts.BAR_STEP}
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelOverlap"] is False


def test_actual_expected_chart_skips_hidden_points_and_draws_the_diagonal():
    frame = pl.DataFrame({"name": ["A", "B", "C"], "uptake": [50.0, None, 80.0],
                          "expected": [60.0, 70.0, 40.0]})
    spec = charts.build_actual_expected_chart(frame, name_col="name", actual_col="uptake",
                                              expected_col="expected", lang="da",
                                              x_title="Forventet", y_title="Faktisk",
                                              highlight=["C"]).to_dict()
    datasets = list(spec["datasets"].values())
    names = {row.get("name") for rows in datasets for row in rows}
    assert "B" not in names and {"A", "C"} <= names
    diagonal = next(rows for rows in datasets if rows and "x" in rows[0])
    assert diagonal[0] == {"x": 0.0, "y": 0.0} and diagonal[1]["x"] == diagonal[1]["y"] == 84.0


def test_actual_expected_chart_with_intervals_and_assessment_colours():
    frame = pl.DataFrame({"name": ["A", "B"], "uptake": [50.0, 120.0], "expected": [60.0, 70.0],
                          "lower": [40.0, 50.0], "upper": [80.0, 95.5],
                          "assessment": ["Som forventet", "Over forventet"]})
    spec = charts.build_actual_expected_chart(
        frame, name_col="name", actual_col="uptake", expected_col="expected", lang="da",
        x_title="Forventet", y_title="Faktisk", interval_cols=("lower", "upper"),
        group_col="assessment", group_colours={"Over forventet": "#009E73",
                                               "Som forventet": "#9A9A9A"},
        interval_title="Interval").to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in spec["layer"]]
    assert marks == ["line", "rule", "circle"]
    rule = spec["layer"][1]["encoding"]
    assert (rule["y"]["field"], rule["y2"]["field"]) == ("lower", "upper")
    colour = spec["layer"][2]["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Over forventet", "Som forventet"]
    rows = next(rows for rows in spec["datasets"].values() if rows and "name" in rows[0])
    assert {r["name"]: r["interval_text"] for r in rows} == {"A": "40,0 – 80,0", "B": "50,0 – 95,5"}
    # the axes reach the highest upper limit or value
    assert abs(spec["layer"][2]["encoding"]["y"]["scale"]["domain"][1] - 126.0) < 1e-9
    big = frame.with_columns(pl.col("upper") * 100)
    spec = charts.build_actual_expected_chart(
        big, name_col="name", actual_col="uptake", expected_col="expected", lang="da",
        x_title="Forventet", y_title="Faktisk", interval_cols=("lower", "upper")).to_dict()
    rows = next(rows for rows in spec["datasets"].values() if rows and "name" in rows[0])
    assert rows[0]["interval_text"] == "40,0 – 8.000,0"  # Danish thousands and decimals


def test_balance_colours_are_the_same_on_charts_and_maps():
    from veu_metrics import maps

    as_hex = {status: maps.rgba_to_hex(rgba).upper() for status, rgba in maps.BALANCE_COLOURS.items()}
    assert as_hex == {status: colour.upper() for status, colour in style.BALANCE_COLOURS.items()}


def _outcomes():
    return pl.DataFrame({
        "group": ["AMU", "EUV"],
        "completion_rate": [0.875, None], "completion_rate_suppressed": [False, True],
        "employment_rate_3m": [0.5, None], "employment_rate_3m_suppressed": [False, False],
    })


def test_outcome_bars_are_long_with_flags():
    long = charts.outcome_bars(_outcomes(), group_col="group",
                               series={"completion_rate": "Gennemført",
                                       "employment_rate_3m": "I job 3 mdr."})
    assert long.rows() == [
        ("AMU", "Gennemført", 0.875, False), ("EUV", "Gennemført", None, True),
        ("AMU", "I job 3 mdr.", 0.5, False), ("EUV", "I job 3 mdr.", None, False),
    ]


def test_outcomes_chart_labels_values_marker_and_unknown():
    spec = charts.build_outcomes_chart(
        _outcomes(), group_col="group", lang="da", x_title="Andel", series_title="Mål",
        series={"completion_rate": "Gennemført", "employment_rate_3m": "I job 3 mdr."}).to_dict()
    rows = [row for rows in spec["datasets"].values() for row in rows]
    texts = {(r["category"], r["series"]): r["value_text"] for r in rows}
    assert texts[("AMU", "Gennemført")] == "87,5 %"
    assert texts[("EUV", "Gennemført")] == ".."  # suppressed: the marker, never 0
    assert texts[("EUV", "I job 3 mdr.")] == "–"  # not known (e.g. nobody unemployed)
    bars = spec["layer"][0]["encoding"]
    assert bars["y"]["sort"] == ["AMU", "EUV"]
    assert bars["color"]["scale"]["domain"] == ["Gennemført", "I job 3 mdr."]
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_many_groups_become_the_largest_and_others():
    from datetime import date

    periods = [date(2024, 1, 1), date(2024, 2, 1)]
    rows = [{"period": p, "group": f"G{g}", "value": float(g), "value_suppressed": False}
            for p in periods for g in range(1, 10)]
    rows[0] |= {"value": None, "value_suppressed": True}  # G1 hidden in January
    frame = pl.DataFrame(rows)
    folded, rest = charts.top_groups(frame, n=3, other_label="Øvrige")
    assert rest == 6
    assert sorted(folded["group"].unique().to_list()) == ["G7", "G8", "G9", "Øvrige"]
    others = folded.filter(pl.col("group") == "Øvrige").sort("period")
    # January holds a hidden part: the sum is hidden too; February is 1 + … + 6 = 21.
    assert others["value_suppressed"].to_list() == [True, False]
    assert others["value"].to_list() == [None, 21.0]
    rates, left_out = charts.top_groups(frame, n=3, additive=False)
    assert left_out == 6 and sorted(rates["group"].unique().to_list()) == ["G7", "G8", "G9"]
    few, none = charts.top_groups(frame.filter(pl.col("group").is_in(["G1", "G2"])), n=3)
    assert none == 0 and few.height == 4
