"""Real SPARQL servers for the tests, each started on a free 127.0.0.1 port in a folder of its own:
Oxigraph's server (the `oxigraph` package's binary) and Virtuoso Open Source (Debian's `virtuoso-t`).

A server is a `StoreServer`: where to query it, where to write graphs (Graph Store Protocol), the
credentials and `--default-graph` that `racegraph publish` needs for it, and `stop()`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

VIRTUOSO = "virtuoso-t"
VIRTUOSO_USER = ("dba", "dba")  # a new Virtuoso database's administrator; the CRUD endpoint wants Digest auth
MERGE_GRAPH = "http://127.0.0.1:5000/graph/merged"  # where Virtuoso keeps the merge (it keeps its default graph)


@dataclass
class StoreServer:
    kind: str
    query_url: str
    graph_store_url: str
    process: subprocess.Popen
    folder: Path
    auth: tuple[str, str] | None = None
    default_graph: str | None = None
    log: Path | None = field(default=None)

    def publish_arguments(self) -> list[str]:
        arguments = ["--to", self.query_url, "--graph-store", self.graph_store_url]
        if self.default_graph:
            arguments += ["--default-graph", self.default_graph]
        if self.auth:
            arguments += ["--auth", ":".join(self.auth)]
        return arguments

    def app_settings(self) -> dict:
        return {"STORE_URL": self.query_url, "STORE_DEFAULT_GRAPH": self.default_graph or ""}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("oxigraph")
    return str(beside_python) if beside_python.exists() else shutil.which("oxigraph")


def start_oxigraph(folder: Path, port: int, *, timeout_s: int | None = None) -> StoreServer:
    binary = oxigraph_binary()
    if binary is None:
        raise FileNotFoundError("the oxigraph server is not installed (pip install oxigraph)")
    command = [binary, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"]
    if timeout_s:
        command += ["--timeout-s", str(timeout_s)]
    log = folder / "oxigraph.log"
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = StoreServer("oxigraph", f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/store",
                         process, folder, log=log)
    _wait_until_answering(server, 60)
    return server


def virtuoso_installed() -> bool:
    return shutil.which(VIRTUOSO) is not None


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/www
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
; above racegraph's own MAX_RESULT_ROWS, so that racegraph sees (and reports) a cut result itself
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 30
MaxQueryCostEstimationTime = 0
"""


def start_virtuoso(folder: Path, http_port: int, sql_port: int, *, buffers: int = 10000) -> StoreServer:
    """A fresh Virtuoso database in `folder`; `buffers` pages of 8 KiB of cache (10000: ~80 MiB)."""
    (folder / "www").mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port,
                                       buffers=buffers, dirty=buffers * 3 // 4), encoding="utf-8")
    log = folder / "virtuoso.out"
    process = subprocess.Popen([VIRTUOSO, "+configfile", str(ini), "+foreground"], cwd=folder,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env=dict(os.environ))
    base = f"http://127.0.0.1:{http_port}"
    server = StoreServer("virtuoso", base + "/sparql", base + "/sparql-graph-crud-auth", process, folder,
                         auth=VIRTUOSO_USER, default_graph=MERGE_GRAPH, log=log)
    _wait_until_answering(server, 180)
    return server


def _wait_until_answering(server: StoreServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-2000:] if server.log else ""
            raise RuntimeError(f"{server.kind} exited with {server.process.returncode} before answering:\n{tail}")
        try:
            if requests.get(server.query_url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{server.kind} did not answer at {server.query_url} within {timeout}s")
