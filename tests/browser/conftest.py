"""Real-browser harness: one Streamlit server and one Chromium per test session.

The server runs ``streamlit run dashboard/app.py`` on a free local port against a small generated
dataset; Chromium is Debian's (never a downloaded one), driven by the Playwright package. Every
page a test opens records its console errors and its requests: a request to any host but the
app's own fails the test that made it.

Without /usr/bin/chromium the browser tests are skipped with the reason, except in CI (CI=true),
where a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from veu_metrics.generate import generate_dataset

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # reported by the browser_context fixture (skip, or fail in CI)
    PlaywrightTimeout = TimeoutError  # type: ignore[misc,assignment]

REPO = Path(__file__).resolve().parents[2]
SHARED_BOUNDARIES = (REPO / ".." / "shared" / "geo" / "kommuner_250m.geojson").resolve()
# The DAGI municipalities live beside the repository (never copied into it); where they are
# absent, the repository's test squares (one per municipality) still give a polygon map to click.
BOUNDARIES = (SHARED_BOUNDARIES if SHARED_BOUNDARIES.is_file()
              else REPO / "tests" / "fixtures" / "geo" / "squares_98.geojson")
CHROMIUM = Path(os.environ.get("VEU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = REPO / "artifacts" / "screenshots"
FAILURES = REPO / "artifacts" / "browser-failures"
SERVER_LOG = REPO / "artifacts" / "browser-streamlit.log"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("VEU_UPDATE_SCREENSHOTS", "") == "1"
VIEW_WIDTH = 1400
TALL_VIEW_HEIGHT = 3200  # most pages fit: a screenshot needs no resize (and no redraw)
MAX_SHOT_HEIGHT = 12_000
# Pages draw in 2.5–8 s on an idle machine; a shared CI runner can be several times slower.
LOAD_TIMEOUT_MS = 90_000
RERUN_TIMEOUT_MS = 30_000  # from a click to the start of the rerun it causes
ALLOWED_URL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")

DATASET_ENROLMENTS = 30_000
DATASET_SEED = 2018
DATASET_UNTIL = date(2026, 10, 1)

# Streamlit's frontend finds its base path by probing /<page>/_stcore/health and host-config on
# a page's URL before falling back to /: those 404s are expected, not errors of the app.
BASE_PATH_PROBE = re.compile(r"^http://127\.0\.0\.1:\d+/[^_][^?]*/_stcore/(health|host-config)$")

# True while the script runs or the page still waits for elements (skeletons).
_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  return !document.querySelector('[data-testid="stSkeleton"]');
}"""

# The page's text and every chart's drawn labels (vega draws SVG text here).
_VISIBLE_TEXTS_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return [];
  return [main.innerText, ...[...main.querySelectorAll('svg text')].map(t => t.textContent)];
}"""
_PLACEHOLDER = re.compile(r"(?<![\w-])(None|null|NaN|undefined)(?![\w-])")

_CHART_SIGNATURE_JS = """el => {
  const c = el.querySelector('canvas');
  if (c) return c.toDataURL();
  const s = el.querySelector('svg.marks');
  return s ? s.outerHTML : '';
}"""

# The height the page's content needs (main block or sidebar, whichever is longer), scrolled up.
_CONTENT_HEIGHT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (main) main.scrollTo(0, 0);
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const side = document.querySelector('[data-testid="stSidebarUserContent"]');
  return Math.ceil(Math.max(block ? block.getBoundingClientRect().bottom : 0,
                            side ? side.getBoundingClientRect().bottom + 24 : 0));
}"""

# Counts the script runs the page has seen, so an action can wait for the rerun it causes.
_RUN_COUNTER_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (window.__veuRuns !== undefined || !app) return;
  window.__veuRuns = 0;
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__veuRuns += 1;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def browser_unavailable(reason: str) -> None:
    """Skip with a visible reason on a developer machine; fail in CI, where the browser must be."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _wait_healthy(server: AppServer, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.process.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(OSError, urllib.error.URLError), urllib.request.urlopen(
                f"{server.url}/_stcore/health", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"streamlit was not healthy after {timeout_s:.0f} s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def browser_dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30,000 synthetic enrolments, Jan 2018 – Oct 2026: big enough for unsuppressed national and
    regional numbers, small enough to build the app's facts in about a second."""
    out = tmp_path_factory.mktemp("browser-data") / "dataset"
    return generate_dataset(out, enrolments=DATASET_ENROLMENTS, seed=DATASET_SEED, until=DATASET_UNTIL)


@pytest.fixture(scope="session")
def app_boundaries() -> Path:
    """The municipality polygons the app under test draws (VEU_BOUNDARIES)."""
    return BOUNDARIES


@contextlib.contextmanager
def run_app_server(log_path: Path, port: int, env: dict[str, str], args: tuple[str, ...] = ()
                   ) -> Iterator[AppServer]:
    """``streamlit run dashboard/app.py`` on 127.0.0.1:``port`` from the repository root (so the
    app's .streamlit/config.toml applies), its output in ``log_path``; stopped on exit."""
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        # Pages may change on disk while the suite runs (others edit them): never hot-reload.
        "--server.fileWatcherType", "none", "--server.runOnSave", "false", *args,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = AppServer(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        _wait_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(browser_dataset_dir: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[AppServer]:
    """``streamlit run dashboard/app.py`` on a free port, from the repository root (so the app's
    .streamlit/config.toml applies), stopped at the end of the session."""
    if not CHROMIUM.is_file():  # no server either: nothing could look at it
        browser_unavailable(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-color-emoji")
    shutil.rmtree(FAILURES, ignore_errors=True)  # only this run's failures are left to look at
    log_path = tmp_path_factory.mktemp("browser-server") / "streamlit.log"
    port = free_port()
    env = {
        **os.environ,
        "VEU_DATA_DIR": str(browser_dataset_dir),
        "VEU_BOUNDARIES": str(BOUNDARIES),
        "PYTHONUNBUFFERED": "1",
    }
    try:
        with run_app_server(log_path, port, env) as server:
            yield server
    finally:
        # Kept after the run (tracebacks are redacted in the browser; CI can upload artifacts/).
        SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log_path, SERVER_LOG)


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium with a fresh profile; downloads accepted into a temporary folder."""
    if not CHROMIUM.is_file():
        browser_unavailable(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-color-emoji")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        browser_unavailable("the playwright package is missing: pip install -r requirements-dev.txt")
    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("chromium-downloads")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            accept_downloads=True, downloads_path=str(downloads),
            viewport={"width": VIEW_WIDTH, "height": 1000}, locale="da-DK",
        )
        try:
            yield context
        finally:
            context.close()


@dataclass
class AppPage:
    """One browser tab on the app, with what it logged. Tests use its helpers to open views,
    wait for Streamlit's reruns and read what is on screen."""

    page: Any
    server: AppServer
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    deck_views: list[dict] = field(default_factory=list)
    """The initial view (longitude, latitude, zoom) of every deck map the server sent, in order."""

    # --- navigation and waiting ---------------------------------------------------------------

    def open(self, path: str = "", params: dict[str, str | list[str]] | None = None,
             tall: bool = False) -> None:
        """Go to ``/path?params`` cold and wait until the page is drawn (``tall``: in a window
        tall enough for a full-page screenshot)."""
        if tall:
            self.page.set_viewport_size({"width": VIEW_WIDTH, "height": TALL_VIEW_HEIGHT})
        query = f"?{urlencode(params, doseq=True)}" if params else ""
        self.page.goto(f"{self.server.url}/{path}{query}", wait_until="domcontentloaded")
        self.page.locator('[data-testid="stApp"]').wait_for(timeout=LOAD_TIMEOUT_MS)
        self.page.evaluate(_RUN_COUNTER_JS)
        # The first run has started when the page's title (h1) or an error box is there.
        self.page.locator('h1, [data-testid="stException"], [data-testid="stAlertContentError"]'
                          ).first.wait_for(timeout=LOAD_TIMEOUT_MS)
        self.wait_idle()

    def wait_idle(self) -> None:
        """Until the script has finished and no element is still a skeleton, twice in a row
        (a quarter of a second apart: a widget may start one more run as the page settles)."""
        self.page.wait_for_function(_IDLE_JS, timeout=LOAD_TIMEOUT_MS, polling=100)
        self.page.wait_for_timeout(250)
        self.page.wait_for_function(_IDLE_JS, timeout=LOAD_TIMEOUT_MS, polling=100)

    def runs(self) -> int:
        return int(self.page.evaluate("() => window.__veuRuns || 0"))

    def rerun_after(self, action: Callable[[], Any]) -> None:
        """Do ``action`` (a click, a key) and wait for the rerun it causes to finish."""
        self.page.evaluate(_RUN_COUNTER_JS)
        before = self.runs()
        action()
        try:
            self.page.wait_for_function(f"() => (window.__veuRuns || 0) > {before}",
                                        timeout=RERUN_TIMEOUT_MS, polling=100)
        except PlaywrightTimeout:
            raise AssertionError(f"the action caused no rerun of the app within "
                                 f"{RERUN_TIMEOUT_MS // 1000} s (on /{self.path()})") from None
        self.wait_idle()

    def flip(self, widget: Any, on: bool = True) -> None:
        """Turn a toggle or checkbox ``widget`` (its stCheckbox element) on or off, as a user
        does (a click on its label), and wait for the rerun. A click that lands while the panel
        still moves (an expander opening) is retried."""
        self.page.evaluate(_RUN_COUNTER_JS)
        before = self.runs()
        box = widget.locator("input").first
        for _ in range(3):
            if box.is_checked() == on:
                break
            widget.locator("label").first.click()
            with contextlib.suppress(PlaywrightTimeout):
                box.evaluate("(el, on) => new Promise(r => { const t = () => el.checked === on"
                             " ? r() : setTimeout(t, 50); t(); })", on, timeout=3000)
        assert box.is_checked() == on, f"the switch did not turn {'on' if on else 'off'}"
        self.page.wait_for_function(f"() => (window.__veuRuns || 0) > {before}",
                                    timeout=RERUN_TIMEOUT_MS, polling=100)
        self.wait_idle()

    def go_to_page(self, label: str) -> None:
        """Click a page in the sidebar navigation (as a user does; the URL keeps bound filters)."""
        link = self.page.locator('[data-testid="stSidebarNav"] a', has_text=label).first
        self.rerun_after(link.click)

    # --- reading the screen -------------------------------------------------------------------

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    def path(self) -> str:
        return urlsplit(self.page.url).path.strip("/")

    def title(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    def current_page_label(self) -> str:
        """The sidebar's label of the page on screen."""
        return self.page.locator('[data-testid="stSidebarNav"] a[aria-current="page"] span[label]'
                                 ).get_attribute("label") or ""

    def page_labels(self) -> list[str]:
        """The sidebar's page labels, in order."""
        labels = self.page.locator('[data-testid="stSidebarNav"] a span[label]')
        return [labels.nth(i).get_attribute("label") or "" for i in range(labels.count())]

    def captions(self) -> list[str]:
        """Every caption in the page's main area (the filters line is one of them)."""
        boxes = self.page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]')
        return [boxes.nth(i).inner_text().strip() for i in range(boxes.count())]

    def sidebar_widget(self, testid: str, label: str) -> Any:
        """A sidebar widget (``stMultiSelect``, ``stCheckbox``...) by its exact label."""
        return self.page.locator(f'[data-testid="stSidebar"] [data-testid="{testid}"]').filter(
            has=self.page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(
                rf"^\s*{re.escape(label)}\s*$"))).first

    def choose(self, label: str, option: str) -> None:
        """Pick ``option`` in the sidebar multiselect ``label`` (type to find it, click it)."""
        box = self.sidebar_widget("stMultiSelect", label)
        box.locator("input").click()
        box.locator("input").fill(option)
        choice = self.page.locator('[role="option"]', has_text=re.compile(rf"^{re.escape(option)}$"))
        self.rerun_after(choice.first.click)
        self.page.keyboard.press("Escape")

    def open_more_filters(self) -> None:
        from veu_metrics.i18n import t

        expander = self.page.locator('[data-testid="stSidebar"] [data-testid="stExpander"]',
                                     has_text=t("filters.more", "da")).first
        if expander.locator("details").get_attribute("open") is None:
            expander.locator("summary").click()
        details = expander.locator('[data-testid="stExpanderDetails"]')
        details.wait_for(state="visible")
        # Until the opening animation is over: the same height for a fifth of a second.
        details.evaluate("""el => new Promise(resolve => {
          let last = -1, since = performance.now();
          const tick = () => {
            const h = el.getBoundingClientRect().height;
            if (h !== last) { last = h; since = performance.now(); }
            if (performance.now() - since > 200) resolve(); else requestAnimationFrame(tick);
          };
          tick();
        })""")

    def kpis(self) -> dict[str, str]:
        """KPI card label → shown value."""
        cards = self.page.locator('[data-testid="stMetric"]')
        out = {}
        for i in range(cards.count()):
            card = cards.nth(i)
            label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
            out[label] = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
        return out

    def leaked_placeholders(self) -> list[str]:
        """Programmers' words for "no value" (None, null, NaN, undefined) shown as text in the
        page or drawn in a chart, each with some context: a reader should see a label or the
        suppression marker instead."""
        texts = self.page.evaluate(_VISIBLE_TEXTS_JS)
        found = []
        for text in texts:
            for match in _PLACEHOLDER.finditer(text):
                context = text[max(0, match.start() - 40): match.end() + 20]
                found.append(" ".join(context.split()))
        return found

    def exceptions(self) -> list[str]:
        boxes = self.page.locator('[data-testid="stException"]')
        return [boxes.nth(i).inner_text()[:2000] for i in range(boxes.count())]

    def warnings(self) -> list[str]:
        boxes = self.page.locator('[data-testid="stAlertContentWarning"]')
        return [boxes.nth(i).inner_text().strip() for i in range(boxes.count())]

    def chart_signature(self, index: int = 0) -> str:
        """What the n-th Vega chart draws (its canvas pixels or SVG markup), to see it change."""
        chart = self.page.locator('[data-testid="stVegaLiteChart"]').nth(index)
        chart.scroll_into_view_if_needed()
        return chart.evaluate(_CHART_SIGNATURE_JS)

    def chart_changed(self, before: str, index: int = 0, timeout_ms: int = 10_000) -> bool:
        """Whether the n-th chart draws something else than ``before`` within ``timeout_ms``
        (vega-embed redraws a moment after Streamlit's rerun has finished)."""
        self.page.locator('[data-testid="stVegaLiteChart"]').nth(index).scroll_into_view_if_needed()
        try:
            self.page.wait_for_function(
                f"""([i, before]) => {{
                  const el = document.querySelectorAll('[data-testid="stVegaLiteChart"]')[i];
                  return !!el && ({_CHART_SIGNATURE_JS})(el) !== before;
                }}""", arg=[index, before], timeout=timeout_ms, polling=100)
        except PlaywrightTimeout:
            return False
        return True

    def assert_healthy(self) -> None:
        """No exception box on the page and no console error so far."""
        assert self.exceptions() == [], (
            f"exception box on /{self.path()}: {self.exceptions()}\n"
            f"server log:\n{self.server.log_tail()}")
        assert self.console_errors == [], f"console errors on /{self.path()}: {self.console_errors}"

    def screenshot(self, name: str) -> Path:
        """A full-height screenshot, 1400 px wide, to artifacts/screenshots/.

        Streamlit scrolls inside its main block, so the viewport must hold the whole content: it
        is stretched when too short (open tall pages with ``tall=True`` to save that redraw)."""
        height = int(self.page.evaluate(_CONTENT_HEIGHT_JS))
        height = max(800, min(height, MAX_SHOT_HEIGHT))
        if height > self.page.viewport_size["height"]:
            self.page.set_viewport_size({"width": VIEW_WIDTH, "height": height})
            self.page.wait_for_timeout(500)  # let charts and the map redraw at the new size
            self.wait_idle()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(target), animations="disabled",
                             clip={"x": 0, "y": 0, "width": VIEW_WIDTH, "height": height})
        return target

    @staticmethod
    def publish_screenshot(shot: Path) -> None:
        """With VEU_UPDATE_SCREENSHOTS=1, make a screenshot of a page that passed its checks
        the current one in docs/screenshots/ (the README shows those)."""
        if UPDATE_SCREENSHOTS:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, DOCS_SCREENSHOTS / shot.name)


_VIEW_STATE = re.compile(rb'"initialViewState":\s*(\{[^{}]*\})')


def _record_deck_views(tab: AppPage, payload: bytes | str) -> None:
    """Read the maps' view states out of Streamlit's messages (a deck travels as JSON text)."""
    data = payload.encode() if isinstance(payload, str) else payload
    for match in _VIEW_STATE.finditer(data):
        with contextlib.suppress(ValueError):
            tab.deck_views.append(json.loads(match.group(1)))


def _is_external(url: str) -> bool:
    return not url.startswith(ALLOWED_URL_PREFIXES)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Keep each phase's report on the test item, so a fixture can see that its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def app(app_server: AppServer, browser_context: Any, request: pytest.FixtureRequest
        ) -> Iterator[AppPage]:
    """A fresh tab (so a fresh Streamlit session) on the running app. The test fails if the tab
    asked for anything outside the app's own host."""
    page = browser_context.new_page()
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    tab = AppPage(page=page, server=app_server)

    def on_console(message: Any) -> None:
        source = (message.location or {}).get("url", "")
        if message.type == "error" and not BASE_PATH_PROBE.match(source):
            tab.console_errors.append(f"{message.text} ({source})" if source else message.text)

    def on_response(response: Any) -> None:
        if response.status >= 400 and not BASE_PATH_PROBE.match(response.url):
            tab.console_errors.append(f"HTTP {response.status} for {response.url}")

    def on_request(request: Any) -> None:
        if _is_external(request.url):
            tab.external_requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.console_errors.append(f"page error: {error}"))
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: _record_deck_views(tab, payload)))
    # A request that leaves the machine is recorded above and refused here (no internet in CI).
    page.route(re.compile(r"^(?!http://127\.0\.0\.1|data:|blob:).*"), lambda route: route.abort())
    try:
        yield tab
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:  # what the browser showed when it failed
            FAILURES.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            with contextlib.suppress(Exception):
                page.screenshot(path=str(FAILURES / f"{name}.png"))
    finally:
        page.close()
    assert tab.external_requests == [], (
        f"the app asked for something outside its own host: {tab.external_requests[:5]}")
