"""The measure picker on Overblik and Område offers the same measures, in the same order, with
the same default, as it did when its list was a constant in ui/components.py (now the catalogue's
``picker`` field)."""

from __future__ import annotations

import pytest

from veu_metrics.catalogue import get_measure, pickable_measures

# The picker as designed: its options in order; the first is the default.
PICKER = ("participations", "persons", "courses_started", "aarselever", "shortage_share",
          "completion_rate", "employment_rate_3m", "employment_rate_6m", "job_veu_share",
          "age_50_plus_share")


def test_the_picker_offers_these_measures_in_this_order():
    # The catalogue's ``picker`` places give the order the picker shows.
    assert pickable_measures() == PICKER


@pytest.mark.parametrize("page", [None, "app_pages/area.py"])
def test_the_pages_show_the_picker_with_its_options_and_default(open_page, page):
    for lang, params in (("da", {}), ("en", {"sprog": "English"})):
        at = open_page(page, params)
        assert not at.exception, [e.value for e in at.exception]
        picker = at.selectbox(key="maal")
        assert picker.options == [get_measure(m).title(lang) for m in PICKER]
        assert picker.value == get_measure(PICKER[0]).title(lang)
