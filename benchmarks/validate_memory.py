"""Peak memory of validating hostile files (issue 13): the worst files the input limits let
through, and the ones they refuse, each checked in a fresh process.

    .venv/bin/python -m benchmarks.validate_memory [--mb 2] [--out benchmarks/results/validate_memory.json]

For each case the file is built in memory, then a fresh child process imports the validator and
validates two tiny files (a CSV and a workbook of 20 course rows) as a running server already has:
the reference lists (municipalities, occupations, areas) are loaded and Polars is started. Then
its peak resident memory is reset (``/proc/self/clear_refs``), its resident memory noted (the
baseline), the file validated exactly as the upload page's "Kontrollér" does
(``ingest.publish.validate_upload``), and its peak resident memory read (``VmHWM``). The figure that
matters is (peak − baseline) / file size: the goal is below 10. ``cold_mb`` is what the warm-up
itself cost (paid once per server process, whatever the file); ``again_mb`` the growth when the
same file is validated once more in the same process (what the first large file's one-off
costs, the allocator's arenas and the regex engines' caches, leave out); ``trimmed_mb`` the
growth of a third run after glibc's ``malloc_trim`` has handed free memory back, and ``kept_mb``
what the first run left resident.

``--worst-sizes 0.25 0.5 1 2 5`` measures only the worst accepted workbook at those sizes.
``--at-the-limits`` measures the worst files the limits accept at their largest: the worst
workbook just under the unpacked-size limit (about 36 MB) and the one-character CSV just under
the row limit (about 77 MB); about 10 minutes and 0.5 GB.

(``ru_maxrss`` is not used: on Linux a spawned child inherits the parent's peak through ``exec``,
so the builder's memory hid the first 40 MB of every figure measured that way.)

Cases:
- ``xlsx-near-limit``: an Excel workbook of course rows, its compression tuned to just under the
  unpack-ratio limit (1.5 cells per byte: refused since the cells-per-byte limit);
- ``xlsx-worst-accepted``: the same, tuned to just under the cells-per-byte limit (the most
  cells per byte the limits accept);
- ``xlsx-ordinary``: an ordinary workbook (xlsxwriter, shared strings, dates) of course rows;
- ``xlsx-sparse``: 1.5 KB with a cell at A1 and one at GR1000000 and no ``<dimension>`` (the
  Excel reader allocates the whole rectangle: refused from the sheet's streamed extent);
- ``csv-same-rows``: the same rows as a CSV file;
- ``csv-one-char``: 150,000 course rows of one-character fields (``K1;1;1;…``): the most cells
  per byte a CSV file holds;
- ``xlsx-shared-strings``: 47 KB of 20,000 cells all referring to one 9,000-character shared
  string (the reader copies it into each cell: refused from the streamed cells' references);
- ``xlsx-bomb``: 3 MB that declare 3 GB unpacked (refused from the zip directory);
- ``csv-too-many-rows``: a CSV over the row limit (refused from its line count).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import io
import json
import multiprocessing as mp
import random
import sys
import time
import zipfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "validate_memory.json"
HEADER = ["course_id", "title", "education_type", "amu_number", "provider",
          "provider_municipality_code", "start_date", "end_date", "course_days",
          "occupation_code", "industry_group", "funding", "job_veu", "focus_area", "themes",
          "seats", "cancelled"]


def _rows(n: int, noise: float, seed: int = 7):
    rng = random.Random(seed)
    for i in range(n):
        random_part = rng.random() < noise
        yield [f"K{i:07d}", f"Kursus {rng.randint(0, 10**6) if random_part else 1}", "AMU",
               "40123", "AMU Nordjylland", "851", "2024-01-08", "2024-01-19",
               str(rng.randint(1, 40) if random_part else 10), "721210", "Jern, metal og auto",
               "Regional uddannelsespulje", "true", "Industri og produktion", "automatisering",
               str(rng.randint(1, 30) if random_part else 12), "false"]


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
         '"xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.'
             'org/officeDocument/2006/relationships"><sheets><sheet name="courses" sheetId="1" '
             'r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                  'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
                  '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
                  ' Target="worksheets/sheet1.xml"/></Relationships>')
_COLUMNS = [chr(ord("A") + i) for i in range(len(HEADER))]


def build_xlsx_rows(rows: int, noise: float, seed: int = 7) -> bytes:
    """A workbook written cell by cell (numbers, as an attacker would pack them): ``noise`` is
    the share of random values, which sets how tightly it compresses."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            last = f"{_COLUMNS[-1]}{rows + 1}"
            sheet.write(('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                         'schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension '
                         f'ref="A1:{last}"/><sheetData><row r="1">').encode())
            sheet.write("".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
                                for c, h in zip(_COLUMNS, HEADER, strict=True)).encode())
            sheet.write(b"</row>")
            for _ in range(rows):
                cells = "".join(
                    f'<c><v>{rng.randint(0, 99999) if rng.random() < noise else 1}'
                    '</v></c>' for c in _COLUMNS)
                sheet.write(f'<row>{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def unpack_ratio(data: bytes) -> float:
    parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    return sum(p.file_size for p in parts) / len(data)


def cells_per_byte(data: bytes, rows: int) -> float:
    return (rows + 1) * len(HEADER) / len(data)


def tune(target_mb: float, max_ratio: float, max_cells_per_byte: float = float("inf"),
         ) -> tuple[float, int]:
    """(noise, rows): the noise that packs to just under ``max_ratio`` and
    ``max_cells_per_byte`` (found on small pilots), and the rows that make a file of about
    ``target_mb``."""
    low, high = 0.0, 1.0
    for _ in range(12):
        noise = (low + high) / 2
        pilot = build_xlsx_rows(4000, noise)
        if (unpack_ratio(pilot) >= max_ratio * 0.9
                or cells_per_byte(pilot, 4000) >= max_cells_per_byte * 0.93):
            low = noise  # too compressible: more noise
        else:
            high = noise
    pilot = build_xlsx_rows(20_000, high)
    return high, int(20_000 * target_mb * 2**20 / len(pilot))


def build_csv_like(xlsx_rows: int, noise: float) -> bytes:
    lines = [";".join(HEADER)] + [";".join(r) for r in _rows(xlsx_rows, noise)]
    return ("\n".join(lines) + "\n").encode()


def build_csv_one_char(rows: int = 150_000) -> bytes:
    lines = [";".join(HEADER)] + [f"K{i}" + ";1" * (len(HEADER) - 1) for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def build_ordinary(rows: int, seed: int = 1) -> bytes:
    """A workbook as a person would save it: xlsxwriter (shared strings), dates, numbers."""
    import datetime

    import xlsxwriter

    rng = random.Random(seed)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("courses")
    sheet.write_row(0, 0, HEADER)
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for i in range(rows):
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 700))
        sheet.write_row(i + 1, 0, [
            f"K{i:07d}", f"Kursus i {rng.choice(['svejsning', 'truck', 'hygiejne', 'CNC'])} "
            f"{rng.randint(1, 300)}", "AMU", str(rng.randint(40000, 49999)),
            rng.choice(["AMU Nordjylland", "AMU Syd", "TEC", "NEXT"]),
            rng.choice(["851", "101", "461", "751"]), None, None, rng.randint(1, 40),
            rng.choice(["721210", "833220", "512010"]), "Jern, metal og auto",
            "Regional uddannelsespulje", rng.random() < 0.3, "Industri og produktion",
            "automatisering", rng.randint(1, 30), False])
        sheet.write_datetime(i + 1, 6, start, day)
        sheet.write_datetime(i + 1, 7, start + datetime.timedelta(days=rng.randint(1, 20)), day)
    workbook.close()
    return buffer.getvalue()


def build_sparse() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", (
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
            'course_id</t></is></c></row><row r="1000000"><c r="GR1000000"><v>1</v></c></row>'
            '</sheetData></worksheet>'))
    return buffer.getvalue()


def build_shared_strings(cells: int = 20_000, text: int = 9_000) -> bytes:
    rng = random.Random(3)
    long_text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(text))
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>1</v></c>'
                                               for c in _COLUMNS[:10]) + "</row>"
                   for r in range(2, cells // 10 + 2))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.replace(
            "</Relationships>", '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"))
        archive.writestr("xl/sharedStrings.xml", (
            '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main"><si><t>course_id</t></si><si><t>{long_text}</t></si></sst>'))
        archive.writestr("xl/worksheets/sheet1.xml", (
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            f"{rows}</sheetData></worksheet>"))
    return buffer.getvalue()


def build_bomb(unpacked_mb: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                sheet.write(block)
    return buffer.getvalue()


def _status(field: str) -> int:
    """A field of /proc/self/status in bytes (VmRSS: resident now; VmHWM: the peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _child(name: str, data: bytes, queue: mp.Queue, warm: list[tuple[str, bytes]]) -> None:
    from veu_metrics.ingest.publish import validate_upload

    imported = _status("VmRSS")
    for warm_name, warm_data in warm:  # as a running server: reference lists loaded
        validate_upload([(warm_name, warm_data)], max_file_mb=200)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the peak (VmHWM) to the current resident memory
    baseline = _status("VmRSS")
    started = time.perf_counter()
    report = validate_upload([(name, data)], max_file_mb=200)
    seconds = time.perf_counter() - started
    peak = _status("VmHWM")
    # The same file once more: what a validation costs once the process has met files of this
    # size (the allocator's arenas and the regex engines' caches have grown; they stay).
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    again_from = _status("VmRSS")
    validate_upload([(name, data)], max_file_mb=200)
    again = _status("VmHWM") - again_from
    # … and once more after glibc's malloc has handed its free memory back to the system
    # (malloc_trim): what `again_mb` leaves out because the allocator kept the first run's
    # peak, not because a cache was filled.
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    trimmed_from = _status("VmRSS")
    validate_upload([(name, data)], max_file_mb=200)
    trimmed = _status("VmHWM") - trimmed_from
    queue.put({"baseline_mb": baseline / 2**20, "peak_mb": peak / 2**20, "seconds": seconds,
               "cold_mb": (baseline - imported) / 2**20, "again_mb": again / 2**20,
               "trimmed_mb": trimmed / 2**20, "kept_mb": (again_from - baseline) / 2**20,
               "errors": sorted({p.kind for p in report.errors})})


def measure(name: str, data: bytes) -> dict:
    context = mp.get_context("spawn")  # a fresh interpreter: nothing of the builder's memory
    queue = context.Queue()
    warm = [("kurser.csv", build_csv_like(20, 0.5)), ("kurser.xlsx", build_ordinary(20))]
    child = context.Process(target=_child, args=(name, data, queue, warm))
    child.start()
    result = queue.get(timeout=1800)
    child.join()
    size_mb = len(data) / 2**20
    growth = result["peak_mb"] - result["baseline_mb"]
    return {"file": name, "file_mb": round(size_mb, 2), **{k: round(v, 2) if isinstance(v, float)
                                                          else v for k, v in result.items()},
            "growth_mb": round(growth, 1), "growth_per_file_mb": round(growth / size_mb, 1)}


def _worst_sizes(sizes: list[float], out: Path) -> int:
    """The worst workbook the limits accept (just under the cells-per-byte limit, every row
    with errors) at several sizes, each in a fresh process."""
    from veu_metrics import limits

    results = []
    for mb in sizes:
        noise, rows = tune(mb, limits.MAX_UNPACK_RATIO, limits.MAX_CELLS_PER_BYTE)
        data = build_xlsx_rows(rows, noise)
        row = {"case": "xlsx-worst-accepted", "rows": rows,
               "cells_per_byte": round(cells_per_byte(data, rows), 2),
               **measure("kurser.xlsx", data)}
        results.append(row)
        print(json.dumps(row), flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"limits": {"max_cells_per_byte": limits.MAX_CELLS_PER_BYTE},
                               "python": sys.version.split()[0], "results": results},
                              indent=2) + "\n")
    return 0


def _at_the_limits(out: Path) -> int:
    """The worst accepted workbook and CSV at the largest size the limits let through."""
    from veu_metrics import limits

    noise, rows = tune(1, limits.MAX_UNPACK_RATIO, limits.MAX_CELLS_PER_BYTE)
    pilot_mb = unpack_ratio(build_xlsx_rows(rows, noise))
    largest_mb = limits.MAX_UNPACKED_BYTES / pilot_mb / 2**20 * 0.97  # just under 256 MB unpacked
    _, rows = tune(largest_mb, limits.MAX_UNPACK_RATIO, limits.MAX_CELLS_PER_BYTE)
    workbook = build_xlsx_rows(rows, noise)
    csv_rows = limits.MAX_ROWS - 10_000
    results = []
    for case, name, data, cells in (
            ("xlsx-worst-accepted-largest", "kurser.xlsx", workbook, rows),
            ("csv-one-char-largest", "kurser.csv", build_csv_one_char(csv_rows), csv_rows)):
        row = {"case": case, "rows": cells, "cells_per_byte": round(
            cells_per_byte(data, cells), 2), **measure(name, data)}
        del data
        results.append(row)
        print(json.dumps(row), flush=True)
    del workbook
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"limits": {"max_unpacked_mb": limits.MAX_UNPACKED_BYTES >> 20,
                                          "max_rows": limits.MAX_ROWS,
                                          "max_cells_per_byte": limits.MAX_CELLS_PER_BYTE},
                               "python": sys.version.split()[0], "results": results},
                              indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of the Excel file (MB)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--worst-sizes", type=float, nargs="+", metavar="MB",
                        help="only the worst accepted workbook, at each of these sizes (MB)")
    parser.add_argument("--at-the-limits", action="store_true",
                        help="only the worst workbook and CSV at the largest accepted size")
    args = parser.parse_args(argv)
    from veu_metrics import limits

    if args.at_the_limits:
        return _at_the_limits(args.out)
    if args.worst_sizes:
        return _worst_sizes(args.worst_sizes, args.out)

    # The workbook packs as tightly as the unpack-ratio limit still accepts.
    noise, rows = tune(args.mb, limits.MAX_UNPACK_RATIO)
    xlsx = build_xlsx_rows(rows, noise)
    # … and as tightly as the cells-per-byte limit still accepts.
    worst_noise, worst_rows = tune(args.mb, limits.MAX_UNPACK_RATIO, limits.MAX_CELLS_PER_BYTE)
    worst = build_xlsx_rows(worst_rows, worst_noise)
    ordinary_rows = int(20_000 * args.mb / 1.42)  # xlsxwriter: about 1.42 MB per 20,000 rows
    cells = {"xlsx-near-limit": rows, "xlsx-worst-accepted": worst_rows,
             "csv-same-rows": rows, "xlsx-ordinary": ordinary_rows, "csv-one-char": 150_000}
    cases = [("kurser.xlsx", xlsx, "xlsx-near-limit"),
             ("kurser.xlsx", worst, "xlsx-worst-accepted"),
             ("kurser.xlsx", build_ordinary(ordinary_rows), "xlsx-ordinary"),
             ("kurser.csv", build_csv_like(rows, noise), "csv-same-rows"),
             ("kurser.csv", build_csv_one_char(), "csv-one-char"),
             ("kurser.xlsx", build_sparse(), "xlsx-sparse"),
             ("kurser.xlsx", build_shared_strings(), "xlsx-shared-strings"),
             ("kurser.xlsx", build_bomb(3 * 1024), "xlsx-bomb"),
             ("kurser.csv", b"a;b\n" + b"1;2\n" * (limits.MAX_ROWS + 10), "csv-too-many-rows")]
    results = []
    for name, data, label in cases:
        row = {"case": label, "rows": cells.get(label),
               "unpack_ratio": round(unpack_ratio(data), 1) if name.endswith("xlsx") else None,
               "cells_per_byte": (round(cells_per_byte(data, cells[label]), 2)
                                  if label in cells else None),
               **measure(name, data)}
        results.append(row)
        print(json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"limits": {"max_unpack_ratio": limits.MAX_UNPACK_RATIO,
                                               "max_cells_per_byte": limits.MAX_CELLS_PER_BYTE,
                                               "max_unpacked_mb": limits.MAX_UNPACKED_BYTES >> 20,
                                               "max_rows": limits.MAX_ROWS},
                                    "python": sys.version.split()[0], "results": results},
                                   indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
