"""Validation of imported data: every problem at once, each saying where it is and what to fix.

A :class:`Problem` names the file, the row as the user sees it (1-based, counting the header row
and any title rows above it), the column, the value found and what was expected. A
:class:`Report` collects them; errors refuse an import, warnings are reported but kept.

Problems of one kind in one column of one file are capped (first ``MAX_LISTED`` listed, then one
"… and N more" entry), so a million-row bad file still gives a report a person can read.

The rules themselves (``check_tables``) run on frames the importer has already parsed; the
importer reports what it finds while reading (formats, headers, types).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Literal

import polars as pl
import yaml

from veu_metrics import schema
from veu_metrics.geography import CHRISTIANSOE_CODE, areas, municipalities, municipality_codes
from veu_metrics.i18n import section, texts
from veu_metrics.ingest import columns
from veu_metrics.occupations import occupations

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
        for (source,), part in bad.group_by(SOURCE, maintain_order=True):
            key = (str(source), column, kind, severity)
            room = self.cap - len(self._groups.get(key, []))
            shown = part.head(max(room, 0))
            for record in shown.iter_rows(named=True):
                exp = expected
                if expected_columns is not None:
                    exp = (record[expected_columns[0]], record[expected_columns[1]])
                self.add(_make(str(source), kind, exp, severity, record.get(ROW), column,
                               record.get(value_column) if value_column else None))
            extra = part.height - shown.height
            if extra > 0:
                self._overflow[key] = self._overflow.get(key, 0) + extra

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


# ---------------------------------------------------------------------------------------------
# The rules


MIN_PLAUSIBLE_DATE = date(1990, 1, 1)
MAX_PLAUSIBLE_DATE = date(2100, 12, 31)
# Which rule applies to which column is declared per column in ingest/columns.py (ColumnSpec):
# the checks below loop over a table's entries.


@cache
def measure_keys() -> frozenset[str]:
    """Measure keys of the measures catalogue (measures.yaml); empty if there is none yet."""
    source = resources.files("veu_metrics") / "measures.yaml"
    try:
        catalogue = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, yaml.YAMLError):
        return frozenset()
    return frozenset(catalogue) if isinstance(catalogue, dict) else frozenset()


CHECK_ROWS = 1_000
"""Rows checked at a time by the rules that look at one row (codes, numbers, dates)."""


def check_tables(imported: dict[str, pl.DataFrame], merged: dict[str, pl.DataFrame],
                 problems: Problems, *, covers: tuple[date, date] | None = None,
                 occupation_list: pl.DataFrame | None = None) -> None:
    """Run every rule on parsed tables and add what is wrong or suspicious to ``problems``.

    ``imported`` holds the tables read from the files (each with SOURCE and ROW); ``merged``
    the complete tables the new version will hold (imported ones plus those kept from the
    active version), for the rules that link tables. ``covers`` is the dataset's period from a
    supplied metadata.json: dates outside it are errors. ``occupation_list`` is the new version's
    occupation list (``occupations.dataset_occupations``; the reference list when not given):
    courses must use its codes; a balance brings its own titles (reported as new_occupations).
    """
    known = (occupation_list if occupation_list is not None else occupations())["occupation_code"]
    for table, frame in imported.items():
        # The rules of one row at a time, CHECK_ROWS rows at a time: a rule's rows that break
        # it are a copy of the table's columns, so a table whose every row breaks several
        # rules held as many copies (issue 13). Then the rules across rows, on the whole.
        for offset in range(0, max(frame.height, 1), CHECK_ROWS):
            part = frame.slice(offset, CHECK_ROWS)
            _check_codes(table, part, problems, known)
            _check_numbers_and_dates(table, part, problems, covers)
        if any(s.reference == "occupation_source" for s in columns.columns_of(table)):
            _report_new_occupations(frame, problems)
        _check_duplicate_keys(table, frame, problems)
    _check_links(imported, merged, problems)
    _warn_suspicious(imported, merged, problems)


def _check_codes(table: str, frame: pl.DataFrame, problems: Problems,
                 known_occupations: pl.Series | None = None) -> None:
    """Every value that must be in a reference list (the spec's ``reference``) or match the
    spec's ``pattern``."""
    specs = columns.columns_of(table)
    _check_municipality_codes(specs, frame, problems)
    _check_occupation_codes(specs, frame, problems, known_occupations)
    _check_area_codes(specs, frame, problems)
    _check_measure_keys(specs, frame, problems)
    _check_patterns(specs, frame, problems)


Specs = tuple[columns.ColumnSpec, ...]


def _check_municipality_codes(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    codes = municipality_codes()
    for column in (s.column for s in specs if s.reference == "municipality"):
        bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(codes))
        bad = bad.with_columns(
            pl.when(pl.col(column) == CHRISTIANSOE_CODE)
            .then(pl.lit("one of the 98 municipality codes; 411 Christiansø is not a "
                         "municipality (use 400, Bornholm)"))
            .otherwise(pl.lit("one of the 98 municipality codes, e.g. 101 (København)"))
            .alias("__en"),
            pl.when(pl.col(column) == CHRISTIANSOE_CODE)
            .then(pl.lit("en af de 98 kommunekoder; 411 Christiansø er ikke en kommune "
                         "(brug 400, Bornholm)"))
            .otherwise(pl.lit("en af de 98 kommunekoder, fx 101 (København)"))
            .alias("__da"),
        )
        problems.add_rows(bad, "unknown_municipality", column, "",
                          expected_columns=("__en", "__da"))


def _check_occupation_codes(specs: Specs, frame: pl.DataFrame, problems: Problems,
                            known_occupations: pl.Series | None) -> None:
    for spec in specs:
        if spec.reference != "occupation":  # "occupation_source": a balance's own titles
            continue
        known = known_occupations if known_occupations is not None \
            else occupations()["occupation_code"]
        bad = frame.filter(pl.col(spec.column).is_not_null()
                           & ~pl.col(spec.column).is_in(known.implode()))
        problems.add_rows(bad, "unknown_occupation", spec.column, (
            "a job title code of the dataset's occupations: the reference list "
            "(src/veu_metrics/reference/occupations.csv) or a title of the balance, "
            "as text with leading zeros",
            "en stillingskode blandt datasættets stillinger: referencelisten "
            "(src/veu_metrics/reference/occupations.csv) eller en stilling i balancen, "
            "som tekst med foranstillede nuller",
        ))


def _check_area_codes(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    for spec in specs:
        if spec.reference != "area":
            continue
        allowed = {scheme: areas(scheme)["area_code"].to_list() for scheme in ("rar", "council")}
        pairs = [f"{scheme}|{code}" for scheme, codes_ in allowed.items() for code in codes_]
        key = pl.concat_str([pl.col("area_scheme").cast(pl.String), pl.col(spec.column)],
                            separator="|")
        bad = frame.filter(pl.col("area_scheme").is_not_null() & pl.col(spec.column).is_not_null()
                           & ~key.is_in(pairs))
        rar, council = ", ".join(allowed["rar"]), ", ".join(allowed["council"])
        bad = bad.with_columns(
            pl.when(pl.col("area_scheme").cast(pl.String) == "rar")
            .then(pl.lit(f"an area code of scheme rar: {rar}"))
            .otherwise(pl.lit(f"an area code of scheme council: {council}")).alias("__en"),
            pl.when(pl.col("area_scheme").cast(pl.String) == "rar")
            .then(pl.lit(f"en områdekode i inddelingen rar: {rar}"))
            .otherwise(pl.lit(f"en områdekode i inddelingen council: {council}")).alias("__da"),
        )
        problems.add_rows(bad, "unknown_area", spec.column, "", expected_columns=("__en", "__da"))


def _check_measure_keys(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    for spec in specs:
        if spec.reference != "measure" or not measure_keys():
            continue
        keys = sorted(measure_keys())
        bad = frame.filter(pl.col(spec.column).is_not_null() & ~pl.col(spec.column).is_in(keys))
        problems.add_rows(bad, "unknown_measure", spec.column, (
            f"a measure key of the catalogue (measures.yaml): {', '.join(keys)}",
            f"en nøgletalsnøgle fra kataloget (measures.yaml): {', '.join(keys)}",
        ))


def _check_patterns(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    for spec in specs:
        if spec.pattern is None or spec.pattern_text is None:
            continue
        bad = frame.filter(pl.col(spec.column).is_not_null()
                           & ~pl.col(spec.column).str.contains(spec.pattern))
        problems.add_rows(bad, "bad_pattern", spec.column, spec.pattern_text)


def _report_new_occupations(balance: pl.DataFrame, problems: Problems) -> None:
    """One warning per balance file that uses job titles the reference list lacks: how many, and
    how many of them came without a code (and were given one, docs/IMPORT.md)."""
    from veu_metrics.occupations import ASSIGNED_CODE_PREFIX

    reference = occupations()["occupation_code"].implode()
    new = (balance.filter(pl.col("occupation_code").is_not_null()
                          & ~pl.col("occupation_code").is_in(reference))
           .group_by(SOURCE, maintain_order=True)
           .agg(pl.col("occupation_code").n_unique().alias("titles"),
                pl.col("occupation_code").filter(
                    pl.col("occupation_code").str.starts_with(ASSIGNED_CODE_PREFIX))
                .n_unique().alias("assigned"),
                pl.col(ROW).first(), pl.col("occupation_code").first().alias("example")))
    for source, titles, assigned, row, example in new.iter_rows():
        problems.warning(source, "new_occupations", (
            f"{titles} job title(s) not in the reference list were added to the dataset's "
            f"occupations ({assigned} without a code got a code starting with "
            f"{ASSIGNED_CODE_PREFIX}); they have no industry group, themes or education "
            "requirement until the reference list gives them one",
            f"{titles} stilling(er), der ikke er i referencelisten, er tilføjet datasættets "
            f"stillinger ({assigned} uden kode har fået en kode, der starter med "
            f"{ASSIGNED_CODE_PREFIX}); de har ingen erhvervsgruppe, temaer eller uddannelseskrav, "
            "før referencelisten giver dem det",
        ), row=row, column="occupation_code", value=example)


def _check_numbers_and_dates(table: str, frame: pl.DataFrame, problems: Problems,
                             covers: tuple[date, date] | None) -> None:
    """The spec's range rules for numbers and its plausibility and order rules for dates."""
    specs = columns.columns_of(table)
    _check_number_ranges(specs, frame, problems)
    _check_dates(table, specs, frame, problems)
    if covers is not None:
        _check_within_period(specs, frame, problems, covers)


def _check_number_ranges(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    for column in (s.column for s in specs if s.non_negative):
        problems.add_rows(frame.filter(pl.col(column) < 0), "negative", column,
                          ("0 or more", "0 eller derover"))
    for column in (s.column for s in specs if s.share):
        problems.add_rows(frame.filter(pl.col(column) > 1), "share_above_one", column, (
            "a share from 0 to 1 (35 % is written 0.35 or 0,35)",
            "en andel fra 0 til 1 (35 % skrives 0,35)"))
    for spec in specs:
        if spec.warn_negative:
            problems.add_rows(frame.filter(pl.col(spec.column) < 0), "negative_target",
                              spec.column, ("a target of 0 or more", "et mål på 0 eller derover"),
                              severity="warning")
    for spec in specs:
        if not spec.plausible_year:
            continue
        bad = frame.filter(~pl.col(spec.column).is_between(MIN_PLAUSIBLE_DATE.year,
                                                           MAX_PLAUSIBLE_DATE.year))
        problems.add_rows(bad, "implausible_date", spec.column, (
            f"a year between {MIN_PLAUSIBLE_DATE.year} and {MAX_PLAUSIBLE_DATE.year}",
            f"et år mellem {MIN_PLAUSIBLE_DATE.year} og {MAX_PLAUSIBLE_DATE.year}"))


def _check_dates(table: str, specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    date_columns = [c for c, t in schema.TABLES[table].items() if t == pl.Date]
    for column in date_columns:
        bad = frame.filter(~pl.col(column).is_between(MIN_PLAUSIBLE_DATE, MAX_PLAUSIBLE_DATE))
        problems.add_rows(bad, "implausible_date", column, (
            f"a date between {MIN_PLAUSIBLE_DATE.year} and {MAX_PLAUSIBLE_DATE.year} "
            "(a year written with two digits?)",
            f"en dato mellem {MIN_PLAUSIBLE_DATE.year} og {MAX_PLAUSIBLE_DATE.year} "
            "(et år skrevet med to cifre?)"))
    for spec in specs:
        if spec.not_before is None:
            continue
        earlier = spec.not_before
        bad = frame.filter(pl.col(spec.column) < pl.col(earlier)).with_columns(
            pl.format(f"a date on or after {earlier} ({{}})", pl.col(earlier)).alias("__en"),
            pl.format(f"en dato samme dag som eller efter {earlier} ({{}})",
                      pl.col(earlier)).alias("__da"),
        )
        problems.add_rows(bad, "end_before_start", spec.column, "",
                          expected_columns=("__en", "__da"))
    for spec in specs:
        if spec.parse == "month":
            problems.add_rows(frame.filter(pl.col(spec.column).dt.day() != 1), "not_month_start",
                              spec.column, ("the first day of the month, e.g. 2024-03-01",
                                            "den første dag i måneden, fx 2024-03-01"))


def _check_within_period(specs: Specs, frame: pl.DataFrame, problems: Problems,
                         covers: tuple[date, date]) -> None:
    first, last = covers
    for column in (s.column for s in specs if s.period):
        plausible = pl.col(column).is_between(MIN_PLAUSIBLE_DATE, MAX_PLAUSIBLE_DATE)
        bad = frame.filter(plausible & ~pl.col(column).is_between(first, last))
        problems.add_rows(bad, "out_of_range", column, (
            f"a date within the dataset's period {first} – {last} (metadata.json)",
            f"en dato inden for datasættets periode {first} – {last} (metadata.json)"))


def _check_duplicate_keys(table: str, frame: pl.DataFrame, problems: Problems) -> None:
    keys = list(schema.PRIMARY_KEYS[table])
    required = [k for k in keys if k not in schema.NULLABLE[table]]
    # Row positions only (no texts) until the few rows that are listed: in a table whose
    # every row repeats a key, a copy of its rows with texts cost more than the table.
    complete = frame.select(*keys).with_row_index("__i").filter(
        pl.all_horizontal(pl.col(k).is_not_null() for k in required))
    key = pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys)
    repeats = complete.filter(~key.is_first_distinct())["__i"]
    if repeats.len() == 0:
        return
    repeated = pl.DataFrame({SOURCE: frame.get_column(SOURCE)[repeats], "__i": repeats})
    # the texts only for the rows that are listed (MAX_LISTED per file; the rest are counted)
    listed = pl.int_range(pl.len()).over(SOURCE) < problems.cap
    shown = frame.select(SOURCE, ROW, *keys)[repeated.filter(listed)["__i"]]
    firsts = (complete.join(shown.select(keys).unique(), on=keys, how="semi", nulls_equal=True)
              .group_by(keys).agg(pl.col("__i").min().alias("__first")))
    del complete
    shown = shown.join(firsts, on=keys, how="left", nulls_equal=True, maintain_order="left")
    origin = frame.select(pl.col(SOURCE).alias("__first_source"),
                          pl.col(ROW).alias("__first_row"))[shown["__first"]]
    shown = pl.concat([shown, origin], how="horizontal").with_columns(
        pl.concat_str([pl.col(k).cast(pl.String).fill_null("(empty)") for k in keys],
                      separator=" / ").alias("__key"),
        pl.format("a unique {} (the same key is in {}, row {})", pl.lit(" + ".join(keys)),
                  "__first_source", "__first_row").alias("__en"),
        pl.format("en unik {} (samme nøgle står i {}, række {})", pl.lit(" + ".join(keys)),
                  "__first_source", "__first_row").alias("__da"),
    )
    for rows in (shown, repeated.filter(~listed).select(SOURCE)):  # the rest: only counted
        problems.add_rows(rows, "duplicate_key", "+".join(keys), "", value_column="__key",
                          expected_columns=("__en", "__da"))


def _check_links(imported: dict[str, pl.DataFrame], merged: dict[str, pl.DataFrame],
                 problems: Problems) -> None:
    if not ({"courses", "enrolments"} & set(imported)):
        return  # both kept from the active version, which was checked when it was imported
    if "courses" not in merged or "enrolments" not in merged:
        return
    course_ids = merged["courses"]["course_id"].drop_nulls().unique()
    enrolments = merged["enrolments"]
    bad = enrolments.filter(pl.col("course_id").is_not_null()
                            & ~pl.col("course_id").is_in(course_ids.implode()))
    problems.add_rows(bad, "unknown_course", "course_id", (
        "the course_id of a course in the courses table",
        "course_id for et kursus i tabellen courses"))


def _warn_unemployment_months(unemployment: pl.DataFrame, source: str,
                              problems: Problems) -> None:
    """Months missing between the first and the last, and months with fewer municipalities."""
    per_month = (unemployment.filter(pl.col("month").is_not_null())
                 .group_by("month").agg(pl.col("municipality_code").n_unique().alias("n"))
                 .sort("month"))
    if per_month.height == 0:
        return
    months = per_month["month"]
    first, last = months.min(), months.max()
    assert isinstance(first, date) and isinstance(last, date)  # non-null Date column
    every = pl.date_range(first, last, "1mo", eager=True)
    for month in every.filter(~every.is_in(months.implode())).to_list():
        problems.warning(source, "missing_month", (
            "rows for every month from the first to the last",
            "rækker for hver måned fra den første til den sidste",
        ), column="month", value=month.strftime("%Y-%m"))
    most = per_month["n"].max()
    assert isinstance(most, int)  # a count of municipalities
    for month, n in per_month.filter(pl.col("n") < most).iter_rows():
        problems.warning(source, "incomplete_month", (
            f"as many municipalities as the fullest month ({most})",
            f"lige så mange kommuner som den mest komplette måned ({most})",
        ), column="month", value=f"{month:%Y-%m}: {n} municipalities")


def _warn_suspicious(imported: dict[str, pl.DataFrame], merged: dict[str, pl.DataFrame],
                     problems: Problems) -> None:
    if "courses" in imported:
        courses = imported["courses"]
        running = courses.filter(~pl.col("cancelled").fill_null(False)
                                 & pl.col("start_date").is_not_null())
        if running.height:
            months = running.select(pl.col("start_date").dt.truncate("1mo").unique())["start_date"]
            first, last = months.min(), months.max()
            assert isinstance(first, date) and isinstance(last, date)  # start_date is not null
            every = pl.date_range(first, last, "1mo", eager=True)
            empty = every.filter(~every.is_in(months.implode()))
            source = str(courses[SOURCE][0])
            for month in empty.to_list():
                problems.warning(source, "no_activity_month", (
                    "at least one course starting each month (is the extract complete?)",
                    "mindst ét kursus, der starter hver måned (er udtrækket komplet?)",
                ), column="start_date", value=month.strftime("%Y-%m"))
    if "unemployment" in imported:
        unemployment = imported["unemployment"]
        present = unemployment["municipality_code"].drop_nulls().unique()
        absent = municipalities().filter(~pl.col("municipality_code").is_in(present.implode()))
        source = str(unemployment[SOURCE][0]) if unemployment.height else "unemployment"
        if absent.height:
            # One entry, not 98: a partial extract is one fact to check, not 98.
            listed = [f"{c} {n}" for c, n in absent.select("municipality_code",
                                                           "municipality_name").iter_rows()]
            shown = ", ".join(listed[:8]) + (", …" if len(listed) > 8 else "")
            problems.warning(source, "no_unemployment_rows", (
                "rows for all 98 municipalities", "rækker for alle 98 kommuner",
            ), column="municipality_code", value=f"{absent.height} municipalities: {shown}")
        _warn_unemployment_months(unemployment, source, problems)
        bad = unemployment.filter(pl.col("insured_unemployed") > pl.col("full_time_unemployed"))
        bad = bad.with_columns(
            pl.format("at most full_time_unemployed ({})", "full_time_unemployed").alias("__en"),
            pl.format("højst full_time_unemployed ({})", "full_time_unemployed").alias("__da"),
        )
        problems.add_rows(bad, "insured_above_total", "insured_unemployed", "",
                          severity="warning", expected_columns=("__en", "__da"))
    if ({"courses", "enrolments"} & set(imported)) and {"courses", "enrolments"} <= set(merged):
        counts = merged["enrolments"].group_by("course_id").agg(pl.len().alias("__enrolled"))
        courses = merged["courses"].join(counts, on="course_id", how="inner",
                                         maintain_order="left")
        over = courses.filter(~pl.col("cancelled").fill_null(False)
                              & (pl.col("__enrolled") > pl.col("seats"))).with_columns(
            pl.format("{} enrolments", "__enrolled").alias("__value"),
            pl.format("at most seats ({}) enrolments", "seats").alias("__en"),
            pl.format("højst seats ({}) deltagelser", "seats").alias("__da"),
        )
        problems.add_rows(over, "over_capacity", "seats", "", severity="warning",
                          value_column="__value", expected_columns=("__en", "__da"))
        cancelled = courses.filter(pl.col("cancelled").fill_null(False)).with_columns(
            pl.format("{} enrolments", "__enrolled").alias("__value"))
        problems.add_rows(cancelled, "cancelled_with_enrolments", "cancelled", (
            "no enrolments on a cancelled course, or cancelled = nej",
            "ingen deltagelser på et aflyst kursus, eller cancelled = nej"),
            severity="warning", value_column="__value")
