"""The ``veu-metrics`` command line: generate demo data, import and validate real data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _add_generate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="generate a synthetic demo dataset")
    p.add_argument("--enrolments", type=int, default=500_000, help="number of enrolments")
    p.add_argument("--seed", type=int, default=2018, help="random seed (same seed, same files)")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--until", default=None, help="last month covered, YYYY-MM (default: last complete month)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_run_generate)


def _run_generate(args: argparse.Namespace) -> int:
    from veu_metrics.generate import generate_dataset, parse_until

    generate_dataset(
        args.out,
        enrolments=args.enrolments,
        seed=args.seed,
        until=parse_until(args.until),
        progress=None if args.quiet else "bar",
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="veu-metrics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_generate(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
