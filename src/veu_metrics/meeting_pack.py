"""A meeting pack for one area: one self-contained HTML file that prints well on A4.

The council's secretariat attaches it to the meeting papers or prints it (the browser's "Print →
Save as PDF" gives a PDF). Everything is inside the file: CSS inline, images as base64 data URIs,
no scripts, no fonts or links to fetch, so it opens the same on any machine, also offline.
The caller passes texts already formatted (Danish numbers, suppression markers) and chart images
already rendered (``images.chart_to_png``), so this module only lays out.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from veu_metrics import style
from veu_metrics.formatting import SUPPRESSED_MARKER, format_date
from veu_metrics.i18n import section
from veu_metrics.settings import load_settings

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Large type for reading on paper and on a projector; breaks kept out of cards, rows and figures.
_CSS = f"""
@page {{ size: A4 portrait; margin: 15mm 14mm 16mm 14mm; }}
* {{ box-sizing: border-box; }}
html {{ font-family: {style.FONT}; color: #1a1a1a; background: #fff; }}
body {{ margin: 0 auto; max-width: 190mm; padding: 10mm 6mm; font-size: 12pt; line-height: 1.4; }}
h1 {{ font-size: 24pt; margin: 0 0 1mm; line-height: 1.15; }}
h2 {{ font-size: 16pt; margin: 8mm 0 3mm; border-bottom: 2px solid {style.PRIMARY};
      padding-bottom: 1mm; break-after: avoid; page-break-after: avoid; }}
.period {{ font-size: 14pt; margin: 0 0 1mm; }}
.meta {{ font-size: 10pt; color: #444; margin: 0; }}
.kpis {{ display: grid; grid-template-columns: repeat(2, 1fr); gap: 4mm; }}
.kpi {{ border: 1px solid #bbb; border-left: 4px solid {style.PRIMARY}; border-radius: 2mm;
        padding: 3mm 4mm; break-inside: avoid; page-break-inside: avoid; }}
.kpi-title {{ font-size: 11pt; font-weight: 600; margin: 0; }}
.kpi-value {{ font-size: 26pt; font-weight: 700; margin: 1mm 0 0; line-height: 1.1; }}
.kpi-change {{ font-size: 11pt; margin: 1mm 0 0; }}
.kpi-definition {{ font-size: 9.5pt; color: #444; margin: 2mm 0 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: 11pt; }}
th, td {{ text-align: left; vertical-align: top; padding: 1.8mm 2mm; border-bottom: 1px solid #ccc; }}
th {{ border-bottom: 2px solid #666; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
.on-track {{ color: {style.ON_TRACK}; font-weight: 600; }}
.behind {{ color: {style.BEHIND}; font-weight: 600; }}
.unknown {{ color: #555; }}
.charts {{ break-before: page; page-break-before: always; }}
figure {{ margin: 0 0 6mm; break-inside: avoid; page-break-inside: avoid; }}
figure img {{ display: block; width: 100%; height: auto; max-height: 115mm; object-fit: contain; }}
footer {{ margin-top: 8mm; padding-top: 2mm; border-top: 1px solid #bbb; font-size: 9.5pt;
          color: #444; break-inside: avoid; }}
footer p {{ margin: 0 0 1mm; }}
.print-hint {{ font-size: 10pt; color: #555; background: #f2f2f2; padding: 2mm 3mm; }}
@media print {{
  body {{ padding: 0; max-width: none; }}
  .print-hint {{ display: none; }}
}}
""".strip()


def slug_title(name: str) -> str:
    """An area name for a file name, capitals and Danish letters kept: 'Midtjylland',
    'Sydjylland-Fyn' (spaces and punctuation become single hyphens)."""
    import re

    return re.sub(r"[^0-9A-Za-zÆØÅæøå]+", "-", name).strip("-") or "omraade"


def _text(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _required(row: Mapping[str, Any], keys: Sequence[str], what: str) -> Any:
    for key in keys:
        if row.get(key) is not None:
            return row[key]
    raise ValueError(f"{what} lacks '{keys[0]}' (got keys: {', '.join(sorted(row)) or 'none'})")


def _png_data_uri(data: bytes, what: str) -> str:
    if not isinstance(data, bytes | bytearray) or not bytes(data).startswith(PNG_SIGNATURE):
        raise ValueError(f"{what} is not a PNG image; render charts with images.chart_to_png")
    return "data:image/png;base64," + base64.b64encode(bytes(data)).decode("ascii")


def _kpi_cards(kpis: Sequence[Mapping[str, Any]]) -> str:
    cards = []
    for i, kpi in enumerate(kpis, start=1):
        title = _required(kpi, ("title",), f"KPI {i}")
        value = _required(kpi, ("value_text",), f"KPI '{title}'")
        parts = [f'<p class="kpi-title">{_text(title)}</p>',
                 f'<p class="kpi-value">{_text(value)}</p>']
        if kpi.get("change_text"):
            parts.append(f'<p class="kpi-change">{_text(kpi["change_text"])}</p>')
        if kpi.get("definition"):
            parts.append(f'<p class="kpi-definition">{_text(kpi["definition"])}</p>')
        cards.append('<div class="kpi">' + "".join(parts) + "</div>")
    return '<div class="kpis">' + "".join(cards) + "</div>"


def _status_cell(on_track: bool | None, labels: Mapping[str, str]) -> str:
    # Status in words and a symbol as well as colour: readable in black-and-white print too.
    if on_track is None:
        return f'<td class="unknown">{_text(labels["unknown"])}</td>'
    css, key = ("on-track", "on_track") if on_track else ("behind", "behind")
    return f'<td class="{css}">{_text(labels[key])}</td>'


def _target_table(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> str:
    if not rows:
        return f"<p>{_text(labels['no_targets'])}</p>"
    head = (
        f"<thead><tr><th>{_text(labels['measure'])}</th><th>{_text(labels['focus_area'])}</th>"
        f'<th class="num">{_text(labels["target"])}</th><th class="num">{_text(labels["actual"])}</th>'
        f'<th class="num">{_text(labels["projection"])}</th><th>{_text(labels["status"])}</th>'
        "</tr></thead>"
    )
    body = []
    for i, row in enumerate(rows, start=1):
        measure = _required(row, ("measure_title", "measure", "title"), f"target row {i}")
        focus = row.get("focus_area") or labels["all_focus_areas"]
        cells = [
            f"<td>{_text(measure)}</td>",
            f"<td>{_text(focus)}</td>",
            f'<td class="num">{_text(row.get("target_text", "–"))}</td>',
            f'<td class="num">{_text(row.get("actual_text", "–"))}</td>',
            f'<td class="num">{_text(row.get("projection_text", "–"))}</td>',
            _status_cell(row.get("on_track"), labels),
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>{head}<tbody>{''.join(body)}</tbody></table>"


def _figure(title: str, png: bytes, alt_text: str) -> str:
    # No visible caption: chart_to_png already writes the title, filters and source on the image.
    uri = _png_data_uri(png, f"the image for '{title}'")
    return f'<figure><img src="{uri}" alt="{_text(alt_text)}" title="{_text(title)}"></figure>'


def build_meeting_pack_html(
    *,
    area_name: str,
    period_description: str,
    kpis: Sequence[Mapping[str, Any]],
    target_rows: Sequence[Mapping[str, Any]],
    charts: Sequence[tuple[str, bytes]],
    map_png: bytes | None,
    source_line: str,
    data_version: str,
    generated_at: datetime,
    lang: str = "da",
    disclosure_threshold: int | None = None,
    brief: str | None = None,
    charts_heading: str | None = None,
) -> str:
    """One printable HTML page for a council meeting: KPI cards, target progress, trends, map.

    ``kpis``: dicts with title, value_text and optionally change_text, definition.
    ``target_rows``: dicts with measure_title, focus_area (None = all), target_text, actual_text,
    projection_text, on_track (True/False/None). ``charts``: (title, PNG bytes) pairs.
    ``disclosure_threshold`` defaults to the deployment setting. ``brief`` is the "status in
    brief" paragraph (the same text as on the page); ``charts_heading`` names the charts'
    section (default "Udvikling"/"Trends"). ``period_description`` is the period alone: the
    pack writes its "Periode:" label itself.
    """
    lang = "en" if lang == "en" else "da"
    labels = section("pack", lang)  # the pack's headings and notes: pack.* in texts.yaml
    if disclosure_threshold is None:
        disclosure_threshold = load_settings().disclosure_threshold
    heading = f"{labels['heading']}: {area_name}"
    generated = labels["generated"].format(day=format_date(generated_at.date(), lang),
                                           time=generated_at.strftime("%H:%M"))

    sections = [
        f"<header><h1>{_text(heading)}</h1>"
        f'<p class="period">{_text(labels["period"])}: {_text(period_description)}</p>'
        f'<p class="meta">{_text(generated)} · {_text(labels["data_version"])} '
        f"{_text(data_version)}</p></header>",
        f'<p class="print-hint">{_text(labels["print_hint"])}</p>',
    ]
    if brief:
        sections.append(f'<section class="brief"><h2>{_text(labels["brief"])}</h2>'
                        f"<p>{_text(brief)}</p></section>")
    if kpis:
        sections.append(f'<section class="kpi-section"><h2>{_text(labels["kpis"])}</h2>'
                        f"{_kpi_cards(kpis)}</section>")
    sections.append(f'<section class="targets"><h2>{_text(labels["targets"])}</h2>'
                    f"{_target_table(target_rows, labels)}</section>")
    if charts:
        figures = "".join(_figure(title, png, title) for title, png in charts)
        heading_text = charts_heading or labels["trends"]
        sections.append(f'<section class="charts"><h2>{_text(heading_text)}</h2>{figures}</section>')
    if map_png is not None:
        sections.append(f'<section class="map"><h2>{_text(labels["map"])}</h2>'
                        + _figure(area_name, map_png, labels["map_alt"].format(area=area_name))
                        + "</section>")
    disclosure = labels["disclosure"].format(n=disclosure_threshold, marker=SUPPRESSED_MARKER)
    sections.append(
        f"<footer><p>{_text(labels['source'])}: {_text(source_line)}</p>"
        f"<p>{_text(disclosure)}</p>"
        f"<p>{_text(labels['data_version'])} {_text(data_version)} · {_text(generated)}</p></footer>"
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(heading)} · {_text(period_description)}</title>\n"
        f"<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )
