"""Benchmark racegraph's server against Oxigraph's own SPARQL server on the same data, with wrk.

    python benchmarks/run.py [--size small|large|both] [--duration 10] [--connections 8] [--rounds 3]

For each size it starts, on free ports of 127.0.0.1, side by side:

    gunicorn    racegraph under gunicorn, 2 sync workers (the production setup the README documents)
    gunicorn-nocache  the same with RESPONSE_CACHE_BYTES=0 and QUERY_CACHE_BYTES=0: every request is
                answered afresh (what a request costs the first time each worker sees it)
    oxigraph    `oxigraph serve-read-only` on the same quads (the reference)
    floor       a Flask hello-world under the same gunicorn (benchmarks/hello.py): the HTTP floor
    granian     racegraph under granian, 2 workers, when granian is installed (--servers to choose)
    floor-granian  the hello-world under granian, 2 workers: granian's own floor
    baseline    with --baseline DIR: racegraph from another checkout under the same gunicorn (before/after)

and drives every case with `wrk -t1 -cC -dD`, so the client is not the bottleneck. Rounds are
interleaved (every case on every server, then again), and the median round is reported: req/s,
p50 and p99, with req/s as a ratio to Oxigraph (heavy queries) or to the floor (light requests).
Each case is checked first with one request (status and answer size); a case whose answers fail
during the run is reported, not measured. Every server is stopped on exit, error or Ctrl-C.
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
CLASS_SLUG = "gt"  # the class with most entries in the large graph
COUNTRY_SLUG = "fra"  # the country most things link to

# The README's "results table of a race" query, unchanged.
RESULTS_QUERY = """PREFIX rg: <https://w3id.org/racegraph/ontology#>
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
CAREER_QUERY = """PREFIX rg: <https://w3id.org/racegraph/ontology#>
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
GRAPH_RESULTS_QUERY = """PREFIX rg: <https://w3id.org/racegraph/ontology#>
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
GRAPH_CAREER_QUERY = """PREFIX rg: <https://w3id.org/racegraph/ontology#>
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
RG_DRIVER = "https://w3id.org/racegraph/ontology#driver"
ASK_QUERY = "ASK {}"

SPARQL_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


# --- what is measured ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    path: str                      # path and query string
    accept: str
    status: int = 200              # the answer a correct server gives
    conditional: bool = False      # send If-None-Match with the ETag of a first answer


@dataclass(frozen=True)
class Case:
    """One measured request: `racegraph` goes to racegraph's servers, `reference` to Oxigraph or the floor."""
    name: str
    racegraph: Target | None
    reference: Target | None
    reference_server: str = "oxigraph"  # or "floor": what the ratio compares with
    fresh: bool = False                 # end each query with a new comment, so no server can reuse its parse


def sparql_get(endpoint: str, query: str) -> str:
    return f"{endpoint}?query={quote(query, safe='')}"


def both(query: str, accept: str = "application/sparql-results+json") -> tuple[Target, Target]:
    return Target(sparql_get("/sparql", query), accept), Target(sparql_get("/query", query), accept)


CASES = [
    Case("HTTP floor (hello world)", None, Target("/", "text/plain"), "floor"),
    Case("ASK {}", *both(ASK_QUERY)),
    Case("DESCRIBE a driver", *both(DESCRIBE_QUERY, TURTLE)),
    Case("race results, per-graph query", *both(GRAPH_RESULTS_QUERY)),
    Case("race results, per-graph query, new text each time", *both(GRAPH_RESULTS_QUERY), fresh=True),
    Case("race results, README query, default graph", *both(RESULTS_QUERY)),
    Case("driver career, per-graph query", *both(GRAPH_CAREER_QUERY)),
    Case("driver career, README query, default graph", *both(CAREER_QUERY)),
    Case("race results, JSON API", Target(f"/api/events/{EVENT_SLUG}/results", "application/json"),
         both(GRAPH_RESULTS_QUERY)[1]),
    Case("event page", Target(f"/page/event/{EVENT_SLUG}", "text/html"), None),
    Case("driver page", Target("/page/driver/tom-kristensen", "text/html"), None),
    Case("class page (thousands of entries)", Target(f"/page/class/{CLASS_SLUG}", "text/html"), None),
    Case("country page", Target(f"/page/country/{COUNTRY_SLUG}", "text/html"), None),
    Case("class Turtle document, first page", Target(f"/data/class/{CLASS_SLUG}.ttl", TURTLE),
         both(f"DESCRIBE <{BASE}id/class/{CLASS_SLUG}>", TURTLE)[1]),
    Case("VoID description", Target("/.well-known/void", TURTLE), None),
    Case("driver index, first page", Target("/page/driver", "text/html"), None),
    Case("manufacturer index with its chart", Target("/page/manufacturer", "text/html"), None),
    Case("driver page, conditional GET (304)", Target("/page/driver/tom-kristensen", "text/html", 304, True),
         None, "floor"),
    Case("driver Turtle document", Target("/data/driver/tom-kristensen.ttl", TURTLE), both(DESCRIBE_QUERY, TURTLE)[1]),
    Case("/id/... 303", Target("/id/driver/tom-kristensen", "text/html", 303), None, "floor"),
    Case("Triple Pattern Fragment, a driver's entries",
         Target(f"/fragments?predicate={quote(RG_DRIVER, safe='')}&object={quote(DRIVER, safe='')}", TURTLE),
         Target(sparql_get("/query", f"CONSTRUCT {{ ?s <{RG_DRIVER}> <{DRIVER}> }} WHERE {{ ?s <{RG_DRIVER}> <{DRIVER}> }} "
                                     "LIMIT 100"), TURTLE)),
    Case("API, a driver's wins (filtered list)",
         Target("/api/drivers/tom-kristensen/results?position=1", "application/json"),
         both(f"SELECT ?e WHERE {{ ?e <{RG_DRIVER}> <{DRIVER}> ; <https://w3id.org/racegraph/ontology#position> 1 }}")[1]),
]
LIGHT = {"ASK {}", "DESCRIBE a driver", "/id/... 303", "driver page, conditional GET (304)"}


@dataclass
class Measure:
    server: str
    case: str
    status: str = "ok"                  # ok, or why there is no figure
    rounds: list[dict] = field(default_factory=list)
    answer: str = ""

    def median_round(self) -> dict | None:
        if not self.rounds:
            return None
        ordered = sorted(self.rounds, key=lambda r: r["rps"])
        return ordered[len(ordered) // 2]


def describe_answer(response: requests.Response) -> str:
    kind = response.headers.get("Content-Type", "?").split(";")[0]
    if kind == "application/sparql-results+json":
        body = response.json()
        if "boolean" in body:
            return f"boolean {body['boolean']}"
        return f"{len(body['results']['bindings'])} rows"
    if kind == TURTLE:
        triples = sum(1 for _ in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE))
        return f"{triples} triples"
    return f"{response.status_code}, {len(response.content)} bytes {kind}"


def check(base_url: str, target: Target) -> tuple[str, dict[str, str]]:
    """One request by hand: the answer's size, and the headers wrk must send; raises on a wrong answer."""
    headers = {"Accept": target.accept}
    response = requests.get(base_url + target.path, headers=headers, timeout=60, allow_redirects=False)
    if target.conditional:
        headers["If-None-Match"] = response.headers.get("ETag", "")
        response = requests.get(base_url + target.path, headers=headers, timeout=60, allow_redirects=False)
    if response.status_code != target.status:
        raise ValueError(f"HTTP {response.status_code}, expected {target.status}")
    return describe_answer(response), headers


class WrkFailed(RuntimeError):
    """wrk measured nothing: it exits 1 when its first connection is refused (the server is gone)."""


def wrk(url: str, headers: dict[str, str], args, fresh: bool) -> dict:
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "40s",
               "-s", str(HERE / "wrk_report.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    env = {**os.environ, "RG_FRESH": "1" if fresh else "0"}
    finished = subprocess.run(command + [url], capture_output=True, text=True, env=env, timeout=args.duration + 60)
    line = next((line for line in finished.stdout.splitlines() if line.startswith("WRKJSON ")), None)
    if finished.returncode or line is None:  # wrk gives up before measuring: the server refused the connection
        raise WrkFailed(f"wrk exited {finished.returncode}: {finished.stderr.strip() or finished.stdout.strip()}")
    data = json.loads(line[len("WRKJSON "):])
    seconds = data["duration_us"] / 1e6
    return {"rps": data["requests"] / seconds if seconds else 0.0, "p50": data["p50_us"] / 1000,
            "p99": data["p99_us"] / 1000, "errors": data["status_errors"] + data["socket_errors"]}


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

    def start(self, name: str, command: list[str], env: dict | None = None, cwd: Path = ROOT) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "wb")
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=log,
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
    if kind in ("gunicorn", "baseline", "gunicorn-nocache"):  # baseline: run from another checkout (--baseline)
        caches = {"RACEGRAPH_RESPONSE_CACHE_BYTES": "0", "RACEGRAPH_QUERY_CACHE_BYTES": "0"} \
            if kind == "gunicorn-nocache" else {}
        return ([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "server:create_app()"],
                {"RACEGRAPH_STORE": str(store), **caches})
    if kind == "granian":
        return ([sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "2", "--host", "127.0.0.1",
                 "--port", str(port), "server:create_app", "--factory"], {"RACEGRAPH_STORE": str(store)})
    if kind == "floor":
        return ([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", str(HERE),
                 "hello:create_app()"], {})
    if kind == "floor-granian":
        return ([sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "2", "--host", "127.0.0.1",
                 "--port", str(port), "--working-dir", str(HERE), "hello:create_app", "--factory"], {})
    if kind == "oxigraph":
        # no --timeout-s: Oxigraph 0.5.13 starts a watchdog thread per query that sleeps for the whole
        # timeout, so at thousands of light queries a second the threads pile up (2,600 a second on
        # ASK {}) until thread creation fails (500s, "os error 11") and the server aborts (SIGABRT);
        # every query measured here ends in well under a second
        return ([oxigraph_binary(), "serve-read-only", "--location", str(oxigraph_location),
                 "--bind", f"127.0.0.1:{port}"], {})
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
    return "–" if value is None else f"{value:,.{digits}f}"


def table(size: str, counts: dict, measures: list[Measure], notes: list[str]) -> str:
    lines = [f"### {size}: {counts.get('quads', '?')} quads in the named graphs, {counts.get('triples', '?')} "
             f"distinct triples in their merge, {counts.get('events', '?')} events, {counts.get('entries', '?')} entries",
             "",
             "| case | server | req/s | p50 ms | p99 ms | ratio | compared with | answer |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"]
    by_key = {(m.server, m.case): m for m in measures}
    for case in CASES:
        for m in (m for m in measures if m.case == case.name):
            reference = by_key.get((case.reference_server, case.name))
            if case.name in LIGHT or (m.server == "floor-granian" and case is CASES[0]):
                stack_floor = "floor-granian" if m.server == "granian" else "floor"
                reference, against = by_key.get((stack_floor, CASES[0].name)), f"{stack_floor} (hello world, same stack)"
            else:
                against = case.reference_server if reference else ""
            base = reference.median_round() if reference and reference.status == "ok" else None
            best = m.median_round() if m.status == "ok" else None
            if best is None:
                lines.append(f"| {case.name} | {m.server} | – | – | – | – | | {m.status} |")
                continue
            is_reference = m is reference
            share = "1.00" if is_reference else (f"{best['rps'] / base['rps']:.2f}" if base and base["rps"] else "–")
            lines.append(f"| {case.name} | {m.server} | {fmt(best['rps'], 0)} | {fmt(best['p50'], 2)} | "
                         f"{fmt(best['p99'], 2)} | {share} | {'' if is_reference else against} | {m.answer} |")
    lines.append("")
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------------

def targets_of(kind: str, case: Case) -> Target | None:
    """What `kind` is sent for `case`: racegraph's servers the racegraph request, the reference its own."""
    if kind in ("gunicorn", "granian", "baseline", "gunicorn-nocache"):
        return case.racegraph
    if kind == "floor-granian":  # granian's own floor, for racegraph under granian
        return case.reference if case.reference_server == "floor" else None
    return case.reference if kind == case.reference_server else None


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

    urls: dict[str, str] = {}
    processes: dict[str, subprocess.Popen] = {}
    try:
        for kind in args.servers:
            port = free_port()
            command, env = server_commands(kind, store, location, port)
            print(f"[{size}] starting {kind} on port {port}", file=sys.stderr, flush=True)
            cwd = args.baseline if kind == "baseline" else ROOT
            process = processes[kind] = servers.start(f"{size}-{kind}", command, env, cwd)
            urls[kind] = f"http://127.0.0.1:{port}"
            wait_until_up(process, urls[kind] + "/", args.startup_seconds)

        measures: dict[tuple[str, str], Measure] = {}
        plan = []
        for case in selected_cases(args.cases):
            for kind in args.servers:
                target = targets_of(kind, case)
                if target is None:
                    continue
                m = measures[(kind, case.name)] = Measure(kind, case.name)
                try:
                    m.answer, headers = check(urls[kind], target)
                    plan.append((case, kind, target, headers))
                except (ValueError, KeyError, requests.RequestException) as error:
                    m.status = f"not measured: {error}"
        for round_number in range(1, args.rounds + 1):
            for case, kind, target, headers in plan:
                m = measures[(kind, case.name)]
                if m.status != "ok":
                    continue
                try:
                    figures = wrk(urls[kind] + target.path, headers, args, case.fresh)
                except WrkFailed as failure:
                    process = processes[kind]
                    gone = f" ({kind} exited with code {process.returncode})" if process.poll() is not None else ""
                    m.status = f"not measured in round {round_number}: {failure}{gone}"
                    print(f"[{size}] {kind} {case.name}: {m.status}", file=sys.stderr, flush=True)
                    continue
                if figures["errors"]:
                    m.status = f"{figures['errors']} failed requests in round {round_number}"
                m.rounds.append(figures)
                print(f"[{size}] round {round_number} {kind:9} {case.name:50} {figures['rps']:9.0f} req/s "
                      f"p50 {figures['p50']:8.2f} ms p99 {figures['p99']:8.2f} ms", file=sys.stderr, flush=True)
    finally:
        servers.stop_all()
    return table(size, counts, list(measures.values()), notes)


def selected_cases(wanted: list[str]) -> list[Case]:
    """The cases whose name contains one of `wanted` (any case), and the floor; all when nothing is asked."""
    if not wanted:
        return CASES
    return [case for case in CASES if case is CASES[0] or any(w.lower() in case.name.lower() for w in wanted)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["small", "large", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported (default 3)")
    parser.add_argument("--startup-seconds", type=float, default=120, help="wait this long for a server to answer")
    parser.add_argument("--servers", default="gunicorn,oxigraph,floor",
                        help="comma-separated, from gunicorn, gunicorn-nocache, granian, oxigraph, floor, floor-granian "
                             "(default: gunicorn,oxigraph,floor)")
    parser.add_argument("--cases", action="append", default=[],
                        help="measure only the cases whose name contains this text (repeatable; the floor always runs)")
    parser.add_argument("--baseline", type=Path,
                        help="a checkout of another racegraph commit (git worktree or git archive): adds the server "
                             "'baseline', racegraph from there under the same gunicorn, measured in the same rounds")
    parser.add_argument("--data", type=Path, default=HERE / "out", help="where make_large.py wrote (benchmarks/out)")
    parser.add_argument("--output", type=Path, default=HERE / "out" / "results.md")
    args = parser.parse_args(argv)
    args.servers = [name.strip() for name in args.servers.split(",") if name.strip()]
    if args.baseline is not None and "baseline" not in args.servers:
        args.servers.insert(0, "baseline")
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")

    servers = Servers(args.data / "logs")
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    sizes = ["small", "large"] if args.size == "both" else [args.size]
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    header = (f"## racegraph vs Oxigraph, {when}\n\n"
              f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}. "
              f"Command: `python benchmarks/run.py {' '.join(argv if argv is not None else sys.argv[1:])}`. "
              f"`wrk -t1 -c{args.connections} -d{args.duration}s` per case and server, {args.rounds} interleaved "
              f"rounds, median round shown. Ratios: req/s over Oxigraph's for queries, over the hello-world "
              f"floor of the same gunicorn stack for light requests.\n\n")
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
