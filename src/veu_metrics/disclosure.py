"""Statistical disclosure control by the cell-key method: the one module that owns confidentiality.

For a data owner, in short (details and measured risk: ``docs/CONFIDENTIALITY.md``):

- Every enrolment carries a permanent random **record key** (an integer 0 … 65 535), and every
  person a **person key**. Keys are derived from the record's id with a secret that is not in the
  repository (``VEU_DISCLOSURE_SECRET``, or the file ``disclosure.key`` beside the data). The same
  record always gets the same key, in every dataset version.
- A published person count (a *cell*) is the true count plus a small noise ``d`` that is looked up
  in a fixed **perturbation table** (p-table) by the true count and the **cell key** — the sum of
  the cell's record keys (of its distinct persons' keys, for counts of persons) modulo 65 536.
  The same group of records therefore gets the same noise on every page, chart, file, image and
  link; two different groups get unrelated noise, so the difference of two selections is noise,
  not a person.
- The noise is at most ±``MAX_NOISE`` (3), has mean zero and a variance of about 2 (``VARIANCE``).
  A true zero stays zero. A true count from 1 to threshold − 1 is never published as itself.
  A published count from 1 to threshold − 1 is shown as ``..`` (``SUPPRESSED_MARKER``).
- A total is perturbed as its own cell: parts need not add up to it (the note under every table
  says so). Nothing is hidden to protect a total (no secondary suppression is needed).
- Rates are computed from the published counts and rounded to the shown precision; a rate is
  ``..`` when its published denominator (or numerator) is 1 … threshold − 1. A denominator that is
  a public statistic (full-time unemployed) is not perturbed.
- Magnitudes (course days, årselever) are scaled by the published/true ratio of the count of
  records behind them, and hidden with that count.
- A threshold of 1 switches the protection off, rounding included (benchmarks and raw
  comparisons in tests).

Output contract, shared by every ``compute_*``: a protected column ``x`` holds the published
value (null where hidden) and a Boolean ``x_suppressed`` beside it. A count column ``x`` comes into
``apply_disclosure`` with its cell key in ``x_ckey`` (removed on the way out); a count without a
cell key is refused, so nothing can be published unprotected by accident. The helpers of that
convention (``flag_column``, ``flag_pairs``, ``flag_expr``, ``hide_flagged``, ``is_flag_of``) and
the marker a hidden cell shows (``SUPPRESSED_MARKER``) live here; every table, chart, map and
file reads the flags through them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

SUFFIX = "_suppressed"
SUPPRESSED_MARKER = ".."
"""How a hidden cell is shown on screen, in charts, maps and files: never as 0 or empty."""
KEY_SUFFIX = "_ckey"
RECORD_KEY = "record_key"
"""Facts column: the enrolment's record key (UInt16)."""
PERSON_HASH = "person_hash"
"""Facts column: a keyed 63-bit hash of the person (distinct counts sum its low 16 bits)."""
KEY_BITS = 16
KEY_MODULUS = 1 << KEY_BITS
MAX_NOISE = 3
"""The largest change the perturbation makes to a count (±)."""
BASE_WEIGHTS = (1.0, 2.0, 4.0, 6.0, 4.0, 2.0, 1.0)
"""Weights of d = −3 … +3 for counts far from zero (variance 2.1); near zero they are tilted to
keep the mean at zero (see ``ptable``)."""
SECRET_ENV = "VEU_DISCLOSURE_SECRET"
KEY_FILE = "disclosure.key"
TEST_SECRET = b"veu-metrics: in-memory frames (tests only)"


def flag_column(column: str) -> str:
    return f"{column}{SUFFIX}"


def is_flag(name: str) -> bool:
    """Whether a column name is a suppression flag (``x_suppressed``)."""
    return name.endswith(SUFFIX)


def flagged_column(flag: str) -> str:
    """The value column a flag belongs to: ``x_suppressed`` → ``x``."""
    return flag.removesuffix(SUFFIX)


def is_flag_of(name: str, names: Collection[str]) -> bool:
    """Whether ``name`` is the flag of a value column that is among ``names``."""
    return is_flag(name) and flagged_column(name) in names


def flag_pairs(names: Iterable[str]) -> dict[str, str]:
    """Value column → its flag, for every ``x`` with an ``x_suppressed`` beside it."""
    names = list(names)
    return {flagged_column(n): n for n in names if is_flag_of(n, names)}


def flag_expr(names: Collection[str], column: str, fallback: str | None = None) -> pl.Expr:
    """Whether each cell of ``column`` is hidden, as a Boolean expression: its flag (a null flag
    counts as shown), else the ``fallback`` flag column, else never hidden."""
    for flag in (flag_column(column), fallback):
        if flag is not None and flag in names:
            return pl.col(flag).fill_null(False)
    return pl.lit(False)


def hide_flagged(column: str, flag: str | None = None) -> pl.Expr:
    """``column`` with every flagged cell emptied (named ``column``)."""
    hidden = pl.col(flag or flag_column(column)).fill_null(False)
    return pl.when(hidden).then(None).otherwise(pl.col(column)).alias(column)


def marked(text: pl.Expr, flag: str) -> pl.Expr:
    """A text expression with ``SUPPRESSED_MARKER`` wherever ``flag`` is true."""
    return pl.when(pl.col(flag).fill_null(False)).then(pl.lit(SUPPRESSED_MARKER)).otherwise(text)


def key_column(column: str) -> str:
    return f"{column}{KEY_SUFFIX}"


# ------------------------------------------------------------------------------- the p-table
@cache
def ptable(threshold: int, max_noise: int = MAX_NOISE) -> np.ndarray:
    """Probabilities of d = −max_noise … +max_noise for true counts n = 0 … n_max (rows).

    Every count above the last row uses the last row. Rules per row: n + d ≥ 0; d = 0 for n = 0
    (a true zero stays zero); d ≠ 0 for 1 ≤ n < threshold (a small count is never published as
    itself); mean zero. The base weights are exponentially tilted, w(d)·exp(λd), with λ solved so
    that the mean is zero — the smallest change to the base distribution with that mean.
    """
    width = 2 * max_noise + 1
    base = np.asarray(BASE_WEIGHTS if max_noise == MAX_NOISE else np.ones(width), dtype=float)
    noise = np.arange(-max_noise, max_noise + 1, dtype=float)
    rows = max(threshold, 1) + max_noise + 1
    table = np.zeros((rows, width))
    for n in range(rows):
        if n == 0:
            table[n, max_noise] = 1.0
            continue
        allowed = (n + noise >= 0) & ~((noise == 0) & (n < threshold))
        weights = np.where(allowed, base, 0.0)
        low, high = -20.0, 20.0
        for _ in range(200):  # bisection on λ: the tilted mean rises with λ
            middle = (low + high) / 2
            tilted = weights * np.exp(middle * noise)
            if (tilted * noise).sum() / tilted.sum() > 0:
                high = middle
            else:
                low = middle
        tilted = weights * np.exp((low + high) / 2 * noise)
        table[n] = tilted / tilted.sum()
    return table


@cache
def _cumulative(threshold: int) -> np.ndarray:
    cdf = np.cumsum(ptable(threshold), axis=1)
    cdf[:, -1] = 1.0 + 1e-12
    return cdf


def noise(counts: np.ndarray, cell_keys: np.ndarray, threshold: int) -> np.ndarray:
    """The perturbation of each cell: a lookup in the p-table by (count, cell key)."""
    counts = np.asarray(counts, dtype=np.int64)
    cdf = _cumulative(threshold)
    rows = cdf[np.clip(counts, 0, cdf.shape[0] - 1)]
    position = ((np.asarray(cell_keys, dtype=np.int64) % KEY_MODULUS) + 0.5) / KEY_MODULUS
    index = (position[:, None] >= rows).sum(axis=1)
    return np.asarray(np.minimum(index, cdf.shape[1] - 1) - MAX_NOISE)


def perturb(counts: np.ndarray, cell_keys: np.ndarray, threshold: int) -> np.ndarray:
    """Published values of true ``counts`` with their ``cell_keys`` (unchanged for threshold ≤ 1)."""
    counts = np.asarray(counts, dtype=np.int64)
    if threshold <= 1 or counts.size == 0:
        return counts.copy()
    return np.asarray(counts + noise(counts, cell_keys, threshold))


def published_count(count: int, cell_key: int, threshold: int) -> int | None:
    """One cell: the published value, or None where it is shown as ``..``."""
    value = int(perturb(np.array([count]), np.array([cell_key]), threshold)[0])
    return None if threshold > 1 and 0 < value < threshold else value


# ------------------------------------------------------------------------------- record keys
def resolve_secret(dataset_path: Path | None = None, metadata: Mapping[str, object] | None = None,
                   env: Mapping[str, str] | None = None) -> bytes:
    """The secret record keys are drawn from, in this order:

    1. the setting ``VEU_DISCLOSURE_SECRET``;
    2. the file ``disclosure.key`` in the dataset folder, or in the folder holding its versions
       (so that every version of an imported dataset shares it);
    3. synthetic (demo) data: derived from the generator's seed — the demo has nothing to hide;
    4. otherwise a new random key is written to ``disclosure.key`` beside the data (never in git).
    """
    env = os.environ if env is None else env
    value = env.get(SECRET_ENV, "").strip()
    if value:
        return value.encode("utf-8")
    metadata = metadata or {}
    if dataset_path is not None:
        path = Path(dataset_path)
        candidates = [path / KEY_FILE]
        if path.parent.name == "versions":
            candidates.insert(0, path.parent.parent / KEY_FILE)
        for candidate in candidates:
            if candidate.is_file():
                return candidate.read_bytes().strip()
        if not metadata.get("synthetic", False):
            target = candidates[0]
            secret = os.urandom(32).hex().encode("ascii")
            try:
                with open(target, "xb") as handle:
                    handle.write(secret + b"\n")
                target.chmod(0o600)
            except FileExistsError:
                return target.read_bytes().strip()
            except OSError as exc:
                raise OSError(f"no disclosure secret: set {SECRET_ENV} or make {target} "
                              f"writable ({exc})") from exc
            return secret
    return f"veu-metrics demo data {metadata.get('version', 'demo')}".encode()


def _subkeys(secret: bytes) -> tuple[np.uint64, ...]:
    digest = hashlib.blake2b(secret, digest_size=32, person=b"veu-cell-key").digest()
    return tuple(np.uint64(int.from_bytes(digest[i:i + 8], "little")) for i in range(0, 32, 8))


def keyed_hash(ids: np.ndarray, secret: bytes, domain: int) -> np.ndarray:
    """A keyed 64-bit hash of integer ids, vectorised (two rounds of a SplitMix64-style mixer,
    whitened with 64-bit keys derived from the secret by BLAKE2b). ``domain`` separates the
    enrolment keys from the person keys. Stable across library versions: plain uint64 arithmetic.
    """
    k0, k1, k2, k3 = _subkeys(secret + bytes([domain]))
    x = np.asarray(ids, dtype=np.int64).view(np.uint64) ^ k0
    with np.errstate(over="ignore"):
        for key in (k1, k2):
            x = x + key
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
    return x ^ k3


def record_keys(enrolment_ids: pl.Series, person_ids: pl.Series, secret: bytes
                ) -> tuple[pl.Series, pl.Series]:
    """(record key UInt16, person hash Int64 ≥ 0) for each enrolment."""
    record = keyed_hash(enrolment_ids.to_numpy(), secret, 1) >> np.uint64(64 - KEY_BITS)
    person = keyed_hash(person_ids.to_numpy(), secret, 2) >> np.uint64(1)
    return (pl.Series(RECORD_KEY, record.astype(np.uint16)),
            pl.Series(PERSON_HASH, person.astype(np.int64)))


# --------------------------------------------------------------------- cell keys as aggregations
def cell_key(mask: pl.Expr | None = None) -> pl.Expr:
    """Sum of the record keys of the rows counted (all rows, or those where ``mask`` holds)."""
    keys = pl.col(RECORD_KEY)  # UInt16: Polars sums it as Int64, no cast of the column needed
    if mask is not None:  # when/then: cheaper than a filter inside a group-by (no gather)
        keys = pl.when(mask.fill_null(False)).then(keys).otherwise(0)
    return keys.sum().cast(pl.Int64)


def person_cell_key(mask: pl.Expr | None = None) -> pl.Expr:
    """Sum of the person keys of the distinct persons counted."""
    hashes = pl.col(PERSON_HASH)
    if mask is not None:
        hashes = hashes.filter(mask.fill_null(False))
    return (hashes.unique() % KEY_MODULUS).sum().cast(pl.Int64)


# ------------------------------------------------------------------------- protecting a frame
def apply_disclosure(
    frame: pl.DataFrame,
    *,
    threshold: int,
    counts: Sequence[str] = (),
    rates: Mapping[str, tuple[str, str]] | None = None,
    linked: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | None = None,
    drop: Sequence[str] = (),
    withhold: bool | Sequence[bool] | np.ndarray = False,
    lines: object = None,
) -> pl.DataFrame:
    """Publish a frame's person counts and everything derived from them.

    - ``counts``: person-count columns; each needs its cell key in ``<column>_ckey``. Perturbed
      by the p-table; a published 1 … threshold − 1 is hidden.
    - ``rates``: rate column → (numerator column, denominator column). Recomputed from the
      published parts (rate × published/true of each part that is a count), rounded to
      ``decimals`` (default 3: a share to 0.1 %), hidden where a part is hidden or a public
      denominator is 1 … threshold − 1.
    - ``linked``: magnitude column → the count of records behind it: scaled by that count's
      published/true ratio and hidden with it.
    - ``drop``: helper columns removed on the way out.
    - ``withhold``: rows (all with ``True``) whose counts are hidden whatever their value — a
      query-space limit decided by the caller (``aggregate.withheld_selection``).
    - ``lines`` is ignored: the cell-key method protects totals as cells of their own. Accepted so
      that callers written for the former suppression keep working.
    """
    del lines
    rates = dict(rates or {})
    linked = dict(linked or {})
    decimals = dict(decimals or {})
    active = threshold > 1
    withheld = np.broadcast_to(np.asarray(withhold, dtype=bool), (frame.height,)) & active
    updates: list[pl.Series] = []
    flags: dict[str, np.ndarray] = {}
    ratios: dict[str, np.ndarray] = {}

    for column in counts:
        key = key_column(column)
        if key not in frame.columns:
            raise ValueError(f"the person count {column!r} has no cell key {key!r}")
        present = frame[column].is_not_null().to_numpy()
        true = frame[column].cast(pl.Float64).fill_null(0).round(0).cast(pl.Int64).to_numpy()
        published = perturb(true, frame[key].fill_null(0).cast(pl.Int64).to_numpy(), threshold)
        hidden = present & active & (((published > 0) & (published < threshold)) | withheld)
        flags[column] = hidden
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[column] = np.where(true > 0, published / np.maximum(true, 1), 1.0)
        values = pl.Series(column, published, dtype=pl.Int64)
        if frame.schema[column] != pl.Int64:
            values = values.cast(frame.schema[column])
        updates.append(_masked(values, hidden | ~present))

    for rate, (numerator, denominator) in rates.items():
        hidden = np.zeros(frame.height, dtype=bool)
        factor = np.ones(frame.height)
        for part, role in ((numerator, 1), (denominator, -1)):
            if part in flags:
                hidden |= flags[part]
                with np.errstate(divide="ignore", invalid="ignore"):
                    factor = factor * ratios[part] ** role
            elif active:
                part_values = frame[part].cast(pl.Float64).fill_null(0).to_numpy()
                hidden |= (part_values > 0) & (part_values < threshold)
        original = frame[rate].cast(pl.Float64).to_numpy()
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            value = original * factor
        if numerator in flags and denominator in flags:
            value = np.minimum(value, 1.0)  # a part cannot exceed its whole
        # A denominator published as 0 leaves the rate undefined, as for a true 0.
        if active:
            value = np.where(np.isfinite(value), np.round(value, decimals.get(rate, 3)), np.nan)
        flags[rate] = hidden & active
        updates.append(_masked(pl.Series(rate, value, dtype=pl.Float64).fill_nan(None),
                               flags[rate]))

    for column, support in linked.items():
        if support not in ratios:
            raise ValueError(f"linked column {column!r} must follow a person count in `counts`, "
                             f"not {support!r}: recompute it from the published values instead")
        flags[column] = flags[support].copy()
        original = frame[column].cast(pl.Float64).to_numpy()
        value = original * ratios[support]
        if column in decimals and active:
            value = np.round(value, decimals[column])
        series = pl.Series(column, value, dtype=pl.Float64).fill_nan(None)
        if frame.schema[column].is_integer():
            series = series.round(0).cast(frame.schema[column])
        updates.append(_masked(series, flags[column]))

    updates += [pl.Series(flag_column(c), mask, dtype=pl.Boolean) for c, mask in flags.items()]
    result = frame.with_columns(updates) if updates else frame
    removed = set(drop)
    order: list[str] = []
    for column in frame.columns:
        if column in removed or column.endswith(KEY_SUFFIX):  # cell keys never leave the core
            continue
        order.append(column)
        if column in flags:
            order.append(flag_column(column))
    return result.select(order)


def _masked(values: pl.Series, hidden: np.ndarray) -> pl.Series:
    name = values.name
    return pl.select(pl.when(pl.Series(hidden)).then(None).otherwise(values)).to_series().alias(name)
