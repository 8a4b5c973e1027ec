"""Indlæs data: administrators check files and publish them as a new dataset version (the same
validation and atomic publishing as the CLI). The page is only in the navigation where a
deployment enables uploads (VEU_UPLOADS), and everything that reads or changes the data is behind
the administrator check, made on the server on every run (never from session state or the URL)."""

import streamlit as st

from ui import components, upload_view
from ui.context import get_context
from veu_metrics.i18n import t
from veu_metrics.ingest.publish import ImportMode

ctx = get_context()
lang, settings = ctx.lang, ctx.settings
limit = settings.upload_limit_mb

components.render_page_header(t("page.upload", lang), "", lang, intro=t("upload.intro", lang))
admin = upload_view.current_admin(settings)
if admin is None:
    upload_view.render_sign_in(settings, lang)
    st.stop()
upload_view.render_signed_in(admin, settings, lang)

target = settings.data_dir  # None: the built-in demo data, which is never imported into
if target is None:
    st.info(t("upload.demo", lang), icon="ℹ️")
    st.code(upload_view.CLI_EXAMPLE, language="bash")
else:
    # Inside a code span (the text's backticks) Markdown shows everything literally but a backtick
    st.caption(t("upload.target", lang, path=str(target).replace("`", "'")))

# 0) Files and how to use them
uploaded = st.file_uploader(
    t("upload.files", lang), type=list(upload_view.UPLOAD_TYPES), accept_multiple_files=True,
    key="upload_files", max_upload_size=limit, help=t("upload.files.help", lang, limit=limit),
    on_change=upload_view.forget_result)
st.caption(t("upload.files.limit", lang, limit=limit))  # visible, not only on hover
modes: dict[ImportMode, str] = {"replace": t("upload.mode.replace", lang),
                                "update": t("upload.mode.update", lang)}
mode = st.radio(t("upload.mode", lang), list(modes), format_func=modes.get, horizontal=True,
                key="upload_mode", help=t("upload.mode.help", lang)) or "replace"

# 1) Check, or check and publish
check_col, publish_col, _ = st.columns([1, 1, 3])
check = check_col.button(t("upload.check", lang), help=t("upload.check.help", lang),
                         disabled=not uploaded, width="stretch")
publish = publish_col.button(t("upload.publish", lang), help=t("upload.publish.help", lang),
                             type="primary", disabled=not uploaded or target is None,
                             width="stretch")
if not uploaded:
    st.caption(t("upload.no_files", lang))
files = upload_view.read_uploads(uploaded)
if check and files:
    with st.spinner(t("upload.checking", lang)):
        st.session_state[upload_view.RESULT_KEY] = upload_view.run_check(
            files, target, mode=mode, limit_mb=limit)
if publish and files and target is not None and upload_view.current_admin(settings) == admin:
    with st.spinner(t("upload.importing", lang)):
        outcome = upload_view.run_import(files, target, settings, mode=mode, limit_mb=limit,
                                         by=admin)
    st.session_state[upload_view.RESULT_KEY] = outcome
    if outcome.version_id:
        st.rerun()  # the whole app, banner and footer included, then shows the new version

# 2) The report
result = st.session_state.get(upload_view.RESULT_KEY)
if result is not None:
    upload_view.render_outcome(result, lang)

# 3) The dataset's versions and its audit log
if target is not None:
    versions = upload_view.versions_frame(target)
    if not versions.is_empty():
        st.subheader(t("upload.versions_title", lang), help=t("upload.versions_help", lang))
        st.dataframe(versions, hide_index=True, width="stretch",
                     column_config=upload_view.versions_config(lang))
    upload_view.render_audit_log(target, lang)
