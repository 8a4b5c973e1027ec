"""The app itself: rerun time per page through AppTest, and the server's memory with a dataset.

    python -m benchmarks.app_bench apptest --data data/bench/1m --out app.json
    python -m benchmarks.app_bench memory --data data/bench/10m --out memory.json

``apptest`` runs ``dashboard/app.py`` in this process (``streamlit.testing.v1.AppTest``): a first
run builds the facts; then for each scenario (the filters of ``prepare.scenario_filters``, given
as a link's query parameters) every page is opened once — a filter the app has not computed yet,
so nothing comes from ``st.cache_data`` — and rerun (everything cached). This is the app's own
time: script, computations, caches, charts and maps built into messages; not the browser's.

``memory`` starts ``streamlit run`` with the dataset, opens every page in one websocket session
and reads the server's resident and peak (VmHWM) memory from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, SCENARIOS, current_rss_mb, median, peak_rss_mb
from benchmarks.load_test import BOUNDARIES, MEETING_LINK, PAGE_PATHS, Session, start_server

APP = ROOT / "dashboard" / "app.py"
APP_PAGES = ("overblik", "omraade", "jobcentre", "mangel", "kurser", "effekter", "data")
PAGE_FILES = {"overblik": "overview", "omraade": "area", "jobcentre": "jobcentre",
              "mangel": "shortage", "kurser": "course", "effekter": "outcome", "data": "data"}
WARMUP_LINK = {"udd": "AMU"}  # a filter no scenario uses, so the first run caches nothing of theirs


def scenario_links() -> dict[str, dict[str, Any]]:
    """The benchmark scenarios as links (query parameters of the filter panel)."""
    from veu_metrics import geography

    labels = {"rar": "RAR", "council": "Beskæftigelsesråd", "municipality": "Kommune"}
    return {
        "national": {},
        "area": {"inddeling": labels["council"],
                 "omr": [geography.area_names("council")["midtjylland"]]},
        "municipality": {"inddeling": labels["municipality"],
                         "omr": [geography.area_names("municipality")["101"]]},
        "year": {"periode": ["2024-01", "2024-12"], "inddeling": labels["rar"]},
    }


def _errors(at: Any, where: str) -> list[str]:
    return [f"{where}: {e.value}"[:300] for e in at.exception]


def run_apptest(data: Path, repeats: int, scenarios: list[str], pages: list[str],
                timeout_s: float) -> dict[str, Any]:
    os.environ["VEU_DATA_DIR"] = str(data)
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise
    if BOUNDARIES.is_file():
        os.environ["VEU_BOUNDARIES"] = str(BOUNDARIES)
    from streamlit.testing.v1 import AppTest

    def fresh(params: dict[str, Any]) -> Any:
        at = AppTest.from_file(str(APP), default_timeout=timeout_s)
        for key, value in params.items():
            at.query_params[key] = value
        return at

    errors: list[str] = []
    at = fresh(WARMUP_LINK)
    start = time.perf_counter()
    at.run()
    first_run = time.perf_counter() - start
    errors += _errors(at, "first run")
    links = scenario_links()
    results: dict[str, dict[str, Any]] = {p: {} for p in pages}
    for name in scenarios:
        at = fresh(links[name])
        # The first run of a new session draws Overblik with the scenario's filters (not cached)
        start = time.perf_counter()
        at.run()
        overblik_cold = time.perf_counter() - start
        errors += _errors(at, f"overblik/{name}")
        for page in pages:
            if page == "overblik":
                cold = overblik_cold
                at.switch_page(f"app_pages/{PAGE_FILES[page]}.py")
            else:
                at.switch_page(f"app_pages/{PAGE_FILES[page]}.py")
                start = time.perf_counter()
                at.run()
                cold = time.perf_counter() - start
                errors += _errors(at, f"{page}/{name}")
            warm = []
            for _ in range(repeats):
                start = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - start)
            results[page][name] = {"cold_s": cold, "warm_s": warm}
    return {"first_run_s": first_run, "pages": results, "errors": errors,
            "rss_mb": current_rss_mb(), "peak_rss_in_process_mb": peak_rss_mb(),
            "summary": {p: {"cold_median_s": median([t["cold_s"] for t in by.values()]),
                            "warm_median_s": median([w for t in by.values() for w in t["warm_s"]])}
                        for p, by in results.items()}}


async def _visit_all(url: str, pages: list[str], server: Any) -> dict[str, Any]:
    session = Session(url)
    await session.connect()
    first = await session.open_page(pages[0], MEETING_LINK)
    after_first = server.rss_mb()
    for page in pages[1:]:
        await session.open_page(page, MEETING_LINK)
    await session.close()
    failures = [f"{r.page}: {r.error or r.exceptions}" for r in session.runs if not r.ok]
    return {"first_page_s": first.seconds, "rss_after_first_page_mb": after_first,
            "page_s": {r.page: r.seconds for r in session.runs}, "failures": failures}


def run_memory(data: Path) -> dict[str, Any]:
    pages = list(PAGE_PATHS)
    with tempfile.TemporaryDirectory(prefix="veu-memory-") as tmp:
        server = start_server(data, Path(tmp) / "streamlit.log")
        try:
            idle = server.rss_mb()
            visit = asyncio.run(_visit_all(server.url, pages, server))
            result = {"size": data.name, "rss_idle_mb": idle, **visit,
                      "rss_after_all_pages_mb": server.rss_mb(), "peak_rss_mb": server.peak_rss_mb()}
        finally:
            server.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("apptest", "memory"))
    parser.add_argument("--data", type=Path, required=True, help="dataset directory")
    parser.add_argument("--repeats", type=int, default=3, help="(apptest) cached reruns per page")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--pages", default=",".join(APP_PAGES))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per AppTest run")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    data = args.data.resolve()
    if args.mode == "apptest":
        result = run_apptest(data, args.repeats, [s for s in args.scenarios.split(",") if s],
                             [p for p in args.pages.split(",") if p], args.timeout)
    else:
        result = run_memory(data)
    result["size"] = args.data.name
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
