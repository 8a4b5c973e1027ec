"""Typed parsing of cells: text as Danish offices write it → the data model's types.

Decimal commas, the thousands-separator rule (``12.000``: docs/IMPORT.md, "Numbers"), dates as
``2024-03-01``, ``01-03-2024``, ``01.03.2024`` or Excel serials, yes/no words, enumerations,
themes, half-years, area names, STAR's balance labels and job titles written where codes
belong. ``parse_values`` types one chunk of a table's text columns (as ``ingest.columns``
declares them) and reports every cell it cannot read with its row, value and what was expected;
such a cell becomes null so that the rules (:mod:`veu_metrics.ingest.rules`) still run on the rest.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

import polars as pl

from veu_metrics import schema
from veu_metrics.geography import areas, municipalities
from veu_metrics.i18n import t
from veu_metrics.ingest.columns import column_spec
from veu_metrics.ingest.expected import EXPECTED_COLUMNS, expect, expect_rows
from veu_metrics.ingest.report import ROW, SOURCE, Problems
from veu_metrics.occupations import (
    ASSIGNED_CODE_PREFIX,
    THEME_ENUM,
    THEMES,
    assigned_code,
    occupations,
    title_key,
)
from veu_metrics.text import (
    name_key,  # headers fold like every other name
    name_key_expr,
)

OCCUPATION_TITLE = "__occupation_title"
"""Bookkeeping column of a parsed balance: the job title a row gave (from a title column, or a
title written where the code belongs). ``parse_upload`` turns it into ``ParsedUpload.occupations``."""

TRUE_WORDS = ("ja", "j", "yes", "y", "true", "sand", "1")
FALSE_WORDS = ("nej", "n", "no", "false", "falsk", "0")
EXCEL_EPOCH = date(1899, 12, 30)


# ---------------------------------------------------------------------------------------------
# Values


def _clean(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String).str.strip_chars(" \t\r\n\u00a0\ufeff")
    return pl.when(text == "").then(None).otherwise(text)


_INT_RANGES: dict[type[pl.DataType], tuple[int, int]] = {pl.Int16: (-(2**15), 2**15 - 1), pl.Int32: (-(2**31), 2**31 - 1),
               pl.Int64: (-(2**63), 2**63 - 1)}


THOUSANDS_SHAPED = r"^[+-]?\d{1,3}(?:\.\d{3})+$"
"""A value like ``12.000`` or ``1.500``: a Danish thousands separator, or a decimal point with
three decimals. On its own it cannot be told; the number rule (docs/IMPORT.md) decides per column."""
ONLY_THOUSANDS = r"^[+-]?\d{1,3}(?:\.\d{3}){2,}(?:,\d*)?$"
"""``1.234.567``: two dots can only be thousands separators."""

NumberMode = Literal["default", "thousands", "refuse"]
"""How dots in a number column are read: "default" (a comma is the decimal separator, and dots
beside it thousands separators; else a dot is the decimal point), "thousands" (dots are thousands
separators everywhere) or "refuse" (thousands-shaped values are refused as ambiguous)."""


def _parse_int(raw: pl.Expr, dtype: pl.DataType, mode: NumberMode = "default") -> pl.Expr:
    text = raw.str.replace_all(r"[\s\u00a0]", "")
    if mode == "thousands":
        text = pl.when(text.str.contains(THOUSANDS_SHAPED)).then(text.str.replace_all(r"\.", "")) \
            .otherwise(text)
    ok = text.str.contains(r"^[+-]?\d+(?:[.,]0+)?$")
    value = pl.when(ok).then(text.str.replace(r"[.,]0+$", "").cast(pl.Int64, strict=False))
    low, high = _INT_RANGES[type(dtype)]
    return pl.when(value.is_between(low, high)).then(value).cast(dtype)


def _parse_float(raw: pl.Expr, mode: NumberMode = "default") -> pl.Expr:
    text = raw.str.replace_all(r"[\s\u00a0]", "").str.replace("\u2212", "-")
    if mode == "refuse":  # 12.000 with nothing in the file to tell what the dot means
        text = pl.when(text.str.contains(THOUSANDS_SHAPED)).then(None).otherwise(text)
    thousands = text.str.contains(",") | text.str.contains(ONLY_THOUSANDS)
    if mode == "thousands":
        thousands = thousands | text.str.contains(THOUSANDS_SHAPED)
    # A comma is the decimal separator (Danish); dots beside it are thousands separators.
    text = pl.when(thousands).then(
        text.str.replace_all(r"\.", "").str.replace(",", ".")
    ).otherwise(text)
    ok = text.str.contains(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
    return pl.when(ok).then(text.cast(pl.Float64, strict=False))


MONTH_NAMES: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}
"""Month names as Jobindsats and Danish/English exports write them (first three letters)."""


def month_code_to_date(raw: pl.Expr) -> pl.Expr:
    """``2024M01`` (Statistics Denmark), ``Jan 2024``, ``Maj 2024``, ``januar 2024`` → the
    month's first day; anything else → null."""
    text = raw.str.strip_chars().str.to_lowercase()
    code = text.str.extract_groups(r"^(\d{4})m(\d{2})$")
    named = text.str.extract_groups(r"^([a-zæøå]{3})[a-zæøå]*\.?\s+(\d{4})$")
    from_code = pl.date(code.struct.field("1").cast(pl.Int32, strict=False),
                        code.struct.field("2").cast(pl.Int8, strict=False).clip(1, 12), 1)
    month = named.struct.field("1").replace_strict(MONTH_NAMES, default=None,
                                                   return_dtype=pl.Int8)
    from_name = pl.date(named.struct.field("2").cast(pl.Int32, strict=False), month, 1)
    valid_code = code.struct.field("2").cast(pl.Int8, strict=False).is_between(1, 12)
    return pl.coalesce(pl.when(valid_code).then(from_code), from_name)


def _parse_date(raw: pl.Expr, month_only: bool, from_excel: bool) -> pl.Expr:
    iso = raw.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$", 1)
    dmy = raw.str.extract(r"^(\d{1,2}[-./]\d{1,2}[-./]\d{4})$", 1).str.replace_all(r"[./]", "-")
    candidates = [iso.str.to_date("%Y-%m-%d", strict=False),
                  dmy.str.to_date("%d-%m-%Y", strict=False)]
    if month_only:  # 2024-03, 03-2024, 2024M03 (Statistics Denmark), Jan 2024 / Maj 2024
        ym = raw.str.extract(r"^(\d{4}-\d{1,2})$", 1)
        my = raw.str.extract(r"^(\d{1,2}[-./]\d{4})$", 1).str.replace_all(r"[./]", "-")
        candidates += [(ym + "-01").str.to_date("%Y-%m-%d", strict=False),
                       ("01-" + my).str.to_date("%d-%m-%Y", strict=False),
                       month_code_to_date(raw)]
    if from_excel:  # a date cell without date formatting arrives as its serial number
        serial = raw.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
        candidates.append(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
    return pl.coalesce(candidates).cast(pl.Date)


def _parse_bool(raw: pl.Expr) -> pl.Expr:
    words = {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS}
    words |= {"1.0": True, "0.0": False}
    return raw.str.to_lowercase().replace_strict(words, default=None, return_dtype=pl.Boolean)


def _parse_enum(raw: pl.Expr, dtype: pl.Enum) -> pl.Expr:
    categories = list(dtype.categories)
    mapping = {re.sub(r"\s+", " ", c.lower()): c for c in categories}
    key = raw.str.to_lowercase().str.replace_all(r"\s+", " ")
    return key.replace_strict(mapping, default=None, return_dtype=dtype)


def _theme_parts(raw: pl.Expr) -> pl.Expr:
    return (raw.str.to_lowercase().str.replace_all(r"[;,]", "|").str.split("|")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != "")))



def _area_aliases() -> dict[str, str]:
    """Normalised area codes and names (Danish and English) → the area code."""
    aliases: dict[str, str] = {}
    for scheme in ("rar", "council"):
        frame = areas(scheme)
        for code, name_da, name_en in frame.iter_rows():
            for label in (code, name_da, name_en):
                aliases.setdefault(name_key(label), code)
    return aliases


def _area_schemes() -> dict[str, str]:
    """Normalised area codes and names → the scheme they belong to."""
    schemes: dict[str, str] = {}
    for scheme in ("rar", "council"):
        for code, name_da, name_en in areas(scheme).iter_rows():
            for label in (code, name_da, name_en):
                schemes.setdefault(name_key(label), scheme)
    return schemes


BALANCE_LABELS: dict[str, str] = {
    "mangel på arbejdskraft": "Mangel",
    "omfattende mangel på arbejdskraft": "Mangel",
    "mangel": "Mangel",
    "paradoksproblemer": "Paradoks",
    "paradoksproblem": "Paradoks",
    "paradoks": "Paradoks",
    "gode jobmuligheder": "Gode jobmuligheder",
    "mindre gode jobmuligheder": "Mindre gode jobmuligheder",
}
"""The labour-market balance's categories as STAR writes them (also the older "Omfattende mangel
på arbejdskraft") → the model's four statuses."""


def _balance_label(raw: pl.Expr) -> pl.Expr:
    key = raw.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return key.replace(BALANCE_LABELS)


ASSIGNED_CODE_PATTERN = rf"^{ASSIGNED_CODE_PREFIX}[0-9a-f]{{8}}$"


def _is_code(raw: pl.Expr) -> pl.Expr:
    """A job title code (digits) or a code assigned to a title (``T-`` + 8 hex digits)."""
    return raw.str.contains(r"^\d+$") | raw.str.contains(ASSIGNED_CODE_PATTERN)


def _occupation_title(mapped: dict[str, int], title_index: int | None) -> pl.Expr:
    """The job title a balance row gives: its title column, else a title in the code column."""
    if title_index is not None:
        return _clean(pl.col(f"c{title_index}")).alias(OCCUPATION_TITLE)
    if "occupation_code" in mapped:
        raw = _clean(pl.col(f"c{mapped['occupation_code']}"))
        return pl.when(~_is_code(raw)).then(raw).alias(OCCUPATION_TITLE)
    return pl.lit(None, dtype=pl.String).alias(OCCUPATION_TITLE)


def _occupation_by_title(raw: pl.Series) -> pl.Series:
    """A code stays a code; a job title becomes a code (STAR's balance names titles; codes are
    not always given): a title of the reference list its code, any other title the code assigned
    to it (``occupations.assigned_code``), and the dataset's occupation list gains it.

    The titles are looked up in plain Python, outside Polars' thread pool (Python run inside it
    can deadlock the app's server: docs/PERFORMANCE.md)."""
    reference = {title_key(t): c for c, t in occupations().select("occupation_code", "title_da")
                 .iter_rows()}
    titles = raw.filter(raw.is_not_null() & ~raw.str.contains(r"^\d+$")
                        & ~raw.str.contains(ASSIGNED_CODE_PATTERN)).unique().to_list()
    codes = {t: reference.get(title_key(t)) or assigned_code(t) for t in titles}
    return raw.replace(codes) if codes else raw


def expected_text(table: str, column: str) -> tuple[str, str]:
    """What a cell of a column must hold, in English and Danish, for messages."""
    return column_spec(table, column).expected_text()


def _typed(table: str, column: str, dtype: pl.DataType, raw: pl.Expr, fmt: str,
           mode: NumberMode = "default") -> pl.Expr:
    parse = column_spec(table, column).parse
    if parse == "themes":
        parts = _theme_parts(raw)
        return (pl.when(raw.is_null()).then(pl.lit([], dtype=pl.List(pl.String))).otherwise(parts)
                .list.eval(pl.element().filter(pl.element().is_in(list(THEMES))))
                .cast(pl.List(THEME_ENUM)))
    if parse == "balance_status" and isinstance(dtype, pl.Enum):
        return _parse_enum(_balance_label(raw), dtype)
    if isinstance(dtype, pl.Enum):
        return _parse_enum(raw, dtype)
    if dtype in (pl.Int16, pl.Int32, pl.Int64):
        return _parse_int(raw, dtype, mode)
    if dtype == pl.Float64:
        return _parse_float(raw, mode)
    if dtype == pl.Date:
        return _parse_date(raw, month_only=parse == "month", from_excel=fmt == "excel")
    if dtype == pl.Boolean:
        return _parse_bool(raw)
    if parse == "half_year":  # 2024H2, 2024-H2, and as STAR writes it: "2. halvår 2024"
        spelled = raw.str.to_lowercase().str.extract_groups(
            r"^\s*([12])\.?\s*halv(?:år|aar|ar)\s*(\d{4})\s*$")
        return pl.coalesce(
            pl.concat_str([spelled.struct.field("2"), pl.lit("H"), spelled.struct.field("1")]),
            raw.str.to_uppercase().str.replace_all(r"[\s_-]", ""))
    if parse == "area":
        key = name_key_expr(raw)
        return key.replace(_area_aliases())
    return raw


_WHOLE = (pl.Int16, pl.Int32, pl.Int64)


def _number_columns(table: str, present: set[str]) -> list[str]:
    """The present columns of a table that hold numbers (whole or decimal)."""
    return [c for c, t in schema.TABLES[table].items()
            if c in present and (t == pl.Float64 or isinstance(t, _WHOLE))]


def number_stats(table: str, raw: pl.DataFrame, present: set[str]) -> dict[str, dict[str, Any]]:
    """What the number rule (:func:`number_modes`) needs to know of each number column of a
    chunk: how many values are shaped like ``12.000``, the first of them, and whether any value
    has a decimal comma, several thousands dots, or a plain decimal point."""
    numeric = [c for c in _number_columns(table, present) if c in raw.columns]
    if not numeric or raw.height == 0:
        return {}
    text = {c: pl.col(c).str.replace_all(r"[\s\u00a0]", "") for c in numeric}
    found = raw.select(
        *[text[c].str.contains(THOUSANDS_SHAPED).sum().alias(f"{c}|shaped") for c in numeric],
        *[text[c].str.contains(r"\d,\d").any().alias(f"{c}|comma") for c in numeric],
        *[text[c].str.contains(ONLY_THOUSANDS).any().alias(f"{c}|many") for c in numeric],
        *[(text[c].str.contains(r"\.") & ~text[c].str.contains(THOUSANDS_SHAPED)
           & ~text[c].str.contains(",")).any().alias(f"{c}|dot") for c in numeric],
        *[text[c].filter(text[c].str.contains(THOUSANDS_SHAPED)).first().alias(f"{c}|example")
          for c in numeric],
    ).row(0, named=True)
    return {c: {k: found[f"{c}|{k}"] for k in ("shaped", "comma", "many", "dot", "example")}
            for c in numeric}


def merge_number_stats(first: dict[str, dict[str, Any]],
                       then: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The statistics of two chunks as of one (``first`` before ``then``)."""
    merged = {c: dict(v) for c, v in first.items()}
    for column, new in then.items():
        old = merged.get(column)
        if old is None:
            merged[column] = dict(new)
            continue
        old["shaped"] = (old["shaped"] or 0) + (new["shaped"] or 0)
        for flag in ("comma", "many", "dot"):
            old[flag] = bool(old[flag]) or bool(new[flag])
        if old["example"] is None:
            old["example"] = new["example"]
    return merged


def number_modes(table: str, raw: pl.DataFrame, present: set[str], source: str,
                 problems: Problems, *, danish: bool = False) -> dict[str, NumberMode]:
    """The thousands-separator rule, decided per number column (docs/IMPORT.md, "Numbers").

    A value like ``12.000`` is never read as 12.0 without saying so:
    - in a whole-number column a dot between groups of three digits is a thousands separator;
    - in a decimal column it is one when the column or another number column of the file writes
      decimals with a comma (``12,5``), when the column has ``1.234.567``, or when the source is
      known to write Danish numbers (``danish``, e.g. Jobindsats);
    - it is a decimal point when the column has other dotted decimals (``12.5``);
    - otherwise the file is refused (``ambiguous_number``): nothing tells which it is.
    Every column read with thousands separators gets one ``thousands_separator`` warning.
    """
    modes = decide_number_modes(table, number_stats(table, raw, present), source, problems,
                                danish=danish)
    report_ambiguous(raw, modes, problems)
    return modes


def decide_number_modes(table: str, stats: dict[str, dict[str, Any]], source: str,
                        problems: Problems, *, danish: bool = False) -> dict[str, NumberMode]:
    """The rule of :func:`number_modes` from the statistics of all of a sheet's rows
    (:func:`number_stats`); warns of what it decided. The refused cells are reported by
    :func:`report_ambiguous`."""
    columns = schema.TABLES[table]
    numeric = list(stats)
    if not numeric:
        return {}
    decimal = [c for c in numeric if columns[c] == pl.Float64]
    file_comma = danish or any(stats[c]["comma"] for c in decimal)
    file_dot = not danish and any(stats[c]["dot"] for c in decimal)
    modes: dict[str, NumberMode] = {}
    for column in numeric:
        if not stats[column]["shaped"]:
            continue
        example = stats[column]["example"]
        own_comma = stats[column]["comma"] or stats[column]["many"]
        if isinstance(columns[column], _WHOLE):
            modes[column] = "thousands"
        elif stats[column]["dot"] or (not own_comma and file_dot and not file_comma):
            modes[column] = "default"
            problems.warning(source, "decimal_point", expect("decimal_point"), column=column, value=example)
            continue
        elif own_comma or (file_comma and not file_dot):
            modes[column] = "thousands"
        else:
            modes[column] = "refuse"
            continue
        shaped = stats[column]["shaped"]
        problems.warning(source, "thousands_separator", expect(
            "thousands", n=shaped, example=example, number=example.replace(".", "")),
            column=column, value=example)
    return modes


def report_ambiguous(raw: pl.DataFrame, modes: dict[str, NumberMode], problems: Problems) -> None:
    """The cells of the columns refused by the number rule: ``12.000`` with nothing in the
    file to tell whether the dot is a thousands separator."""
    for column, mode in modes.items():
        if mode != "refuse" or column not in raw.columns:
            continue
        text = pl.col(column).str.replace_all(r"[\s\u00a0]", "")
        bad = raw.filter(text.str.contains(THOUSANDS_SHAPED)).select(SOURCE, ROW, column)
        problems.add_rows(bad, "ambiguous_number", column, expect("unambiguous_number"))


def parse_values(table: str, raw: pl.DataFrame, source: str, fmt: str, problems: Problems,
                 present: set[str] | None = None, danish_numbers: bool = False,
                 modes: dict[str, NumberMode] | None = None) -> pl.DataFrame:
    """Text cells (model column names, plus SOURCE and ROW) → the model's types.

    Every cell that cannot be read is reported with its row, value and what was expected; it
    becomes null, so that later checks still run on the rest. ``modes``: the number rule
    decided for the whole sheet when ``raw`` is one chunk of it (else decided from ``raw``).
    """
    columns = schema.TABLES[table]
    present = set(columns) if present is None else present
    if modes is None:
        modes = number_modes(table, raw, present, source, problems, danish=danish_numbers)
    else:
        report_ambiguous(raw, modes, problems)
    both = raw.with_columns(
        _typed(table, c, t, pl.col(c), fmt, modes.get(c, "default")).alias(f"{c}__typed")
        for c, t in columns.items()
    )
    for column, dtype in columns.items():
        if column not in present:
            continue
        cell = pl.col(column)
        spec = column_spec(table, column)
        themes = spec.parse == "themes"
        if themes:
            bad = cell.is_not_null() & _theme_parts(cell).list.eval(
                pl.element().is_in(list(THEMES)).not_()).list.any()
        else:
            bad = cell.is_not_null() & pl.col(f"{column}__typed").is_null()
            if modes.get(column) == "refuse":  # already reported as ambiguous_number
                bad = bad & ~cell.str.replace_all(r"[\s\u00a0]", "").str.contains(THOUSANDS_SHAPED)
        bad_rows = both.filter(bad).select(SOURCE, ROW, column)
        if bad_rows.height:
            if spec.reference == "municipality":
                bad_rows = _report_municipality_names(bad_rows, column, problems)
            kind = "not_allowed" if isinstance(dtype, pl.Enum | pl.List) else "wrong_type"
            problems.add_rows(bad_rows, kind, column, expected_text(table, column))
        if column not in schema.NULLABLE[table] and not themes:
            missing = both.filter(cell.is_null()).select(SOURCE, ROW, column)
            en, da = expected_text(table, column)
            problems.add_rows(missing, "missing_value", column, (
                t("expected.a_value", "en", expected=en), t("expected.a_value", "da", expected=da)))
    extra = [OCCUPATION_TITLE] if OCCUPATION_TITLE in raw.columns else []
    return both.select(SOURCE, ROW, *[pl.col(f"{c}__typed").alias(c) for c in columns], *extra)


def _report_municipality_names(bad: pl.DataFrame, column: str, problems: Problems) -> pl.DataFrame:
    """A municipality's name where its code belongs gets its own message with the right code;
    returns the rows that are not names."""
    names = municipalities().select(
        pl.col("municipality_name").str.to_lowercase().alias("__name"),
        pl.col("municipality_code").alias("__code"),
        pl.col("municipality_name").alias("__proper"),
    )
    joined = bad.with_columns(pl.col(column).str.to_lowercase().alias("__name")).join(
        names, on="__name", how="left", maintain_order="left")
    found = joined.filter(pl.col("__code").is_not_null()).with_columns(
        *expect_rows("code_not_name", code=pl.col("__code"), name=pl.col("__proper")))
    problems.add_rows(found, "municipality_name", column, "", expected_columns=EXPECTED_COLUMNS)
    return joined.filter(pl.col("__code").is_null()).select(bad.columns)
