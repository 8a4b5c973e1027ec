"""Opening a dataset directory as Polars LazyFrames, checked against the data model.

A dataset directory holds one Parquet file per table (``courses.parquet``) or a folder of Parquet
parts (``enrolments/part-00000.parquet`` …, which the generator writes for big data), plus
``metadata.json``. A *versioned* dataset (what ``veu-metrics import`` publishes) is a directory
with ``versions/<id>/`` folders and a ``CURRENT`` file naming the active one; it is resolved here, so
callers never care which layout they were given.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from veu_metrics import limits
from veu_metrics.occupations import (
    OCCUPATION_SCHEMA,
    OCCUPATIONS_FILE,
    conform_occupations,
    dataset_occupations,
    upgrade_industry_group,
)
from veu_metrics.schema import (
    METADATA_FIELDS,
    OPTIONAL_TABLES,
    TABLES,
    SchemaError,
    check_schema,
)

CURRENT_POINTER = "CURRENT"
VERSIONS_DIR = "versions"


class DatasetError(ValueError):
    """A dataset directory cannot be opened; the message says what to fix."""


@dataclass(frozen=True)
class Dataset:
    """The tables of one dataset version, lazily scanned, with its metadata.

    ``version`` changes whenever any file changes: caches key on it (never on frames).
    """

    path: Path
    tables: dict[str, pl.LazyFrame] = field(repr=False)
    metadata: dict[str, Any]
    version: str
    occupations: pl.DataFrame = field(default_factory=dataset_occupations, repr=False)
    """The dataset's occupation list: the reference list plus the titles its data brings
    (``occupations.parquet``, optional; see ``occupations.dataset_occupations``)."""

    def __getattr__(self, name: str) -> pl.LazyFrame:
        tables: dict[str, pl.LazyFrame] = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic", False))

    @property
    def covers_to(self) -> date:
        return date.fromisoformat(str(self.metadata["covers_to"]))

    @property
    def covers_from(self) -> date:
        return date.fromisoformat(str(self.metadata["covers_from"]))


def resolve_dataset_dir(path: Path) -> Path:
    """Follow a versioned dataset's CURRENT pointer; a plain dataset directory is returned as is."""
    path = Path(path)
    pointer = path / CURRENT_POINTER
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        target = path / VERSIONS_DIR / name
        if not name or not target.is_dir():
            raise DatasetError(
                f"{pointer} names version {name!r}, but {target} does not exist; "
                "switch to an existing version with 'veu-metrics versions'"
            )
        return target
    return path


def table_files(directory: Path, table: str) -> list[Path]:
    """The Parquet files that hold a table: one file, or the parts in a folder."""
    single = directory / f"{table}.parquet"
    if single.is_file():
        return [single]
    folder = directory / table
    if folder.is_dir():
        return sorted(folder.glob("*.parquet"))
    return []


def dataset_version(directory: Path) -> str:
    """A short fingerprint of every file in a dataset directory (names, sizes, mtimes).

    Cheap enough to call on every page run, so that a newly published version is picked up
    without a restart.
    """
    directory = resolve_dataset_dir(directory)
    digest = hashlib.sha256(str(directory.resolve()).encode())
    for file in sorted(p for p in directory.rglob("*") if p.is_file()):
        stat = file.stat()
        digest.update(f"{file.relative_to(directory)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def read_metadata(directory: Path) -> dict[str, Any]:
    meta_path = directory / "metadata.json"
    if not meta_path.is_file():
        raise DatasetError(f"{directory} has no metadata.json (see docs/DATA.md)")
    try:
        metadata = limits.load_json(meta_path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{meta_path} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except limits.JsonLimitError as exc:
        raise DatasetError(f"{meta_path}: {exc}") from None
    if not isinstance(metadata, dict):
        raise DatasetError(f"{meta_path} must hold a JSON object")
    missing = [f for f in METADATA_FIELDS if f not in metadata]
    if missing:
        raise DatasetError(f"{meta_path} lacks field(s): {', '.join(missing)}")
    for key in ("covers_from", "covers_to"):
        try:
            date.fromisoformat(str(metadata[key]))
        except ValueError:
            raise DatasetError(f"{meta_path}: {key}={metadata[key]!r} is not a YYYY-MM-DD date") from None
    return metadata


class IntegrityError(DatasetError):
    """A dataset folder fails the import's integrity checks; ``report`` holds every problem."""

    def __init__(self, directory: Path, report: Any):
        self.report = report
        errors = report.errors
        shown = "; ".join(_problem_text(p) for p in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"{directory} fails the import's checks: {shown}{more}. "
                         "Import the files with 'veu-metrics import' to see every problem")


def _problem_text(problem: Any) -> str:
    where = " ".join(str(x) for x in (problem.file, f"row {problem.row}" if problem.row else None,
                                      problem.column) if x)
    value = f" {problem.value!r}" if problem.value is not None else ""
    return f"{where}{value}: {problem.message()} (expected {problem.expected_text()})"


def check_integrity(dataset: Dataset) -> None:
    """Run the import's integrity checks on an opened dataset (integrity.py); raise
    IntegrityError with the report, or DatasetError when the files cannot even be read (a Parquet
    file damaged in place makes Polars panic: that is a BaseException, caught here too)."""
    from veu_metrics.integrity import check_dataset

    try:
        report = check_dataset(dataset.tables, dataset.metadata)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - pyo3 PanicException, ComputeError, OSError …
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise DatasetError(f"{dataset.path}: the data files cannot be read "
                           f"({type(exc).__name__}{': ' + text if text else ''})") from None
    if not report.ok:
        raise IntegrityError(dataset.path, report)


def open_dataset(path: Path | str, *, integrity: bool = False) -> Dataset:
    """Open and check a dataset directory. Raises DatasetError or SchemaError with a clear message.

    With ``integrity`` the data itself is checked as an import would (unique keys, links,
    required values, dates): what the app does when it opens a dataset.
    """
    root = Path(path)
    if not root.is_dir():
        raise DatasetError(f"dataset directory {root} does not exist")
    directory = resolve_dataset_dir(root)
    metadata = read_metadata(directory)
    tables: dict[str, pl.LazyFrame] = {}
    for table in TABLES:
        files = table_files(directory, table)
        if not files and table in OPTIONAL_TABLES:
            continue  # absent: readers treat it as empty (facts.prepare_facts)
        if not files:
            raise SchemaError(table, None, f"no {table}.parquet or {table}/*.parquet in {directory}")
        try:
            frame = pl.scan_parquet(files)
            schema = frame.collect_schema()
            frame = upgrade_industry_group(frame, schema)  # old spellings of a label
            schema = frame.collect_schema()
        except Exception as exc:  # a corrupt or non-Parquet file: name it, don't dump a trace
            raise SchemaError(table, None, f"cannot read {files[0].name}: {exc}") from None
        check_schema(table, schema)
        tables[table] = frame
    dataset = Dataset(path=directory, tables=tables, metadata=metadata,
                      version=dataset_version(root),
                      occupations=dataset_occupations(read_own_occupations(directory)))
    if integrity:
        check_integrity(dataset)
    return dataset


def read_own_occupations(directory: Path) -> pl.DataFrame | None:
    """A version's own occupations (``occupations.parquet``), or None when it has none."""
    file = directory / OCCUPATIONS_FILE
    if not file.is_file():
        return None
    try:
        frame = pl.read_parquet(file)
    except Exception as exc:  # a corrupt file: name it, don't dump a trace
        raise DatasetError(f"cannot read {file}: {exc}") from None
    missing = [c for c in ("occupation_code", "title_da") if c not in frame.columns]
    extra = [c for c in frame.columns if c not in OCCUPATION_SCHEMA]
    if missing or extra:
        raise DatasetError(f"{file} must have the columns {', '.join(OCCUPATION_SCHEMA)} "
                           f"(occupation_code and title_da required; see docs/DATA.md)")
    return conform_occupations(frame)


def write_metadata(directory: Path, metadata: dict[str, Any]) -> None:
    missing = [f for f in METADATA_FIELDS if f not in metadata]
    if missing:
        raise DatasetError(f"metadata lacks field(s): {', '.join(missing)}")
    (directory / "metadata.json").write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
