"""How wide a KPI card must be (ui.kpis): the width estimate errs on the wide side of what Chromium
draws, and the grid gets the widest word, value, comparison and note of all cards."""

from __future__ import annotations

import pytest

from ui import kpis

# Widths (em) Chromium drew in Streamlit's font (Source Sans), 14 px, Nov 2026.
DRAWN_EM = {
    "Gennemførelsesprocent": 10.03, "Kursusdeltagelser": 7.46, "mangelområder": 6.71,
    "Beskæftigelse": 5.76, "equivalents": 4.84, "occupations": 5.10, "(årselever)": 4.43,
    "procentpoint": 5.48, "Kommunekombinationerne": 11.60, "mmmmmmmmmm": 8.29, "0000000000": 4.97,
}


@pytest.mark.parametrize(("word", "drawn"), DRAWN_EM.items())
def test_the_estimate_is_never_narrower_than_drawn_and_close_to_it(word: str, drawn: float) -> None:
    estimate = kpis.text_width_em(word)
    assert drawn <= estimate <= drawn * 1.2, f"{word}: {estimate:.2f} em for {drawn} em drawn"


def test_the_longest_word_is_the_widest_not_the_one_with_most_letters() -> None:
    assert kpis.longest_word_em(["iiiiii mmmm", None, ""]) == pytest.approx(4 * 0.84)
    assert kpis.longest_word_em([None, ""]) == 0.0
    assert kpis.longest_word_em(["Beskæftigelse 3 mdr. efter"]) == pytest.approx(
        kpis.text_width_em("Beskæftigelse"))


def test_the_grid_style_names_the_widest_parts_of_all_cards() -> None:
    cards = [
        {"label": "Kurser startet", "value": "354", "delta": "+6,3 %",
         "delta_description": "mod året før"},
        {"label": "Gennemførelsesprocent", "value": "87,7 %", "delta": "-0,8 procentpoint",
         "delta_description": "mod året før"},
        {"label": "Årselever", "value": "186,8", "delta": None, "delta_description": None},
    ]
    w = kpis.text_width_em
    assert kpis.kpi_grid_style(cards, 3) == (
        f"--veu-kpi-columns: 3; --veu-kpi-label-em: {w('Gennemførelsesprocent'):.2f};"
        f" --veu-kpi-value-em: {w('87,7 %'):.2f}; --veu-kpi-delta-em: {w('-0,8 procentpoint'):.2f};"
        f" --veu-kpi-note-em: {w('mod'):.2f};")  # "mod" is wider than "året"
    assert kpis.kpi_grid_style([], 0) == (
        "--veu-kpi-columns: 1; --veu-kpi-label-em: 0.00; --veu-kpi-value-em: 0.00;"
        " --veu-kpi-delta-em: 0.00; --veu-kpi-note-em: 0.00;")

