"""Many users at once: N sessions open the same meeting link at the same moment.

    python -m benchmarks.load_test --data data/bench/1m --sessions 20 [--with-browser]

Starts ``streamlit run dashboard/app.py`` on a free loopback port with ``VEU_DATA_DIR`` at the
dataset, warms it with one session (the facts are built once per process), then opens
``--sessions`` websocket sessions at once. Each opens the meeting link (Overblik for one council
area), then goes through the other pages in its own order, as people clicking around would. A
page counts as drawn when the server has sent the last message of its run (``script_finished``).
The server's RSS is read before and after; per extra session = (after all − after one) ÷ (N − 1).

Why a websocket-level client and not 20 browsers: on this 2-core machine 20 Chromium renderers
drawing Vega charts and deck.gl maps would compete with the server for the same two cores and
measure the browsers, not the app (each real user draws on their own machine). The client
speaks Streamlit's own protocol (protobuf over ``/_stcore/stream``), so the server does exactly
the work a browser would make it do. ``--with-browser`` adds one real Chromium opening the same
pages while the sessions run, for the time until a page is fully drawn on screen.

Bounded: at most 50 sessions, loopback only, every wait has a timeout, the server is stopped at
the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.common import ROOT, median, proc_status_mb

MAX_SESSIONS = 50
PAGE_TIMEOUT_S = 120.0
BOUNDARIES = ROOT.parent / "shared" / "geo" / "kommuner_250m.geojson"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# url path of each page (dashboard/app.py PAGES); the upload page is left out (it computes nothing)
PAGE_PATHS = {"overblik": "overblik", "omraade": "omraade", "jobcentre": "jobcentre",
              "mangel": "mangelomraader", "kurser": "kurser", "effekter": "effekter",
              "data": "data"}
MEETING_LINK = {"inddeling": "Beskæftigelsesråd", "omr": "Beskæftigelsesrådet Midtjylland"}

_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  return !document.querySelector('[data-testid="stSkeleton"]');
}"""


# ------------------------------------------------------------------------------------ server
@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        return proc_status_mb(self.pid, "VmRSS")

    def peak_rss_mb(self) -> float:
        return proc_status_mb(self.pid, "VmHWM")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data: Path, log: Path, timeout_s: float = 60.0, app_root: Path = ROOT) -> Server:
    """``streamlit run dashboard/app.py`` on loopback with the dataset; waits until healthy.

    ``app_root`` is the folder holding ``dashboard/`` and ``.streamlit/`` (default: this
    repository; another one lets a patched copy of the app be load-tested).
    """
    port = _free_port()
    env = {**os.environ, "VEU_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    if BOUNDARIES.is_file():
        env["VEU_BOUNDARIES"] = str(BOUNDARIES)
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=app_root, env=env, stdout=handle,
                                   stderr=subprocess.STDOUT)
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}; see {log}")
        with contextlib.suppress(OSError, urllib.error.URLError), urllib.request.urlopen(
                f"{server.url}/_stcore/health", timeout=2) as response:
            if response.status == 200:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"streamlit was not healthy within {timeout_s:.0f} s; see {log}")


# ------------------------------------------------------------------------- websocket session
@dataclass
class PageRun:
    page: str
    seconds: float
    messages: int
    received_bytes: int
    exceptions: int
    ok: bool
    error: str = ""


@dataclass
class Session:
    """One Streamlit session over a websocket, as the browser's frontend would hold it."""

    url: str
    runs: list[PageRun] = field(default_factory=list)
    _ws: Any = None

    async def connect(self) -> None:
        import websockets

        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self._ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                            open_timeout=PAGE_TIMEOUT_S)

    async def open_page(self, page: str, params: dict[str, str]) -> PageRun:
        """Ask for a run of ``page`` with the link's query string; wait for its last message."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.query_string = urlencode(params, doseq=True)
        message.rerun_script.page_name = PAGE_PATHS[page]
        start = time.perf_counter()
        count = size = exceptions = 0
        try:
            await self._ws.send(message.SerializeToString())
            while True:
                raw = await asyncio.wait_for(self._ws.recv(), timeout=PAGE_TIMEOUT_S)
                count += 1
                size += len(raw)
                forward = ForwardMsg()
                forward.ParseFromString(raw)
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.WhichOneof("type") == "new_element" and (
                        forward.delta.new_element.WhichOneof("type") == "exception"):
                    exceptions += 1
                if kind == "script_finished":
                    status = forward.script_finished
                    if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue  # a rerun replaced this run; wait for the new one to finish
                    ok = status == ForwardMsg.FINISHED_SUCCESSFULLY and not exceptions
                    run = PageRun(page, time.perf_counter() - start, count, size, exceptions, ok)
                    break
        except Exception as exc:  # a timeout or a dropped connection is a result, not a crash
            run = PageRun(page, time.perf_counter() - start, count, size, exceptions, False,
                          f"{type(exc).__name__}: {exc}")
        self.runs.append(run)
        return run

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()


# --------------------------------------------------------------------------------- browser
async def browser_visit(url: str, pages: list[str], params: dict[str, str]) -> dict[str, float]:
    """One real Chromium: open each page's link cold, seconds until it is fully drawn."""
    from playwright.async_api import async_playwright

    drawn: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="veu-load-chromium-") as profile:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                viewport={"width": 1400, "height": 1000}, locale="da-DK")
            try:
                tab = await context.new_page()
                for page in pages:
                    start = time.perf_counter()
                    await tab.goto(f"{url}/{PAGE_PATHS[page]}?{urlencode(params)}",
                                   wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_S * 1000)
                    await tab.locator("h1").first.wait_for(timeout=PAGE_TIMEOUT_S * 1000)
                    while True:  # idle, and still idle a moment later: no rerun or skeleton left
                        await tab.wait_for_function(_IDLE_JS, timeout=PAGE_TIMEOUT_S * 1000,
                                                    polling=50)
                        idle_at = time.perf_counter()
                        await tab.wait_for_timeout(300)
                        if await tab.evaluate(_IDLE_JS):
                            break
                    drawn[page] = idle_at - start
            finally:
                await context.close()
    return drawn


# -------------------------------------------------------------------------------- load test
async def _session_walk(url: str, pages: list[str], params: dict[str, str], seed: int,
                        start_together: asyncio.Event) -> Session:
    session = Session(url)
    await start_together.wait()
    await session.connect()
    await session.open_page(pages[0], params)  # everyone opens the meeting link first
    rest = pages[1:]
    random.Random(seed).shuffle(rest)
    for page in rest:
        await session.open_page(page, params)
    return session


async def run_load(server: Server, sessions: int, pages: list[str], params: dict[str, str],
                   with_browser: bool, deadline_s: float, warm_pages: bool = True
                   ) -> dict[str, Any]:
    # Warm up: one session builds the facts (once per process) and visits every page once, so
    # that lazy imports are done before the crowd arrives (see --cold-imports).
    warm = Session(server.url)
    await warm.connect()
    first = await warm.open_page(pages[0], params)
    if warm_pages:
        for page in pages[1:]:
            await warm.open_page(page, params)
    rss_before = server.rss_mb()
    one = Session(server.url)
    await one.connect()
    await one.open_page(pages[0], params)
    rss_after_one = server.rss_mb()

    go = asyncio.Event()
    walks = [asyncio.create_task(_session_walk(server.url, pages, params, seed, go))
             for seed in range(sessions - 1)]
    browser_task = asyncio.create_task(browser_visit(server.url, pages, params)) if with_browser else None
    start = time.perf_counter()
    go.set()
    done = await asyncio.wait_for(asyncio.gather(*walks), timeout=deadline_s)
    browser: dict[str, Any] | None = None
    if browser_task is not None:
        try:
            browser = {"drawn_s": await asyncio.wait_for(browser_task, timeout=deadline_s)}
        except Exception as exc:  # the browser's failure is a finding, not the end of the test
            browser = {"drawn_s": {}, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    elapsed = time.perf_counter() - start
    rss_after_all = server.rss_mb()
    everyone = [one, *done]
    per_page: dict[str, list[float]] = {p: [] for p in pages}
    failures = []
    for session in everyone:
        for run in session.runs:
            if run.ok:
                per_page[run.page].append(run.seconds)
            else:
                failures.append(f"{run.page}: {run.error or f'{run.exceptions} exception(s)'}")
    for session in [warm, *everyone]:
        await session.close()
    return {
        "sessions": sessions, "client": "websocket sessions (Streamlit protocol)",
        "warm_pages": warm_pages,
        "pages": pages, "link": params, "first_page_s": first.seconds,
        "per_page": per_page,
        "summary": {p: {"median_s": median(t), "max_s": max(t)} for p, t in per_page.items() if t},
        "bytes_per_page": {r.page: r.received_bytes for r in one.runs},
        "elapsed_s": elapsed, "failures": failures,
        "rss_before_mb": rss_before, "rss_after_one_mb": rss_after_one,
        "rss_after_all_mb": rss_after_all,
        "per_extra_session_mb": (rss_after_all - rss_after_one) / max(sessions - 1, 1),
        "peak_rss_mb": server.peak_rss_mb(),
        "browser": browser,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="N concurrent sessions against the running app.")
    parser.add_argument("--data", type=Path, required=True, help="dataset directory (VEU_DATA_DIR)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--pages", default=",".join(PAGE_PATHS),
                        help="pages, the first is the meeting link everyone opens")
    parser.add_argument("--with-browser", action="store_true",
                        help="also open the pages in one real Chromium while the sessions run")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds for the whole test")
    parser.add_argument("--cold-imports", action="store_true",
                        help="warm up with the first page only: the crowd meets the other pages' "
                             "first imports (shows import races on a fresh server)")
    parser.add_argument("--app-root", type=Path, default=ROOT,
                        help="folder with dashboard/ and .streamlit/ (default: this repository)")
    parser.add_argument("--out", type=Path, default=None, help="JSON result file")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be 1–{MAX_SESSIONS}")
    if args.with_browser and not CHROMIUM.is_file():
        parser.error(f"{CHROMIUM} is missing: apt-get install chromium")
    pages = [p for p in args.pages.split(",") if p]
    unknown = [p for p in pages if p not in PAGE_PATHS]
    if unknown:
        parser.error(f"unknown page(s) {unknown}; use {', '.join(PAGE_PATHS)}")
    with tempfile.TemporaryDirectory(prefix="veu-load-") as tmp:
        server = start_server(args.data.resolve(), Path(tmp) / "streamlit.log",
                              app_root=args.app_root.resolve())
        try:
            result = asyncio.run(run_load(server, args.sessions, pages, MEETING_LINK,
                                          args.with_browser, args.timeout,
                                          warm_pages=not args.cold_imports))
        except Exception:
            print((Path(tmp) / "streamlit.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            server.stop()
    result["size"] = args.data.name
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0  # failed sessions are results (listed in the JSON), not a crash of the test


if __name__ == "__main__":
    sys.exit(main())
