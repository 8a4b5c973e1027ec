"""The import columns: one declarative entry per column of the data model (``COLUMNS``).

Each ``ColumnSpec`` says everything the import does with one column: the header names a file may
use for it besides its own (``aliases``), how a cell is parsed (``parse``; otherwise by the
column's type), what a cell must hold (``expected_text``, from messages.yaml, for messages),
and which rules check it (a reference list, a pattern, 0 or more, a share 0–1, …). The readers and
the typed parsing (``ingest.readers``, ``ingest.values``), the rules (``ingest.rules``), the open-time integrity
checks, the data dictionary on the Data page (``tables.compute_data_dictionary``) and the column
tables of ``docs/IMPORT.md`` (``render_import_columns_markdown``; regenerate with
``python -m veu_metrics.ingest.columns``) all read this table; none keeps a list of its own.

The column's type, whether it may be empty and whether it is part of the row's key are the data
model's (``schema.TABLES``, ``schema.NULLABLE``, ``schema.PRIMARY_KEYS``), read here through
properties rather than repeated: the model describes every dataset (also generated and
hand-made ones), and the import follows it, not the other way round. ``tests/test_columns_spec.py``
keeps the two in step (one entry per model column, in the model's order).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl

from veu_metrics import schema
from veu_metrics.ingest.expected import expect
from veu_metrics.occupations import THEMES

Parse = Literal["value", "month", "themes", "balance_status", "half_year", "area"]
"""How a cell is read. "value": by the column's type (numbers, dates, booleans, allowed lists,
text); "month": a date or a month (``2024-03``, ``2024M03``, ``Mar 2024``), stored as its first
day; "themes": a ``|``-separated list of themes; "balance_status": the balance's categories,
also as STAR writes them; "half_year": ``2024H2`` and STAR's ``2. halvår 2024``; "area": an area
code or an area's name (Danish or English), stored as the code."""

Reference = Literal["municipality", "occupation", "occupation_source", "area", "measure"]
"""The reference list a value must be in. "municipality": the 98 municipality codes;
"occupation": a code of the dataset's occupation list; "occupation_source": the column brings
occupations to that list (the balance: titles outside the reference list are added, with a
warning); "area": an area code of the row's ``area_scheme``; "measure": a key of the measures
catalogue (``measures.yaml``)."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the data model as the import reads and checks it."""

    table: str
    column: str
    aliases: tuple[str, ...] = ()
    """Header names accepted besides ``column``, normalised (``text.name_key``: lower
    case, æ→ae, ø→oe, å→aa, any other run of non-alphanumerics → ``_``)."""
    title_aliases: tuple[str, ...] = ()
    """Header names of a column holding job titles where codes belong (read as this column, the
    titles turned into codes; beside a code column, the titles name the codes)."""
    parse: Parse = "value"
    reference: Reference | None = None
    pattern: str | None = None
    """A regular expression the parsed text must match (``bad_pattern``), with ``pattern_text``
    saying what is expected: a key ``expected.<pattern_text>`` of messages.yaml."""
    pattern_text: str | None = None
    non_negative: bool = False
    """A negative number is an error (``negative``)."""
    warn_negative: bool = False
    """A negative number is a warning (``negative_target``)."""
    share: bool = False
    """A share from 0 to 1: above 1 is an error (``share_above_one``: 35 % written as 35)."""
    plausible_year: bool = False
    """A year between the validator's plausible first and last date's years (``implausible_date``);
    every Date column gets the same check on its dates."""
    not_before: str | None = None
    """Another date column of the table this one may not be before (``end_before_start``)."""
    period: bool = False
    """The column places a row in time: checked against a supplied metadata.json's period
    (``out_of_range``) and against dates too far in the future (``future_date``)."""
    expected: str | None = None
    """What a cell must hold, a key ``expected.<expected>`` of messages.yaml, when the text derived
    from type and parsing (``expected_text``) is not right for the column."""
    doc_note: str = ""
    """A note for docs/IMPORT.md's column table (English, Markdown)."""

    @property
    def dtype(self) -> pl.DataType:
        """The column's type in the data model."""
        return schema.TABLES[self.table][self.column]

    @property
    def nullable(self) -> bool:
        """True when the column may be empty (``schema.NULLABLE``)."""
        return self.column in schema.NULLABLE[self.table]

    @property
    def key(self) -> bool:
        """True when the column is part of the row's key (``schema.PRIMARY_KEYS``)."""
        return self.column in schema.PRIMARY_KEYS[self.table]

    @property
    def description_key(self) -> str:
        """The texts.yaml key of the column's meaning (the data dictionary's description)."""
        return f"dict.{self.table}.{self.column}"

    @property
    def all_aliases(self) -> tuple[str, ...]:
        """Every header name accepted besides ``column``: the aliases, then the title aliases."""
        return self.aliases + self.title_aliases

    def expected_text(self) -> tuple[str, str]:
        """What a cell of the column must hold, (English, Danish), for messages."""
        if self.expected is not None:
            return expect(self.expected)
        dtype = self.dtype
        if self.reference == "municipality":
            return expect("municipality_code")
        if self.parse == "themes":
            return expect("themes", themes=", ".join(THEMES))
        if isinstance(dtype, pl.Enum):
            return expect("one_of", values=", ".join(dtype.categories))
        if self.parse == "month":
            return expect("month")
        if dtype == pl.Date:
            return expect("date")
        if dtype == pl.Boolean:
            return expect("boolean")
        if dtype in (pl.Int16, pl.Int32, pl.Int64):
            return expect("integer")
        if dtype == pl.Float64:
            return expect("number")
        return expect("text")

    def rules(self) -> list[str]:
        """The checks on the column, in words (English), for docs/IMPORT.md."""
        empty = ("may be empty" if self.nullable
                 else "may be empty (no themes)" if self.parse == "themes" else "required")
        words = ["key" if self.key else "", empty]
        words.append({
            None: "",
            "municipality": "one of the 98 municipality codes (`unknown_municipality`)",
            "occupation": "a code of the dataset's occupation list (`unknown_occupation`)",
            "occupation_source": "codes or titles outside the reference list are added to the "
                                 "dataset's occupations (`new_occupations`)",
            "area": "an area code of the row's `area_scheme` (`unknown_area`)",
            "measure": "a measure key of `measures.yaml` (`unknown_measure`)",
        }[self.reference])
        if self.pattern_text:
            words.append(f"{expect(self.pattern_text)[0]} (`bad_pattern`)")
        if self.non_negative:
            words.append("0 or more (`negative`)")
        if self.warn_negative:
            words.append("below 0 warned (`negative_target`)")
        if self.share:
            words.append("at most 1 (`share_above_one`)")
        if self.plausible_year or self.dtype == pl.Date:
            words.append("1990–2100 (`implausible_date`)")
        if self.parse == "month":
            words.append("the first day of a month (`not_month_start`)")
        if self.not_before:
            words.append(f"not before `{self.not_before}` (`end_before_start`)")
        if self.period:
            words.append("within metadata.json's period (`out_of_range`), at most 366 days "
                         "ahead (`future_date`)")
        return [w for w in words if w]


_MUNICIPALITY = ("kommunekode", "kommune_kode", "kommunenr")
_COURSE_ID = ("kursus_id", "kursusid", "kursusnr", "hold_id", "holdid", "holdnummer")
_AREA_SCHEME = ("omraadetype", "inddeling")
_AREA_CODE = ("omraade", "omraadekode")


C = ColumnSpec

COLUMNS: tuple[ColumnSpec, ...] = (
    # --- courses ---------------------------------------------------------------------------
    C("courses", "course_id", _COURSE_ID),
    C("courses", "title", ("titel", "kursustitel", "kursusnavn")),
    C("courses", "education_type", ("uddannelsestype", "udd_type")),
    C("courses", "amu_number", ("amu_nummer", "amu_nr", "amunr", "amu"),
      pattern=schema.AMU_NUMBER_PATTERN.pattern,
      pattern_text="amu_number"),
    C("courses", "provider", ("udbyder", "uddannelsesinstitution", "skole")),
    C("courses", "provider_municipality_code",
      (*_MUNICIPALITY, "udbyder_kommunekode", "kursuskommune", "afholdelseskommune"),
      reference="municipality"),
    C("courses", "start_date", ("startdato", "start"), period=True),
    C("courses", "end_date", ("slutdato", "slut"), not_before="start_date"),
    C("courses", "course_days", ("kursusdage", "antal_dage"), non_negative=True),
    C("courses", "occupation_code", ("stillingskode", "jobkode"), reference="occupation"),
    C("courses", "industry_group", ("erhvervsgruppe",)),
    C("courses", "funding", ("finansiering", "ordning")),
    C("courses", "job_veu", ("jobveu",), doc_note="and `Job-VEU`, which normalises to `job_veu`"),
    C("courses", "focus_area", ("indsatsomraade",)),
    C("courses", "themes", ("temaer", "tema"), parse="themes"),
    C("courses", "seats", ("pladser", "antal_pladser"), non_negative=True),
    C("courses", "cancelled", ("aflyst",)),
    # --- enrolments ------------------------------------------------------------------------
    C("enrolments", "enrolment_id",
      ("enrollment_id", "deltagelse_id", "deltagelses_id", "tilmelding_id")),
    C("enrolments", "course_id", _COURSE_ID),
    C("enrolments", "person_id", ("personid", "person_nr", "pseudonym")),
    C("enrolments", "municipality_code", (*_MUNICIPALITY, "bopaelskommune", "bopaelskommunekode"),
      reference="municipality"),
    C("enrolments", "labour_status", ("arbejdsmarkedsstatus", "ledighedsstatus")),
    C("enrolments", "gender", ("koen",)),
    C("enrolments", "age_band", ("aldersgruppe", "alder")),
    C("enrolments", "education_level", ("uddannelsesniveau",)),
    C("enrolments", "completed", ("gennemfoert",)),
    C("enrolments", "employed_3m", ("beskaeftiget_3m", "beskaeftiget_3_mdr")),
    C("enrolments", "employed_6m", ("beskaeftiget_6m", "beskaeftiget_6_mdr")),
    # --- balance ---------------------------------------------------------------------------
    C("balance", "half_year", ("halvaar", "periode"), parse="half_year",
      pattern=schema.HALF_YEAR_PATTERN.pattern,
      pattern_text="half_year",
      doc_note="`2024H1`, `2024-H1`, `2024 H1` and `1. halvår 2024` are stored as `2024H1`"),
    C("balance", "area_scheme", _AREA_SCHEME,
      doc_note="when the file has no such column it is filled from the area (`column_filled`)"),
    C("balance", "area_code", _AREA_CODE, parse="area", reference="area",
      doc_note="area names (`RAR Østjylland`, `Østjylland`) become their codes"),
    C("balance", "occupation_code", ("stillingskode", "jobkode"),
      title_aliases=("stillingsbetegnelse", "job_title"), reference="occupation_source",
      doc_note="a title becomes a code: the reference list's code, else an assigned `T-` code, "
               "see [Job titles](#job-titles-the-occupation-list-comes-from-the-data); beside a "
               "code column the title column names the codes the reference list lacks, and is "
               "read where a row has no code"),
    C("balance", "status", ("vurdering", "kategori", "beskaeftigelsesmuligheder"),
      parse="balance_status",
      doc_note="STAR's labels `Mangel på arbejdskraft`, `Omfattende mangel på arbejdskraft` "
               "(→ Mangel), `Paradoksproblemer` (→ Paradoks), `Gode jobmuligheder`, "
               "`Mindre gode jobmuligheder`"),
    # --- unemployment ----------------------------------------------------------------------
    C("unemployment", "month", ("maaned",), parse="month", period=True),
    C("unemployment", "municipality_code", _MUNICIPALITY, reference="municipality"),
    C("unemployment", "full_time_unemployed", ("fuldtidsledige",), non_negative=True),
    C("unemployment", "insured_unemployed", ("forsikrede_ledige", "forsikrede"),
      non_negative=True),
    # --- targets ---------------------------------------------------------------------------
    C("targets", "year", ("aar",), plausible_year=True),
    C("targets", "area_scheme", _AREA_SCHEME),
    C("targets", "area_code", _AREA_CODE, parse="area", reference="area",
      doc_note="area names (`RAR Østjylland`, `Østjylland`) become their codes"),
    C("targets", "measure", ("noegletal", "indikator"), reference="measure"),
    C("targets", "focus_area", ("indsatsomraade",)),
    C("targets", "target", ("maal", "maalvaerdi", "maaltal"), warn_negative=True),
    # --- conditions ------------------------------------------------------------------------
    C("conditions", "year", ("aar",), plausible_year=True),
    C("conditions", "municipality_code", _MUNICIPALITY, reference="municipality"),
    C("conditions", "population", ("folketal", "befolkning"), non_negative=True),
    C("conditions", "unskilled_share", ("andel_ufaglaerte",), non_negative=True, share=True),
    C("conditions", "senior_share", ("andel_50_aar",), non_negative=True, share=True),
    C("conditions", "long_term_share", ("andel_langtidsledige",), non_negative=True, share=True),
    C("conditions", "shortage_employment_share", ("andel_beskaeftigede_mangel",),
      non_negative=True, share=True),
    C("conditions", "amu_distance_km", ("afstand_amu_km",), non_negative=True),
)
"""Every column of every table, in the data model's order."""


@cache
def _index() -> dict[tuple[str, str], ColumnSpec]:
    return {(s.table, s.column): s for s in COLUMNS}


def column_spec(table: str, column: str) -> ColumnSpec:
    """The entry of one column; KeyError for a column the model does not have."""
    return _index()[(table, column)]


def columns_of(table: str) -> tuple[ColumnSpec, ...]:
    """A table's entries, in the model's order."""
    return tuple(s for s in COLUMNS if s.table == table)


def aliases_by_table() -> dict[str, dict[str, tuple[str, ...]]]:
    """table → column → every header name accepted besides the column's own."""
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    for s in COLUMNS:
        if s.all_aliases:
            result.setdefault(s.table, {})[s.column] = s.all_aliases
    return result


def columns_where(rule: Callable[[ColumnSpec], bool]) -> dict[str, tuple[str, ...]]:
    """table → the columns a rule applies to (tables without such a column left out)."""
    result: dict[str, tuple[str, ...]] = {}
    for s in COLUMNS:
        if rule(s):
            result[s.table] = (*result.get(s.table, ()), s.column)
    return result


def tables_where(rule: Callable[[ColumnSpec], bool]) -> tuple[str, ...]:
    """The tables with at least one column a rule applies to, in the model's order."""
    return tuple(columns_where(rule))


# ------------------------------------------------------------------------------- docs/IMPORT.md
IMPORT_MD = Path(__file__).resolve().parents[3] / "docs" / "IMPORT.md"
BEGIN = "<!-- BEGIN columns: generated from src/veu_metrics/ingest/columns.py -->"
END = "<!-- END columns -->"


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_import_columns_markdown() -> str:
    """The column tables of docs/IMPORT.md (between BEGIN and END), one section per table."""
    lines = [BEGIN,
             "<!-- Do not edit by hand: run `python -m veu_metrics.ingest.columns`. -->"]
    for table in schema.TABLES:
        lines += ["", f"### {table}", "",
                  "| column | also accepted | a value is | checks |", "|---|---|---|---|"]
        for s in columns_of(table):
            accepted = ", ".join(f"`{a}`" for a in s.all_aliases) or "–"
            if s.doc_note:
                accepted += f" ({s.doc_note})"
            lines.append(f"| `{s.column}` | {_escape_cell(accepted)} | "
                         f"{_escape_cell(s.expected_text()[0])} | "
                         f"{_escape_cell('; '.join(s.rules()))} |")
    lines += ["", END]
    return "\n".join(lines)


def with_generated_columns(text: str) -> str:
    """docs/IMPORT.md's text with its generated block replaced by the current one."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), flags=re.S)
    if not pattern.search(text):
        raise ValueError("docs/IMPORT.md has no generated column block (BEGIN … END markers)")
    return pattern.sub(lambda _: render_import_columns_markdown(), text, count=1)


def main() -> int:
    IMPORT_MD.write_text(with_generated_columns(IMPORT_MD.read_text(encoding="utf-8")),
                         encoding="utf-8")
    print(f"wrote {IMPORT_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
