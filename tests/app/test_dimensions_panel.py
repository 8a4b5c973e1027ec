"""AppTest: the sidebar draws its filter widgets from the dimension registry (one per filter
dimension, under its link key and label, in the registry's order, in the section it names), and
"Nulstil filtre" clears every one of them."""

from __future__ import annotations

from streamlit.testing.v1.element_tree import Block

from veu_metrics.dimensions import FILTER_DIMENSIONS, spec
from veu_metrics.filters import Filters, add_months
from veu_metrics.i18n import t

KEYS = [spec(d).key for d in FILTER_DIMENSIONS]


def _widget_keys(block: Block) -> list[str]:
    """The keys of the widgets in a block, in the order they are drawn (nested blocks too)."""
    keys: list[str] = []
    for child in block.children.values():
        if isinstance(child, Block):
            keys += _widget_keys(child)
        elif getattr(child, "key", None):
            keys.append(child.key)
    return keys


def test_the_panel_draws_one_widget_per_filter_dimension(open_page):
    at = open_page(None)
    assert not at.exception, [e.value for e in at.exception]
    drawn = _widget_keys(at.sidebar)
    assert [k for k in drawn if k in KEYS] == KEYS, "every filter, once, in the registry's order"
    (more,) = [e for e in at.sidebar.expander if e.label == t("filters.more", "da")]
    inside = set(_widget_keys(more))
    for dim in FILTER_DIMENSIONS:
        filter_spec = spec(dim)
        widget = (at.toggle(key=filter_spec.key) if filter_spec.kind == "toggle"
                  else at.multiselect(key=filter_spec.key))
        assert widget.label == t(filter_spec.label, "da")
        assert (filter_spec.key in inside) == filter_spec.more, filter_spec.key
        if filter_spec.help:
            assert widget.help == t(filter_spec.help, "da")


def test_reset_clears_every_filter_dimension(open_page, demo_dataset):
    first = open_page(None)
    defaults = first.session_state["_veu_context"].filters
    last = demo_dataset.covers_to.replace(day=1)
    every = Filters(
        period_from=add_months(last, -23), period_to=add_months(last, -2), scheme="rar",
        areas=("fyn",), education_types=("AMU",), funding=("Uddannelsesløft",),
        labour_status=("Beskæftiget",), industry_groups=("Bygge og anlæg",),
        focus_areas=("Grøn omstilling",), themes=("vindenergi",), balance_status=("Mangel",),
        occupations=("741110",), job_veu_only=True)
    assert set(every.to_query_params(defaults)) >= set(KEYS), "the link sets every filter"
    at = open_page(None, every.to_query_params(defaults))
    assert at.session_state["_veu_context"].filters == every
    (reset,) = [b for b in at.sidebar.button if b.label == t("filters.reset", "da")]
    reset.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["_veu_context"].filters == defaults
