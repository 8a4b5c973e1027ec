"""Public sources in the layouts they are published in, reshaped onto the data model.

Statistics Denmark (StatBank) web downloads put time across the columns under a header row with
no names over the row labels, write labels only where they change, and add title lines above and
footnotes below; its API writes one row per cell with the variables' names and ``TID;INDHOLD``;
Jobindsats answers JSON (``[{"Variables": […], "Data": [[…]]}]``) and its website exports write
months as ``Jan 2024``. This module turns such a grid into the long layout an import reads
(``month;municipality_code;full_time_unemployed``), as text, and leaves the typing and every
check to :mod:`veu_metrics.ingest.values` and :mod:`veu_metrics.ingest.rules`:

- labels are filled down; title lines and footnotes are dropped;
- the area dimension keeps municipalities; ``Hele landet``, regions, landsdele, ``0``, ``997``
  ``Udlandet``, ``998`` ``Uoplyst`` and other totals are skipped with one warning;
  names and ``101 København`` become codes with one warning;
- every other dimension must be at its total (``TOT``, ``… i alt``): a file with only other
  values is refused, naming the dimension and the value to choose;
- the time must be months (``2024M01``, ``Jan 2024``); quarters and years are refused for
  monthly tables.

docs/IMPORT.md ("From the public sources") documents it for people.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import polars as pl

from veu_metrics.geography import municipalities
from veu_metrics.ingest.columns import COLUMNS
from veu_metrics.ingest.expected import expect
from veu_metrics.ingest.report import ROW, Problems
from veu_metrics.text import name_key  # one folding of names for matching

TIME_NAMES = frozenset({"tid", "time", "periode", "period", "maaned", "month", "aar", "kvartal"})
VALUE_NAMES = frozenset({"indhold", "content", "value", "vaerdi", "antal"})
UNEMPLOYMENT_HEADER = ("month", "municipality_code", "full_time_unemployed")
"""The columns a published unemployment table becomes (insured_unemployed is not published)."""
MISSING_VALUES = frozenset({"..", "...", "-", ":"})
"""How Statistics Denmark and Jobindsats write a figure that is not available or confidential."""

# Statistics Denmark's tables the importer knows: table code → (model table or None, why not:
# the name of what is expected instead, ``expected.<name>`` in messages.yaml).
STATBANK_TABLES: dict[str, tuple[str | None, str | None]] = {
    "AUF01": ("unemployment", None),
    "AUF02": ("unemployment", None),
    "AULK01": ("unemployment", None),
    "AUL01": ("unemployment", None),
    "VEU20": (None, "model_table"),
}
UNEMPLOYMENT_WORDS = ("fuldtidsledige", "ledige", "ledighed", "unemployed", "unemployment")
MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "may": 5, "jun": 6, "jul": 7,
          "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12}


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter", "year"
    text: str  # as the model reads it: 2024M01 for months


def parse_period(cell: str | None) -> Period | None:
    """``2024M01``, ``Jan 2024``, ``Maj 2024``, ``2023K3``, ``2023Q3``, ``2024`` → a Period."""
    text = ("" if cell is None else str(cell)).strip().lower()
    if match := re.fullmatch(r"(\d{4})m(\d{2})", text):
        if 1 <= int(match[2]) <= 12:
            return Period("month", f"{match[1]}M{match[2]}")
        return None
    if match := re.fullmatch(r"([a-zæøå]{3})[a-zæøå]*\.?\s+(\d{4})", text):
        month = MONTHS.get(match[1])
        return Period("month", f"{match[2]}M{month:02d}") if month else None
    if match := re.fullmatch(r"(\d{4})\s*[kq]([1-4])", text):
        return Period("quarter", f"{match[1]}K{match[2]}")
    if re.fullmatch(r"(19|20)\d{2}", text):
        return Period("year", text)
    return None


@cache
def _municipality_lookup() -> dict[str, str]:
    """Every way a source writes a municipality → its code as text."""
    lookup: dict[str, str] = {}
    names = municipalities().select("municipality_code", "municipality_name").rows()
    for code, name in [*names, (101, "Copenhagen")]:  # English downloads write Copenhagen
        for key in (name, f"{name} kommune", f"{name} municipality", f"{code} {name}",
                    f"{code:04d} {name}"):
            lookup[name_key(key)] = str(code)
    return lookup


_NOT_MUNICIPALITY = re.compile(
    r"^(hele_landet|i_alt|total|alle|danmark|region_.*|landsdel_.*|udlandet|uoplyst|.*_i_alt"
    r"|christiansoe|uden_for_.*|ukendt.*"
    r"|rar_.*|amk_.*|beskaeftigelsesraad.*|beskaeftigelsesregion.*"  # Jobindsats' area levels
    r"|all_denmark|denmark|province_.*|abroad|unknown|not_stated|.*_total)$")  # English texts


def classify_area(value: str | None) -> tuple[str, str | None]:
    """('municipality', code) | ('named', code) | ('skip', None) | ('unknown', None)."""
    text = ("" if value is None else str(value)).strip()
    key = name_key(text)
    lookup = _municipality_lookup()
    if re.fullmatch(r"\d{1,4}", text):
        number = int(text)
        if str(number) in lookup.values():
            return "municipality", str(number)
        if number < 101 or number >= 997:  # 0 Hele landet, 81–85 regions, 1–11 landsdele, 997/998
            return "skip", None
        return "unknown", None
    if key in lookup:
        return "named", lookup[key]
    # codes and texts: "084 Region Hovedstaden", "000 Hele landet", "997 Udlandet"
    if match := re.fullmatch(r"(\d{1,4})_(.+)", key):
        number = int(match[1])
        if number < 101 or number >= 997 or _NOT_MUNICIPALITY.match(match[2]):
            return "skip", None
    if _NOT_MUNICIPALITY.match(key):
        return "skip", None
    return "unknown", None


def is_total(value: str | None) -> bool:
    """``TOT``, ``TOT Alder i alt``, ``Køn i alt``, ``I alt``, ``Total``, ``Alle``."""
    key = name_key("" if value is None else str(value))
    return bool(re.fullmatch(r"(tot|tot_.*|.*i_alt|i_alt.*|total.*|alle.*|all)", key))


@dataclass
class Grid:
    """A published table as read: label columns, one time and one value column, as text."""

    labels: dict[str, list[str | None]]
    time: list[str | None]
    value: list[str | None]
    rows: list[int]
    title: str


def find_layout(records: Sequence[Sequence[str | None]], first_row: int = 1) -> Grid | None:
    """A StatBank/Jobindsats grid (wide or long) in ``records``, or None if it is not one.

    ``first_row`` is the row number of records[0] as the user sees it.
    """
    cells = [[("" if c is None else str(c)).strip() for c in r] for r in records]
    for index, record in enumerate(cells[:20]):
        names = [name_key(c) for c in record]
        used = len(record)
        while used and not record[used - 1]:
            used -= 1  # a separator at the end of the line
        periods = [parse_period(c) for c in record[:used]]
        first_time = next((i for i, p in enumerate(periods) if p is not None), None)
        if first_time is not None and first_time >= 1 \
                and all(p is not None for p in periods[first_time:]) \
                and not any(n in TIME_NAMES for n in names):
            return _wide([r[:used] for r in cells], index, first_time, first_row)
        if any(n in TIME_NAMES for n in names) and len([n for n in names if n]) >= 3:
            return _long(cells, index, first_row)
    return None


def is_published_layout(records: Sequence[Sequence[str | None]]) -> bool:
    """True for a header the model's own files never have: time periods across the columns,
    or Statistics Denmark's ``TID`` and ``INDHOLD``, or Jobindsats' ``Periode``."""
    for record in records[:20]:
        cells = [("" if c is None else str(c)).strip() for c in record]
        names = {name_key(c) for c in cells}
        if {"tid", "indhold"} <= names or ("periode" in names and not _model_header(names)):
            return True
        first_time = next((i for i, c in enumerate(cells) if parse_period(c)), None)
        if first_time is None or first_time < 1:
            continue
        parsed = [parse_period(c) for c in cells[first_time:] if c]
        periods = [p for p in parsed if p is not None]
        # one year alone could be a count (2019 unemployed): years need company
        if len(periods) == len(parsed) and (len(periods) >= 2 or periods[0].kind != "year"):
            return True
    return False


def _model_header(names: set[str]) -> bool:
    """A row whose every cell names a column of one table (its name or an alias): the model's own
    header, also when one of them is ``periode`` (an alias of balance.half_year)."""
    cells = names - {""}
    accepted: dict[str, set[str]] = {}
    for spec in COLUMNS:
        accepted.setdefault(spec.table, set()).update((spec.column, *spec.all_aliases))
    return len(cells) >= 2 and any(cells <= known for known in accepted.values())


def _title(cells: list[list[str]], header: int) -> str:
    return " ".join(c for r in cells[:header] for c in r if c)


def _wide(cells: list[list[str]], header: int, first_time: int, first_row: int) -> Grid:
    head = cells[header]
    width = len(head)
    label_names: list[str] = []
    for i in range(first_time):
        name = head[i] or _dimension_name(cells[header + 1:], i)
        label_names.append(name if name not in label_names else f"{name} ({i + 1})")
    labels: dict[str, list[str | None]] = {n: [] for n in label_names}
    time: list[str | None] = []
    value: list[str | None] = []
    rows: list[int] = []
    last = [""] * first_time
    started = False
    for offset, record in enumerate(cells[header + 1:], start=header + 1):
        record = (record + [""] * width)[:width]
        if not any(record):
            if started:
                break  # footnotes follow the first blank line after the data
            continue
        if not any(record[first_time:]):
            if started:
                break  # a footnote line without a blank line before it
            continue
        started = True
        last = [record[i] or last[i] for i in range(first_time)]  # labels only where they change
        for column in range(first_time, width):
            for i, name in enumerate(label_names):
                labels[name].append(last[i])
            time.append(head[column])
            value.append(record[column])
            rows.append(first_row + offset)
    return Grid(labels, time, value, rows, _title(cells, header))


def _dimension_name(rows: list[list[str]], index: int) -> str:
    """A StatBank download has no names over its label columns: name one by its total
    (``TOT Alder i alt`` → ``Alder``), else by its position."""
    values = [record[index] for record in rows[:200] if index < len(record) and record[index]]
    if any(classify_area(v)[0] in ("named", "municipality") for v in values):
        return "OMRÅDE"
    for value in values:
        if is_total(value):
            name = re.sub(r"^TOT\s+", "", value, flags=re.IGNORECASE)
            name = re.sub(r"\s+i alt$", "", name, flags=re.IGNORECASE).strip()
            if name and name.lower() not in ("i alt", "tot"):
                return name
    return f"(column {index + 1})"


def _long(cells: list[list[str]], header: int, first_row: int) -> Grid:
    head = cells[header]
    names = [name_key(c) for c in head]
    time_index = next(i for i, n in enumerate(names) if n in TIME_NAMES)
    value_index = next((i for i, n in enumerate(names) if n in VALUE_NAMES), len(head) - 1)
    label_index = [i for i in range(len(head)) if i not in (time_index, value_index) and head[i]]
    labels: dict[str, list[str | None]] = {head[i]: [] for i in label_index}
    time: list[str | None] = []
    value: list[str | None] = []
    rows: list[int] = []
    for offset, record in enumerate(cells[header + 1:], start=header + 1):
        if not any(record):
            continue
        record = (record + [""] * len(head))[:len(head)]
        for i in label_index:
            labels[head[i]].append(record[i])
        time.append(record[time_index])
        value.append(record[value_index])
        rows.append(first_row + offset)
    return Grid(labels, time, value, rows, _title(cells, header))


def records_from_json(data: bytes) -> tuple[list[list[str | None]], str] | None:
    """A Jobindsats API answer → (header + rows, table name), or None if it is not one."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not (isinstance(parsed, list) and parsed and isinstance(parsed[0], dict)
            and "Variables" in parsed[0] and "Data" in parsed[0]):
        return None
    block = parsed[0]
    header: list[str | None] = []
    for variable in block["Variables"]:
        if isinstance(variable, dict):
            header.append(str(next((variable[k] for k in ("Name", "Label", "name", "label", "Id")
                                    if k in variable), "")))
        else:
            header.append(str(variable))
    rows = [[None if c is None else str(c) for c in row] for row in block["Data"]
            if isinstance(row, list)]
    return [header, *rows], str(block.get("TableName") or block.get("Table") or "")


def table_of(name: str, grid: Grid, hint: str | None) -> tuple[str | None, tuple[str, str] | None]:
    """Which model table a published grid feeds: by StatBank table code, file name or title."""
    text = f"{name} {grid.title}".upper()
    for code, answer in STATBANK_TABLES.items():
        if re.search(rf"(?<![A-Z0-9]){code}(?![0-9])", text) or code in name.upper():
            table, refusal = answer
            return table, None if refusal is None else expect(refusal)
    if hint is not None:
        return hint, None
    lowered = f"{name} {grid.title} {' '.join(grid.labels)}".lower()
    if any(word in lowered for word in UNEMPLOYMENT_WORDS):
        return "unemployment", None
    return None, None


def to_unemployment(source: str, grid: Grid, problems: Problems) -> pl.DataFrame | None:
    """The grid as text rows of the unemployment table (month, municipality_code,
    full_time_unemployed, plus ROW), or None after reporting why it cannot be."""
    if re.search(r"\b(pct|procent|percent)\b|%", grid.title.lower()):
        problems.error(source, "not_a_count", expect("a_count"), value=grid.title[:120])
        return None
    kinds = {p.kind for p in (parse_period(t) for t in set(grid.time)) if p is not None}
    if kinds - {"month"}:
        problems.error(source, "period_not_month", expect("monthly"), value=", ".join(sorted(kinds - {"month"})))
        return None
    area_column = None
    best = 0
    for name, values in grid.labels.items():
        labels_seen = set(values)
        label_kinds = [classify_area(v)[0] for v in labels_seen]
        hits = sum(c != "unknown" for c in label_kinds)
        if hits > best and hits * 2 >= len(labels_seen) \
                and any(c in ("named", "municipality") for c in label_kinds):
            area_column, best = name, hits
    if area_column is None:
        problems.error(source, "no_area_dimension", expect("area_dimension"), value=", ".join(grid.labels) or None)
        return None
    keep = [True] * len(grid.time)
    for name, values in grid.labels.items():
        if name == area_column:
            continue
        distinct = sorted(set(values), key=values.index)
        totals = [v for v in distinct if is_total(v)]
        if not totals:
            problems.error(source, "dimension_not_total", expect("dimension_total", name=name),
                           column=name, value=", ".join(v or "" for v in distinct[:5]))
            return None
        if len(distinct) > 1:
            problems.warning(source, "dimension_total_kept",
                             expect("total_kept", total=totals[0], name=name), column=name, value=", ".join(v or "" for v in distinct if v not in totals)[:200])
            keep = [k and v == totals[0] for k, v in zip(keep, values, strict=True)]
    areas = grid.labels[area_column]
    classes = {v: classify_area(v) for v in set(areas)}
    skipped = sorted({v for v in classes if classes[v][0] == "skip"}, key=str)
    named = sorted({v for v in classes if classes[v][0] == "named"}, key=str)
    if skipped:
        problems.warning(source, "not_municipality_rows", expect("municipalities_only"),
                         column=area_column, value=", ".join(v or "" for v in skipped[:6]) + (" …" if len(skipped) > 6 else ""))
    if named:
        shown = ", ".join(f"{v} → {classes[v][1]}" for v in named[:4])
        problems.warning(source, "municipality_by_name",
                         expect("names_to_codes", n=len(named)), column=area_column, value=shown + (" …" if len(named) > 4 else ""))
    out_month: list[str | None] = []
    out_code: list[str | None] = []
    out_value: list[str | None] = []
    out_row: list[int] = []
    for i, area in enumerate(areas):
        kind, code = classes[area]
        if not keep[i] or kind == "skip":
            continue
        period = parse_period(grid.time[i])
        value = grid.value[i]
        out_month.append(period.text if period else grid.time[i])
        out_code.append(code if code is not None else area)
        out_value.append(None if value is None or value.strip() in MISSING_VALUES else value)
        out_row.append(grid.rows[i])
    return pl.DataFrame({
        "c0": out_month, "c1": out_code, "c2": out_value,
        ROW: pl.Series(out_row, dtype=pl.Int64),
    }, schema={"c0": pl.String, "c1": pl.String, "c2": pl.String, ROW: pl.Int64})
