"""Byte builders for downloads: what is read back must equal what the view showed."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import fastexcel
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from veu_metrics.catalogue import load_catalogue
from veu_metrics.exports import (
    FORMULA_TRIGGERS,
    MAX_FILENAME_STEM,
    ExportError,
    ExportNotAllowed,
    check_no_person_level,
    export_filename,
    neutralise_formula,
    person_level_export,
    suppression_flags,
    to_csv_bytes,
    to_excel_bytes,
    to_parquet_bytes,
)
from veu_metrics.formatting import SUPPRESSED_MARKER
from veu_metrics.settings import Settings, load_settings

BOM = b"\xef\xbb\xbf"
EXPORTED_AT = datetime(2026, 11, 29, 10, 15)


def view_frame(count_dtype: pl.DataType = pl.Float64) -> pl.DataFrame:
    """A disclosure-controlled view: Bornholm's 3 participations are suppressed (null + flag)."""
    return pl.DataFrame(
        {
            "area_code": ["hovedstaden", "bornholm", "fyn", "oestjylland"],
            "area_name": ["RAR Hovedstaden", "RAR Bornholm", "RAR Fyn", "RAR Østjylland"],
            "participations": pl.Series([12345.0, None, 640.0, 1500.0]).cast(count_dtype),
            "participations_suppressed": [False, True, False, False],
            "share": [0.4125, None, 0.125, 0.05],
            "month": [date(2024, 1, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 12, 1)],
        }
    )


def read_danish_csv(data: bytes) -> pl.DataFrame:
    return pl.read_csv(data, separator=";", decimal_comma=True, null_values=[SUPPRESSED_MARKER],
                       try_parse_dates=True)


def excel_kwargs(**overrides):
    kwargs = dict(
        title="Deltagelser pr. RAR-område",
        definitions=[
            {"key": "participations", "title_da": "Deltagelser", "title_en": "Participations",
             "definition_da": "Antal kursusdeltagelser; en person kan tælle flere gange.",
             "definition_en": "Course participations; one person may count several times.",
             "unit": "count", "decimals": 0, "source": "Demo-data"},
            {"key": "share", "title_da": "Andel ledige", "title_en": "Share unemployed",
             "definition_da": "Ledige deltagelser / alle deltagelser.",
             "definition_en": "Unemployed participations / all participations.",
             "unit": "share", "decimals": 1, "source": "Demo-data"},
        ],
        filters_description="RAR Fyn, jan. 2024 – dec. 2024, AMU",
        filters_params={"area": "fyn", "period": (date(2024, 1, 1), date(2024, 12, 31)),
                        "education_type": ["AMU", "EUV"]},
        data_version="3f9a2c1d77aa0011",
        exported_at=EXPORTED_AT,
        lang="da",
        disclosure_threshold=5,
    )
    kwargs.update(overrides)
    return kwargs


def excel_sheet(data: bytes, name: str, **options) -> pl.DataFrame:
    return pl.read_excel(data, sheet_name=name, engine="calamine", **options)


def sheet_xml(data: bytes, index: int = 1) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


def cell_xml(data: bytes, ref: str) -> str:
    match = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', sheet_xml(data))
    assert match, f"cell {ref} not found"
    return match.group(0)


# --- CSV -------------------------------------------------------------------------------------

def test_danish_csv_has_bom_semicolons_decimal_comma_and_iso_dates():
    data = to_csv_bytes(view_frame(), "da")
    assert data.startswith(BOM)
    lines = data[len(BOM):].decode("utf-8").splitlines()
    assert lines[0] == "area_code;area_name;participations;participations_suppressed;share;month"
    # no thousands separator, comma as decimal mark, ISO date
    assert lines[1] == "hovedstaden;RAR Hovedstaden;12345,0;false;0,4125;2024-01-01"
    assert lines[3] == "fyn;RAR Fyn;640,0;false;0,125;2024-02-01"


@pytest.mark.parametrize("count_dtype", [pl.Float64, pl.Int64])
def test_danish_csv_reads_back_equal_with_the_right_types(count_dtype):
    frame = view_frame(count_dtype)
    back = read_danish_csv(to_csv_bytes(frame, "da"))
    assert back.schema == frame.schema
    assert_frame_equal(back, frame)


@pytest.mark.parametrize("count_dtype", [pl.Float64, pl.Int64])
def test_plain_csv_reads_back_equal(count_dtype):
    frame = view_frame(count_dtype)
    data = to_csv_bytes(frame, "plain")
    assert not data.startswith(BOM)
    assert data.decode("utf-8").splitlines()[1] == (
        "hovedstaden,RAR Hovedstaden,12345" + (".0" if count_dtype == pl.Float64 else "")
        + ",false,0.4125,2024-01-01"
    )
    back = pl.read_csv(data, null_values=[SUPPRESSED_MARKER], try_parse_dates=True)
    assert_frame_equal(back, frame)


def test_csv_writes_suppressed_cells_as_marker_and_real_gaps_as_empty():
    frame = view_frame().with_columns(share=pl.Series([0.4125, None, None, 0.05]))
    rows = to_csv_bytes(frame, "plain").decode().splitlines()
    assert rows[2] == f"bornholm,RAR Bornholm,{SUPPRESSED_MARKER},true,,2024-01-01"
    # Fyn's share is missing, not suppressed: an empty cell
    assert rows[3] == "fyn,RAR Fyn,640.0,false,,2024-02-01"


@pytest.mark.parametrize("dialect", ["da", "plain"])
def test_csv_never_leaks_a_value_left_in_a_suppressed_cell(dialect):
    # A careless caller flags the cell but forgets to null the 3: the file must still hide it.
    leaky = view_frame().with_columns(participations=pl.Series([12345.0, 3.0, 640.0, 1500.0]))
    text = to_csv_bytes(leaky, dialect).decode("utf-8-sig")
    separator = ";" if dialect == "da" else ","
    bornholm = text.splitlines()[2].split(separator)
    assert bornholm[2] == SUPPRESSED_MARKER
    assert not re.search(r"\d", bornholm[2])


def test_csv_keeps_the_suppression_flags():
    back = read_danish_csv(to_csv_bytes(view_frame(), "da"))
    assert back["participations_suppressed"].to_list() == [False, True, False, False]


def test_csv_rejects_an_unknown_dialect():
    with pytest.raises(ExportError, match="dialect"):
        to_csv_bytes(view_frame(), "excel")  # type: ignore[arg-type]


def test_csv_writes_list_columns_as_text():
    frame = pl.DataFrame({"course": ["a"], "themes": [["grøn omstilling", "digitalisering"]]})
    back = pl.read_csv(to_csv_bytes(frame, "plain"))
    assert back["themes"].to_list() == ["grøn omstilling, digitalisering"]


def test_suppression_flags_pairs_values_with_boolean_flags_only():
    frame = view_frame().with_columns(share_suppressed=pl.lit("no"), orphan_suppressed=pl.lit(True))
    assert suppression_flags(frame) == {"participations": "participations_suppressed"}


# --- formula injection -------------------------------------------------------------------------

@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_neutralise_formula_prefixes_each_trigger(trigger):
    assert neutralise_formula(f"{trigger}1+1") == f"'{trigger}1+1"


@pytest.mark.parametrize("text", ["RAR Fyn", "1-2", "a=b", "", None, "'=already"])
def test_neutralise_formula_leaves_safe_text_alone(text):
    assert neutralise_formula(text) == text


def test_the_trigger_list_is_the_owasp_list():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def injection_frame(trigger: str) -> pl.DataFrame:
    return pl.DataFrame({
        "title": [f"{trigger}HYPERLINK(\"x\")", "Svejsning"],
        "kind": pl.Series([f"{trigger}cmd", "AMU"], dtype=pl.Enum([f"{trigger}cmd", "AMU"])),
        "change": [-3.5, 2.0],
    })


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_csv_neutralises_each_trigger_in_text_and_enum_columns(trigger):
    back = pl.read_csv(to_csv_bytes(injection_frame(trigger), "plain"))
    assert back["title"].to_list() == [f"'{trigger}HYPERLINK(\"x\")", "Svejsning"]
    assert back["kind"].to_list() == [f"'{trigger}cmd", "AMU"]


@pytest.mark.parametrize("dialect", ["da", "plain"])
def test_csv_keeps_negative_numbers_as_numbers(dialect):
    data = to_csv_bytes(injection_frame("-"), dialect)
    text = data.decode("utf-8-sig")
    assert ("-3,5" if dialect == "da" else "-3.5") in text
    assert "'-3" not in text
    separator = ";" if dialect == "da" else ","
    back = pl.read_csv(data, separator=separator, decimal_comma=dialect == "da")
    assert back["change"].dtype == pl.Float64
    assert back["change"].to_list() == [-3.5, 2.0]


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_excel_writes_each_trigger_as_inert_text(trigger):
    data = to_excel_bytes(injection_frame(trigger), **excel_kwargs())
    back = excel_sheet(data, "Data")
    assert back["title"].to_list() == [f"'{trigger}HYPERLINK(\"x\")", "Svejsning"]
    assert back["kind"].to_list() == [f"'{trigger}cmd", "AMU"]
    assert "<f>" not in sheet_xml(data)  # no formula anywhere in the data sheet
    assert back["change"].dtype == pl.Float64
    assert back["change"].to_list() == [-3.5, 2.0]


def test_excel_neutralises_filter_and_definition_text():
    data = to_excel_bytes(view_frame(), **excel_kwargs(
        filters_description="=cmd|' /C calc'!A0",
        definitions=[{"key": "x", "title": "@SUM(1)", "definition": "+1", "unit": "count",
                      "source": "-"}],
    ))
    filters = excel_sheet(data, "Filtre")
    assert "'=cmd|' /C calc'!A0" in filters["Værdi"].to_list()
    definitions = excel_sheet(data, "Definitioner")
    assert definitions.row(0) == ("x", "'@SUM(1)", "'+1", "count", "'-")


# --- Excel -------------------------------------------------------------------------------------

def test_excel_data_sheet_reads_back_equal_to_the_view():
    frame = view_frame()
    data = to_excel_bytes(frame, **excel_kwargs())
    back = excel_sheet(data, "Data")
    # The suppressed column mixes numbers and the marker, so it reads back as text.
    assert back["participations"].to_list() == ["12345", SUPPRESSED_MARKER, "640", "1500"]
    restored = back.with_columns(
        pl.col("participations").replace(SUPPRESSED_MARKER, None).cast(pl.Float64)
    )
    assert_frame_equal(restored, frame)


def test_excel_stores_numbers_as_numbers_and_the_marker_as_text():
    data = to_excel_bytes(view_frame(), **excel_kwargs())
    # C2 = Hovedstaden's participations, C3 = Bornholm's (suppressed)
    assert re.fullmatch(r'<c r="C2" s="\d+"><v>12345</v></c>', cell_xml(data, "C2"))
    assert 't="s"' in cell_xml(data, "C3")
    assert excel_sheet(data, "Data")["share"].dtype == pl.Float64
    assert excel_sheet(data, "Data")["month"].dtype == pl.Date


def test_excel_never_leaks_a_value_left_in_a_suppressed_cell():
    leaky = view_frame().with_columns(participations=pl.Series([12345.0, 3.0, 640.0, 1500.0]))
    data = to_excel_bytes(leaky, **excel_kwargs())
    assert excel_sheet(data, "Data")["participations"][1] == SUPPRESSED_MARKER
    assert 't="s"' in cell_xml(data, "C3")  # the marker string, not the number 3


def test_excel_has_header_frozen_and_danish_friendly_number_formats():
    data = to_excel_bytes(view_frame(), **excel_kwargs())
    assert 'state="frozen"' in sheet_xml(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    # '#,##0' shows as 12.345 in a Danish Excel; the share measure has 1 decimal as a percentage
    assert 'formatCode="#,##0"' in styles
    assert 'formatCode="0.0%"' in styles
    assert 'formatCode="yyyy\\-mm\\-dd"' in styles or 'formatCode="yyyy-mm-dd"' in styles


def test_excel_has_definition_and_filter_sheets_in_danish():
    data = to_excel_bytes(view_frame(), **excel_kwargs())
    assert fastexcel.read_excel(data).sheet_names == ["Data", "Definitioner", "Filtre"]
    definitions = excel_sheet(data, "Definitioner")
    assert definitions.columns == ["Nøgle", "Titel", "Definition", "Enhed", "Kilde"]
    assert definitions["Titel"].to_list() == ["Deltagelser", "Andel ledige"]
    assert definitions["Definition"][1] == "Ledige deltagelser / alle deltagelser."
    filters = dict(excel_sheet(data, "Filtre", has_header=True).select(
        pl.col("Indstilling"), pl.col("Værdi").cast(pl.String)).iter_rows())
    assert filters["Filtre"] == "RAR Fyn, jan. 2024 – dec. 2024, AMU"
    assert filters["area"] == "fyn"
    assert filters["period"] == "2024-01-01, 2024-12-31"
    assert filters["education_type"] == "AMU, EUV"
    assert filters["Dataversion"] == "3f9a2c1d77aa0011"
    assert filters["Diskretionsgrænse"] in {"5", "5.0"}
    assert "Eksporteret" in filters


def test_excel_in_english_and_with_catalogue_measure_objects():
    @dataclass
    class Measure:  # the shape of veu_metrics.catalogue.Measure
        key: str
        title_da: str
        title_en: str
        definition_da: str
        definition_en: str
        unit: str
        decimals: int
        source: str

    measure = Measure("participations", "Deltagelser", "Participations", "Antal.", "Count.",
                      "count", 0, "Demo data")
    data = to_excel_bytes(view_frame(), **excel_kwargs(definitions=[measure], lang="en",
                                                        disclosure_threshold=10))
    assert fastexcel.read_excel(data).sheet_names == ["Data", "Definitions", "Filters"]
    assert excel_sheet(data, "Definitions").row(0) == (
        "participations", "Participations", "Count.", "count", "Demo data")
    filters = excel_sheet(data, "Filters")
    assert "Disclosure threshold" in filters["Setting"].to_list()
    assert "Counts of fewer than 10 persons are hidden and shown as '..'" in (
        filters["Value"].cast(pl.String).to_list())


def test_excel_definitions_from_the_measures_catalogue():
    catalogue = load_catalogue()
    frame = pl.DataFrame({"area_code": ["fyn"], "completion_rate": [0.8125],
                          "participations": [1234]})
    data = to_excel_bytes(frame, **excel_kwargs(definitions=catalogue))
    sheet = excel_sheet(data, "Definitioner")
    assert sheet["Nøgle"].to_list() == list(catalogue)
    rate = catalogue["completion_rate"]
    row = sheet.filter(pl.col("Nøgle") == "completion_rate").row(0)
    assert row == ("completion_rate", rate.title_da, rate.definition_da, "andel (%)", rate.source_da)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    places = "0" * rate.decimals
    assert f'formatCode="0{"." + places if places else ""}%"' in styles


def test_excel_threshold_defaults_to_the_deployment_setting(monkeypatch):
    monkeypatch.setenv("VEU_DISCLOSURE_THRESHOLD", "7")
    data = to_excel_bytes(view_frame(), **excel_kwargs(disclosure_threshold=None))
    values = excel_sheet(data, "Filtre")["Værdi"].cast(pl.String).to_list()
    assert any("færre end 7 personer" in v for v in values if v)


def test_excel_refuses_more_rows_than_a_sheet_holds():
    huge = pl.DataFrame({"n": pl.int_range(1_048_576, eager=True)})
    with pytest.raises(ExportError, match="CSV or Parquet"):
        to_excel_bytes(huge, **excel_kwargs())


def test_excel_writes_an_empty_view_with_its_header():
    data = to_excel_bytes(view_frame().clear(), **excel_kwargs())
    back = excel_sheet(data, "Data", raise_if_empty=False)
    assert back.columns == view_frame().columns
    assert back.height == 0
    assert fastexcel.read_excel(data).sheet_names[1:] == ["Definitioner", "Filtre"]


# --- Parquet -----------------------------------------------------------------------------------

def test_parquet_round_trip_keeps_types_and_hides_leaked_values():
    frame = view_frame(pl.Int64)
    assert_frame_equal(pl.read_parquet(to_parquet_bytes(frame)), frame)
    leaky = frame.with_columns(participations=pl.Series([12345, 3, 640, 1500]))
    assert pl.read_parquet(to_parquet_bytes(leaky))["participations"][1] is None


# --- person-level guard ------------------------------------------------------------------------

def enrolment_rows() -> pl.DataFrame:
    return pl.DataFrame({
        "enrolment_id": [1, 2], "course_id": ["K1", "K2"], "person_id": [101, 101],
        "municipality_code": pl.Series([101, 461], dtype=pl.Int16),
    })


@pytest.mark.parametrize("builder", [
    lambda f: to_csv_bytes(f, "da"),
    lambda f: to_csv_bytes(f, "plain"),
    to_parquet_bytes,
    lambda f: to_excel_bytes(f, **excel_kwargs()),
])
def test_aggregate_builders_refuse_person_level_frames(builder):
    with pytest.raises(ExportNotAllowed, match="person_id"):
        builder(enrolment_rows())


def test_check_no_person_level_accepts_aggregates_and_checks_lazy_frames():
    check_no_person_level(view_frame())
    with pytest.raises(ExportNotAllowed, match="enrolment_id"):
        check_no_person_level(enrolment_rows().drop("person_id").lazy())


def test_person_level_download_is_off_by_default():
    assert Settings().allow_person_download is False
    assert load_settings({}).allow_person_download is False
    with pytest.raises(ExportNotAllowed, match="VEU_ALLOW_PERSON_DOWNLOAD"):
        person_level_export(enrolment_rows().lazy(), Settings())


def test_person_level_download_works_when_the_setting_allows_it():
    settings = load_settings({"VEU_ALLOW_PERSON_DOWNLOAD": "true"})
    data = person_level_export(enrolment_rows().lazy(), settings)
    assert_frame_equal(pl.read_parquet(data), enrolment_rows())
    csv = person_level_export(enrolment_rows(), settings, file_format="csv", dialect="plain")
    assert csv.decode().splitlines()[1] == "1,K1,101,101"


# --- file names --------------------------------------------------------------------------------

def test_export_filename_matches_the_documented_example():
    name = export_filename("deltagelser", "RAR Fyn_2024-01 – 2024-12", "3f9a2c1d77aa0011",
                           date(2026, 11, 29), "xlsx")
    assert name == "veu_deltagelser_rar-fyn_2024-01-2024-12_v3f9a2c1d_2026-11-29.xlsx"


@pytest.mark.parametrize(("subject", "filters", "version", "ext", "expected"), [
    ("Kursister på Ærø", "Østjylland, Åbenrå", "v2", ".csv",
     "veu_kursister-paa-aeroe_oestjylland-aabenraa_v2_2026-01-05.csv"),
    ("Mangel / paradoks", "", "20261129-1", "parquet",
     "veu_mangel-paradoks_v20261129-1_2026-01-05.parquet"),
    ("Café élève", "Høje-Taastrup", "", "CSV", "veu_cafe-eleve_hoeje-taastrup_2026-01-05.csv"),
])
def test_export_filename_is_an_ascii_slug(subject, filters, version, ext, expected):
    assert export_filename(subject, filters, version, date(2026, 1, 5), ext) == expected


def test_export_filename_is_bounded_and_keeps_version_and_date():
    name = export_filename("deltagelser", " ".join(["Kommune"] * 60), "3f9a2c1d", date(2026, 1, 5),
                           "xlsx")
    stem = name.removesuffix(".xlsx")
    assert len(stem) <= MAX_FILENAME_STEM
    assert stem.endswith("_v3f9a2c1d_2026-01-05")
    assert re.fullmatch(r"[a-z0-9_.-]+", name)


def test_export_filename_needs_a_usable_extension():
    with pytest.raises(ExportError, match="extension"):
        export_filename("x", "", "", date(2026, 1, 5), ".#")


# --- files for people: labels as headers, words for yes/no, no flag columns ----------------------

PEOPLE = pl.DataFrame({
    "area_name": ["Fyn", "Bornholm"], "employed_3m": [12.0, None],
    "employed_3m_suppressed": [False, True], "widespread": [True, False],
})
HEADERS = {"area_name": "Område", "employed_3m": "I job efter 3 mdr.", "widespread": "Omfattende"}


def test_danish_csv_for_people_has_labels_words_and_no_flags():
    text = to_csv_bytes(PEOPLE, "da", headers=HEADERS).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "Område;I job efter 3 mdr.;Omfattende"
    assert lines[1:] == ["Fyn;12,0;ja", f"Bornholm;{SUPPRESSED_MARKER};nej"]
    assert "suppressed" not in text and "true" not in text.lower()


def test_excel_for_people_has_labels_words_and_no_flags():
    data = to_excel_bytes(PEOPLE, **excel_kwargs(headers=HEADERS))
    sheet = excel_sheet(data, "Data")
    assert sheet.columns == ["Område", "I job efter 3 mdr.", "Omfattende"]
    assert sheet["Omfattende"].to_list() == ["ja", "nej"]
    assert sheet["I job efter 3 mdr."].cast(pl.String).to_list()[1] == SUPPRESSED_MARKER


def test_plain_csv_keeps_the_codes_for_scripts():
    text = to_csv_bytes(PEOPLE, "plain").decode("utf-8")
    assert text.splitlines()[0] == "area_name,employed_3m,employed_3m_suppressed,widespread"
