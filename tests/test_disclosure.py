"""The cell-key method (veu_metrics.disclosure): p-table, record keys, secrets, apply_disclosure."""

import numpy as np
import polars as pl
import pytest

from veu_metrics.disclosure import (
    KEY_FILE,
    KEY_MODULUS,
    MAX_NOISE,
    SECRET_ENV,
    apply_disclosure,
    noise,
    perturb,
    ptable,
    published_count,
    record_keys,
    resolve_secret,
)

NOISE = np.arange(-MAX_NOISE, MAX_NOISE + 1)


# ------------------------------------------------------------------------------------ p-table
@pytest.mark.parametrize("threshold", [2, 3, 5, 10])
def test_ptable_rows_are_zero_mean_bounded_distributions(threshold):
    table = ptable(threshold)
    assert table.shape[1] == 2 * MAX_NOISE + 1
    assert np.allclose(table.sum(axis=1), 1.0)
    assert np.allclose((table * NOISE).sum(axis=1), 0.0, atol=1e-9)
    for n, row in enumerate(table):
        assert (row[n + NOISE < 0] == 0).all()  # never below zero
        if n == 0:
            assert row[MAX_NOISE] == 1.0  # a true zero stays zero
        elif n < threshold:
            assert row[MAX_NOISE] == 0.0  # a small count is never published as itself
    # Far from zero: the documented variance.
    assert (table[-1] * NOISE ** 2).sum() == pytest.approx(2.1)


def test_noise_follows_the_ptable_over_random_cell_keys():
    keys = np.random.default_rng(1).integers(0, 2**40, size=200_000)
    for n in (1, 3, 7, 100):
        found = noise(np.full(keys.size, n), keys, 5)
        frequencies = np.bincount(found + MAX_NOISE, minlength=NOISE.size) / keys.size
        assert np.allclose(frequencies, ptable(5)[min(n, len(ptable(5)) - 1)], atol=0.01)


def test_the_same_cell_gets_the_same_value_and_keys_count_modulo():
    counts = np.array([1, 2, 3, 4, 17, 17])
    keys = np.array([10, 20, 30, 40, 123, 123 + 5 * KEY_MODULUS])
    first, second = perturb(counts, keys, 5), perturb(counts, keys, 5)
    assert (first == second).all() and first[4] == first[5]
    assert (perturb(counts, keys, 1) == counts).all()  # threshold 1: protection off
    assert published_count(0, 999, 5) == 0
    assert published_count(100, 7, 5) == 100 + noise(np.array([100]), np.array([7]), 5)[0]


# -------------------------------------------------------------------------------- record keys
def test_record_keys_are_deterministic_keyed_and_follow_the_record():
    ids = pl.Series([1, 2, 3, 4, 5], dtype=pl.Int64)
    persons = pl.Series([7, 7, 8, 9, 9], dtype=pl.Int64)
    record, person = record_keys(ids, persons, b"secret")
    again, _ = record_keys(ids, persons, b"secret")
    other, _ = record_keys(ids, persons, b"another secret")
    assert record.to_list() == again.to_list()
    assert record.to_list() != other.to_list()
    assert record.dtype == pl.UInt16
    assert person[0] == person[1] and person[3] == person[4] and person[0] != person[2]
    assert (person >= 0).all()
    # A record keeps its key when other records come and go (an import of a new version).
    subset, _ = record_keys(ids.slice(2), persons.slice(2), b"secret")
    assert subset.to_list() == record.to_list()[2:]


def test_record_keys_spread_evenly():
    ids = pl.Series(np.arange(200_000), dtype=pl.Int64)
    record, _ = record_keys(ids, ids, b"x")
    counts = np.bincount(record.to_numpy() >> 12, minlength=16)  # 16 bins of the key range
    assert counts.min() > 0.9 * ids.len() / 16


# ------------------------------------------------------------------------------------ secrets
def test_secret_from_the_setting_a_key_file_or_the_demo_seed(tmp_path):
    assert resolve_secret(tmp_path, {}, {SECRET_ENV: "from-env"}) == b"from-env"
    (tmp_path / KEY_FILE).write_text("from-file\n")
    assert resolve_secret(tmp_path, {"synthetic": False}, {}) == b"from-file"
    versioned = tmp_path / "data"
    version = versioned / "versions" / "v2"
    version.mkdir(parents=True)
    (versioned / KEY_FILE).write_text("shared-by-versions")
    assert resolve_secret(version, {"synthetic": False}, {}) == b"shared-by-versions"
    demo = tmp_path / "demo"
    demo.mkdir()
    assert resolve_secret(demo, {"synthetic": True, "version": "demo-seed2018"}, {}) == \
        resolve_secret(demo, {"synthetic": True, "version": "demo-seed2018"}, {})
    assert not (demo / KEY_FILE).exists()  # the demo needs no key file


def test_real_data_without_a_secret_gets_a_new_random_key_file(tmp_path):
    first = resolve_secret(tmp_path, {"synthetic": False}, {})
    assert len(first) == 64 and (tmp_path / KEY_FILE).is_file()
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o077 == 0  # readable by the owner only
    assert resolve_secret(tmp_path, {"synthetic": False}, {}) == first


# ---------------------------------------------------------------------------- apply_disclosure
def frame() -> pl.DataFrame:
    return pl.DataFrame({
        "area": ["a", "b", "c", "d"],
        "n": [0, 3, 40, 100],
        "n_ckey": [0, 1234, 99, 4567],
        "known": [0, 6, 50, 120],
        "known_ckey": [0, 77, 5, 42],
        "days": [0.0, 9.0, 80.0, 250.0],
    }).with_columns((pl.col("n") / pl.col("known")).alias("rate"))


def test_counts_are_perturbed_small_ones_hidden_and_key_columns_removed():
    out = apply_disclosure(frame(), threshold=5, counts=["n"])
    assert out.columns == ["area", "n", "n_suppressed", "known", "days", "rate"]
    n, hidden = out["n"].to_list(), out["n_suppressed"].to_list()
    assert n[0] == 0 and not hidden[0]  # a true zero stays zero
    assert hidden[1] == (n[1] is None) and n[1] != 3
    for value, true in zip(n[2:], [40, 100], strict=True):
        assert abs(value - true) <= MAX_NOISE
    assert out.schema["n"] == pl.Int64


def test_a_count_without_a_cell_key_is_refused():
    with pytest.raises(ValueError, match="no cell key"):
        apply_disclosure(frame().drop("n_ckey"), threshold=5, counts=["n"])
    with pytest.raises(ValueError, match="must follow a person count"):
        apply_disclosure(frame(), threshold=5, counts=["n"], linked={"days": "rate"})


def test_rates_come_from_the_published_parts_at_the_shown_precision():
    out = apply_disclosure(frame(), threshold=5, counts=["n", "known"],
                           rates={"rate": ("n", "known")})
    for row in out.iter_rows(named=True):
        if row["rate_suppressed"]:
            assert row["rate"] is None
            assert row["n_suppressed"] or row["known_suppressed"]
        elif row["known"]:
            assert row["rate"] == round(min(row["n"] / row["known"], 1.0), 3)
    assert out["rate"][0] is None and not out["rate_suppressed"][0]  # 0 of 0: no rate


def test_a_public_denominator_is_not_perturbed_but_a_small_one_hides_the_rate():
    public = pl.DataFrame({"n": [10, 10], "n_ckey": [1, 2], "unemployed": [500.0, 3.0]}
                          ).with_columns((pl.col("n") / pl.col("unemployed") * 1000).alias("uptake"))
    out = apply_disclosure(public, threshold=5, counts=["n"],
                           rates={"uptake": ("n", "unemployed")}, decimals={"uptake": 1})
    assert out["unemployed"].to_list() == [500.0, 3.0]
    assert out["uptake"][0] == round(out["n"][0] / 500 * 1000, 1)
    assert out["uptake"][1] is None and out["uptake_suppressed"][1]


def test_magnitudes_scale_with_the_count_behind_them():
    out = apply_disclosure(frame(), threshold=5, counts=["n"], linked={"days": "n"},
                           decimals={"days": 1})
    for row, true in zip(out.iter_rows(named=True), frame().iter_rows(named=True), strict=True):
        assert row["days_suppressed"] == row["n_suppressed"]
        if row["n"]:
            assert row["days"] == round(true["days"] * row["n"] / true["n"], 1)


def test_threshold_one_changes_nothing():
    out = apply_disclosure(frame(), threshold=1, counts=["n", "known"],
                           rates={"rate": ("n", "known")}, linked={"days": "n"})
    original = frame()
    assert out["n"].to_list() == original["n"].to_list()
    assert out["days"].to_list() == original["days"].to_list()
    assert out["rate"].to_list()[1:] == original["rate"].to_list()[1:]
    assert not out["n_suppressed"].any()


# --- the suppressed-flag convention: one set of helpers ---------------------------------------


def test_flag_helpers_pair_values_with_their_flags():
    from veu_metrics.disclosure import flag_column, flag_pairs, flagged_column, is_flag, is_flag_of

    assert flag_column("participations") == "participations_suppressed"
    assert flagged_column("participations_suppressed") == "participations"
    assert is_flag("value_suppressed") and not is_flag("value")
    names = ["value", "value_suppressed", "orphan_suppressed", "rate", "rate_suppressed"]
    assert is_flag_of("value_suppressed", names) and not is_flag_of("orphan_suppressed", names)
    assert flag_pairs(names) == {"value": "value_suppressed", "rate": "rate_suppressed"}


def test_flag_expr_hide_flagged_and_marked():
    from veu_metrics.disclosure import SUPPRESSED_MARKER, flag_expr, hide_flagged, marked

    frame = pl.DataFrame({"n": [1.0, 2.0, 3.0], "n_suppressed": [True, None, False],
                          "value_suppressed": [False, True, False]})
    out = frame.select(
        flag_expr(frame.columns, "n").alias("flag"),
        flag_expr(frame.columns, "other").alias("never"),
        flag_expr(frame.columns, "other", fallback="value_suppressed").alias("fallback"),
        hide_flagged("n"),
        marked(pl.col("n").cast(pl.String), "n_suppressed").alias("text"),
    )
    assert out["flag"].to_list() == [True, False, False]  # a null flag counts as shown
    assert out["never"].to_list() == [False] * 3
    assert out["fallback"].to_list() == [False, True, False]
    assert out["n"].to_list() == [None, 2.0, 3.0]
    assert out["text"].to_list() == [SUPPRESSED_MARKER, "2.0", "3.0"]
    assert SUPPRESSED_MARKER == ".."


def test_the_flag_convention_is_spelled_only_in_disclosure():
    """Outside disclosure.py no module builds or strips the '_suppressed' suffix by hand."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    by_hand = re.compile(r"""\}_suppressed["']|endswith\(["']_suppressed|-\s*len\(["']_suppressed"""
                         r"""|(SUPPRESSED_SUFFIX|SUPPRESSED_MARKER)\s*=""")
    allowed = {"src/veu_metrics/disclosure.py"}
    found = []
    for folder in ("src/veu_metrics", "dashboard"):
        for path in sorted((root / folder).rglob("*.py")):
            name = str(path.relative_to(root))
            if name in allowed:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if by_hand.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "the flag convention re-implemented:\n" + "\n".join(found)
