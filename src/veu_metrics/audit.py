"""The dataset's audit log: one JSON object per line in ``DATASET/audit.jsonl``, append-only.

Every publish, activation, pin and unpin is written here (who, when, how — command line or web —
which version, which files with their SHA-256, the validation summary). The log is also what
pruning reads to know which versions must never be removed: the last version published from the
command line, and every version pinned (``veu-metrics versions DATASET --pin ID``) and not since
unpinned.

Lines are only ever appended (``O_APPEND``, flushed and fsynced); a line that cannot be parsed (a
torn write after a crash) is skipped when reading, never rewritten.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AUDIT_FILE = "audit.jsonl"
ACTIONS = ("publish", "activate", "pin", "unpin")
VIA = ("cli", "web")


@dataclass(frozen=True)
class AuditEntry:
    at: str
    action: str
    via: str
    by: str
    version: str | None
    files: tuple[dict[str, Any], ...] = ()
    summary: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "action": self.action, "via": self.via, "by": self.by,
                "version": self.version, "files": list(self.files), "summary": self.summary}


def file_hashes(files: Sequence[tuple[str, bytes]]) -> tuple[dict[str, Any], ...]:
    """(name, bytes) → name, size and SHA-256 of each file, as the log records them."""
    return tuple({"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                 for name, data in files)


def cli_user() -> str:
    """Who runs the command line (the operating-system account)."""
    with contextlib.suppress(Exception):  # no user database in some containers
        return getpass.getuser()
    return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def append(dataset_dir: Path | str, action: str, *, via: str, by: str, version: str | None,
           files: Iterable[dict[str, Any]] = (), summary: dict[str, Any] | None = None,
           now: datetime | None = None) -> AuditEntry:
    """Append one entry; returns it. Raises OSError when the log cannot be written."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if via not in VIA:
        raise ValueError(f"unknown audit channel {via!r}")
    entry = AuditEntry(at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
                       action=action, via=via, by=by, version=version, files=tuple(files),
                       summary=summary)
    line = json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
    path = Path(dataset_dir) / AUDIT_FILE
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


def read(dataset_dir: Path | str) -> list[AuditEntry]:
    """Every readable entry, oldest first (an unreadable line is skipped)."""
    path = Path(dataset_dir) / AUDIT_FILE
    if not path.is_file():
        return []
    entries = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                raw = json.loads(line)
                entries.append(AuditEntry(
                    at=str(raw["at"]), action=str(raw["action"]), via=str(raw["via"]),
                    by=str(raw["by"]), version=raw.get("version"),
                    files=tuple(raw.get("files") or ()), summary=raw.get("summary")))
            except (ValueError, KeyError, TypeError, RecursionError):
                continue
    return entries


def protected_versions(dataset_dir: Path | str) -> set[str]:
    """Versions pruning must keep: the last one published from the command line, and the pinned
    ones (the last pin/unpin entry for a version decides)."""
    protected: set[str] = set()
    last_cli: str | None = None
    pinned: dict[str, bool] = {}
    for entry in read(dataset_dir):
        if entry.version is None:
            continue
        if entry.action == "publish" and entry.via == "cli":
            last_cli = entry.version
        elif entry.action in ("pin", "unpin"):
            pinned[entry.version] = entry.action == "pin"
    if last_cli:
        protected.add(last_cli)
    protected.update(v for v, on in pinned.items() if on)
    return protected


def summary_of(report: Any) -> dict[str, Any]:
    """The validation summary the log keeps: errors, warnings, and rows per table read."""
    rows: dict[str, int] = {}
    for f in report.files:
        if f.table:
            rows[f.table] = rows.get(f.table, 0) + int(f.rows or 0)
    return {"errors": report.count("error"), "warnings": report.count("warning"), "rows": rows}


def describe(entry: AuditEntry) -> str:
    """One line for ``veu-metrics versions --log``."""
    files = ", ".join(f"{f.get('name')} ({str(f.get('sha256', ''))[:12]})" for f in entry.files)
    summary = ""
    if entry.summary:
        summary = f"  {entry.summary.get('errors', 0)} errors, {entry.summary.get('warnings', 0)} warnings"
    return (f"{entry.at}  {entry.action:<8} {entry.version or '-':<20} by {entry.by} ({entry.via})"
            + (f"  files: {files}" if files else "") + summary)
