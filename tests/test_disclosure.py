import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from veu_metrics.disclosure import (
    apply_disclosure,
    constraint_matrix,
    determined_by_lines,
    line_groups,
    suppress_counts,
)


def test_primary_and_secondary_suppression_against_the_total():
    frame = pl.DataFrame({"area": ["a", "b", "c", "d", "e"], "n": [3, 10, 20, 0, 7]})
    out = apply_disclosure(frame, threshold=5, counts=["n"])
    # 3 is hidden; the national total 40 would give it away, so the smallest other non-zero
    # cell (7) is hidden too. The hidden pair adds up to 10, so neither can be worked out.
    expected = pl.DataFrame({
        "area": ["a", "b", "c", "d", "e"],
        "n": [None, 10, 20, 0, None],
        "n_suppressed": [True, False, False, False, True],
    })
    assert_frame_equal(out, expected)


def test_hidden_cells_must_not_add_up_to_a_small_number():
    frame = pl.DataFrame({"g": ["a", "b", "c"], "n": [2, 1, 50]})
    out = apply_disclosure(frame, threshold=5, counts=["n"])
    # 2 + 1 = 3 would be known from 53 − 50: the 50 must go too.
    assert out["n_suppressed"].to_list() == [True, True, True]
    assert out["n"].to_list() == [None, None, None]


def test_a_line_whose_total_is_itself_small_needs_no_secondary_suppression():
    frame = pl.DataFrame({"g": ["a", "b", "c"], "n": [3, 0, 0]})
    out = apply_disclosure(frame, threshold=5, counts=["n"])
    assert out["n"].to_list() == [None, 0, 0]


def test_no_lines_means_primary_only_and_threshold_is_a_setting():
    frame = pl.DataFrame({"g": ["a", "b"], "n": [3, 40]})
    assert apply_disclosure(frame, threshold=5, counts=["n"], lines=[])["n"].to_list() == [None, 40]
    out = apply_disclosure(frame, threshold=3, counts=["n"])
    assert out["n"].to_list() == [3, 40]
    out = apply_disclosure(pl.DataFrame({"g": ["a", "b", "c"], "n": [9, 40, 12]}), threshold=10,
                           counts=["n"])
    assert out["n"].to_list() == [None, 40, None]


def test_two_way_table_protects_rows_and_columns():
    # month × group; the month totals and the group totals are both published.
    frame = pl.DataFrame({
        "month": ["jan", "jan", "jan", "feb", "feb", "feb"],
        "group": ["x", "y", "z", "x", "y", "z"],
        "n": [2, 30, 40, 50, 60, 70],
    })
    out = apply_disclosure(frame, threshold=5, counts=["n"], lines=[("month",), ("group",), ()])
    hidden = out.filter(pl.col("n_suppressed")).select("month", "group").rows()
    # jan/x is hidden; the jan row needs a second hidden cell (jan/y, the smallest), then the
    # x and y columns each need a second one (feb/x, feb/y): a rectangle nobody can solve.
    assert sorted(hidden) == [("feb", "x"), ("feb", "y"), ("jan", "x"), ("jan", "y")]
    values = frame["n"].cast(pl.Float64).to_numpy()
    mask = out["n_suppressed"].to_numpy()
    ids = [line_groups(frame, k) for k in (("month",), ("group",), ())]
    assert not determined_by_lines(constraint_matrix(values, mask, ids, 5), mask).any()


def test_exact_check_breaks_a_bridge_between_two_hidden_rectangles():
    # Rows r1..r5 × columns c1..c5. The small cells form two rectangles joined by one "bridge"
    # cell (r2, c3): every row and column holds ≥ 2 hidden cells adding up to ≥ 5, yet the
    # bridge follows from (rows r1 + r2) − (columns c1 + c2). The exact check must hide more.
    small = {(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 3), (3, 4), (4, 3), (4, 4)}
    rows, cols, values = [], [], []
    for r in range(1, 6):
        for c in range(1, 6):
            rows.append(f"r{r}")
            cols.append(f"c{c}")
            values.append(3 if (r, c) in small else 100 + 10 * r + c)
    frame = pl.DataFrame({"r": rows, "c": cols, "n": values})
    ids = [line_groups(frame, k) for k in (("r",), ("c",))]
    v = frame["n"].cast(pl.Float64).to_numpy()
    primary = (v > 0) & (v < 5)
    bridge = frame.with_row_index().filter((pl.col("r") == "r2") & (pl.col("c") == "c3"))["index"][0]
    assert determined_by_lines(constraint_matrix(v, primary, ids, 5), primary)[bridge]
    mask = suppress_counts(v, ids, 5)
    assert mask[primary].all()
    assert mask.sum() > primary.sum()
    assert not (determined_by_lines(constraint_matrix(v, mask, ids, 5), mask) & primary).any()


def test_rates_follow_their_numerator_and_denominator():
    frame = pl.DataFrame({
        "g": ["a", "b", "c", "d", "e"],
        "completed": [3, 40, 0, 8, 2],
        "known": [4, 50, 0, 9, 30],
        "rate": [0.75, 0.8, None, 8 / 9, 2 / 30],
    })
    out = apply_disclosure(frame, threshold=5, counts=["completed", "known"],
                           rates={"rate": ("completed", "known")}, lines=[])
    assert out["rate_suppressed"].to_list() == [True, False, False, False, True]
    assert out["rate"].to_list() == [None, 0.8, None, 8 / 9, None]
    assert out["known_suppressed"].to_list() == [True, False, False, False, False]
    assert out.columns == ["g", "completed", "completed_suppressed", "known", "known_suppressed",
                           "rate", "rate_suppressed"]


def test_rate_over_a_denominator_that_is_not_a_person_count():
    # Uptake per 1,000 unemployed: the unemployed are public, but under 5 still hides the rate;
    # zero unemployed gives no value (null) and is not a suppression.
    frame = pl.DataFrame({"m": ["a", "b", "c"], "num": [10, 10, 0], "unemployed": [3.5, 200.0, 0.0],
                          "uptake": [10 / 3.5 * 1000, 50.0, None]})
    out = apply_disclosure(frame, threshold=5, rates={"uptake": ("num", "unemployed")},
                           drop=["num"], lines=[])
    assert out["uptake_suppressed"].to_list() == [True, False, False]
    assert out["uptake"].to_list() == [None, 50.0, None]
    assert "num" not in out.columns and "unemployed_suppressed" not in out.columns


def test_linked_values_follow_their_count_and_nulls_stay_null():
    frame = pl.DataFrame({"g": ["a", "b", "c", "d"], "n": [3, 40, None, 12],
                          "aarselever": [0.5, 6.0, None, 2.0]})
    out = apply_disclosure(frame, threshold=5, counts=["n"], linked={"aarselever": "n"})
    assert out["n"].to_list() == [None, 40, None, None]
    assert out["n_suppressed"].to_list() == [True, False, False, True]
    assert out["aarselever"].to_list() == [None, 6.0, None, None]
    assert out["aarselever_suppressed"].to_list() == [True, False, False, True]


def test_empty_frame_gets_flag_columns():
    frame = pl.DataFrame(schema={"g": pl.String, "n": pl.UInt32})
    out = apply_disclosure(frame, threshold=5, counts=["n"])
    assert out.columns == ["g", "n", "n_suppressed"]
    assert out.schema["n_suppressed"] == pl.Boolean


def test_determined_by_lines_on_hand_made_systems():
    mask = np.array([True, True, True])
    # x0 + x1 = a, x1 + x2 = b, x0 + x2 = c: all three are determined.
    triangle = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    assert determined_by_lines(triangle, mask).tolist() == [True, True, True]
    # x0 + x1 = a, x1 + x2 = b: none is.
    chain = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    assert determined_by_lines(chain, mask).tolist() == [False, False, False]


def test_a_small_line_total_is_hidden_in_its_margin_so_the_line_needs_no_partner():
    # Provider Q's only course has 1 participant; provider P's courses 4, 4, 12, 7. The provider
    # table hides Q's total (1) and, against the grand total 28, P's total (27) too. So the
    # course list only has the grand total to protect against: 4 + 4 + 1 hidden is enough.
    frame = pl.DataFrame({"provider": ["P", "P", "Q", "P", "P"], "n": [4, 4, 1, 12, 7]})
    out = apply_disclosure(frame, threshold=6, counts=["n"], lines=[("provider",), ()])
    assert out["n"].to_list() == [None, None, None, 12, 7]
    providers = apply_disclosure(pl.DataFrame({"provider": ["P", "Q"], "n": [27, 1]}),
                                 threshold=6, counts=["n"])
    assert providers["n"].to_list() == [None, None]



def test_both_solvers_of_the_exact_check_agree(monkeypatch):
    rng = np.random.default_rng(7)
    cases = [(rng.random((rows, cols)) < 0.35).astype(float)
             for rows, cols in rng.integers(1, 10, size=(200, 2))]
    by_elimination = [determined_by_lines(a, np.ones(a.shape[1], bool)) for a in cases]
    monkeypatch.setattr("veu_metrics.disclosure.ELIMINATION_LIMIT", 0)
    by_eigenvalues = [determined_by_lines(a, np.ones(a.shape[1], bool)) for a in cases]
    assert all((x == y).all() for x, y in zip(by_elimination, by_eigenvalues, strict=True))
    assert any(x.any() for x in by_elimination) and any((~x).any() for x in by_elimination)


def test_single_threaded_blas_restores_the_thread_count():
    from veu_metrics.disclosure import _openblas_thread_setters, single_threaded_blas

    functions = _openblas_thread_setters()
    with single_threaded_blas():
        inside = functions[1]() if functions else None
    if functions:
        assert inside == 1
        before = functions[1]()
        with single_threaded_blas():
            pass
        assert functions[1]() == before
