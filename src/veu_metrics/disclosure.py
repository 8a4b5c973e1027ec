"""Statistical disclosure control: the one function every aggregate passes before it leaves the core.

Rules (the threshold is ``settings.disclosure_threshold``, default 5):

1. *Primary suppression*: a person count from 1 to threshold − 1 is hidden.
2. *Secondary suppression*: a frame publishes its cells next to totals — the sum of the cells in a
   *line* (e.g. all areas = the national figure; all groups in a month = the month's total). Every
   line whose total is published (total ≥ threshold) must have no suppressed cell or at least two,
   and the suppressed cells of a line must not add up to 1 … threshold − 1. Otherwise the smallest
   other cell of the line is hidden too. A final exact check (linear algebra over all lines) hides
   more cells until no primary-suppressed cell is determined by the published totals and cells.
3. A rate or share is hidden when its denominator is from 1 to threshold − 1 or its numerator or
   denominator count is hidden (else numerator = rate × denominator would rebuild it).
4. A *linked* value (e.g. årselever, a share of the total) follows the count it is derived from.

Hidden values become null and every controlled column ``x`` gets a Boolean ``x_suppressed`` beside
it; the UI shows ``formatting.SUPPRESSED_MARKER`` where the flag is true. Course counts are not
person counts and are not passed here.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

SUFFIX = "_suppressed"
EXACT_CHECK_LIMIT = 1500
"""Above this many suppressed cells the exact check is skipped (the line rules still hold)."""
EXACT_ROUNDS = 25
"""At most this many rounds of the exact check (each hides more cells where needed)."""
ELIMINATION_LIMIT = 250
"""Up to this many constraint lines the exact check solves by plain elimination (no BLAS)."""


def flag_column(column: str) -> str:
    return f"{column}{SUFFIX}"


def apply_disclosure(
    frame: pl.DataFrame,
    *,
    threshold: int,
    counts: Sequence[str] = (),
    rates: Mapping[str, tuple[str, str]] | None = None,
    linked: Mapping[str, str] | None = None,
    lines: Sequence[Sequence[str]] = ((),),
    drop: Sequence[str] = (),
) -> pl.DataFrame:
    """Suppress small person counts and everything that would reveal them.

    - ``counts``: person-count columns (primary and secondary suppression, each on its own).
    - ``rates``: rate column → (numerator column, denominator column). The denominator is hidden
      by count rules only if it is also listed in ``counts``; a denominator that is not a person
      count (e.g. full-time unemployed) still hides the rate when it is under the threshold.
    - ``linked``: value column → the count column whose suppression it follows.
    - ``lines``: groupings whose sums are published beside the cells; ``()`` means "all rows sum
      to a published total". Pass ``[]`` when the rows are not parts of any published total.
    - ``drop``: helper columns (e.g. raw numerators) removed after suppression.
    """
    rates = dict(rates or {})
    linked = dict(linked or {})
    if threshold <= 1 or frame.height == 0:
        masks = {c: np.zeros(frame.height, dtype=bool) for c in counts}
    else:
        groups = [line_groups(frame, keys) for keys in lines]
        masks = {}
        for column in counts:
            values = frame[column].cast(pl.Float64).to_numpy()
            masks[column] = suppress_counts(values, groups, threshold)

    updates: list[pl.Series] = []
    flags: dict[str, np.ndarray] = dict(masks)
    for rate, (numerator, denominator) in rates.items():
        mask = np.zeros(frame.height, dtype=bool)
        for column in (numerator, denominator):
            if column in masks:
                mask |= masks[column]
        denominator_values = frame[denominator].cast(pl.Float64).fill_null(0).to_numpy()
        mask |= (denominator_values > 0) & (denominator_values < threshold)
        if numerator not in masks:  # a numerator not listed as a count still gets primary rules
            numerator_values = frame[numerator].cast(pl.Float64).fill_null(0).to_numpy()
            mask |= (numerator_values > 0) & (numerator_values < threshold)
        flags[rate] = mask
    for column, support in linked.items():
        if support not in flags:
            raise ValueError(f"linked column {column!r} follows {support!r}, which is not controlled")
        flags[column] = flags[support].copy()

    for column, mask in flags.items():
        series = frame[column]
        hidden = pl.Series(mask)
        updates.append(pl.select(pl.when(hidden).then(None).otherwise(series)).to_series()
                       .alias(column))
        updates.append(hidden.alias(flag_column(column)))
    result = frame.with_columns(updates) if updates else frame
    # Put every flag right after its column, the way exports and tables expect it.
    order: list[str] = []
    for column in frame.columns:
        if column in drop:
            continue
        order.append(column)
        if column in flags:
            order.append(flag_column(column))
    return result.select(order)


def line_groups(frame: pl.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """A dense group number per row for the grouping ``keys`` (all zeros for ``()``)."""
    if not keys:
        return np.zeros(frame.height, dtype=np.int64)
    ids = frame.select(pl.struct(list(keys)).rank("dense").cast(pl.Int64) - 1).to_series()
    return ids.to_numpy()


def suppress_counts(values: np.ndarray, line_ids: Sequence[np.ndarray], threshold: int) -> np.ndarray:
    """The suppression mask for one count column (primary, line rules, exact check)."""
    present = ~np.isnan(values)
    v = np.where(present, values, 0.0)
    primary = present & (v > 0) & (v < threshold)
    mask = primary.copy()
    if not mask.any() or not line_ids:
        return mask
    published = line_publication(v, line_ids, threshold)
    # A cell alone in a published line is shown there anyway: hiding it protects nothing.
    pinned = np.zeros(v.shape, dtype=bool)
    for ids, shown in zip(line_ids, published, strict=True):
        sizes = np.bincount(ids, minlength=len(shown))
        pinned |= (sizes[ids] == 1) & shown[ids]
    eligible = present & ~pinned
    for _ in range(EXACT_ROUNDS):
        _apply_line_rules(v, eligible, mask, line_ids, published, threshold)
        if mask.sum() > EXACT_CHECK_LIMIT:
            break
        matrix = constraint_matrix(v, mask, line_ids, threshold, published)
        determined = determined_by_lines(matrix, mask) & primary
        if not determined.any():
            break
        if not _protect(v, eligible, mask, determined, line_ids, published):
            break
    return mask


def line_publication(v: np.ndarray, line_ids: Sequence[np.ndarray], threshold: int
                     ) -> list[np.ndarray]:
    """For each line family, which of its lines have a published total.

    A line total is published when it is at least the threshold — unless it is itself hidden
    where it is shown. Line totals (a provider's participants, a month's total, a municipality's
    quarter) are cells of coarser tables, protected there against *their* totals in the same way:
    here each family's totals are protected against every coarser family they nest in (e.g.
    quarters within the year, providers within the grand total). Without this, a small line
    total could be rebuilt as coarser total − the other lines, which no hiding of cells helps.
    """
    values = np.where(np.isnan(v), 0.0, v)
    totals = [np.bincount(ids, weights=values) if ids.size else np.zeros(0) for ids in line_ids]
    result = []
    for ids, family_totals in zip(line_ids, totals, strict=True):
        published = family_totals >= threshold
        coarser = [
            mapping for other, other_totals in zip(line_ids, totals, strict=True)
            if other_totals.size < family_totals.size
            and (mapping := _nesting(ids, other, family_totals.size)) is not None
        ]
        if coarser and family_totals.size > 1:
            published &= ~suppress_counts(family_totals, coarser, threshold)
        result.append(published)
    return result


def _nesting(ids: np.ndarray, other: np.ndarray, groups: int) -> np.ndarray | None:
    """Group → coarser group, if every line of ``ids`` lies inside one line of ``other``."""
    mapping = np.full(groups, -1, dtype=np.int64)
    mapping[ids] = other
    return mapping if (mapping[ids] == other).all() else None


def _apply_line_rules(v: np.ndarray, eligible: np.ndarray, mask: np.ndarray,
                      line_ids: Sequence[np.ndarray], published: Sequence[np.ndarray],
                      threshold: int) -> None:
    changed = True
    while changed:
        changed = False
        for ids, shown in zip(line_ids, published, strict=True):
            n_hidden = np.bincount(ids, weights=mask.astype(float), minlength=len(shown))
            s_hidden = np.bincount(ids, weights=v * mask, minlength=len(shown))
            weak = shown & ((n_hidden == 1) | ((s_hidden > 0) & (s_hidden < threshold)))
            for group in np.flatnonzero(weak):
                if _hide_smallest(v, eligible, mask, ids == group):
                    changed = True


def _hide_smallest(v: np.ndarray, eligible: np.ndarray, mask: np.ndarray, in_line: np.ndarray
                   ) -> bool:
    """Hide the smallest shown cell of a line, preferring non-zero cells (a hidden 0 protects less)."""
    candidates = np.flatnonzero(in_line & eligible & ~mask)
    if candidates.size == 0:
        return False
    nonzero = candidates[v[candidates] > 0]
    pool = nonzero if nonzero.size else candidates
    mask[pool[np.argmin(v[pool])]] = True
    return True


def constraint_matrix(v: np.ndarray, mask: np.ndarray, line_ids: Sequence[np.ndarray],
                      threshold: int, published: Sequence[np.ndarray] | None = None) -> np.ndarray:
    """Rows: published lines holding hidden cells; columns: the hidden cells (1 where in line)."""
    if published is None:
        published = line_publication(v, line_ids, threshold)
    hidden = np.flatnonzero(mask)
    rows = []
    for ids, shown in zip(line_ids, published, strict=True):
        groups = ids[hidden]
        for group in np.unique(groups):
            if shown[group]:
                rows.append((groups == group).astype(float))
    if not rows:
        return np.zeros((0, hidden.size))
    return np.vstack(rows)


def determined_by_lines(matrix: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Given line constraints over the hidden cells, flag (over all rows) the determined ones.

    A hidden cell is determined iff its unit vector lies in the row space of the constraint
    matrix A, i.e. its diagonal entry of the projector Aᵀ(AAᵀ)⁺A is 1. A is 0/1 and very sparse
    (a cell lies in at most one line per family), so the small Gram matrix AAᵀ is built from the
    entries directly and only it is decomposed: no large multithreaded BLAS call, whose thread
    start-up would make a 20 ms check take half a second on a busy machine.
    """
    hidden = np.flatnonzero(mask)
    result = np.zeros(mask.shape, dtype=bool)
    if hidden.size == 0 or matrix.shape[0] == 0:
        return result
    lines, cells = np.nonzero(matrix)
    order = np.argsort(cells, kind="stable")
    lines, cells = lines[order], cells[order]
    per_cell = np.bincount(cells, minlength=hidden.size)
    if per_cell.max(initial=0) == 0:
        return result
    starts = np.concatenate(([0], np.cumsum(per_cell)[:-1]))
    slot = np.arange(cells.size) - starts[cells]
    member = np.full((hidden.size, int(per_cell.max())), -1, dtype=np.int64)
    member[cells, slot] = lines
    size = matrix.shape[0]
    gram = np.zeros((size, size))
    for a in range(member.shape[1]):
        for b in range(member.shape[1]):
            both = (member[:, a] >= 0) & (member[:, b] >= 0)
            np.add.at(gram, (member[both, a], member[both, b]), 1.0)
    if size <= ELIMINATION_LIMIT:
        diagonal = _projector_diagonal_by_elimination(gram, matrix)
    else:
        with single_threaded_blas():
            eigenvalues, vectors = np.linalg.eigh(gram)
        keep = eigenvalues > 1e-9 * max(1.0, float(eigenvalues.max(initial=0.0)))
        vectors, eigenvalues = vectors[:, keep], eigenvalues[keep]
        projected = np.zeros((hidden.size, vectors.shape[1]))
        for a in range(member.shape[1]):
            present = member[:, a] >= 0
            projected[present] += vectors[member[present, a]]
        diagonal = (projected ** 2 / eigenvalues).sum(axis=1)
    result[hidden[diagonal > 1 - 1e-6]] = True
    return result


def _projector_diagonal_by_elimination(gram: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """diag(Aᵀ G⁺ A) by solving G X = A with Gauss–Jordan elimination in plain numpy.

    Any solution will do: A's columns lie in G's range, so aᵀx is the same for every x with
    Gx = a. Elementwise numpy only (no BLAS), which stays fast on a busy shared machine.
    """
    size = gram.shape[0]
    work = np.hstack([gram, matrix.astype(float)])
    tolerance = 1e-9 * max(1.0, float(np.abs(gram).max(initial=0.0)))
    pivots: list[int] = []
    row = 0
    for column in range(size):
        if row == size:
            break
        candidate = row + int(np.argmax(np.abs(work[row:, column])))
        if abs(work[candidate, column]) <= tolerance:
            continue
        if candidate != row:
            work[[row, candidate]] = work[[candidate, row]]
        work[row] /= work[row, column]
        factors = work[:, column].copy()
        factors[row] = 0.0
        work -= factors[:, None] * work[row][None, :]
        pivots.append(column)
        row += 1
    solution = np.zeros_like(matrix, dtype=float)
    for index, column in enumerate(pivots):
        solution[column] = work[index, size:]
    return (matrix * solution).sum(axis=0)


def _protect(v: np.ndarray, eligible: np.ndarray, mask: np.ndarray, determined: np.ndarray,
             line_ids: Sequence[np.ndarray], published: Sequence[np.ndarray]) -> bool:
    """Hide one more cell in a published line of each determined cell; False if none was possible."""
    progress = False
    for cell in np.flatnonzero(determined):
        for ids, shown in zip(line_ids, published, strict=True):
            group = ids[cell]
            if shown[group] and _hide_smallest(v, eligible, mask, ids == group):
                progress = True
                break
    return progress


@cache
def _openblas_thread_setters() -> tuple[object, object] | None:
    """(set, get) of the OpenBLAS that numpy loaded, found in this process's memory map."""
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return None
    paths = {line.split()[-1] for line in maps.read_text().splitlines()
             if "openblas" in line.lower() and line.split()[-1].startswith("/")}
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                setter = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
                getter = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    return setter, getter
    return None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run small LAPACK calls on one thread.

    OpenBLAS starts a thread pool for each call; next to Polars' own threads on a busy machine that
    turns a 20 ms eigen-decomposition into seconds. Does nothing where OpenBLAS is not found.
    """
    functions = _openblas_thread_setters()
    if functions is None:
        yield
        return
    setter, getter = functions
    previous = int(getter())  # type: ignore[operator]
    setter(1)  # type: ignore[operator]
    try:
        yield
    finally:
        setter(previous)  # type: ignore[operator]


def count_columns_ok(frame: pl.DataFrame, columns: Sequence[str], threshold: int) -> bool:
    """True when no shown value of ``columns`` is a person count from 1 to threshold − 1."""
    for column in columns:
        values = frame[column].drop_nulls()
        if ((values > 0) & (values < threshold)).any():
            return False
    return True
