"""Fetching the public tables a deployment needs, from Statistics Denmark's StatBank API.

The API (https://api.statbank.dk/v1, public, no key) takes a JSON object POSTed to a function:
``tableinfo`` describes a table's variables and their values, ``data`` answers the figures
(here as CSV: UTF-8 with BOM, ``;``, one row per cell, the variables' names then ``TID;INDHOLD``,
values as texts). Every variable but the area and the time is asked at its total (``TOT``), so
the answer is exactly what :mod:`veu_metrics.ingest.published` reads. Figures from Statistics Denmark
may be reused with the source given ("Kilde: Danmarks Statistik"; CC BY 4.0), which the fetched
version records per table and the Data page shows.

Nothing here runs at app start; ``veu-metrics fetch`` is the only caller. Tests point ``api`` at
a local server that answers recorded responses (tests/fixtures/statbank/).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATBANK_API = "https://api.statbank.dk/v1"
TIMEOUT_SECONDS = 60
USER_AGENT = "veu-metrics fetch"


@dataclass(frozen=True)
class PublicTable:
    """One table a deployment fetches: where from and what it feeds."""

    code: str
    model_table: str
    title_da: str
    title_en: str
    area_variable: str = "OMRÅDE"
    source_da: str = "Kilde: Danmarks Statistik"
    source_en: str = "Source: Statistics Denmark"
    licence: str = "CC BY 4.0"

    @property
    def url(self) -> str:
        return f"https://www.statistikbanken.dk/{self.code}"


TABLES: dict[str, PublicTable] = {
    "AUF01": PublicTable(
        "AUF01", "unemployment",
        "Fuldtidsledige (foreløbig opgørelse) efter område og måned",
        "Full-time unemployed (preliminary) by area and month"),
    "AULK01": PublicTable(
        "AULK01", "unemployment",
        "Fuldtidsledige efter område og måned (afløser AUL01)",
        "Full-time unemployed by area and month (replaces AUL01)"),
}
DEFAULT_TABLE = "AUF01"


class FetchError(RuntimeError):
    """The API could not be reached or answered something unusable; the message says which."""


@dataclass
class Fetched:
    """A fetched table as a file the importer reads, and what to record about its source."""

    file_name: str
    data: bytes
    source: dict[str, Any] = field(default_factory=dict)


def _post(api: str, function: str, body: dict[str, Any]) -> bytes:
    request = urllib.request.Request(
        f"{api.rstrip('/')}/{function}", data=json.dumps(body).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer: bytes = response.read()
            return answer
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        raise FetchError(f"{api} answered HTTP {exc.code} to {function}: {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"cannot reach {api} ({reason}). Is this machine offline? The fetch needs the "
            "internet; alternatively download the table at "
            "https://www.statistikbanken.dk and import the file with 'veu-metrics import'"
        ) from exc


def selection(info: dict[str, Any], table: PublicTable, since: str | None) -> list[dict[str, Any]]:
    """The ``variables`` of a data request: every area, the months (from ``since``), and every
    other variable at its total. Raises FetchError when a variable has no total."""
    variables: list[dict[str, Any]] = []
    for variable in info.get("variables", []):
        code = str(variable.get("id"))
        values = [str(v.get("id")) for v in variable.get("values", [])]
        if variable.get("time"):
            chosen = [v for v in values if since is None or v >= since] or values[-1:]
        elif code.upper() == table.area_variable:
            chosen = ["*"]
        elif "TOT" in values:
            chosen = ["TOT"]
        else:
            raise FetchError(f"{table.code}: the variable {code} has no total (TOT); "
                             f"values: {', '.join(values[:8])}")
        variables.append({"code": code, "values": chosen})
    if not variables:
        raise FetchError(f"{table.code}: the API's table description lists no variables")
    return variables


def fetch_table(code: str = DEFAULT_TABLE, *, api: str = STATBANK_API,
                since: str | None = None, now: datetime | None = None) -> Fetched:
    """Fetch one StatBank table as a CSV file the importer reads (raises FetchError)."""
    table = TABLES.get(code.upper())
    if table is None:
        raise FetchError(f"unknown table {code}; the fetch knows: {', '.join(TABLES)}")
    raw_info = _post(api, "tableinfo", {"table": table.code, "format": "JSON", "lang": "da"})
    try:
        info = json.loads(raw_info.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{table.code}: the table description is not JSON ({exc})") from exc
    body = {"table": table.code, "format": "CSV", "lang": "da",
            "variables": selection(info, table, since)}
    data = _post(api, "data", body)
    if not data.strip():
        raise FetchError(f"{table.code}: the API answered no data")
    now = now or datetime.now(UTC)
    source = {
        "source": table.source_da, "table": table.code, "title": table.title_da,
        "title_en": table.title_en, "url": table.url, "licence": table.licence,
        "fetched_at": now.isoformat(timespec="seconds"),
        "updated": info.get("updated"),
    }
    return Fetched(file_name=f"{table.code}_statbank_api.csv", data=data, source=source)
