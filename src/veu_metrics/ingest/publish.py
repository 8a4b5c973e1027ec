"""Importing into a dataset as a new version, published atomically; listing and switching versions.

A versioned dataset directory (what ``dataset.open_dataset`` follows)::

    DATASET/
      CURRENT                    the active version's id (one line of text)
      versions/<id>/             a complete plain dataset directory (Parquet + metadata.json)
      versions/<id>.tmp-<…>/     a version being built; never read, removed by the next import
      .import.lock               held while an import or a switch runs

An import builds the new version in its own temporary folder, checks it completely, renames the
folder into place, and only then points CURRENT at it (write ``CURRENT.tmp``, ``os.replace``).
Until that last step nothing the app reads has changed; a failed or interrupted import leaves
CURRENT and the active version byte-identical. A partial import (say only a new balance file)
takes the other tables from the active version. ``settings.keep_versions`` versions are kept;
older ones are removed, never the active one, the last one published from the command line, nor
a pinned one (see ``audit.py``). Every publish and activation is written to the dataset's
append-only audit log.

The upload page calls :func:`validate_upload` and :func:`import_upload`; the CLI calls the same.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from veu_metrics import audit, integrity, schema
from veu_metrics.dataset import (
    CURRENT_POINTER,
    VERSIONS_DIR,
    Dataset,
    DatasetError,
    open_dataset,
    read_metadata,
    read_own_occupations,
    table_files,
    write_metadata,
)
from veu_metrics.ingest.expected import expect
from veu_metrics.ingest.pipeline import ParsedUpload, parse_upload
from veu_metrics.ingest.report import ROW, SOURCE, Problems, Report
from veu_metrics.ingest.rules import check_tables
from veu_metrics.occupations import (
    ASSIGNED_CODE_PREFIX,
    OCCUPATIONS_FILE,
    dataset_occupations,
    title_key,
)
from veu_metrics.periods import month_end
from veu_metrics.settings import Settings, load_settings

ImportMode = Literal["replace", "update"]
METADATA_NAME = "metadata.json"
LOCK_FILE = ".import.lock"
TMP_MARKER = ".tmp-"
_VERSION_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]*$")


class PublishError(RuntimeError):
    """A version could not be published or activated; the message says why."""


@dataclass
class PreparedImport:
    """A validated import, ready to publish (if its report has no errors)."""

    report: Report
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    """Tables read from the files, merged as the mode says: written as new Parquet files."""
    kept: dict[str, list[Path]] = field(default_factory=dict)
    """Tables taken unchanged from the active version: their files, linked into the new one."""
    kept_from: Path | None = None
    """The active version's directory (the kept files' layout is relative to it)."""
    metadata: dict[str, Any] = field(default_factory=dict)
    occupations: pl.DataFrame | None = None
    """The new version's own occupations (beyond the reference list): ``occupations.parquet``."""


@dataclass(frozen=True)
class VersionInfo:
    id: str
    active: bool
    name: str | None
    created_at: str | None
    covers_from: str | None
    covers_to: str | None
    rows: dict[str, int]


# ---------------------------------------------------------------------------------------------
# Pure entry points (the upload page and the CLI)


def validate_upload(files: Sequence[tuple[str, bytes]], dataset_dir: Path | str | None = None,
                    *, mode: ImportMode = "replace", max_file_mb: int | None = None) -> Report:
    """Validate files without changing anything.

    With ``dataset_dir`` the files are checked as an import into it (tables not supplied are
    taken from its active version, so links between tables are checked too); without, each
    supplied table is checked on its own.
    """
    return prepare_import(files, dataset_dir, mode=mode, max_file_mb=max_file_mb).report


def import_upload(files: Sequence[tuple[str, bytes]], dataset_dir: Path | str,
                  settings: Settings | None = None, *, mode: ImportMode = "replace",
                  max_file_mb: int | None = None, via: str = "cli", by: str | None = None,
                  table_sources: dict[str, dict[str, Any]] | None = None,
                  ) -> tuple[Report, str | None]:
    """Validate files and, if there are no errors, publish them as the dataset's new active
    version. Returns the report and the new version id (None when nothing was published).

    ``table_sources`` records where a supplied table comes from (``veu-metrics fetch``: source,
    table code, licence) in the metadata's ``table_sources``; a table supplied without one drops
    the record it had, so the Data page never credits a public source for someone's own file.
    ``via`` ("cli" or "web") and ``by`` (who; the OS account for the CLI) go to the audit log."""
    settings = settings if settings is not None else load_settings()
    root = Path(dataset_dir)
    root.mkdir(parents=True, exist_ok=True)
    try:
        with dataset_lock(root):
            remove_stale_builds(root)
            prepared = prepare_import(files, root, mode=mode, max_file_mb=max_file_mb,
                                      require_complete=True)
            if not prepared.report.ok:
                return prepared.report, None
            sources = {t: v for t, v in dict(prepared.metadata.get("table_sources") or {}).items()
                       if t not in prepared.tables}
            sources.update(table_sources or {})
            prepared.metadata.pop("table_sources", None)
            if sources:
                prepared.metadata["table_sources"] = sources
            try:
                version_id = publish_version(root, prepared)
            except (OSError, pl.exceptions.ComputeError) as exc:
                # Polars reports a full disk while writing Parquet as a ComputeError
                why = getattr(exc, "strerror", None) or str(exc).strip().splitlines()[0]
                return _with_error(prepared.report, "publish_failed",
                                   expect("disk", root=root, why=why)), None
            _audit(root, "publish", via=via, by=by, version=version_id,
                   files=audit.file_hashes(files), summary=audit.summary_of(prepared.report))
            prune_versions(root, settings.keep_versions)
            return prepared.report, version_id
    except BlockingIOError:
        problems = Problems()
        problems.error(str(root), "busy", expect("one_import"))
        return problems.report(), None


def _audit(root: Path, action: str, *, via: str, by: str | None, version: str | None,
           files: Sequence[dict[str, Any]] = (), summary: dict[str, Any] | None = None) -> None:
    """Write the audit entry; a log that cannot be written is reported, never silently lost."""
    who = by or (audit.cli_user() if via == "cli" else "unknown")
    try:
        audit.append(root, action, via=via, by=who, version=version, files=files,
                     summary=summary)
    except OSError as exc:
        raise PublishError(f"{action} of {version} done, but the audit log "
                           f"{root / audit.AUDIT_FILE} could not be written: {exc}") from None


def _with_error(report: Report, kind: str, expected: tuple[str, str]) -> Report:
    problems = Problems()
    for problem in report.problems:
        problems.add(problem)
    problems.error("(publish)", kind, expected)
    return problems.report(report.files)


def prepare_import(files: Sequence[tuple[str, bytes]], dataset_dir: Path | str | None = None,
                   *, mode: ImportMode = "replace", max_file_mb: int | None = None,
                   require_complete: bool = False,
                   now: datetime | None = None) -> PreparedImport:
    """Read, merge and validate; nothing is written."""
    problems = Problems()
    if max_file_mb is not None:
        limit = max_file_mb * 1024 * 1024
        too_big = {name for name, data in files if len(data) > limit}
        for name in sorted(too_big):
            problems.error(name, "too_large", expect("max_file", mb=max_file_mb))
        files = [(name, data) for name, data in files if name not in too_big]
    parsed = parse_upload(files, problems)
    root = Path(dataset_dir) if dataset_dir is not None else None
    base = _open_base(root, problems, needed=require_complete and
                      not set(schema.TABLES) - schema.OPTIONAL_TABLES <= set(parsed.tables))
    covers = _covers(parsed.metadata)
    _codes_of_known_titles(parsed, base)

    tables: dict[str, pl.DataFrame] = {}
    kept: dict[str, list[Path]] = {}
    for table in schema.TABLES:
        if table in parsed.tables:
            new = parsed.tables[table]
            if mode == "update" and base is not None:
                keys = list(schema.PRIMARY_KEYS[table])
                old = _with_origin(base.tables[table].collect(), table)
                old = old.join(new.select(keys), on=keys, how="anti", nulls_equal=True)
                new = pl.concat([old, new], how="vertical")
            tables[table] = new
        elif base is not None:
            kept[table] = table_files(base.path, table)
        elif require_complete and table not in schema.OPTIONAL_TABLES:
            problems.error(table, "missing_table", expect("table_file", table=table))

    # The rules that link tables need the kept side too (only what they read).
    merged = dict(tables)
    if base is not None and {"courses", "enrolments"} & set(tables):
        for table in ("courses", "enrolments"):
            if table not in merged:
                merged[table] = _with_origin(base.tables[table].collect(), table)
    own = _own_occupations(parsed, base, tables)
    check_tables(parsed.tables, merged, problems, covers=covers,
                 occupation_list=dataset_occupations(own))
    if "enrolments" in parsed.tables and "courses" not in merged:
        problems.warning(parsed_name(parsed, "enrolments"), "links_unchecked",
                         expect("courses_too"), column="course_id")
    for table, frame in parsed.tables.items():  # a mistyped year (2062) must not become covers_to
        integrity.check_future_dates(table, frame, problems)
    if parsed.metadata:
        integrity.check_metadata_dates(parsed.metadata, problems, METADATA_NAME)

    report = problems.report(parsed.files)
    if not report.ok:
        return PreparedImport(report=report)
    final = {t: f.drop(SOURCE, ROW) for t, f in tables.items()}
    for table, frame in final.items():
        schema.check_schema(table, frame.schema)  # a bug here must never reach a published file
    metadata = build_metadata(parsed.metadata, base, final, kept, root,
                              [name for name, _ in files], now=now)
    return PreparedImport(report=report, tables=final, kept=kept,
                          kept_from=base.path if base is not None else None, metadata=metadata,
                          occupations=own)


def _codes_of_known_titles(parsed: ParsedUpload, base: Dataset | None) -> None:
    """A title without a code that the dataset already lists (its own occupations, e.g. the
    demo's, or a supplied occupations.parquet) takes that code instead of an assigned one."""
    if parsed.occupations is None or "balance" not in parsed.tables:
        return
    known = [parsed.occupations_file]
    if base is not None:
        with contextlib.suppress(DatasetError):
            known.append(read_own_occupations(base.path))
    by_title: dict[str, str] = {}
    for frame in known:
        if frame is not None:
            for code, title in frame.select("occupation_code", "title_da").iter_rows():
                by_title.setdefault(title_key(title), code)
    remap = {code: by_title[title_key(title)]
             for code, title in parsed.occupations.select("occupation_code", "title_da").iter_rows()
             if code.startswith(ASSIGNED_CODE_PREFIX) and title_key(title) in by_title}
    if not remap:
        return
    parsed.tables["balance"] = parsed.tables["balance"].with_columns(
        pl.col("occupation_code").replace(remap))
    parsed.occupations = parsed.occupations.filter(
        ~pl.col("occupation_code").is_in(list(remap)))


def _own_occupations(parsed: ParsedUpload, base: Dataset | None,
                     tables: dict[str, pl.DataFrame]) -> pl.DataFrame | None:
    """The new version's occupations beyond the reference list: a supplied occupations.parquet,
    then the active version's, then titles the imported balance brings (the first row per code
    wins, so an enriched row is kept); only codes the new version's balance or courses use."""
    candidates = [parsed.occupations_file]
    if base is not None:
        with contextlib.suppress(DatasetError):  # an unreadable list is rebuilt from the balance
            candidates.append(read_own_occupations(base.path))
    if parsed.occupations is not None:
        candidates.append(parsed.occupations.drop(SOURCE, ROW))
    frames = [f for f in candidates if f is not None and f.height]
    if not frames:
        return None
    used: list[pl.Series] = []
    for table in ("balance", "courses"):
        if table in tables:
            used.append(tables[table]["occupation_code"])
        elif base is not None:
            used.append(base.tables[table].select("occupation_code").unique().collect()
                        .to_series())
    codes = pl.concat(used).drop_nulls().unique() if used else pl.Series([], dtype=pl.String)
    own = (pl.concat(frames, how="vertical").unique("occupation_code", keep="first",
                                                   maintain_order=True)
           .filter(pl.col("occupation_code").is_in(codes.implode())))
    return own if own.height else None


def parsed_name(parsed: Any, table: str) -> str:
    """The file a table was read from (for a message about the whole table)."""
    return next((f.file for f in parsed.files if f.table == table), table)


def _with_origin(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    return frame.select(
        pl.lit(f"{table} (active version)", dtype=pl.String).alias(SOURCE),
        pl.lit(None, dtype=pl.Int64).alias(ROW),
        *schema.TABLES[table],
    )


def _open_base(root: Path | None, problems: Problems, needed: bool) -> Dataset | None:
    """The dataset's active version, or None for a dataset that does not exist yet."""
    if root is None or not root.is_dir():
        return None
    has_data = (root / CURRENT_POINTER).is_file() or (root / "metadata.json").is_file()
    if not has_data:
        return None
    try:
        return open_dataset(root)
    except (DatasetError, schema.SchemaError) as exc:
        if needed:
            problems.error(str(root), "dataset_unreadable", expect("readable_version", error=exc))
        return None


def _covers(metadata: dict[str, Any] | None) -> tuple[date, date] | None:
    if not metadata or not metadata.get("covers_from") or not metadata.get("covers_to"):
        return None
    return date.fromisoformat(str(metadata["covers_from"])), date.fromisoformat(
        str(metadata["covers_to"]))


def build_metadata(supplied: dict[str, Any] | None, base: Dataset | None,
                   tables: dict[str, pl.DataFrame], kept: dict[str, list[Path]],
                   root: Path | None, file_names: Sequence[str],
                   now: datetime | None = None) -> dict[str, Any]:
    """metadata.json for the new version.

    A supplied metadata.json wins; missing fields are filled. Without one, the active version's
    metadata is carried over with the period widened to the data; for a first import the period
    comes from the data (first course start or unemployment month to the last, to the end of the
    last unemployment month), the name from the dataset folder, and synthetic is false.
    """
    now = now or datetime.now(UTC)
    first, last = _data_period(tables, kept)
    previous = dict(base.metadata) if base is not None else {}
    if supplied is not None:
        metadata = dict(supplied)
    elif previous:
        metadata = dict(previous)
        if first is not None:
            metadata["covers_from"] = min(date.fromisoformat(str(previous["covers_from"])),
                                          first).isoformat()
        if last is not None:
            metadata["covers_to"] = max(date.fromisoformat(str(previous["covers_to"])),
                                        last).isoformat()
        metadata.pop("version", None)
        metadata.pop("created_at", None)
    else:
        metadata = {}
    # The demo's synthetic flag survives as long as any of its tables does.
    synthetic = bool(previous.get("synthetic", False)) and bool(kept)
    defaults: dict[str, Any] = {
        "name": previous.get("name") or (root.resolve().name if root is not None else "dataset"),
        "source": previous.get("source") or "Imported with veu-metrics: " + ", ".join(file_names),
        "covers_from": first.isoformat() if first else now.date().isoformat(),
        "covers_to": last.isoformat() if last else now.date().isoformat(),
        "created_at": now.isoformat(timespec="seconds"),
        "next_update": previous.get("next_update"),
        "version": None,  # set to the version id when published
        "synthetic": synthetic,
    }
    for key, value in defaults.items():
        metadata.setdefault(key, value)
    return metadata


def _data_period(tables: dict[str, pl.DataFrame],
                 kept: dict[str, list[Path]]) -> tuple[date | None, date | None]:
    starts: list[date] = []
    ends: list[date] = []

    def frame(table: str, column: str) -> pl.Series | None:
        if table in tables:
            return tables[table].get_column(column)
        if table in kept and kept[table]:
            return pl.scan_parquet(kept[table]).select(column).collect().to_series()
        return None

    courses = frame("courses", "start_date")
    if courses is not None and courses.drop_nulls().len():
        first, last = courses.min(), courses.max()
        assert isinstance(first, date) and isinstance(last, date)  # a Date column with values
        starts.append(first)
        ends.append(last)
    months = frame("unemployment", "month")
    if months is not None and months.drop_nulls().len():
        first_month, last_month = months.min(), months.max()
        assert isinstance(first_month, date) and isinstance(last_month, date)
        starts.append(first_month)
        ends.append(month_end(last_month))
    return (min(starts) if starts else None), (max(ends) if ends else None)


# ---------------------------------------------------------------------------------------------
# Publishing


def publish_version(dataset_dir: Path | str, prepared: PreparedImport,
                    now: datetime | None = None) -> str:
    """Write a prepared import as a new version and make it the active one. Returns its id.

    Callers hold :func:`dataset_lock`. Any failure before the CURRENT pointer is replaced leaves
    the active version as it was (the half-built folder is removed).
    """
    root = Path(dataset_dir)
    if not prepared.report.ok:
        raise PublishError("refusing to publish an import with errors")
    versions = root / VERSIONS_DIR
    versions.mkdir(parents=True, exist_ok=True)
    version_id = new_version_id(versions, now)
    build = versions / f"{version_id}{TMP_MARKER}{os.getpid()}-{secrets.token_hex(3)}"
    final = versions / version_id
    try:
        build.mkdir()
        expected_rows: dict[str, int] = {}
        for table, frame in prepared.tables.items():
            frame.write_parquet(build / f"{table}.parquet")
            expected_rows[table] = frame.height
        for paths in prepared.kept.values():
            _link_files(paths, prepared.kept_from, build)
        if prepared.occupations is not None:
            prepared.occupations.write_parquet(build / OCCUPATIONS_FILE)
        metadata = dict(prepared.metadata)
        if metadata.get("version") in (None, ""):
            metadata["version"] = version_id
        write_metadata(build, metadata)
        _fsync_tree(build)
        _verify_version(build, expected_rows)
        os.rename(build, final)
        _fsync_dir(versions)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    try:
        _point_current(root, version_id)
    except BaseException:
        if active_version(root) != version_id:
            shutil.rmtree(final, ignore_errors=True)
        raise
    return version_id


def new_version_id(versions: Path, now: datetime | None = None) -> str:
    """A sortable id from the UTC time, e.g. 20261129-083712; …-2, …-3 within one second.

    Always later (in version order) than every existing version, so that pruning by order
    removes the oldest even when an id was freed by pruning or the clock was set back.
    """
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    existing = version_ids(versions.parent) if versions.is_dir() else []
    latest = _version_order(existing[-1]) if existing else None
    if latest is not None:
        newest_stamp = "-".join(existing[-1].split("-")[:2])
        if _version_order(stamp) < _version_order(newest_stamp):
            stamp = newest_stamp  # the clock is behind the newest version: continue after it
    candidate, n = stamp, 1
    while (versions / candidate).exists() or (
            latest is not None and _version_order(candidate) <= latest and n < 10_000):
        n += 1
        candidate = f"{stamp}-{n}"
    return candidate


def _version_order(version_id: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key: numeric parts as numbers (…-10 after …-9), other parts as text."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in version_id.split("-"))


def _link_files(paths: list[Path], source: Path | None, build: Path) -> None:
    """Hard-link (or copy) a kept table's files into the new version, in the same layout
    (``courses.parquet`` or ``enrolments/part-00000.parquet`` …)."""
    for path in paths:
        target = build / (path.relative_to(source) if source is not None else Path(path.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)  # Parquet files are never changed in place: sharing is safe
        except OSError:
            shutil.copy2(path, target)


def _verify_version(directory: Path, expected_rows: dict[str, int]) -> None:
    """Open the built version as the app will, and count what was written."""
    dataset = open_dataset(directory)
    for table, rows in expected_rows.items():
        frame = dataset.tables.get(table)  # an optional table may be absent
        written = 0 if frame is None else frame.select(pl.len()).collect().item()
        if written != rows:
            raise PublishError(f"{table}: wrote {written} rows, expected {rows}")


def _point_current(root: Path, version_id: str) -> None:
    """Atomically make ``version_id`` the active version."""
    temporary = root / f"{CURRENT_POINTER}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(version_id + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, root / CURRENT_POINTER)
    _fsync_dir(root)


def _fsync_tree(directory: Path) -> None:
    for path in sorted(directory.rglob("*"), reverse=True):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        else:
            _fsync_dir(path)
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def dataset_lock(root: Path) -> Iterator[None]:
    """Hold the dataset's import lock; raises BlockingIOError if another process holds it.

    An OS lock (flock), so a killed import never leaves a stale lock behind.
    """
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / LOCK_FILE, "a+")  # noqa: SIM115 - closed in finally
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no flock; imports there must not overlap
            fcntl = None  # type: ignore[assignment]  # the module is absent on Windows
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        handle.close()


def remove_stale_builds(root: Path) -> list[str]:
    """Remove half-built version folders left by an interrupted import (call under the lock)."""
    versions = root / VERSIONS_DIR
    removed: list[str] = []
    if versions.is_dir():
        for path in versions.iterdir():
            if path.is_dir() and TMP_MARKER in path.name:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
    (root / f"{CURRENT_POINTER}.tmp").unlink(missing_ok=True)
    return removed


# ---------------------------------------------------------------------------------------------
# Versions


def active_version(dataset_dir: Path | str) -> str | None:
    pointer = Path(dataset_dir) / CURRENT_POINTER
    if not pointer.is_file():
        return None
    return pointer.read_text(encoding="utf-8").strip() or None


def version_ids(dataset_dir: Path | str) -> list[str]:
    """Published versions, oldest first (ids sort by time)."""
    versions = Path(dataset_dir) / VERSIONS_DIR
    if not versions.is_dir():
        return []
    return sorted((p.name for p in versions.iterdir() if p.is_dir() and TMP_MARKER not in p.name),
                  key=_version_order)


def list_versions(dataset_dir: Path | str) -> list[VersionInfo]:
    """Every published version with its name, period and row counts, oldest first."""
    root = Path(dataset_dir)
    active = active_version(root)
    infos = []
    for version_id in version_ids(root):
        directory = root / VERSIONS_DIR / version_id
        try:
            metadata = read_metadata(directory)
        except DatasetError:
            metadata = {}
        rows = {}
        for table in schema.TABLES:
            files = table_files(directory, table)
            if files:
                try:
                    rows[table] = pl.scan_parquet(files).select(pl.len()).collect().item()
                except Exception:  # noqa: BLE001 - a damaged version is listed, not fatal
                    rows[table] = -1
        infos.append(VersionInfo(
            id=version_id, active=version_id == active, name=metadata.get("name"),
            created_at=metadata.get("created_at"), covers_from=metadata.get("covers_from"),
            covers_to=metadata.get("covers_to"), rows=rows,
        ))
    return infos


def activate_version(dataset_dir: Path | str, version_id: str, *, via: str = "cli",
                     by: str | None = None) -> None:
    """Switch the active version (e.g. back to an earlier one), atomically; logged."""
    root = Path(dataset_dir)
    if not _VERSION_ID.match(version_id) or TMP_MARKER in version_id:
        raise PublishError(f"{version_id!r} is not a version id")
    directory = root / VERSIONS_DIR / version_id
    if not directory.is_dir():
        known = ", ".join(version_ids(root)) or "none"
        raise PublishError(f"version {version_id} does not exist in {root} (versions: {known})")
    try:
        open_dataset(directory)
    except (DatasetError, schema.SchemaError) as exc:
        raise PublishError(f"version {version_id} cannot be opened: {exc}") from None
    with dataset_lock(root):
        _point_current(root, version_id)
        _audit(root, "activate", via=via, by=by, version=version_id)


def pin_version(dataset_dir: Path | str, version_id: str, *, pinned: bool = True,
                via: str = "cli", by: str | None = None) -> None:
    """Pin (or unpin) a version: pruning never removes a pinned version. Logged."""
    root = Path(dataset_dir)
    if version_id not in version_ids(root):
        known = ", ".join(version_ids(root)) or "none"
        raise PublishError(f"version {version_id!r} does not exist in {root} (versions: {known})")
    with dataset_lock(root):
        _audit(root, "pin" if pinned else "unpin", via=via, by=by, version=version_id)


def prune_versions(dataset_dir: Path | str, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` versions. Never removed: the active one, the last one
    published from the command line, and pinned ones (the audit log says which). Returns the
    removed ids."""
    root = Path(dataset_dir)
    active = active_version(root)
    ids = version_ids(root)
    keep_ids = set(ids[-keep:]) if keep > 0 else set()
    keep_ids |= audit.protected_versions(root)
    if active:
        keep_ids.add(active)
    removed = []
    for version_id in ids:
        if version_id not in keep_ids:
            shutil.rmtree(root / VERSIONS_DIR / version_id, ignore_errors=True)
            removed.append(version_id)
    return removed
