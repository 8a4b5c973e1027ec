"""Time the expected-uptake model (Jobcentre page) on a dataset: fit, leave-one-out and intervals.

    python -m benchmarks.uptake_model --data data/demo [--repeats 5]

Prints, per period (the last 12 months, the last complete calendar year, the whole history):
the median time of ``jobcentre._compute_uptake_model`` (counts, disclosure control, one fit per
year, leave-one-out, intervals; uncached), the years fitted, the share of deviance explained
and the spread of the expected values. The one-off import of statsmodels is timed apart.
Results go to docs/PERFORMANCE.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a dataset directory")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    import statsmodels.api  # noqa: F401  (the first import is the slow part of a cold page)
    print(f"import statsmodels: {time.perf_counter() - started:.2f} s")

    from veu_metrics import jobcentre
    from veu_metrics.dataset import open_dataset
    from veu_metrics.facts import prepare_facts
    from veu_metrics.filters import Filters, default_filters

    facts = prepare_facts(open_dataset(args.data), reform_date=date(2025, 1, 1))
    rolling = default_filters(facts.covers_to)
    last_year = facts.last_month.year - (1 if facts.last_month.month < 12 else 0)
    periods = {
        "last 12 months": rolling,
        f"calendar year {last_year}": Filters(period_from=date(last_year, 1, 1),
                                              period_to=date(last_year, 12, 1), scheme="rar"),
        "whole history": Filters(period_from=facts.covers_from.replace(day=1),
                                 period_to=facts.last_month, scheme="rar"),
    }
    for label, filters in periods.items():
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            model = jobcentre._compute_uptake_model(facts, filters.whole_country(), 5)
            times.append(time.perf_counter() - started)
        expected = (model.expected["expected_participations"]).drop_nulls()
        fitted = model.fit.filter(model.fit["municipalities"] > 0)
        explained = ", ".join(f"{v:.2f}" for v in fitted["deviance_explained"].to_list())
        print(f"{label}: {statistics.median(times) * 1000:.0f} ms median of {args.repeats}; "
              f"{fitted.height} year(s) fitted; deviance explained {explained}; "
              f"{expected.len()} municipalities with an expected value")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
