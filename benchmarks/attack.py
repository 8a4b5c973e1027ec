"""The attack study behind docs/CONFIDENTIALITY.md: what a visitor learns by differencing.

Two attackers, both knowing the method and the p-table (``disclosure.ptable``) but not the secret:

- the **differencing attacker** asks pairs of selections that differ by a small group (drop one
  municipality, period a..m vs a..m−1, all education types vs all but one, Job-VEU vs all, a
  quarter vs its months, an area vs its municipalities) through the real ``compute_*`` functions
  on a generated dataset, and works out which true values are *possible* given what was
  published (``feasible``). Certainty means exactly one possible value;
- the **averaging attacker** asks N different pairs around the same small group (each pair a
  different set of other records, so the noise draws differ) and takes the rounded mean of the
  differences, or intersects the possible values of all pairs. Simulated on the mechanism itself
  (``disclosure.perturb`` with random cell keys: N fully independent pairs), and run through the
  app by the route the query-space limits leave open (``period_averaging_study``).

``python -m benchmarks.attack`` writes ``benchmarks/results/attack.json`` and ``attack.md``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from veu_metrics.disclosure import KEY_MODULUS, MAX_NOISE, perturb, ptable

RESULTS = Path(__file__).resolve().parent / "results"
PAIR_COUNTS = (1, 10, 50, 200)
WITHHELD = "withheld"
"""A value not published because of a query-space limit: any true value is possible."""


# ------------------------------------------------------------------------ what is possible
def feasible(published: float | None, threshold: int) -> set[int]:
    """The true counts that can be published as ``published`` (None: shown as ``..``)."""
    table = ptable(threshold)
    shown = range(1, threshold) if published is None else [int(round(published))]
    result: set[int] = set()
    for value in shown:
        for d in range(-MAX_NOISE, MAX_NOISE + 1):
            n = value - d
            if n >= 0 and table[min(n, table.shape[0] - 1), d + MAX_NOISE] > 0:
                result.add(n)
    return result


def feasible_combination(terms: Iterable[tuple[int, float | str | None]], threshold: int
                         ) -> set[int] | None:
    """Possible values of Σ sign·true count over published values, kept to those ≥ 0
    (None: unbounded, a term was withheld)."""
    terms = list(terms)
    if any(p == WITHHELD for _, p in terms):
        return None
    sums = {0}
    for sign, published in terms:
        sums = {s + sign * n for s in sums
                for n in feasible(published, threshold)}  # type: ignore[arg-type]
    return {s for s in sums if s >= 0}


# ------------------------------------------------------------------------ differencing pairs
@dataclass
class PairTally:
    pairs: int = 0
    """pairs whose true difference is a small group (1 … threshold − 1)"""
    naive_right: int = 0
    """… where published(first) − published(second) equals the true difference"""
    certain: int = 0
    """… where only one true difference is possible given what was published"""
    sizes: list[int] = field(default_factory=list)

    withheld: int = 0
    """… where a value of the pair was withheld (query-space limit)"""

    def add(self, true: int, terms: list[tuple[int, float | str | None]], threshold: int) -> None:
        if not 0 < true < threshold:
            return
        self.pairs += 1
        if all(isinstance(p, (int, float)) for _, p in terms):
            naive = sum(sign * p for sign, p in terms)  # type: ignore[operator]
            self.naive_right += int(naive == true)
        possible = feasible_combination(terms, threshold)
        if possible is None:
            self.withheld += 1
            return
        assert true in possible, "the attacker's model must contain the truth"
        self.certain += int(len(possible) == 1)
        self.sizes.append(len(possible))

    def summary(self) -> dict[str, float]:
        return {"pairs": self.pairs, "naive_right": self.naive_right, "certain": self.certain,
                "withheld": self.withheld,
                "naive_right_share": self.naive_right / self.pairs if self.pairs else 0.0,
                "min_possible_values": min(self.sizes) if self.sizes else 0}


def differencing_study(facts, threshold: int = 5, *, limit: int | None = None
                       ) -> dict[str, PairTally]:
    """Pairs of selections through the real compute functions (see the module docstring)."""
    from veu_metrics import geography
    from veu_metrics.aggregate import withheld_selection
    from veu_metrics.filters import Filters
    from veu_metrics.measures import compute_area_table, compute_measure_value, compute_series
    from veu_metrics.periods import add_months
    from veu_metrics.schema import EDUCATION_TYPES

    last = facts.last_month
    year = Filters(period_from=add_months(last, -11), period_to=last, scheme="rar")
    tallies = {kind: PairTally() for kind in (
        "drop one municipality", "period a..m vs a..m-1", "all types vs all but one",
        "Job-VEU vs all", "quarter vs its months", "area vs its municipalities",
        "rate x published denominator")}

    def both(filters: Filters, measure: str = "participations"
             ) -> tuple[float | str | None, float]:
        shown, _ = compute_measure_value(facts, filters, measure, threshold=threshold)
        true, _ = compute_measure_value(facts, filters, measure, threshold=1)
        return (WITHHELD if withheld_selection(filters) else shown), float(true or 0)

    lookup = geography.area_lookup("rar")
    areas = geography.areas("rar")["area_code"].to_list()
    attribute_sets = [{}, {"education_types": ("EUV",)}, {"labour_status": ("Forsikret ledig",)},
                      {"education_types": ("AMU",), "labour_status": ("Øvrig ledig",)}]
    budget = [limit if limit is not None else 10**9]

    def spend() -> bool:
        budget[0] -= 1
        return budget[0] >= 0

    for area in areas:
        codes = [str(c) for c in lookup.filter(lookup["area_code"] == area)["municipality_code"]]
        for attributes in attribute_sets:
            whole = year.with_changes(scheme="municipality", areas=tuple(codes), **attributes)
            shown_whole, true_whole = both(whole)
            for code in codes:
                if not spend():
                    break
                rest = whole.with_changes(areas=tuple(c for c in codes if c != code))
                shown_rest, true_rest = both(rest)
                tallies["drop one municipality"].add(
                    int(true_whole - true_rest), [(1, shown_whole), (-1, shown_rest)], threshold)

    for area in areas[: 4 if limit else len(areas)]:
        base = year.with_changes(areas=(area,), education_types=("EUV",))
        for months_back in range(1, 12):
            first = add_months(last, -months_back)
            longer = base.with_changes(period_from=first, period_to=last)
            shorter = base.with_changes(period_from=first, period_to=add_months(last, -1))
            (s1, t1), (s2, t2) = both(longer), both(shorter)
            tallies["period a..m vs a..m-1"].add(int(t1 - t2), [(1, s1), (-1, s2)], threshold)
        for attributes in attribute_sets[:2]:
            area_filters = year.with_changes(areas=(area,), **{
                k: v for k, v in attributes.items() if k != "education_types"})
            s_all, t_all = both(area_filters)
            for dropped in EDUCATION_TYPES:
                kept = tuple(t for t in EDUCATION_TYPES if t != dropped)
                s_rest, t_rest = both(area_filters.with_changes(education_types=kept))
                tallies["all types vs all but one"].add(
                    int(t_all - t_rest), [(1, s_all), (-1, s_rest)], threshold)
            s_job, t_job = both(area_filters.with_changes(job_veu_only=True))
            tallies["Job-VEU vs all"].add(int(t_all - t_job), [(1, s_all), (-1, s_job)], threshold)

        # Linked tables: a quarter minus two of its months gives the third; an area minus its
        # other municipalities gives one (kept to few-value combinations: up to 4 terms).
        quarter_filters = year.with_changes(areas=(area,), labour_status=("Forsikret ledig",))
        quarters = compute_series(facts, quarter_filters, "participations", threshold=threshold,
                                  grain="quarter")
        quarters_true = compute_series(facts, quarter_filters, "participations", threshold=1,
                                       grain="quarter")
        months = compute_series(facts, quarter_filters, "participations", threshold=threshold)
        months_true = compute_series(facts, quarter_filters, "participations", threshold=1)
        month_values = dict(zip(months["period"], months["value"], strict=True))
        month_true = dict(zip(months_true["period"], months_true["value"], strict=True))
        for start, q_shown, q_true in zip(quarters["period"], quarters["value"],
                                          quarters_true["value"], strict=True):
            inside = [add_months(start, k) for k in range(3)]
            if not all(m in month_values for m in inside):
                continue
            target, others = inside[2], inside[:2]
            terms = [(1, q_shown)] + [(-1, month_values[m]) for m in others]
            tallies["quarter vs its months"].add(int(month_true[target]), terms, threshold)
            del q_true

        table = compute_area_table(facts, year.with_changes(areas=(area,)), "participations",
                                   "municipality", threshold=threshold)
        table_true = compute_area_table(facts, year.with_changes(areas=(area,)), "participations",
                                        "municipality", threshold=1)
        shown_area, _ = both(year.with_changes(areas=(area,)))
        if table.height <= 4:  # a few-value combination only
            values = table["value"].to_list()
            for i, true in enumerate(table_true["value"].to_list()):
                terms = [(1, shown_area)] + [(-1, v) for j, v in enumerate(values) if j != i]
                tallies["area vs its municipalities"].add(int(true), terms, threshold)

        rate_table = compute_area_table(facts, year.with_changes(areas=(area,)), "completion_rate",
                                        "municipality", threshold=threshold)
        rate_true = compute_area_table(facts, year.with_changes(areas=(area,)), "completion_rate",
                                       "municipality", threshold=1)
        for shown, true in zip(rate_table.iter_rows(named=True), rate_true.iter_rows(named=True),
                               strict=True):
            if shown["value"] is None or shown["denominator"] is None:
                continue
            rebuilt = round(shown["value"] * shown["denominator"])
            tallies["rate x published denominator"].add(
                int(true["numerator"]), [(1, rebuilt)], threshold)
    return tallies


# ------------------------------------------------------------- averaging through the app itself
def period_averaging_study(facts, threshold: int = 5, *, pair_counts: Iterable[int] = (10, 50),
                           targets: int = 40) -> dict[int, dict[str, float]]:
    """The averaging attacker through the real compute functions, by the route the limits leave
    open: one municipality, one education type; the target is one month's 1–4 participations;
    pair k is the window (m − k … m) against (m − k … m − 1), k = 1, 2, … (each window a
    different set of records, so a fresh noise draw). Returns per N the share of targets whose
    rounded mean of the first N usable differences is the true count."""
    from veu_metrics.filters import Filters
    from veu_metrics.measures import compute_measure_value, compute_series
    from veu_metrics.periods import add_months

    most = max(pair_counts)
    last = facts.last_month
    first_target = add_months(last, -23)
    found: list[tuple[Filters, object, int]] = []
    from veu_metrics import geography

    for code in (str(c) for c in geography.municipality_codes()):
        for education_type in ("AMU", "EUV", "EUD-enkeltfag"):
            base = Filters(period_from=first_target, period_to=last, scheme="municipality",
                           areas=(code,), education_types=(education_type,))
            series = compute_series(facts, base, "participations", threshold=1)
            for month, value in zip(series["period"], series["value"], strict=True):
                if 0 < value < threshold and month >= add_months(facts.covers_from, most + 1):
                    found.append((base, month, int(value)))
                    break
            if len(found) >= targets:
                break
        if len(found) >= targets:
            break
    result: dict[int, dict[str, float]] = {n: {"right": 0.0, "targets": 0} for n in pair_counts}
    for base, month, true in found:
        differences: list[float] = []
        for k in range(1, most * 2):
            start = add_months(month, -k)  # type: ignore[arg-type]
            if start < facts.covers_from:
                break
            longer, _ = compute_measure_value(
                facts, base.with_changes(period_from=start, period_to=month),
                "participations", threshold=threshold)
            shorter, _ = compute_measure_value(
                facts, base.with_changes(period_from=start, period_to=add_months(month, -1)),
                "participations", threshold=threshold)
            if longer is not None and shorter is not None:
                differences.append(longer - shorter)
            if len(differences) >= most:
                break
        for n in pair_counts:
            if len(differences) >= n:
                result[n]["targets"] += 1
                result[n]["right"] += int(round(float(np.mean(differences[:n]))) == true)
    return {n: {"right": v["right"] / v["targets"] if v["targets"] else 0.0,
                "targets": v["targets"]} for n, v in result.items()}


# ------------------------------------------------------------------------ averaging attacker
def averaging_study(*, threshold: int = 5, pair_counts: Iterable[int] = PAIR_COUNTS,
                    trials: int = 2000, seed: int = 12,
                    other_size: Callable[[np.random.Generator, int], np.ndarray] | None = None
                    ) -> dict[int, dict[str, float]]:
    """For a small group of true size 1 … threshold − 1 with a fixed cell key, N pairs (other
    records ∪ group, other records), each with a fresh set of other records. Returns per N the
    share of targets the rounded mean gets right and the share made certain by intersecting the
    possible values of all pairs."""
    rng = np.random.default_rng(seed)
    if other_size is None:
        def other_size(generator: np.random.Generator, size: int) -> np.ndarray:
            return generator.integers(threshold + MAX_NOISE, 400, size=size)  # never hidden
    result: dict[int, dict[str, float]] = {}
    for pairs in pair_counts:
        right = certain = 0
        targets = rng.integers(1, threshold, size=trials)
        for target in targets:
            target_key = int(rng.integers(0, KEY_MODULUS))
            others = other_size(rng, pairs)
            keys = rng.integers(0, KEY_MODULUS, size=pairs)
            with_group = perturb(others + target, keys + target_key, threshold)
            without = perturb(others, keys, threshold)
            differences = with_group - without
            right += int(round(float(differences.mean())) == target)
            low = int((differences - 2 * MAX_NOISE).max())
            high = int((differences + 2 * MAX_NOISE).min())
            certain += int(max(low, 0) == high)
        result[pairs] = {"right": right / trials, "certain": certain / trials}
    return result


# ------------------------------------------------------------------------ report
def report(differencing: dict[str, PairTally], averaging: dict[int, dict[str, float]],
           threshold: int, dataset: str,
           through_app: dict[int, dict[str, float]] | None = None) -> str:
    lines = [f"# Attack study (threshold {threshold}, p-table ±{MAX_NOISE})", "",
             f"Differencing pairs through the real compute functions on {dataset}: pairs whose "
             "true difference is a group of 1–4; how often the naive difference of the published "
             "values is right, and how often only one value is possible.", "",
             "| pair | pairs with a true 1–4 | withheld (custom selection) "
             "| naive difference right | certain |",
             "|---|---:|---:|---:|---:|"]
    for kind, tally in differencing.items():
        s = tally.summary()
        lines.append(f"| {kind} | {s['pairs']} | {s['withheld']} | {s['naive_right']} "
                     f"({s['naive_right_share']:.0%}) | {s['certain']} |")
    lines += ["", "Averaging attacker (N different pairs around the same group of 1–4; "
              "the rounded mean of the differences, or the intersection of the possible values):",
              "", "| pairs per target | rounded mean right | certain |", "|---:|---:|---:|"]
    for pairs, values in averaging.items():
        lines.append(f"| {pairs} | {values['right']:.0%} | {values['certain']:.1%} |")
    if through_app:
        lines += ["", "The same attacker through the app, by the route the limits leave open "
                  "(one municipality and one education type; windows m−k … m against m−k … m−1, "
                  "k = 1, 2, …; targets: one month's 1–4 participations):", "",
                  "| pairs per target | rounded mean right | targets |", "|---:|---:|---:|"]
        for pairs, values in through_app.items():
            lines.append(f"| {pairs} | {values['right']:.0%} | {values['targets']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrolments", type=int, default=40_000)
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--threshold", type=int, default=5)
    args = parser.parse_args(argv)
    import tempfile

    from veu_metrics.dataset import open_dataset
    from veu_metrics.facts import prepare_facts
    from veu_metrics.generate import generate_dataset

    with tempfile.TemporaryDirectory() as folder:
        path = generate_dataset(Path(folder) / "d", enrolments=args.enrolments, seed=2018,
                                until=date(2026, 10, 1))
        facts = prepare_facts(open_dataset(path), date(2025, 1, 1))
        differencing = differencing_study(facts, args.threshold)
        through_app = period_averaging_study(facts, args.threshold)
    averaging = averaging_study(threshold=args.threshold, trials=args.trials)
    dataset = f"the demo generator's {args.enrolments:,} enrolments (seed 2018)"
    text = report(differencing, averaging, args.threshold, dataset, through_app)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "attack.md").write_text(text, encoding="utf-8")
    (RESULTS / "attack.json").write_text(json.dumps({
        "threshold": args.threshold, "dataset": dataset,
        "differencing": {k: v.summary() for k, v in differencing.items()},
        "averaging": {str(k): v for k, v in averaging.items()},
        "averaging_through_app": {str(k): v for k, v in through_app.items()},
    }, indent=2), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
