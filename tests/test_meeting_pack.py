"""The meeting pack: one self-contained, printable HTML file."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from datetime import datetime
from html.parser import HTMLParser

import polars as pl
import pytest

from veu_metrics.charts import build_bar_chart
from veu_metrics.images import chart_to_png
from veu_metrics.meeting_pack import build_meeting_pack_html

GENERATED_AT = datetime(2026, 11, 29, 9, 30)
VOID_ELEMENTS = {"meta", "img", "br", "hr", "link", "input"}


def tiny_png(rgb: tuple[int, int, int]) -> bytes:
    """A valid 1×1 PNG in the given colour (distinct bytes per image)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + bytes(rgb))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


TREND_PNG = tiny_png((0, 114, 178))
MAP_PNG = tiny_png((230, 159, 0))

KPIS = [
    {"title": "Deltagelser", "value_text": "12.345", "change_text": "+4,2 % mod 2023",
     "definition": "Antal kursusdeltagelser; en person kan tælle flere gange."},
    {"title": "Andel ledige", "value_text": "41,3 %", "change_text": "−1,0 procentpoint",
     "definition": "Ledige deltagelser / alle deltagelser."},
    {"title": "Beskæftiget efter 3 mdr.", "value_text": "..", "change_text": None,
     "definition": "Skjult: for få personer."},
]
TARGETS = [
    {"measure_title": "Deltagelser", "focus_area": "Sundhed og omsorg", "target_text": "2.000",
     "actual_text": "1.640", "projection_text": "2.187", "on_track": True},
    {"measure_title": "Deltagelser", "focus_area": "Bygge og anlæg", "target_text": "900",
     "actual_text": "310", "projection_text": "413", "on_track": False},
    {"measure_title": "Job-VEU-kurser", "focus_area": None, "target_text": "40",
     "actual_text": "..", "projection_text": "–", "on_track": None},
]


def pack(**overrides) -> str:
    kwargs = dict(
        area_name="RAR Fyn", period_description="jan. 2024 – okt. 2024", kpis=KPIS,
        target_rows=TARGETS, charts=[("Deltagelser pr. måned", TREND_PNG)], map_png=MAP_PNG,
        source_line="Demo-data (syntetisk); Arbejdsmarkedsbalancen, STAR",
        data_version="3f9a2c1d", generated_at=GENERATED_AT, disclosure_threshold=5,
    )
    kwargs.update(overrides)
    return build_meeting_pack_html(**kwargs)


class TagBalance(HTMLParser):
    """Records every start/end tag and fails on a tag closed out of order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: list[str] = []
        self.errors: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def parse(html: str) -> TagBalance:
    parser = TagBalance()
    parser.feed(html)
    parser.close()
    return parser


def test_structure_is_a_valid_balanced_document():
    html = pack()
    assert html.startswith("<!DOCTYPE html>")
    parsed = parse(html)
    assert parsed.errors == []
    assert parsed.stack == []
    assert parsed.seen[:4] == ["html", "head", "meta", "meta"]
    assert parsed.seen.count("h1") == 1
    assert ("html", "lang", "da") in parsed.attributes
    assert ("meta", "charset", "utf-8") in parsed.attributes


def test_contains_every_kpi_value_change_and_definition():
    html = pack()
    for kpi in KPIS:
        assert f'<p class="kpi-value">{kpi["value_text"]}</p>' in html
        assert kpi["definition"] in html
    assert "+4,2 % mod 2023" in html
    assert html.count('class="kpi"') == 3
    assert html.count('class="kpi-change"') == 2  # the KPI without a change shows none


def test_target_rows_show_numbers_and_status_in_words():
    html = pack()
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1])
    assert len(rows) == 3
    assert re.findall(r"<td[^>]*>(.*?)</td>", rows[0]) == [
        "Deltagelser", "Sundhed og omsorg", "2.000", "1.640", "2.187", "✓ På rette vej"]
    assert "✗ Bagud" in rows[1]
    assert re.findall(r"<td[^>]*>(.*?)</td>", rows[2])[1] == "Alle"  # no focus area = all
    assert "Kan ikke vurderes" in rows[2]


def test_images_are_inlined_as_the_given_pngs():
    html = pack()
    sources = [v for tag, name, v in parse(html).attributes if tag == "img" and name == "src"]
    assert len(sources) == 2
    decoded = [base64.b64decode(s.removeprefix("data:image/png;base64,")) for s in sources]
    assert decoded == [TREND_PNG, MAP_PNG]
    alts = [v for tag, name, v in parse(html).attributes if tag == "img" and name == "alt"]
    assert alts == ["Deltagelser pr. måned", "Kort over RAR Fyn"]


def test_no_external_resource_is_referenced():
    html = pack()
    for tag, name, value in parse(html).attributes:
        if name in {"src", "href"}:
            assert value.startswith("data:"), f"<{tag} {name}> points outside the file"
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", html)
    assert "url(" not in html and "@import" not in html and "<script" not in html
    assert "http://" not in html and "https://" not in html


def test_prints_on_a4_with_page_break_rules_and_large_type():
    html = pack()
    assert "@page { size: A4 portrait;" in html
    assert "break-inside: avoid" in html
    assert ".charts { break-before: page;" in html
    assert re.search(r"\.kpi-value \{ font-size: (\d+)pt", html).group(1) == "26"
    assert "@media print" in html


def test_danish_by_default_and_english_on_request():
    danish = pack()
    assert "<h1>Mødemateriale: RAR Fyn</h1>" in danish
    assert ">Nøgletal</h2>" in danish and ">Målopfølgning</h2>" in danish
    assert "Dannet 29. nov. 2026" in danish
    assert "færre end 5 personer" in danish
    english = pack(lang="en", disclosure_threshold=10)
    assert ("html", "lang", "en") in parse(english).attributes
    assert "<h1>Meeting pack: RAR Fyn</h1>" in english
    assert "✓ On track" in english and "Generated 29 Nov 2026" in english
    assert "fewer than 10 persons" in english


def test_text_is_escaped():
    html = pack(area_name="<script>alert(1)</script> & Co", source_line='"STAR" <b>')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "&quot;STAR&quot; &lt;b&gt;" in html
    assert parse(html).errors == []


def test_sections_without_content_are_left_out_or_explained():
    html = pack(kpis=[], charts=[], map_png=None, target_rows=[])
    assert 'class="kpi' not in html and "<img" not in html and 'class="charts"' not in html
    assert "Der er ikke registreret mål for området i perioden." in html
    assert parse(html).errors == []


def test_a_non_png_image_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="'Kurser' is not a PNG image"):
        pack(charts=[("Kurser", b"<svg></svg>")])


def test_a_kpi_without_a_value_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="lacks 'value_text'"):
        pack(kpis=[{"title": "Deltagelser"}])


def test_threshold_defaults_to_the_deployment_setting(monkeypatch):
    monkeypatch.setenv("VEU_DISCLOSURE_THRESHOLD", "8")
    assert "færre end 8 personer" in pack(disclosure_threshold=None)


def test_works_with_a_rendered_chart_image():
    frame = pl.DataFrame({"area": ["RAR Fyn", "RAR Bornholm"], "n": [1234.0, None],
                          "n_suppressed": [False, True]})
    chart = build_bar_chart(frame, category_col="area", value_col="n", unit="count", decimals=0,
                            lang="da", x_title="Deltagelser")
    png = chart_to_png(chart, title="Deltagelser", subtitle="Filtre: 2024", source_line="Kilde: demo")
    html = pack(charts=[("Deltagelser", png)])
    assert base64.b64encode(png).decode() in html


def test_status_in_brief_comes_first_and_the_period_is_labelled_once():
    html = pack(brief="3 af 8 mål er bagud.", period_description="jan. 2026–okt. 2026",
                charts_heading="Udvikling i området")
    assert "<h2>Status kort fortalt</h2><p>3 af 8 mål er bagud.</p>" in html
    assert html.index("Status kort fortalt") < html.index("Nøgletal")
    assert "Periode: jan. 2026–okt. 2026" in html and "Periode: Periode" not in html


def test_area_names_make_short_file_names():
    from veu_metrics.meeting_pack import slug_title
    assert slug_title("Midtjylland") == "Midtjylland"
    assert slug_title("Sydjylland / Fyn") == "Sydjylland-Fyn"
