"""The ``veu-metrics`` command line: generate demo data, import and validate real data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Literal

from veu_metrics.i18n import t


def _add_generate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("generate", help="generate a synthetic demo dataset")
    from veu_metrics.settings import DEFAULT_DEMO_ENROLMENTS

    p.add_argument("--enrolments", type=int, default=DEFAULT_DEMO_ENROLMENTS,
                   help="number of enrolments (default: national scale, about 450,000 a year)")
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


def _add_import_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """validate, import and versions (docs/IMPORT.md). Exit codes: 0 clean (warnings allowed),
    1 errors, 2 usage."""
    v = sub.add_parser("validate", help="check data files and report every problem; changes nothing")
    v.add_argument("paths", nargs="+", type=Path, metavar="DIR_OR_FILES")
    v.add_argument("--dataset", type=Path, default=None, metavar="DATASET",
                   help="check as an import into DATASET (missing tables come from its active version)")
    i = sub.add_parser("import", help="validate data files and publish them as a new dataset version")
    i.add_argument("paths", nargs="+", type=Path, metavar="DIR_OR_FILES")
    i.add_argument("--into", type=Path, required=True, metavar="DATASET", help="the dataset directory")
    for p in (v, i):
        p.add_argument("--update", action="store_true",
                       help="update rows by key and add new ones, instead of replacing each supplied table")
        p.add_argument("--json", action="store_true", help="the report as JSON")
        p.add_argument("--lang", choices=("en", "da"), default="en", help="report language")
    v.set_defaults(handler=_run_import)
    i.set_defaults(handler=_run_import)
    s = sub.add_parser("versions", help="list a dataset's versions, or switch the active one")
    s.add_argument("dataset", type=Path, metavar="DATASET")
    s.add_argument("--activate", metavar="ID", default=None, help="make version ID the active one")
    s.add_argument("--pin", metavar="ID", default=None,
                   help="pin version ID: pruning never removes it (written to the audit log)")
    s.add_argument("--unpin", metavar="ID", default=None, help="remove the pin of version ID")
    s.add_argument("--log", action="store_true",
                   help="show the audit log (every publish, activation and pin) instead")
    s.add_argument("--json", action="store_true", help="the list (or log) as JSON")
    s.set_defaults(handler=_run_versions)


def _run_import(args: argparse.Namespace) -> int:
    import json

    from veu_metrics.ingest.publish import import_upload, validate_upload
    from veu_metrics.ingest.readers import collect_files
    from veu_metrics.settings import SettingsError, load_settings

    try:
        files = collect_files(args.paths)
        settings = load_settings()
    except (FileNotFoundError, SettingsError) as exc:
        print(f"veu-metrics {args.command}: {exc}", file=sys.stderr)
        return 2
    if args.command == "import" and args.into.exists() and not args.into.is_dir():
        print(f"veu-metrics import: --into {args.into} is a file; give a dataset directory",
              file=sys.stderr)
        return 2
    mode: Literal["replace", "update"] = "update" if args.update else "replace"
    version = None
    if args.command == "import":
        report, version = import_upload(files, args.into, settings, mode=mode)
    else:
        report = validate_upload(files, args.dataset, mode=mode)
    if args.json:
        print(json.dumps(report.to_dict(args.lang) | {"version": version}, ensure_ascii=False, indent=2))
    else:
        print(report.to_text(args.lang), end="")
        if version is not None:
            print(t("cli.published", args.lang, version=version, directory=args.into))
    return 0 if report.ok else 1


def _run_versions(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from veu_metrics import audit
    from veu_metrics.ingest.publish import (
        PublishError,
        activate_version,
        list_versions,
        pin_version,
    )

    if not args.dataset.is_dir():
        print(f"veu-metrics versions: {args.dataset} is not a directory", file=sys.stderr)
        return 2
    if args.log:
        entries = audit.read(args.dataset)
        if args.json:
            print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        elif not entries:
            print(f"{args.dataset} has no audit log yet (nothing published or activated).")
        for entry in entries if not args.json else ():
            print(audit.describe(entry))
        return 0
    for version_id, pinned in ((args.pin, True), (args.unpin, False)):
        if version_id:
            try:
                pin_version(args.dataset, version_id, pinned=pinned)
            except PublishError as exc:
                print(f"veu-metrics versions: {exc}", file=sys.stderr)
                return 2
            except BlockingIOError:
                print("veu-metrics versions: an import is running; try again when it has "
                      "finished", file=sys.stderr)
                return 1
    if args.activate:
        try:
            activate_version(args.dataset, args.activate)
        except PublishError as exc:
            print(f"veu-metrics versions: {exc}", file=sys.stderr)
            return 2
        except BlockingIOError:
            print("veu-metrics versions: an import is running; try again when it has finished",
                  file=sys.stderr)
            return 1
    infos = list_versions(args.dataset)
    if args.json:
        print(json.dumps([asdict(v) for v in infos], ensure_ascii=False, indent=2))
        return 0
    if not infos:
        print(f"{args.dataset} has no published versions (import data with 'veu-metrics import').")
    for v in infos:
        rows = ", ".join(f"{t} {n}" for t, n in v.rows.items())
        print(f"{'*' if v.active else ' '} {v.id}  {v.name or '?'}  "
              f"{v.covers_from or '?'} – {v.covers_to or '?'}  created {v.created_at or '?'}  ({rows})")
    return 0


def _add_fetch(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from veu_metrics.fetch import DEFAULT_TABLE, STATBANK_API, TABLES

    p = sub.add_parser(
        "fetch", help="fetch public tables (full-time unemployed by municipality and month from "
                      "Statistics Denmark's StatBank API), validate them, optionally publish",
        description="Fetch a public table from Statistics Denmark's StatBank API (needs the "
                    "internet), turn it into the data model's table and validate it as an import "
                    "would. With --into DATASET it is published as a partial import (the other "
                    "tables are kept). Source: Statistics Denmark (Kilde: Danmarks Statistik), "
                    "CC BY 4.0. Exit codes: 0 clean, 1 errors or no connection, 2 usage.")
    p.add_argument("--table", default=DEFAULT_TABLE, choices=sorted(TABLES),
                   help=f"the StatBank table (default {DEFAULT_TABLE}: full-time unemployed)")
    p.add_argument("--since", default=None, metavar="YYYYMmm",
                   help="first month to fetch, e.g. 2018M01 (default: all months)")
    p.add_argument("--into", type=Path, default=None, metavar="DATASET",
                   help="publish the fetched table into DATASET as a partial import")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="also save the fetched file (and SOURCE.txt) in DIR")
    p.add_argument("--api", default=STATBANK_API, help="the API's address (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.add_argument("--lang", choices=("en", "da"), default="en", help="report language")
    p.set_defaults(handler=_run_fetch)


def _run_fetch(args: argparse.Namespace) -> int:
    import json
    import re

    from veu_metrics.fetch import TABLES, FetchError, fetch_table
    from veu_metrics.ingest.publish import import_upload, validate_upload
    from veu_metrics.settings import SettingsError, load_settings

    if args.since is not None and not re.fullmatch(r"\d{4}M\d{2}", args.since):
        print(f"veu-metrics fetch: --since {args.since}: expected a month as 2018M01",
              file=sys.stderr)
        return 2
    try:
        fetched = fetch_table(args.table, api=args.api, since=args.since)
    except FetchError as exc:
        print(f"veu-metrics fetch: {exc}", file=sys.stderr)
        return 1
    table = TABLES[args.table]
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / fetched.file_name).write_bytes(fetched.data)
        (args.out / "SOURCE.txt").write_text(
            f"{table.source_da}, {table.url} ({table.licence}); "
            f"fetched {fetched.source['fetched_at']}\n", encoding="utf-8")
    files = [(fetched.file_name, fetched.data)]
    version = None
    if args.into is not None:
        try:
            settings = load_settings()
        except SettingsError as exc:
            print(f"veu-metrics fetch: {exc}", file=sys.stderr)
            return 2
        report, version = import_upload(files, args.into, settings,
                                        table_sources={table.model_table: fetched.source})
    else:
        report = validate_upload(files)
    if args.json:
        print(json.dumps(report.to_dict(args.lang) | {"version": version,
                                                       "source": fetched.source},
                         ensure_ascii=False, indent=2))
    else:
        print(report.to_text(args.lang), end="")
        print(f"{table.source_da} ({table.url}, {table.licence}).")
        if version is not None:
            print(t("cli.published", args.lang, version=version, directory=args.into))
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="veu-metrics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_generate(sub)
    _add_import_commands(sub)
    _add_fetch(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command. No traceback reaches the user: an unexpected failure (including a Polars
    panic, which is not an ``Exception``) is printed as one line and exits 1."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print(f"veu-metrics {args.command}: interrupted", file=sys.stderr)
        return 130
    except (Exception, BaseException) as exc:  # noqa: BLE001 - pyo3 panics derive from BaseException
        if isinstance(exc, SystemExit | GeneratorExit):
            raise
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"veu-metrics {args.command}: failed: {type(exc).__name__}"
              + (f": {text}" if text else ""), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
