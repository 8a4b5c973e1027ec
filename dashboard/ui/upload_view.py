"""The upload page's pieces: run the core's validation or import without ever letting an exception
reach the page, and show the report (summary, files read, problems) with its downloads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from veu_metrics import access, audit, exports
from veu_metrics.formatting import format_number
from veu_metrics.i18n import t
from veu_metrics.ingest import publish
from veu_metrics.ingest.report import Report
from veu_metrics.safe_text import escape_markdown
from veu_metrics.settings import Settings

if TYPE_CHECKING:
    from streamlit.elements.lib.column_types import ColumnConfig
    from streamlit.runtime.uploaded_file_manager import UploadedFile

    from veu_metrics.ingest.publish import ImportMode

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


def read_uploads(uploaded: list[UploadedFile] | None) -> list[tuple[str, bytes]]:
    """Streamlit's uploaded files → (name, bytes) pairs, the core's input."""
    return [(f.name, f.getvalue()) for f in (uploaded or [])]


def run_check(files: list[tuple[str, bytes]], dataset_dir: Path | None, *, mode: ImportMode,
              limit_mb: int) -> UploadOutcome:
    try:
        report = publish.validate_upload(files, dataset_dir, mode=mode, max_file_mb=limit_mb)
    except _FAILURES as exc:  # the page must explain, never show a traceback
        return UploadOutcome("check", None, problem=_describe(exc))
    return UploadOutcome("check", report)


def run_import(files: list[tuple[str, bytes]], dataset_dir: Path, settings: Settings, *,
               mode: ImportMode, limit_mb: int, by: str) -> UploadOutcome:
    """Publish as administrator ``by`` (written to the audit log)."""
    try:
        report, version_id = publish.import_upload(files, dataset_dir, settings, mode=mode,
                                                   max_file_mb=limit_mb, via="web", by=by)
    except _FAILURES as exc:  # a failed publish leaves the active version untouched
        return UploadOutcome("publish", None, problem=_describe(exc))
    return UploadOutcome("publish", report, version_id)


_FAILURES: tuple[type[BaseException], ...] = (Exception, pl.exceptions.PanicException)
"""What a check or publish may raise: any error, and Polars panics (a BaseException)."""


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
    # A problem with a whole file has no row: '–', not Streamlit's grey 'None'.
    return frame.with_columns(pl.col("severity").replace(names),
                              pl.col("row").cast(pl.String).fill_null("–")).select(
        "severity", "message", "file", "row", "column", "value", "expected", "more")


def files_frame(report: Report) -> pl.DataFrame:
    rows = [{"file": f.file, "table": f.table, "format": f.format, "rows": f.rows,
             "encoding": f.encoding, "separator": "tab" if f.separator == "\t" else f.separator}
            for f in report.files]
    return pl.DataFrame(rows, schema={"file": pl.String, "table": pl.String, "format": pl.String,
                                      "rows": pl.Int64, "encoding": pl.String,
                                      "separator": pl.String})


def _config(columns: list[str], lang: str) -> dict[str, ColumnConfig]:
    config = {c: st.column_config.TextColumn(t(f"upload.col.{c}", lang)) for c in columns}
    for number in ("rows", "more"):
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
        st.error(t("upload.failed", lang, problem=escape_markdown(outcome.problem or "?")), icon="🚫")
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


def versions_config(lang: str) -> dict[str, ColumnConfig]:
    config = _config(["id", "name", "created_at", "covers", "rows"], lang)
    config["active"] = st.column_config.CheckboxColumn(t("upload.col.active", lang))
    return config


# ------------------------------------------------------------------------------ access, audit
def current_admin(settings: Settings) -> str | None:
    """The signed-in administrator, decided on the server from what the sign-in vouches for:
    Streamlit's st.user (the OpenID Connect provider's ID token) or the trusted proxy header."""
    if settings.uploads == "off":
        return None
    user = _user_claims() if settings.uploads == "oidc" else None
    headers = dict(st.context.headers) if settings.uploads == "header" else None
    return access.administrator(settings, user=user, headers=headers)


def _user_claims() -> dict[str, Any] | None:
    if not auth_configured():
        return None
    try:
        return st.user.to_dict()
    except Exception:  # noqa: BLE001 - no identity is no administrator
        return None


def auth_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (st.login can be used)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def render_sign_in(settings: Settings, lang: str) -> None:
    """What a visitor who is not an administrator sees: how to sign in, or how an administrator
    enables sign-in. No server paths, no commands, nothing that changes data."""
    st.info(t("upload.admin_only", lang), icon="🔒")
    if settings.uploads == "oidc":
        if not auth_configured():
            st.warning(t("upload.auth_missing", lang), icon="⚙️")
            return
        signed_in = access.signed_in_as(settings, user=_user_claims())
        if signed_in is None:
            st.button(t("upload.sign_in", lang), type="primary", on_click=st.login)
        else:
            st.warning(t("upload.not_admin", lang, who=escape_markdown(signed_in)), icon="🚫")
            st.button(t("upload.sign_out", lang), on_click=st.logout)
    elif settings.uploads == "header":
        st.caption(t("upload.header_hint", lang))


def render_signed_in(admin: str, settings: Settings, lang: str) -> None:
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(t("upload.signed_in", lang, who=escape_markdown(admin)))
    if settings.uploads == "oidc":
        right.button(t("upload.sign_out", lang), on_click=st.logout, width="stretch")


def audit_frame(dataset_dir: Path) -> pl.DataFrame:
    """The audit log, newest first: when, what, which version, who (and how), files, summary."""
    rows = []
    for entry in reversed(audit.read(dataset_dir)):
        summary = entry.summary or {}
        rows.append({
            "at": entry.at[:19].replace("T", " "), "action": entry.action,
            "version": entry.version or "–", "by": f"{entry.by} ({entry.via})",
            "files": ", ".join(f"{f.get('name')} · sha256 {str(f.get('sha256', ''))[:12]}"
                               for f in entry.files) or "–",
            "summary": (f"{summary.get('errors', 0)} / {summary.get('warnings', 0)}"
                        if summary else "–"),
        })
    return pl.DataFrame(rows, schema={c: pl.String for c in
                                      ("at", "action", "version", "by", "files", "summary")})


def render_audit_log(dataset_dir: Path, lang: str) -> None:
    """The audit log table; call only for an administrator."""
    frame = audit_frame(dataset_dir)
    st.subheader(t("upload.audit_title", lang), help=t("upload.audit_help", lang))
    if frame.is_empty():
        st.caption(t("upload.audit_empty", lang))
        return
    st.dataframe(frame, hide_index=True, width="stretch", key="audit-log",
                 column_config={c: st.column_config.TextColumn(t(f"upload.audit.{c}", lang))
                                for c in frame.columns})
