"""ui.data.Cached: pages call named core functions through one cache, the threshold bound once."""

import uuid
from datetime import date
from pathlib import Path

import pytest

from ui import data


@pytest.fixture
def cached(monkeypatch):
    monkeypatch.setattr(data, "load_facts", lambda path, version, reform_date: ("facts", version))

    def make(threshold: int) -> data.Cached:
        # a fresh version per fixture: nothing cached by another test is reused
        return data.Cached(Path("/no/dataset"), version, date(2025, 1, 1), threshold)

    version = uuid.uuid4().hex
    return make


def test_the_threshold_is_bound_and_the_result_cached(cached):
    calls = []

    def with_threshold(facts, value, *, threshold, scale=1):
        calls.append(value)
        return facts, value * scale, threshold

    first = cached(7)(with_threshold)(3)
    assert first[0][0] == "facts" and first[1:] == (3, 7)  # the facts first, the threshold bound
    assert cached(7)(with_threshold)(3) == first
    assert calls.count(3) == 1  # the second and third calls came from the cache
    assert cached(7)(with_threshold)(3, scale=2)[1:] == (6, 7)  # arguments are in the key
    assert cached(1)(with_threshold)(3)[1:] == (3, 1)  # so is the threshold


def test_functions_without_a_threshold_are_called_without_one(cached):
    def plain(facts, value):
        return facts[0], value

    assert cached(7)(plain)(4) == ("facts", 4)


def test_passing_the_threshold_again_is_an_error(cached):
    def with_threshold(facts, *, threshold):
        return threshold

    with pytest.raises(TypeError, match="bound by ctx.cached"):
        cached(7)(with_threshold)(threshold=1)


def test_two_functions_with_the_same_arguments_do_not_share_a_result(cached):
    def first(facts, value):
        return "first"

    def second(facts, value):
        return "second"

    assert cached(5)(first)(1) == "first"
    assert cached(5)(second)(1) == "second"
