"""``veu-metrics fetch``: Statistics Denmark's StatBank API, answered by recorded responses.

The responses in tests/fixtures/statbank/ are written by hand from the API's documented formats
(see its README.md) and served by a local HTTP server on 127.0.0.1: no test uses the network.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polars as pl
import pytest

from veu_metrics.cli import main
from veu_metrics.dataset import open_dataset
from veu_metrics.fetch import FetchError, fetch_table, selection
from veu_metrics.ingest.publish import import_upload
from veu_metrics.ingest.readers import collect_files
from veu_metrics.settings import Settings

RECORDED = Path(__file__).parent / "fixtures" / "statbank"
GOOD = Path(__file__).parent / "fixtures" / "import" / "good"


class _StatBank(BaseHTTPRequestHandler):
    requests: list[tuple[str, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append((self.path, body))
        if self.path.endswith("/tableinfo"):
            payload, kind = (RECORDED / "AUF01_tableinfo.json").read_bytes(), "application/json"
        elif self.path.endswith("/data"):
            payload, kind = (RECORDED / "AUF01_data.csv").read_bytes(), "text/csv"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def api():
    _StatBank.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StatBank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens: what offline looks like


def test_fetch_asks_every_area_the_months_and_every_other_variable_at_its_total(api):
    fetched = fetch_table("AUF01", api=api, since="2024M01")
    (info_path, info_body), (data_path, data_body) = _StatBank.requests
    assert info_path == "/v1/tableinfo" and info_body["table"] == "AUF01"
    assert data_path == "/v1/data" and data_body["format"] == "CSV"
    assert {v["code"]: v["values"] for v in data_body["variables"]} == {
        "OMRÅDE": ["*"], "YDELSESTYPE": ["TOT"], "ALDER": ["TOT"], "KØN": ["TOT"],
        "Tid": ["2024M01", "2024M02"]}
    assert fetched.source["source"] == "Kilde: Danmarks Statistik"
    assert fetched.source["table"] == "AUF01" and fetched.source["licence"] == "CC BY 4.0"


def test_a_variable_without_total_is_a_clear_error():
    info = {"variables": [{"id": "OMRÅDE", "values": [{"id": "101"}]},
                          {"id": "SEKTOR", "values": [{"id": "S1"}, {"id": "S2"}]}]}
    from veu_metrics.fetch import TABLES
    with pytest.raises(FetchError, match="SEKTOR has no total"):
        selection(info, TABLES["AUF01"], None)


def test_fetch_help_works_offline(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["fetch", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--into" in out and "Danmarks Statistik" in out


def test_fetch_offline_fails_with_a_clear_message(closed_port, capsys):
    assert main(["fetch", "--api", closed_port]) == 1
    err = capsys.readouterr().err
    assert "cannot reach" in err and "offline" in err and "statistikbanken.dk" in err


def test_fetch_validates_without_publishing(api, capsys):
    assert main(["fetch", "--api", api]) == 0
    out = capsys.readouterr().out
    assert "Kilde: Danmarks Statistik" in out and "no errors" in out


def test_fetch_into_publishes_a_partial_import_and_records_the_source(api, tmp_path, capsys):
    dataset = tmp_path / "dataset"
    _, version = import_upload(collect_files([GOOD]), dataset, Settings())
    assert version is not None
    before = open_dataset(dataset)
    courses_before = before.tables["courses"].collect()
    assert main(["fetch", "--api", api, "--into", str(dataset), "--out", str(tmp_path / "raw")]) == 0
    assert "Published as version" in capsys.readouterr().out
    after = open_dataset(dataset)
    unemployment = after.tables["unemployment"].collect().sort("month", "municipality_code")
    assert unemployment.select("municipality_code").unique().to_series().sort().to_list() == [
        101, 147, 730, 751]
    assert unemployment.filter(pl.col("municipality_code") == 101)[
        "full_time_unemployed"].to_list() == [12345.0, 12295.0]
    assert after.tables["courses"].collect().equals(courses_before)  # the other tables kept
    assert after.metadata["table_sources"]["unemployment"]["table"] == "AUF01"
    assert (tmp_path / "raw" / "SOURCE.txt").read_text().startswith("Kilde: Danmarks Statistik")
    # a later import of one's own unemployment file drops the credit to the public source
    own = [(n, d) for n, d in collect_files([GOOD]) if n.startswith(("unemployment", "ledighed"))]
    _, again = import_upload(own, dataset, Settings())
    assert again is not None
    assert "table_sources" not in open_dataset(dataset).metadata
