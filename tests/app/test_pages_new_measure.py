"""The measure added from its catalogue entry alone (CONTRIBUTING.md, "Recipe: add a measure")
is offered in the Overblik picker and drawn there in Danish and English."""

from __future__ import annotations

import json

from tests.app.conftest import texts_of

from veu_metrics.catalogue import get_measure


def test_the_share_aged_50_plus_can_be_chosen_on_the_overview(open_page):
    m = get_measure("age_50_plus_share")
    for lang, params in (("da", {}), ("en", {"sprog": "English"})):
        at = open_page(None, {**params, "maal": m.title(lang)})
        assert not at.exception, [e.value for e in at.exception]
        assert at.selectbox(key="maal").value == m.title(lang)
        assert m.title(lang) in at.selectbox(key="maal").options
        headings = " ".join(texts_of(at, "subheader") + texts_of(at, "markdown"))
        assert m.title(lang) in headings
        specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
        assert any(m.title(lang) in json.dumps(s, ensure_ascii=False) for s in specs)
