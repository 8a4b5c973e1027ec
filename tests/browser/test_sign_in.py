"""Signing in for real (issue 13): a local OpenID Connect provider (oidc-provider-mock, a real
provider made for tests) on 127.0.0.1, the app started with VEU_UPLOADS=oidc and an [auth]
section in a secrets file of its own (``--secrets.files``). An administrator signs in through the
provider, publishes a file and sees the audit entry; an anonymous visitor gets a read-only app
and no trick publishes. The main suite's server runs with uploads off: no upload page at all."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.browser.conftest import REPO, AppPage, AppServer, free_port, run_app_server

from veu_metrics import audit
from veu_metrics.i18n import t
from veu_metrics.ingest import publish
from veu_metrics.ingest.readers import collect_files
from veu_metrics.settings import Settings

pytestmark = pytest.mark.browser

GOOD = REPO / "tests" / "fixtures" / "import" / "good"
ADMIN = "admin@example.dk"


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[str]:
    """The provider on 127.0.0.1 (the browser suite refuses every other host)."""
    import werkzeug.serving
    from oidc_provider_mock import app as provider_app

    server = werkzeug.serving.make_server("127.0.0.1", 0, provider_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("signin") / "dataset"
    report, version = publish.import_upload(collect_files([GOOD]), root, Settings(), by="ops")
    assert version, report.to_text()
    return root


@pytest.fixture(scope="module")
def auth_server(oidc_provider: str, dataset: Path, tmp_path_factory: pytest.TempPathFactory,
                app_server: AppServer) -> Iterator[AppServer]:
    """A second app server with uploads on for administrators signed in through the provider
    (after the main one: it needs the browser, and skips or fails as the suite does)."""
    folder = tmp_path_factory.mktemp("signin-server")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "veu-overblik"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    with _app_server(folder, port, dataset, {"VEU_UPLOADS": "oidc"},
                     ["--secrets.files", str(secrets_file)]) as server:
        yield server


@contextlib.contextmanager
def _app_server(folder: Path, port: int, dataset: Path, env_extra: dict[str, str],
                args: list[str]) -> Iterator[AppServer]:
    log_path = folder / "streamlit.log"
    env = {**os.environ, "VEU_DATA_DIR": str(dataset), "VEU_ADMINS": ADMIN,
           "VEU_BOUNDARIES": str(REPO / "no-boundaries.geojson"), "PYTHONUNBUFFERED": "1",
           **env_extra}
    with run_app_server(log_path, port, env, tuple(args)) as server:
        yield server


@pytest.fixture
def tab(auth_server: AppServer, browser_context: Any) -> Iterator[AppPage]:
    """A fresh tab with no sign-in cookie; only 127.0.0.1 may be asked (app and provider)."""
    browser_context.clear_cookies()
    page = browser_context.new_page()
    external: list[str] = []
    # The app's own pages ask nothing outside (the provider's test page wants a stylesheet from
    # a CDN: refused below, and not the app's doing).
    page.on("request", lambda r: external.append(r.url)
            if r.frame.url.startswith(auth_server.url)
            and not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
            else None)
    page.route(re.compile(r"^(?!http://127\.0\.0\.1|data:|blob:).*"), lambda route: route.abort())
    try:
        yield AppPage(page=page, server=auth_server)
    finally:
        page.close()
        browser_context.clear_cookies()  # the main suite's tabs stay anonymous
    assert external == [], external


def _uploader(app: AppPage) -> Any:
    return app.page.locator('[data-testid="stFileUploader"]')


def test_an_administrator_signs_in_publishes_and_sees_the_audit_entry(tab: AppPage,
                                                                      dataset: Path) -> None:
    before = publish.version_ids(dataset)
    tab.open("indlaes")
    assert _uploader(tab).count() == 0
    # Sign in through the provider's own form, as a person does
    tab.page.get_by_role("button", name=t("upload.sign_in", "da")).click()
    tab.page.locator('input[name="sub"]').wait_for(timeout=30_000)
    assert tab.page.url.startswith("http://127.0.0.1") and "/oauth2/authorize" in tab.page.url \
        or "authorize" in tab.page.url
    tab.page.locator('input[name="sub"]').fill(ADMIN)
    tab.page.get_by_role("button", name="Authorize").click()
    tab.page.wait_for_url(f"{tab.server.url}/**", timeout=60_000)
    tab.open("indlaes")
    # (shown escaped: an invisible word joiner after "@" keeps Markdown from making a mail link)
    assert ADMIN in " ".join(tab.captions()).replace("\u2060", "")
    # Publish one file
    balance = GOOD / "balance.csv"
    tab.rerun_after(lambda: tab.page.locator('[data-testid="stFileUploaderDropzoneInput"]')
                    .set_input_files(str(balance)))
    publish_button = tab.page.get_by_role("button", name=t("upload.publish", "da"))
    tab.rerun_after(publish_button.click)
    tab.page.get_by_text("Udgivet som version").first.wait_for(timeout=60_000)
    after = publish.version_ids(dataset)
    assert len(after) == len(before) + 1
    entry = audit.read(dataset)[-1]
    assert (entry.action, entry.via, entry.by, entry.version) == ("publish", "web", ADMIN,
                                                                 after[-1])
    # …and the entry on the page: the audit log's table under its heading
    heading = tab.page.get_by_text(t("upload.audit_title", "da")).first
    heading.scroll_into_view_if_needed()
    assert heading.is_visible()
    grid = tab.page.locator('[data-testid="stDataFrame"]').last
    assert grid.is_visible()
    tab.assert_healthy()
    tab.page.mouse.move(0, 0)  # no button's tooltip in the picture
    tab.publish_screenshot(tab.screenshot("indlaes"))  # the README's picture of the page


def test_an_anonymous_visitor_gets_a_read_only_app(tab: AppPage, dataset: Path) -> None:
    before = publish.version_ids(dataset)
    tab.open("indlaes", {"upload_mode": "replace", "admin": ADMIN})
    assert _uploader(tab).count() == 0
    text = tab.page.locator('[data-testid="stMain"]').inner_text()
    assert str(dataset) not in text and "veu-metrics" not in text
    assert tab.page.get_by_role("button", name=t("upload.sign_in", "da")).is_visible()
    # A forged sign-in cookie is not a sign-in
    tab.page.context.add_cookies([{"name": "_streamlit_user", "value": "forged",
                                   "url": tab.server.url}])
    tab.open("indlaes")
    assert _uploader(tab).count() == 0
    assert publish.version_ids(dataset) == before


def test_behind_a_signing_in_proxy_the_header_decides(dataset: Path, browser_context: Any,
                                                      app_server: AppServer,
                                                      tmp_path_factory: pytest.TempPathFactory
                                                      ) -> None:
    """VEU_UPLOADS=header: the header a proxy sets (here: the browser, as the proxy would) makes
    an administrator; another name or no header gets nothing."""
    folder = tmp_path_factory.mktemp("header-server")
    with _app_server(folder, free_port(), dataset,
                     {"VEU_UPLOADS": "header", "VEU_ADMIN_HEADER": "X-Forwarded-Email"},
                     []) as server:
        for who, admin in ((None, False), ("mallory@example.dk", False), (ADMIN, True)):
            page = browser_context.new_page()
            if who:
                page.set_extra_http_headers({"X-Forwarded-Email": who})
            try:
                tab = AppPage(page=page, server=server)
                tab.open("indlaes")
                assert (_uploader(tab).count() == 1) is admin, who
                tab.assert_healthy()
            finally:
                page.close()
