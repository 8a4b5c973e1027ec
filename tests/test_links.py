import pytest

from veu_metrics.links import LinkParam, LinkProblem, check_link

MONTHS = ("2024-01", "2024-02", "2024-03")
SPEC = [
    LinkParam("periode", frozenset(MONTHS), range_of=2, ordered=MONTHS),
    LinkParam("inddeling", frozenset({"RAR", "Kommune"})),
    LinkParam("omr", frozenset({"RAR Fyn", "RAR Bornholm"}), multi=True),
]


def test_good_link_has_no_problems():
    params = {"periode": ["2024-01", "2024-03"], "inddeling": ["RAR"], "omr": ["RAR Fyn", "RAR Bornholm"]}
    assert check_link(params, SPEC) == []


def test_empty_value_clears_and_is_fine():
    assert check_link({"omr": [""]}, SPEC) == []


@pytest.mark.parametrize(("params", "expected"), [
    ({"omr": ["RAR Atlantis"]}, [LinkProblem("omr", "RAR Atlantis", "unknown_value")]),
    ({"periode": ["2024-13", "2024-02"]}, [LinkProblem("periode", "2024-13", "unknown_value")]),
    ({"periode": ["2024-03", "2024-01"]}, [LinkProblem("periode", "2024-03–2024-01", "range_order")]),
    ({"periode": ["2024-01", "2024-02", "2024-03"]},
     [LinkProblem("periode", "2024-01,2024-02,2024-03", "too_many")]),
    ({"inddeling": ["RAR", "Kommune"]}, [LinkProblem("inddeling", "RAR,Kommune", "too_many")]),
    ({"foo": ["1"]}, [LinkProblem("foo", "1", "unknown_key")]),
])
def test_each_refusal(params, expected):
    assert check_link(params, SPEC) == expected


def test_streamlit_embed_keys_are_not_problems():
    assert check_link({"embed": ["true"]}, SPEC) == []


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("reason", ["unknown_key", "unknown_value", "too_many", "range_order"])
def test_every_problem_has_a_message(reason, lang):
    text = LinkProblem("omr", "x", reason).message(lang)
    assert "omr" in text or "x" in text
