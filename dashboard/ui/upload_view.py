"""The upload page's pieces: run the core's validation or import without ever letting an exception
reach the page, and show the report (summary, files read, problems) with its downloads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import streamlit as st

from veu_metrics import exports, publish
from veu_metrics.formatting import format_number
from veu_metrics.i18n import t
from veu_metrics.settings import Settings
from veu_metrics.validation import Report

UPLOAD_TYPES = ("csv", "txt", "tsv", "xlsx", "xlsm", "xls", "parquet", "json")
"""What the uploader offers; the importer explains anything it cannot read (e.g. old .xls)."""
RESULT_KEY = "_upload_result"

CLI_EXAMPLE = """\
export VEU_DATA_DIR=/srv/veu/data             # the dataset folder the app serves
veu-metrics validate my_files/                 # check; changes nothing
veu-metrics import my_files/ --into /srv/veu/data
veu-metrics versions /srv/veu/data             # list versions (* = active)
streamlit run dashboard/app.py"""


@dataclass(frozen=True)
class UploadOutcome:
    """What one click gave: a report (None if the files could not be processed at all), the new
    version id after a publish, or the problem that stopped the run."""

    action: str  # "check" | "publish"
    report: Report | None
    version_id: str | None = None
    problem: str | None = None


def read_uploads(uploaded: list | None) -> list[tuple[str, bytes]]:
    """Streamlit's uploaded files → (name, bytes) pairs, the core's input."""
    return [(f.name, f.getvalue()) for f in (uploaded or [])]


def run_check(files: list[tuple[str, bytes]], dataset_dir: Path | None, *, mode: str,
              limit_mb: int) -> UploadOutcome:
    try:
        report = publish.validate_upload(files, dataset_dir, mode=mode, max_file_mb=limit_mb)
    except Exception as exc:  # the page must explain, never show a traceback
        return UploadOutcome("check", None, problem=_describe(exc))
    return UploadOutcome("check", report)


def run_import(files: list[tuple[str, bytes]], dataset_dir: Path, settings: Settings, *,
               mode: str, limit_mb: int) -> UploadOutcome:
    try:
        report, version_id = publish.import_upload(files, dataset_dir, settings, mode=mode,
                                                   max_file_mb=limit_mb)
    except Exception as exc:  # a failed publish leaves the active version untouched
        return UploadOutcome("publish", None, problem=_describe(exc))
    return UploadOutcome("publish", report, version_id)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def forget_result() -> None:
    """on_change of the uploader: a new choice of files makes the old report stale."""
    st.session_state.pop(RESULT_KEY, None)


# ------------------------------------------------------------------------------------ report
def problems_frame(report: Report, lang: str) -> pl.DataFrame:
    """The report's problems as a table, severity in words, the internal kind left out."""
    frame = report.to_frame(lang)
    names = {"error": t("upload.severity.error", lang), "warning": t("upload.severity.warning", lang)}
    return frame.with_columns(pl.col("severity").replace(names)).select(
        "severity", "message", "file", "row", "column", "value", "expected", "more")


def files_frame(report: Report) -> pl.DataFrame:
    rows = [{"file": f.file, "table": f.table, "format": f.format, "rows": f.rows,
             "encoding": f.encoding, "separator": "tab" if f.separator == "\t" else f.separator}
            for f in report.files]
    return pl.DataFrame(rows, schema={"file": pl.String, "table": pl.String, "format": pl.String,
                                      "rows": pl.Int64, "encoding": pl.String,
                                      "separator": pl.String})


def _config(columns: list[str], lang: str) -> dict:
    config: dict = {c: st.column_config.TextColumn(t(f"upload.col.{c}", lang)) for c in columns}
    for number in ("row", "rows", "more"):
        if number in columns:
            config[number] = st.column_config.NumberColumn(t(f"upload.col.{number}", lang),
                                                           format="%d")
    return config


def count_text(kind: str, n: int, lang: str) -> str:
    """'1 advarsel', '3 advarsler' (kind: file, error, warning)."""
    return t(f"upload.count.{kind}.{'one' if n == 1 else 'many'}", lang, n=format_number(n, 0, lang))


def render_outcome(outcome: UploadOutcome, lang: str) -> None:
    """Summary line, the files read, the problems table and the report's downloads."""
    if outcome.report is None:
        st.error(t("upload.failed", lang, problem=outcome.problem or "?"), icon="🚫")
        return
    report = outcome.report
    errors, warnings = report.count("error"), report.count("warning")
    if outcome.version_id:
        st.success(t("upload.published", lang, version=outcome.version_id), icon="✅")
    elif report.ok:
        st.success(t("upload.result_ok", lang, files=count_text("file", len(report.files), lang),
                     warnings=count_text("warning", warnings, lang)), icon="✅")
    else:
        st.error(t("upload.result_errors", lang, errors=count_text("error", errors, lang),
                   warnings=count_text("warning", warnings, lang)), icon="🚫")
    if report.files:
        st.subheader(t("upload.files_title", lang))
        files = files_frame(report)
        st.dataframe(files, hide_index=True, width="stretch", column_config=_config(files.columns, lang))
    if report.problems:
        st.subheader(t("upload.problems_title", lang))
        problems = problems_frame(report, lang)
        st.dataframe(problems, hide_index=True, width="stretch",
                     column_config=_config(problems.columns, lang))
    st.markdown(f"**{t('upload.report_download', lang)}**")
    cols = st.columns(4)
    cols[0].download_button(
        t("download.csv_da", lang), key="report-csv", on_click="ignore",
        file_name="importrapport.csv", mime="text/csv",
        data=lambda: exports.to_csv_bytes(report.to_frame(lang), "da"))
    cols[1].download_button(
        "JSON", key="report-json", on_click="ignore", file_name="importrapport.json",
        mime="application/json", data=lambda: report.to_json(lang).encode("utf-8"))
    cols[2].download_button(
        t("upload.report_text", lang), key="report-txt", on_click="ignore", file_name="importrapport.txt",
        mime="text/plain", data=lambda: report.to_text(lang).encode("utf-8"))


# ---------------------------------------------------------------------------------- versions
def versions_frame(dataset_dir: Path) -> pl.DataFrame:
    """The dataset's published versions, newest first (empty for a plain, unversioned folder)."""
    rows = [{"id": v.id, "active": v.active, "name": v.name,
             "created_at": (v.created_at or "")[:19].replace("T", " "),
             "covers": f"{v.covers_from or '?'} – {v.covers_to or '?'}",
             "rows": sum(n for n in v.rows.values() if n > 0)}
            for v in reversed(publish.list_versions(dataset_dir))]
    return pl.DataFrame(rows, schema={"id": pl.String, "active": pl.Boolean, "name": pl.String,
                                      "created_at": pl.String, "covers": pl.String,
                                      "rows": pl.Int64})


def versions_config(lang: str) -> dict:
    config = _config(["id", "name", "created_at", "covers", "rows"], lang)
    config["active"] = st.column_config.CheckboxColumn(t("upload.col.active", lang))
    return config
