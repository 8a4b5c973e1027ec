"""The import report: every problem at once, each saying where it is and what to fix.

A :class:`Problem` names the file, the row as the user sees it (1-based, counting the header row
and any title rows above it), the column, the value found and what was expected. A
:class:`Report` collects them; errors refuse an import, warnings are reported but kept.

Problems of one kind in one column of one file are capped (first ``MAX_LISTED`` listed, then one
"… and N more" entry), so a million-row bad file still gives a report a person can read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from veu_metrics.i18n import section, texts

Severity = Literal["error", "warning"]
MAX_LISTED = 20
"""How many problems of one kind per file and column are listed before "… and N more"."""

ROW = "__row"
SOURCE = "__source"
"""Bookkeeping columns the importer adds: the row number in the file and the file's name."""

MESSAGES: dict[str, dict[str, str]] = {
    key.removeprefix("problem."): entry for key, entry in texts().items()
    if key.startswith("problem.")
}
"""kind → its headline in Danish and English: the ``problem.*`` entries of ``messages.yaml``."""

_FORMAT_NAMES = {"csv": "CSV", "excel": "Excel", "parquet": "Parquet", "json": "JSON"}
"""How the import report names a file's format (the same in both languages)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or suspicious (warning) in the imported data."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: Severity
    kind: str
    expected_da: str | None = None
    more: int = 0
    """For a summary entry: how many further problems like the ones listed were not listed."""

    def message(self, lang: str = "en") -> str:
        entry = MESSAGES.get(self.kind)
        return self.kind if entry is None else entry["da" if lang == "da" else "en"]

    def expected_text(self, lang: str = "en") -> str:
        return self.expected_da if lang == "da" and self.expected_da else self.expected

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "severity": self.severity, "kind": self.kind, "file": self.file, "row": self.row,
            "column": self.column, "value": self.value, "expected": self.expected_text(lang),
            "message": self.message(lang), "more": self.more,
        }


@dataclass(frozen=True)
class FileSummary:
    """What the importer made of one file (or one sheet of a workbook)."""

    file: str
    table: str | None
    format: str
    rows: int = 0
    encoding: str | None = None
    separator: str | None = None
    header_row: int | None = None


@dataclass
class Report:
    """All problems of one validation or import, errors first."""

    problems: list[Problem] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings are allowed)."""
        return not self.errors

    def count(self, severity: Severity) -> int:
        """Number of problems of a severity, including those summarised as "… and N more"."""
        return sum(1 if p.more == 0 else p.more for p in self.problems if p.severity == severity)

    def to_frame(self, lang: str = "en") -> pl.DataFrame:
        rows = [p.to_dict(lang) for p in self.problems]
        return pl.DataFrame(rows, schema={
            "severity": pl.String, "kind": pl.String, "file": pl.String, "row": pl.Int64,
            "column": pl.String, "value": pl.String, "expected": pl.String,
            "message": pl.String, "more": pl.Int64,
        }, orient="row") if rows else pl.DataFrame(schema={
            "severity": pl.String, "kind": pl.String, "file": pl.String, "row": pl.Int64,
            "column": pl.String, "value": pl.String, "expected": pl.String,
            "message": pl.String, "more": pl.Int64,
        })

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": self.count("error"),
            "warnings": self.count("warning"),
            "files": [asdict(f) for f in self.files],
            "problems": [p.to_dict(lang) for p in self.problems],
        }

    def to_json(self, lang: str = "en") -> str:
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=2)

    def to_text(self, lang: str = "en") -> str:
        t = section("report", "da" if lang == "da" else "en")
        errors, warnings = self.count("error"), self.count("warning")
        lines = [f"{t['title']}: {errors} {t['error'] if errors == 1 else t['errors']}, "
                 f"{warnings} {t['warning'] if warnings == 1 else t['warnings']}"]
        if self.files:
            lines.append(f"{t['files']}:")
            for f in self.files:
                details = [_FORMAT_NAMES.get(f.format, f.format)]
                if f.encoding:
                    details.append(f.encoding)
                if f.separator:
                    details.append(f"'{f.separator}'" if f.separator != "\t" else "tab")
                if f.header_row and f.header_row > 1:
                    details.append(f"{t['header_row']} {f.header_row}")
                if f.table:
                    details.append(f"{f.rows} {t['rows']}")
                target = f" → {f.table}" if f.table else ""
                lines.append(f"  {f.file}{target} ({', '.join(details)})")
        for severity in ("error", "warning"):
            for p in self.problems:
                if p.severity == severity:
                    lines.append(_problem_line(p, lang, t))
        lines.append(t["ok"] if self.ok else t["refused"])
        return "\n".join(lines) + "\n"


def _problem_line(p: Problem, lang: str, t: dict[str, Any]) -> str:
    where = [p.file]
    if p.row is not None:
        where.append(f"{t['row']} {p.row}")
    if p.column:
        where.append(f"{t['column']} {p.column}")
    label = t[p.severity].upper()
    if p.more:
        return f"  {label} {', '.join(where)}: {t['more'].format(n=p.more)} ({p.message(lang)})"
    text = f"  {label} {', '.join(where)}: {p.message(lang)}"
    if p.value is not None:
        text += f" — {t['found']} {p.value!r}"
    if p.expected:
        text += f"; {t['expected']}: {p.expected_text(lang)}"
    return text


class Problems:
    """Collects problems, listing at most ``cap`` per (file, column, kind) and counting the rest."""

    def __init__(self, cap: int = MAX_LISTED):
        self.cap = cap
        self._groups: dict[tuple[str, str | None, str, str], list[Problem]] = {}
        self._overflow: dict[tuple[str, str | None, str, str], int] = {}

    def add(self, problem: Problem) -> None:
        key = (problem.file, problem.column, problem.kind, problem.severity)
        listed = self._groups.setdefault(key, [])
        if len(listed) < self.cap:
            listed.append(problem)
        else:
            self._overflow[key] = self._overflow.get(key, 0) + 1

    def error(self, file: str, kind: str, expected: tuple[str, str] | str = "", *,
              row: int | None = None, column: str | None = None, value: object = None) -> None:
        self.add(_make(file, kind, expected, "error", row, column, value))

    def warning(self, file: str, kind: str, expected: tuple[str, str] | str = "", *,
                row: int | None = None, column: str | None = None, value: object = None) -> None:
        self.add(_make(file, kind, expected, "warning", row, column, value))

    def add_rows(self, bad: pl.DataFrame, kind: str, column: str | None,
                 expected: tuple[str, str] | str, severity: Severity = "error",
                 value_column: str | None = None,
                 expected_columns: tuple[str, str] | None = None) -> None:
        """Add one problem per row of ``bad`` (which carries SOURCE and ROW), capped per file.

        Only the first rows of each file are turned into Python objects: a million bad rows cost
        one filter, not a million problems. ``expected_columns`` name columns of ``bad`` holding
        a per-row expected text (English, Danish).
        """
        if bad.height == 0:
            return
        value_column = value_column or column
        # Run by run of one file (no group_by: it would copy every bad row once more).
        for source, start, length in source_runs(bad):
            key = (source, column, kind, severity)
            room = max(self.cap - len(self._groups.get(key, [])), 0)
            shown = bad.slice(start, min(room, length))
            for record in shown.iter_rows(named=True):
                exp = expected
                if expected_columns is not None:
                    exp = (record[expected_columns[0]], record[expected_columns[1]])
                self.add(_make(source, kind, exp, severity, record.get(ROW), column,
                               record.get(value_column) if value_column else None))
            self.add_more(source, kind, column, length - shown.height, severity)

    def listed_positions(self, frame: pl.DataFrame, positions: pl.Series, kind: str,
                         column: str | None, severity: Severity = "error") -> list[int]:
        """Of the bad rows at ``positions`` (ascending) in ``frame``, the ones to list: the first of
        each file while its cap has room; the rest are counted ("… and N more"). For a check
        that finds its bad rows as positions, so that only the listed rows are ever copied; it
        then adds those rows with ``add_rows``."""
        listed: list[int] = []
        picked: dict[str, int] = {}
        for source, start, length in source_runs(frame):
            first = positions.search_sorted(start)
            count = positions.search_sorted(start + length) - first
            listed_already = len(self._groups.get((source, column, kind, severity), []))
            take = min(max(self.cap - listed_already - picked.get(source, 0), 0), count)
            listed.extend(positions.slice(first, take).to_list())
            picked[source] = picked.get(source, 0) + take
            self.add_more(source, kind, column, count - take, severity)
        return listed

    def add_more(self, file: str, kind: str, column: str | None, n: int,
                 severity: Severity = "error") -> None:
        """Count ``n`` more problems of a kind without listing them ("… and N more")."""
        if n > 0:
            key = (file, column, kind, severity)
            self._overflow[key] = self._overflow.get(key, 0) + n

    def merge(self, other: Problems) -> None:
        """Add another collection's problems after these (its listed ones, then its counts)."""
        for key, listed in other._groups.items():
            for problem in listed:
                self.add(problem)
            more = other._overflow.get(key, 0)
            if more:
                self._overflow[key] = self._overflow.get(key, 0) + more

    def has_errors(self) -> bool:
        return any(key[3] == "error" for key in self._groups)

    def report(self, files: Iterable[FileSummary] = ()) -> Report:
        problems: list[Problem] = []
        for severity in ("error", "warning"):
            for key, listed in self._groups.items():
                if key[3] != severity:
                    continue
                problems.extend(listed)
                more = self._overflow.get(key, 0)
                if more:
                    last = listed[-1]
                    problems.append(Problem(file=last.file, row=None, column=last.column,
                                            value=None, expected=last.expected,
                                            expected_da=last.expected_da, severity=last.severity,
                                            kind=last.kind, more=more))
        return Report(problems=problems, files=list(files))


def source_runs(frame: pl.DataFrame) -> list[tuple[str, int, int]]:
    """(file, first row position, rows) of each run of rows from one file: a table's rows come
    file by file, so this is one entry per file, found without hashing every row."""
    sources = frame.get_column(SOURCE)
    if sources.len() and sources.null_count() == 0 and (sources == sources[0]).all():
        return [(str(sources[0]), 0, sources.len())]  # one file: a mask, not rle's shifted copy
    runs: list[tuple[str, int, int]] = []
    start = 0
    for length, source in sources.rle().struct.unnest().iter_rows():
        runs.append((str(source), start, length))
        start += length
    return runs


def _make(file: str, kind: str, expected: tuple[str, str] | str, severity: Severity,
          row: int | None, column: str | None, value: object) -> Problem:
    if isinstance(expected, tuple):
        en, da = expected
    else:
        en, da = expected, None
    return Problem(file=file, row=row, column=column, value=_show(value), expected=en,
                   expected_da=da, severity=severity, kind=kind)


def _show(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)
