"""Byte builders for downloads: CSV (Danish or plain), Excel with definitions and filters, Parquet.

Every builder takes the frame a view shows (already through disclosure control) and returns bytes,
so a page can hand a callable to ``st.download_button`` and the file is built only when clicked.

Conventions the builders keep:
- A value column ``x`` with a Boolean ``x_suppressed`` column beside it is *suppressed* where the
  flag is true: the cell is written as ``formatting.SUPPRESSED_MARKER`` (never empty, never 0), and
  any value left in such a cell is dropped first, so no digit can leak. The flag columns stay in
  the file so that programs can read them.
- Text cells starting with a formula trigger get a leading apostrophe (``neutralise_formula``).
- Frames with person identifiers are refused; person-level data goes through
  ``person_level_export``, which a deployment setting must allow.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, Literal

import polars as pl
import xlsxwriter

from veu_metrics.catalogue import unit_text
from veu_metrics.disclosure import SUPPRESSED_MARKER, flag_pairs, hide_flagged, marked
from veu_metrics.i18n import section
from veu_metrics.settings import Settings, load_settings
from veu_metrics.text import slugify

__all__ = [
    "FORMULA_TRIGGERS", "PERSON_LEVEL_COLUMNS", "CsvDialect", "ExportError",
    "ExportNotAllowed", "check_no_person_level", "export_filename", "neutralise_formula",
    "person_level_export", "suppression_flags", "to_csv_bytes", "to_excel_bytes",
    "to_parquet_bytes",
]

CsvDialect = Literal["da", "plain"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these may be run as a formula by a spreadsheet (OWASP)."""

PERSON_LEVEL_COLUMNS = frozenset({"person_id", "enrolment_id"})
"""Columns that identify a person or one person's enrolment: never in an aggregate download."""

EXCEL_MAX_ROWS = 1_048_575  # Excel's sheet limit minus the header row
MAX_FILENAME_STEM = 120


def _labels(lang: str) -> dict[str, str]:
    """The files' sheet names, headings and yes/no words: ``export.*`` in texts.yaml."""
    return section("export", "en" if lang == "en" else "da")


class ExportError(ValueError):
    """A frame cannot be written in the requested format; the message says why."""


class ExportNotAllowed(PermissionError):
    """The download is not allowed by this deployment's settings (or holds person-level data)."""


# --- formula injection -----------------------------------------------------------------------

def neutralise_formula(text: str | None) -> str | None:
    """'=SUM(A1)' → "'=SUM(A1)": a leading apostrophe makes a spreadsheet treat the cell as text."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _neutralise_expr(column: str) -> pl.Expr:
    # The vectorised twin of neutralise_formula, built from the same trigger list.
    pattern = "^[" + "".join(re.escape(c) for c in FORMULA_TRIGGERS) + "]"
    col = pl.col(column).cast(pl.String)  # Enum/Categorical too
    return pl.when(col.str.contains(pattern)).then(pl.lit("'") + col).otherwise(col).alias(column)


# --- guards and shared preparation -------------------------------------------------------------

def check_no_person_level(frame: pl.DataFrame | pl.LazyFrame) -> None:
    """Raise ExportNotAllowed if the frame carries person identifiers (an aggregate never does)."""
    columns = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    found = sorted(PERSON_LEVEL_COLUMNS.intersection(columns))
    if found:
        raise ExportNotAllowed(
            f"the table holds person-level column(s) {', '.join(found)}; aggregate downloads "
            "must not, and person-level downloads need VEU_ALLOW_PERSON_DOWNLOAD=true"
        )


def suppression_flags(frame: pl.DataFrame) -> dict[str, str]:
    """Value column → its Boolean flag column, for every ``x`` with an ``x_suppressed`` beside it."""
    return {value: flag for value, flag in flag_pairs(frame.columns).items()
            if frame.schema[flag] == pl.Boolean}


def _mask_suppressed(frame: pl.DataFrame, flags: Mapping[str, str]) -> pl.DataFrame:
    # Defence in depth: whatever sits in a flagged cell is dropped before any writer sees it.
    if not flags:
        return frame
    return frame.with_columns(hide_flagged(value, flag) for value, flag in flags.items())


def _flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists become 'a, b' text (CSV and Excel cells hold one value); other nesting is refused."""
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List | pl.Array):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join(", ").alias(name))
        elif isinstance(dtype, pl.Struct | pl.Object):
            raise ExportError(f"column '{name}' has type {dtype}, which a flat file cannot hold")
    return frame.with_columns(exprs) if exprs else frame


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def _prepare(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    check_no_person_level(frame)
    flags = suppression_flags(frame)
    return _flatten_nested(_mask_suppressed(frame, flags)), flags


# --- CSV ---------------------------------------------------------------------------------------

def to_csv_bytes(frame: pl.DataFrame, dialect: CsvDialect = "da",
                 headers: Mapping[str, str] | None = None, lang: str = "da") -> bytes:
    """The frame as CSV. 'da': UTF-8 with BOM, ';' and decimal comma (opens right in Danish
    Excel); 'plain': UTF-8, ',' and decimal point. Dates are ISO; suppressed cells hold the marker.

    ``headers`` (column → label, e.g. from ``columns.file_headers``) makes a file for people:
    labels as headers, yes/no in words, and no flag columns (the marker says it). Without it the
    column codes and flags are kept, for those who script."""
    frame, flags = _prepare(frame)
    return _csv_bytes(frame, flags, dialect, headers, lang)


def _for_people(frame: pl.DataFrame, flags: Mapping[str, str], headers: Mapping[str, str],
                lang: str) -> pl.DataFrame:
    """Flags dropped, booleans as words, columns renamed to their labels."""
    labels = _labels(lang)
    yes, no = labels["yes"], labels["no"]
    frame = frame.drop([f for f in flags.values() if f in frame.columns])
    frame = frame.with_columns(
        pl.when(pl.col(name)).then(pl.lit(yes)).when(~pl.col(name)).then(pl.lit(no)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.Boolean)
    return frame.rename({c: headers[c] for c in frame.columns if c in headers})


def _csv_bytes(frame: pl.DataFrame, flags: Mapping[str, str], dialect: CsvDialect,
               headers: Mapping[str, str] | None = None, lang: str = "da") -> bytes:
    if dialect not in ("da", "plain"):
        raise ExportError(f"unknown CSV dialect {dialect!r}; use 'da' or 'plain'")
    danish = dialect == "da"
    exprs: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if name in flags:
            # A suppressed column mixes numbers and the marker, so it is written as text.
            as_text = pl.col(name).cast(pl.String)
            if danish and dtype.is_float():
                as_text = as_text.str.replace(".", ",", literal=True)
            exprs.append(marked(as_text, flags[name]).alias(name))
        elif _is_text(dtype):
            exprs.append(_neutralise_expr(name))
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            exprs.append(pl.col(name).dt.replace_time_zone(None))
    if exprs:
        frame = frame.with_columns(exprs)
    if headers is not None:
        frame = _for_people(frame, flags, headers, lang)
    buffer = io.BytesIO()
    frame.write_csv(
        buffer,
        include_bom=danish,
        separator=";" if danish else ",",
        decimal_comma=danish,
        float_scientific=False,
        date_format="%Y-%m-%d",
        datetime_format="%Y-%m-%d %H:%M:%S",
    )
    return buffer.getvalue()

# --- Excel -------------------------------------------------------------------------------------

def _field(item: Any, name: str, lang: str) -> Any:
    """Read ``name_<lang>`` or ``name`` from a catalogue Measure or a plain dict."""
    for candidate in (f"{name}_{lang}", name, f"{name}_da"):
        value = item.get(candidate) if isinstance(item, Mapping) else getattr(item, candidate, None)
        if callable(value):  # Measure.title(lang) and friends
            value = value(lang)
        if value is not None:
            return value
    return None


def _unit_text(unit: Any, lang: str) -> str:
    label = unit_text(str(unit), lang) if unit is not None else None
    return _param_text(unit) if label is None else label


def _is_share_column(name: str, measure: Any | None) -> bool:
    if measure is not None and _field(measure, "unit", "da") == "share":
        return True
    return name == "share" or name.endswith("_share")


def _number_format(name: str, dtype: pl.DataType, measure: Any | None) -> str:
    """Excel formats are rendered in the reader's locale: '#,##0.0' shows as 12.345,6 in Danish."""
    decimals = _field(measure, "decimals", "da") if measure is not None else None
    if _is_share_column(name, measure):
        places = 1 if decimals is None else int(decimals)
        return "0" + ("." + "0" * places if places else "") + "%"
    if dtype.is_integer() and not decimals:
        return "#,##0"
    if decimals is not None:
        places = int(decimals)
        return "#,##0" + ("." + "0" * places if places else "")
    return "#,##0.0##"


def _param_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence | set | frozenset):
        return ", ".join(_param_text(v) for v in value)
    return str(value)


def _column_width(name: str, values: pl.Series) -> float:
    sample = values.head(500).cast(pl.String, strict=False).drop_nulls()
    longest = max([len(name), *(len(v) for v in sample.to_list())], default=len(name))
    return float(min(max(longest + 2, 8), 50))


CellWriter = Callable[[Any, int, int, Any], None]


def to_excel_bytes(
    frame: pl.DataFrame,
    *,
    title: str,
    definitions: Sequence[Any] | Mapping[str, Any],
    filters_description: str,
    filters_params: Mapping[str, Any],
    data_version: str,
    exported_at: datetime,
    lang: str = "da",
    disclosure_threshold: int | None = None,
    headers: Mapping[str, str] | None = None,
    note: str | None = None,
) -> bytes:
    """An .xlsx workbook: the data, the definitions of its measures, and the filters used.

    ``definitions`` are catalogue Measure objects (a list, or ``load_catalogue()``'s dict) or
    dicts with key, title(_da/_en), definition(_da/_en), unit, source(_da/_en) and optionally
    decimals; a data column named after a measure key gets that measure's number format.
    ``disclosure_threshold`` defaults to the deployment setting. ``headers`` (column → label)
    writes the labels as the header row, yes/no in words and no flag columns (see
    ``to_csv_bytes``); the measures' number formats still follow the column codes. ``note`` (e.g.
    that perturbed parts need not add up to their totals) is written under the filters.
    """
    labels = _labels(lang)
    frame, flags = _prepare(frame)
    if frame.height > EXCEL_MAX_ROWS:
        raise ExportError(
            f"{frame.height:,} rows do not fit in one Excel sheet (limit {EXCEL_MAX_ROWS:,}); "
            "download CSV or Parquet instead, or narrow the filters"
        )
    if disclosure_threshold is None:
        disclosure_threshold = load_settings().disclosure_threshold
    if isinstance(definitions, Mapping):  # load_catalogue() returns {key: Measure}
        definitions = list(definitions.values())
    measures = {str(_field(m, "key", lang)): m for m in definitions}

    buffer = io.BytesIO()
    # Strings are never turned into formulas, numbers or links: what we write is what is stored.
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    })
    workbook.set_properties({"title": title, "comments": f"{labels['data_version']}: {data_version}"})
    bold = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    marker_format = workbook.add_format({"align": "right"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    _write_data_sheet(workbook, labels["data"], frame, flags, measures, bold, marker_format,
                      headers=headers, words=(labels["yes"], labels["no"]))
    _write_definitions_sheet(workbook, labels, lang, definitions, bold, wrap)
    _write_filters_sheet(workbook, labels, bold, wrap, title=title,
                         filters_description=filters_description, filters_params=filters_params,
                         data_version=data_version, exported_at=exported_at,
                         threshold=disclosure_threshold, note=note)
    workbook.close()
    return buffer.getvalue()


def _cell_writer(name: str, dtype: pl.DataType, workbook: Any, measure: Any | None) -> CellWriter:
    if _is_text(dtype) or dtype == pl.Null:
        return lambda ws, r, c, v: ws.write_string(r, c, neutralise_formula(str(v)))
    if dtype == pl.Boolean:
        return lambda ws, r, c, v: ws.write_boolean(r, c, v)
    if dtype == pl.Date:
        fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        return lambda ws, r, c, v: ws.write_datetime(r, c, v, fmt)
    if isinstance(dtype, pl.Datetime):
        fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        return lambda ws, r, c, v: ws.write_datetime(r, c, v.replace(tzinfo=None), fmt)
    if dtype.is_numeric():
        fmt = workbook.add_format({"num_format": _number_format(name, dtype, measure)})

        def write_number(ws: Any, r: int, c: int, v: Any) -> None:
            number = float(v)
            if number != number or number in (float("inf"), float("-inf")):
                return  # NaN/inf: Excel has no such number; leave the cell empty
            ws.write_number(r, c, number, fmt)

        return write_number
    if dtype == pl.Time:
        return lambda ws, r, c, v: ws.write_string(r, c, v.isoformat() if isinstance(v, time) else str(v))
    return lambda ws, r, c, v: ws.write_string(r, c, neutralise_formula(str(v)))


def _write_data_sheet(workbook: Any, sheet_name: str, frame: pl.DataFrame, flags: Mapping[str, str],
                      measures: Mapping[str, Any], header_format: Any, marker_format: Any, *,
                      words: tuple[str, str], headers: Mapping[str, str] | None = None) -> None:
    ws = workbook.add_worksheet(sheet_name)
    columns = frame.columns
    writers = [_cell_writer(n, frame.schema[n], workbook, measures.get(n)) for n in columns]
    if headers is not None:  # for people: booleans as words
        writers = [(lambda ws, r, c, v: ws.write_string(r, c, words[0] if v else words[1]))
                   if frame.schema[n] == pl.Boolean else w for n, w in zip(columns, writers, strict=True)]
    flag_index = {columns.index(v): columns.index(f) for v, f in flags.items()}
    # Files for people leave the flag columns out: the marker in the cell says it.
    shown = [c for c, n in enumerate(columns) if headers is None or n not in flags.values()]
    for out, c in enumerate(shown):
        name = columns[c]
        ws.write_string(0, out, headers.get(name, name) if headers else name, header_format)
        ws.set_column(out, out, _column_width(headers.get(name, name) if headers else name,
                                              frame[name]))
    for r, row in enumerate(frame.iter_rows(), start=1):
        for out, c in enumerate(shown):
            value = row[c]
            if c in flag_index and row[flag_index[c]]:
                ws.write_string(r, out, SUPPRESSED_MARKER, marker_format)
            elif value is not None:
                writers[c](ws, r, out, value)
    ws.freeze_panes(1, 0)
    if shown:
        ws.autofilter(0, 0, max(frame.height, 1), len(shown) - 1)


def _write_definitions_sheet(workbook: Any, labels: Mapping[str, str], lang: str,
                             definitions: Sequence[Any], header_format: Any, wrap: Any) -> None:
    ws = workbook.add_worksheet(labels["definitions"])
    headers = [labels["key"], labels["title"], labels["definition"], labels["unit"], labels["source"]]
    for c, (header, width) in enumerate(zip(headers, (22, 30, 70, 12, 30), strict=True)):
        ws.write_string(0, c, header, header_format)
        ws.set_column(c, c, width, wrap)
    if not definitions:
        ws.write_string(1, 0, labels["no_definitions"])
    for r, measure in enumerate(definitions, start=1):
        for c, name in enumerate(("key", "title", "definition", "unit", "source")):
            value = _field(measure, name, lang)
            text = _unit_text(value, lang) if name == "unit" else _param_text(value)
            ws.write_string(r, c, neutralise_formula(text) or "")
    ws.freeze_panes(1, 0)


def _write_filters_sheet(workbook: Any, labels: Mapping[str, str], header_format: Any, wrap: Any, *,
                         title: str, filters_description: str, filters_params: Mapping[str, Any],
                         data_version: str, exported_at: datetime, threshold: int,
                         note: str | None = None) -> None:
    ws = workbook.add_worksheet(labels["filters"])
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 80, wrap)
    rows: list[tuple[str, Any]] = [
        (labels["export_title"], title),
        (labels["filters_description"], filters_description),
        *((str(k), _param_text(v)) for k, v in filters_params.items()),
        (labels["data_version"], data_version),
        (labels["exported_at"], exported_at.isoformat(sep=" ", timespec="seconds")),
        (labels["threshold"], threshold),
    ]
    ws.write_string(0, 0, labels["setting"], header_format)
    ws.write_string(0, 1, labels["value"], header_format)
    for r, (key, value) in enumerate(rows, start=1):
        ws.write_string(r, 0, neutralise_formula(key) or "")
        if isinstance(value, int):
            ws.write_number(r, 1, value)
        else:
            ws.write_string(r, 1, neutralise_formula(str(value)) or "")
    threshold_note = labels["threshold_text"].format(n=threshold, marker=SUPPRESSED_MARKER)
    ws.write_string(len(rows) + 1, 1, threshold_note)
    if note:
        ws.write_string(len(rows) + 2, 1, neutralise_formula(note) or "")


# --- Parquet -----------------------------------------------------------------------------------

def to_parquet_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as Parquet, types kept; suppressed cells are null with their flag set."""
    check_no_person_level(frame)
    frame = _mask_suppressed(frame, suppression_flags(frame))
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


# --- person-level data -------------------------------------------------------------------------

def person_level_export(enrolments: pl.LazyFrame | pl.DataFrame, settings: Settings, *,
                        file_format: Literal["parquet", "csv"] = "parquet",
                        dialect: CsvDialect = "da") -> bytes:
    """Person-level enrolments as a file, only where the deployment allows it.

    Raises ExportNotAllowed unless ``settings.allow_person_download`` (VEU_ALLOW_PERSON_DOWNLOAD)
    is true: such rows are not disclosure-controlled, so the default deployment never offers them.
    """
    if not settings.allow_person_download:
        raise ExportNotAllowed(
            "person-level downloads are switched off in this deployment "
            "(set VEU_ALLOW_PERSON_DOWNLOAD=true to allow them)"
        )
    frame = enrolments.collect() if isinstance(enrolments, pl.LazyFrame) else enrolments
    if file_format == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        return buffer.getvalue()
    if file_format == "csv":
        return _csv_bytes(_flatten_nested(frame), {}, dialect)
    raise ExportError(f"unknown file format {file_format!r}; use 'parquet' or 'csv'")


# --- file names --------------------------------------------------------------------------------

def _version_slug(data_version: str) -> str:
    slug = slugify(data_version)
    if slug.startswith("v") and len(slug) > 1:
        slug = slug[1:]
    if re.fullmatch(r"[0-9a-f]{8,}", slug):
        slug = slug[:8]  # a content hash: 8 characters identify it, like a short git hash
    return "v" + slug[:20] if slug else ""


def export_filename(subject: str, filters_short: str, data_version: str, day: date,
                    ext: str) -> str:
    """'veu_deltagelser_rar-fyn_2024-01-2024-12_v3f9a2c1d_2026-11-29.xlsx'.

    ASCII only (æ→ae, ø→oe, å→aa), no spaces; the filters part is shortened so the name
    stays under MAX_FILENAME_STEM characters before the extension.
    """
    extension = slugify(ext.lstrip("."))
    if not extension:
        raise ExportError(f"file extension {ext!r} has no usable characters")
    head = "_".join(p for p in ("veu", slugify(subject)[:40]) if p)
    tail = "_".join(p for p in (_version_slug(data_version), day.isoformat()) if p)
    room = MAX_FILENAME_STEM - len(head) - len(tail) - 2
    filters = slugify(filters_short)[: max(room, 0)].strip("-_")
    stem = "_".join(p for p in (head, filters, tail) if p)
    return f"{stem}.{extension}"
