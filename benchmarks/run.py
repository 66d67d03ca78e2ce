"""Benchmark racegraph's server against Oxigraph's own SPARQL server on the same data.

    python benchmarks/run.py [--size small|large|both] [--requests N] [--concurrency C]

For each size it starts, one after the other, on free ports of 127.0.0.1:

    flask       `racegraph serve --store DIR` (Flask's threaded server)
    gunicorn    racegraph under gunicorn, 2 sync workers
    oxigraph    `oxigraph serve-read-only` on the same quads (the reference)

and measures, after a warm-up, the latency of N sequential requests (median, p95) and the
throughput of N requests sent by C client threads, for each case below. Figures are printed as a
Markdown table and written to benchmarks/out/results.md; ratios compare each racegraph figure
with the Oxigraph figure of the same case measured in the same run. A server is only up while it
is measured, and every server started is stopped on exit, error or Ctrl-C.

The data comes from benchmarks/make_large.py (run first if benchmarks/out/ lacks it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import pyoxigraph
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE = "http://127.0.0.1:5000/"
DRIVER = BASE + "id/driver/tom-kristensen"
EVENT_SLUG = "2003-1000-km-of-le-mans"

# The README's "results table of a race" query, unchanged.
RESULTS_QUERY = """PREFIX rg: <http://127.0.0.1:5000/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?pos ?class ?no (GROUP_CONCAT(DISTINCT ?driverName; separator=", ") AS ?drivers) ?chassis ?laps
WHERE {
  ?event a rg:RaceEvent ; rdfs:label "2003 1000 km of Le Mans"@en .
  ?entry rg:event ?event ; rg:tableOrder ?order ; rg:carNumber ?no ;
         rg:raceClass/rdfs:label ?class ; rg:chassis/rdfs:label ?chassis ;
         rg:driver/rdfs:label ?driverName .
  OPTIONAL { ?entry rg:position ?position }
  OPTIONAL { ?entry rg:status/rg:statusCode ?status }
  OPTIONAL { ?entry rg:laps ?laps }
  BIND(COALESCE(STR(?position), ?status) AS ?pos)
}
GROUP BY ?order ?pos ?class ?no ?chassis ?laps
ORDER BY ?order
"""
# The README's "a driver's career" query: what a driver page has to gather.
CAREER_QUERY = """PREFIX rg: <http://127.0.0.1:5000/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT ?date ?race ?no ?class ?team ?result
WHERE {
  ?driver a rg:Driver ; schema:name "Tom Kristensen" .
  ?entry rg:driver ?driver ; rg:event ?event ; rg:carNumber ?no ;
         rg:raceClass/rdfs:label ?class ; rg:team/rdfs:label ?team .
  ?event rg:date ?date ; rdfs:label ?race . FILTER(LANG(?race) = "en")
  OPTIONAL { ?entry rg:position ?position }
  OPTIONAL { ?entry rg:status/rg:statusCode ?status }
  BIND(COALESCE(STR(?position), ?status) AS ?result)
}
ORDER BY ?date
"""

# The race's table as graph/results.py reads it: every pattern inside the event's own article graph,
# so each triple is matched once however many articles restate the shared resources.
GRAPH_RESULTS_QUERY = """PREFIX rg: <http://127.0.0.1:5000/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entry ?order ?pos ?code ?class ?no ?chassis ?engine ?tyre ?laps WHERE {
  GRAPH <http://127.0.0.1:5000/graph/article/2003-1000-km-of-le-mans-en> {
    ?entry rg:event <http://127.0.0.1:5000/id/event/2003-1000-km-of-le-mans> ;
           rg:tableOrder ?order ; rg:carNumber ?no ;
           rg:classAsWritten ?class ; rg:chassisAsWritten ?chassis ; rg:engineAsWritten ?engine .
    OPTIONAL { ?entry rg:position ?pos }
    OPTIONAL { ?entry rg:status/rg:statusCode ?code }
    OPTIONAL { ?entry rg:tyre/rg:tyreLetter ?tyre }
    OPTIONAL { ?entry rg:laps ?laps }
  }
} ORDER BY ?order
"""

# The career, each entry read inside the article graph that states it.
GRAPH_CAREER_QUERY = """PREFIX rg: <http://127.0.0.1:5000/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?date ?race ?no ?class ?team ?result
WHERE {
  GRAPH ?g {
    ?entry rg:driver <http://127.0.0.1:5000/id/driver/tom-kristensen> ; rg:event ?event ; rg:carNumber ?no ;
           rg:raceClass/rdfs:label ?class ; rg:team/rdfs:label ?team .
    ?event rg:date ?date ; rdfs:label ?race . FILTER(LANG(?race) = "en")
    OPTIONAL { ?entry rg:position ?position }
    OPTIONAL { ?entry rg:status/rg:statusCode ?status }
  }
  BIND(COALESCE(STR(?position), ?status) AS ?result)
}
ORDER BY ?date
"""
DESCRIBE_QUERY = f"DESCRIBE <{DRIVER}>"
ASK_QUERY = "ASK {}"

SPARQL_JSON = "application/sparql-results+json"
QUERY_TIMEOUT = 30  # seconds: racegraph's default QUERY_TIMEOUT, given to Oxigraph's server too
TURTLE = "text/turtle"


# --- what is measured ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One measured request: `racegraph` is sent to both racegraph servers, `reference` to Oxigraph."""
    name: str
    racegraph: tuple[str, str]          # (path and query string, Accept)
    reference: tuple[str, str]
    check: str                          # "rows", "boolean" or "body": how a response is judged sane
    fresh: bool = False                 # end each query with a new comment, so no server can reuse its parse


def sparql_get(endpoint: str, query: str) -> str:
    return f"{endpoint}?query={quote(query, safe='')}"


CASES = [
    Case("ASK {} (fixed cost per query)",
         (sparql_get("/sparql", ASK_QUERY), SPARQL_JSON), (sparql_get("/query", ASK_QUERY), SPARQL_JSON), "boolean"),
    Case("race results, per-graph SPARQL",
         (sparql_get("/sparql", GRAPH_RESULTS_QUERY), SPARQL_JSON),
         (sparql_get("/query", GRAPH_RESULTS_QUERY), SPARQL_JSON), "rows"),
    Case("race results, per-graph SPARQL, new text each time",
         (sparql_get("/sparql", GRAPH_RESULTS_QUERY), SPARQL_JSON),
         (sparql_get("/query", GRAPH_RESULTS_QUERY), SPARQL_JSON), "rows", fresh=True),
    Case("race results, JSON API",
         (f"/api/events/{EVENT_SLUG}/results", "application/json"),
         (sparql_get("/query", GRAPH_RESULTS_QUERY), SPARQL_JSON), "body"),
    Case("race results, README query, default graph",
         (sparql_get("/sparql", RESULTS_QUERY), SPARQL_JSON), (sparql_get("/query", RESULTS_QUERY), SPARQL_JSON),
         "rows"),
    Case("driver career, per-graph SPARQL",
         (sparql_get("/sparql", GRAPH_CAREER_QUERY), SPARQL_JSON),
         (sparql_get("/query", GRAPH_CAREER_QUERY), SPARQL_JSON), "rows"),
    Case("driver career, README query, default graph",
         (sparql_get("/sparql", CAREER_QUERY), SPARQL_JSON), (sparql_get("/query", CAREER_QUERY), SPARQL_JSON),
         "rows"),
    Case("driver, DESCRIBE via SPARQL",
         (sparql_get("/sparql", DESCRIBE_QUERY), TURTLE), (sparql_get("/query", DESCRIBE_QUERY), TURTLE), "body"),
    Case("driver, Turtle document",
         ("/data/driver/tom-kristensen.ttl", TURTLE), (sparql_get("/query", DESCRIBE_QUERY), TURTLE), "body"),
    Case("driver, HTML page",
         ("/page/driver/tom-kristensen", "text/html"), (sparql_get("/query", GRAPH_CAREER_QUERY), SPARQL_JSON),
         "body"),
]


@dataclass
class Measure:
    server: str
    case: str
    status: str = "ok"                  # ok, or why there is no figure
    latencies: list[float] = field(default_factory=list)
    throughput: float | None = None
    throughput_requests: int = 0
    answer: str = ""                    # rows/triples/bytes of one answer, to compare servers
    request: str = ""                   # what was sent, in short

    @property
    def median(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None

    @property
    def p95(self) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def short_request(path: str, accept: str) -> str:
    """`/sparql` SELECT (json) or `/page/driver/tom-kristensen` (text/html), for the table."""
    if "?query=" in path:
        endpoint, _, query = path.partition("?query=")
        query = unquote(query)
        form = " ".join(line for line in query.splitlines() if not line.startswith("PREFIX")).split()[0]
        what = {"ASK": "ASK {}", "DESCRIBE": "DESCRIBE"}.get(form) or (
            ("results" if "tableOrder" in query else "career") + (" (GRAPH)" if "GRAPH " in query else " (default graph)"))
        return f"`{endpoint}` {what}"
    return f"`{path}`"


def describe_answer(response: requests.Response, check: str) -> str:
    if check == "boolean":
        return f"boolean {response.json()['boolean']}"
    if check == "rows":
        return f"{len(response.json()['results']['bindings'])} rows"
    if response.headers.get("Content-Type", "").startswith(TURTLE):
        triples = sum(1 for _ in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE))
        return f"{triples} triples ({len(response.content)} bytes Turtle)"
    return f"{len(response.content)} bytes {response.headers.get('Content-Type', '?').split(';')[0]}"


def url_maker(base_url: str, path: str, fresh: bool):
    """The URL of each request: always the same, or (fresh) the query text plus a new comment line."""
    counter = iter(range(10**9))
    lock = threading.Lock()

    def next_url() -> str:
        if not fresh:
            return base_url + path
        with lock:
            n = next(counter)
        return base_url + path + quote(f"\n# request {n} {time.time_ns()}", safe="")

    return next_url


def measure(server: str, base_url: str, case: Case, target: tuple[str, str], args) -> Measure:
    path, accept = target
    url = url_maker(base_url, path, case.fresh)
    headers = {"Accept": accept}
    result = Measure(server, case.name, request=short_request(path, accept))
    session = requests.Session()
    try:
        first = session.get(url(), headers=headers, timeout=args.request_timeout, allow_redirects=False)
    except requests.RequestException as error:
        result.status = f"request failed: {type(error).__name__}"
        return result
    if first.status_code != 200:
        result.status = f"HTTP {first.status_code}" + (" (no such endpoint yet)" if first.status_code == 404 else "")
        return result
    try:
        result.answer = describe_answer(first, case.check)
    except (ValueError, KeyError) as error:
        result.status = f"200 but the answer is cut off or malformed ({error})"
        return result

    deadline = time.monotonic() + args.max_seconds
    for _ in range(args.warmup):
        if time.monotonic() > deadline:
            break
        session.get(url(), headers=headers, timeout=args.request_timeout)

    deadline = time.monotonic() + args.max_seconds
    for _ in range(args.requests):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        response = session.get(url(), headers=headers, timeout=args.request_timeout)
        response.content
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            result.status = f"HTTP {response.status_code} during the latency run"
            return result
        result.latencies.append(elapsed * 1000)

    result.throughput, result.throughput_requests, failures = throughput(url, headers, args)
    if failures:
        result.status = f"{failures} failed requests during the throughput run"
    return result


def throughput(url, headers: dict, args) -> tuple[float, int, int]:
    """`args.requests` requests from `args.concurrency` threads, stopped at `args.max_seconds`."""
    lock = threading.Lock()
    budget = [args.requests]
    done = [0]
    failures = [0]
    deadline = time.monotonic() + args.max_seconds

    def client():
        session = requests.Session()
        while time.monotonic() < deadline:
            with lock:
                if budget[0] == 0:
                    return
                budget[0] -= 1
            try:
                response = session.get(url(), headers=headers, timeout=args.request_timeout)
                response.content
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                done[0] += 1
                failures[0] += 0 if ok else 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(args.max_seconds + args.request_timeout + 5)
    elapsed = time.perf_counter() - started
    return (done[0] / elapsed if elapsed else 0.0), done[0], failures[0]


# --- servers ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str:
    beside_python = Path(sys.executable).with_name("oxigraph")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("oxigraph")
    if not found:
        sys.exit("oxigraph not found: pip install -r benchmarks/requirements.txt")
    return found


class Servers:
    """Every process started here, each in a session of its own, stopped as a group by its id."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "wb")
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(5)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process)


def wait_until_up(process: subprocess.Popen, url: str, seconds: float) -> None:
    """Any HTTP answer means the server listens; give up after `seconds` or if it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering {url}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {seconds:g} s")


def server_commands(kind: str, store: Path, oxigraph_location: Path, port: int) -> tuple[list[str], dict]:
    if kind == "flask":
        return [sys.executable, "-m", "graph.cli", "serve", "--store", str(store), "--port", str(port)], {}
    if kind == "gunicorn":
        return ([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "server:create_app()"],
                {"RACEGRAPH_STORE": str(store)})
    if kind == "oxigraph":
        return ([oxigraph_binary(), "serve-read-only", "--location", str(oxigraph_location),
                 "--bind", f"127.0.0.1:{port}", "--timeout-s", str(QUERY_TIMEOUT)], {})
    raise ValueError(kind)


def load_reference(nquads: Path, location: Path) -> float | None:
    """Load the quads into an Oxigraph database once; returns the load time, None when reused."""
    stamp = f"{nquads.stat().st_size} {nquads.stat().st_mtime_ns}"
    marker = location.with_name(location.name + ".loaded")
    if location.is_dir() and marker.exists() and marker.read_text() == stamp:
        return None
    shutil.rmtree(location, ignore_errors=True)
    marker.unlink(missing_ok=True)
    started = time.monotonic()
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(nquads)],
                   check=True, stdin=subprocess.DEVNULL, timeout=1800)
    # racegraph's store is optimised after its bulk load (graph.store.load_nquads); so is this one
    subprocess.run([oxigraph_binary(), "optimize", "--location", str(location)],
                   check=True, stdin=subprocess.DEVNULL, timeout=1800)
    marker.write_text(stamp)
    return time.monotonic() - started


# --- reporting -------------------------------------------------------------------------------------

def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return "–"
    return f"{value / reference:.1f}×"


def table(size: str, counts: dict, measures: list[Measure], notes: list[str]) -> str:
    lines = [f"### {size}: {counts.get('quads', '?')} quads in the named graphs, {counts.get('triples', '?')} "
             f"distinct triples in their merge, {counts.get('events', '?')} events, {counts.get('entries', '?')} entries",
             ""]
    lines.append("| case | server | request | median ms | p95 ms | req/s | median vs Oxigraph | req/s vs Oxigraph | answer |")
    lines.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    reference = {m.case: m for m in measures if m.server == "oxigraph"}
    for case in CASES:
        ref = reference.get(case.name)
        for m in (m for m in measures if m.case == case.name):
            if m.status != "ok" and not m.latencies:
                lines.append(f"| {case.name} | {m.server} | {m.request} | – | – | – | – | – | {m.status} |")
                continue
            is_ref = m.server == "oxigraph"
            label = "oxigraph (reference)" if is_ref else m.server
            answer = m.answer + ("" if m.status == "ok" else f"; {m.status}")
            lines.append(
                f"| {case.name} | {label} | {m.request} | {fmt(m.median)} | {fmt(m.p95)} | {fmt(m.throughput, 0)} | "
                f"{'1.0×' if is_ref else ratio(m.median, ref.median if ref else None)} | "
                f"{'1.0×' if is_ref else ratio(m.throughput, ref.throughput if ref else None)} | {answer} |")
    lines.append("")
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------------

def run_size(size: str, args, servers: Servers) -> str:
    data = args.data
    store = data / size
    nquads = data / f"{size}.nq"
    if not (store / "build.json").exists() or not nquads.exists():
        print(f"{store} or {nquads} missing: running benchmarks/make_large.py", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(HERE / "make_large.py"), "--out", str(data)], check=True, timeout=1800)
    counts = json.loads((store / "build.json").read_text())["counts"]
    location = data / f"oxigraph-{size}"
    load_time = load_reference(nquads, location)
    notes = []
    if load_time is not None:
        notes.append(f"`oxigraph load` + `oxigraph optimize` of {nquads.name}: {load_time:.1f} s")

    measures: list[Measure] = []
    for kind in args.servers:
        port = free_port()
        command, env = server_commands(kind, store, location, port)
        print(f"[{size}] starting {kind} on port {port}", file=sys.stderr, flush=True)
        started = time.monotonic()
        process = servers.start(f"{size}-{kind}", command, env)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_up(process, base_url + "/", args.startup_seconds)
            notes.append(f"{kind}: answering {time.monotonic() - started:.1f} s after start")
            for case in CASES:
                target = case.reference if kind == "oxigraph" else case.racegraph
                m = measure(kind, base_url, case, target, args)
                print(f"[{size}] {kind:9} {case.name:32} median {fmt(m.median)} ms, p95 {fmt(m.p95)} ms, "
                      f"{fmt(m.throughput, 0)} req/s  {m.status}", file=sys.stderr, flush=True)
                measures.append(m)
        finally:
            servers.stop(process)
    return table(size, counts, measures, notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["small", "large", "both"], default="both")
    parser.add_argument("--requests", type=int, default=200, help="requests per latency run and per throughput run")
    parser.add_argument("--warmup", type=int, default=20, help="requests sent before measuring (default 20)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads in the throughput run (default 4)")
    parser.add_argument("--max-seconds", type=float, default=60,
                        help="each warm-up, latency and throughput run stops after this long (default 60)")
    parser.add_argument("--request-timeout", type=float, default=QUERY_TIMEOUT + 10,
                        help="seconds a client waits for one answer (default 40)")
    parser.add_argument("--startup-seconds", type=float, default=120, help="wait this long for a server to answer")
    parser.add_argument("--servers", default="flask,gunicorn,oxigraph",
                        help="comma-separated, from flask, gunicorn, oxigraph (default: all three)")
    parser.add_argument("--data", type=Path, default=HERE / "out", help="where make_large.py wrote (benchmarks/out)")
    parser.add_argument("--output", type=Path, default=HERE / "out" / "results.md")
    args = parser.parse_args(argv)
    args.servers = [name.strip() for name in args.servers.split(",") if name.strip()]

    servers = Servers(args.data / "logs")
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    sizes = ["small", "large"] if args.size == "both" else [args.size]
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    header = (f"## racegraph vs Oxigraph, {when}\n\n"
              f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}. "
              f"Command: `python benchmarks/run.py {' '.join(argv if argv is not None else sys.argv[1:])}`. "
              f"{args.requests} requests per latency run (one at a time, after {args.warmup} warm-up requests) "
              f"and per throughput run ({args.concurrency} client threads); runs stop after {args.max_seconds:g} s.\n\n")
    sections = []
    try:
        for size in sizes:
            sections.append(run_size(size, args, servers))
    except KeyboardInterrupt:
        print("interrupted; stopping the servers", file=sys.stderr)
        return 130
    finally:
        servers.stop_all()
        signal.signal(signal.SIGTERM, previous)
    report = header + "\n".join(sections)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
