"""Load and fault checks of racegraph under gunicorn (issue #8), driven by wrk on 127.0.0.1.

    python benchmarks/reliability.py [--store DIR] [--duration S] [--scenarios load,kill,timeout] [--page-cache]

Scenarios, each against `gunicorn -c python:server.gunicorn_config` (2 gthread workers):

  load     wrk at 32 connections for D seconds: 24 on the race-results SPARQL query and 8 on a driver
           page, at once. Passes when no answer is a 5xx (or, on a graph too large for the machine,
           when the only 5xx are the intended 503s); prints statuses and p50/p99 of each lane.
  kill     the same load while a query worker is SIGKILLed every 0.5 s and one gunicorn worker once.
           Passes with zero 500s and no query or store worker left behind afterwards. Connections
           the killed gunicorn worker held are dropped (wrk counts them as socket errors): gunicorn
           cannot hand them over.
  timeout  an endless query with QUERY_TIMEOUT=2: passes when the answer is 503, the worker that ran
           it is gone 1 s later, and the workers that were there before use under 0.05 s of CPU in
           the second after that: the query really stopped. (The replacement worker's start-up is
           not counted: it is a new process importing its modules.)

wrk is one client address, so MAX_QUERIES_PER_CLIENT is raised to the connection count here (else it
would answer 429, as it should). Exit status 0 when every scenario passes, 1 otherwise. The short form
(`--duration 3`, the bundled graph) runs in CI; docs/reliability.md records the long form.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from graph.paths import BUNDLED_ARTICLES  # noqa: E402

RESULTS_QUERY = (ROOT / "docs" / "queries" / "1-race-results.rq")
DRIVER_PAGE = "page/driver/tom-kristensen"
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SPARQL_ACCEPT = "application/sparql-results+json"
CONNECTIONS = 32


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes() -> dict[int, tuple[int, str]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            found[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), command)
    return found


def children(parents: set[int], marker: str) -> set[int]:
    return {pid for pid, (parent, command) in processes().items() if parent in parents and marker in command}


def query_workers(parents: set[int]) -> set[int]:
    return children(parents, "server.query_worker") | children(parents, "server.store_worker")


def every_worker_anywhere() -> set[int]:
    return {pid for pid, (_, command) in processes().items()
            if "server.query_worker" in command or "server.store_worker" in command}


def cpu_seconds(pids: set[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class Gunicorn:
    def __init__(self, store: Path, *, page_cache: bool = False, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        # No SPARQL answer cache: every repeated query goes to a query worker, which is what the load
        # and the kills test. The page cache only with --page-cache (as shipped: RESPONSE_CACHE_BYTES).
        caches = {"RACEGRAPH_QUERY_CACHE_BYTES": "0"} | ({} if page_cache else {"RACEGRAPH_RESPONSE_CACHE_BYTES": "0"})
        env = dict(os.environ, RACEGRAPH_STORE=str(store), WEB_CONCURRENCY="2", **caches,
                   **{f"RACEGRAPH_{name}": str(value) for name, value in settings.items()})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_config", "-b", f"127.0.0.1:{self.port}",
             "server:create_app()"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "sparql", params={"query": "ASK {}"}, headers={"Accept": SPARQL_ACCEPT},
                                timeout=30).status_code == 200 and len(self.workers()) == 2:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not come up")

    def workers(self) -> set[int]:
        return children({self.process.pid}, "gunicorn")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wrk(url: str, connections: int, seconds: int, accept: str) -> dict:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "-s", str(HERE / "wrk_status.lua"),
         "-H", f"Accept: {accept}", url], capture_output=True, text=True, timeout=seconds + 120, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRKSTATUS "))
    data = json.loads(line[len("WRKSTATUS "):])
    data["statuses"] = {int(status): count for status, count in data["statuses"].items()}
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def mixed_load(server: Gunicorn, seconds: int) -> dict[str, dict]:
    """24 connections on the results query and 8 on a driver page, at once."""
    query = urllib.parse.quote(RESULTS_QUERY.read_text(encoding="utf-8"))
    lanes = {"sparql (race results)": (f"{server.url}sparql?query={query}", CONNECTIONS * 3 // 4, SPARQL_ACCEPT),
             "driver page": (server.url + DRIVER_PAGE, CONNECTIONS // 4, "text/html")}
    figures: dict[str, dict] = {}

    def run(name, url, connections, accept):
        figures[name] = wrk(url, connections, seconds, accept)

    threads = [threading.Thread(target=run, args=(name, *lane)) for name, lane in lanes.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return figures


def warm_page(server: Gunicorn) -> None:
    """The driver page asked 16 times at once, so that each gunicorn worker has made it once and keeps
    it: what the load then measures is a page the server already has, not its first making."""
    threads = [threading.Thread(target=requests.get, args=(server.url + DRIVER_PAGE,), kwargs={"timeout": 120})
               for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def report(figures: dict[str, dict]) -> None:
    for name, data in figures.items():
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(data["statuses"].items()))
        log(f"  {name:<22} {data['rps']:8.1f} req/s  p50 {data['p50_us'] / 1000:8.1f} ms  "
            f"p99 {data['p99_us'] / 1000:8.1f} ms  statuses {{{statuses}}}  socket errors {data['socket_errors']}")


def fivexx(figures: dict[str, dict], allowed: set[int]) -> int:
    return sum(count for data in figures.values() for status, count in data["statuses"].items()
               if status >= 500 and status not in allowed)


def scenario_load(store: Path, args) -> bool:
    server = Gunicorn(store, page_cache=args.page_cache, MAX_QUERIES_PER_CLIENT=CONNECTIONS)
    try:
        if args.page_cache:
            warm_page(server)
        figures = mixed_load(server, args.duration)
    finally:
        server.stop()
    report(figures)
    allowed = {503} if args.allow_503 else set()
    bad = fivexx(figures, allowed)
    log(f"load: {bad} unexpected 5xx answers" + (" (503 allowed)" if allowed else ""))
    return bad == 0


def scenario_kill(store: Path, args) -> bool:
    server = Gunicorn(store, MAX_QUERIES_PER_CLIENT=CONNECTIONS)
    killed: list[str] = []
    stop = threading.Event()
    everyone: set[int] = set()

    def killer() -> None:
        time.sleep(0.5)
        rounds = 0
        while not stop.wait(0.5):
            rounds += 1
            gunicorn_workers = server.workers()
            everyone.update(gunicorn_workers)
            if rounds == 3 and gunicorn_workers:
                victim = min(gunicorn_workers)
                everyone.update(query_workers({victim}))
                os.kill(victim, signal.SIGKILL)
                killed.append(f"gunicorn worker {victim}")
                continue
            workers = children(gunicorn_workers, "server.query_worker")
            if workers:
                victim = min(workers)
                os.kill(victim, signal.SIGKILL)
                killed.append(f"query worker {victim}")

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        figures = mixed_load(server, args.duration)
    finally:
        stop.set()
        thread.join()
        everyone.update(server.workers())
        server.stop()
    time.sleep(1.0)
    left = {pid for pid, (parent, command) in processes().items()
            if ("server.query_worker" in command or "server.store_worker" in command)
            and (parent in everyone or parent == 1) and pid in every_worker_anywhere() - baseline_workers}
    report(figures)
    errors_500 = sum(data["statuses"].get(500, 0) for data in figures.values())
    log(f"kill: {len(killed)} kills ({', '.join(killed)}); {errors_500} answers 500; "
        f"{len(left)} query/store workers left behind {sorted(left)}")
    return errors_500 == 0 and not left and bool(killed)


def scenario_timeout(store: Path, args) -> bool:
    server = Gunicorn(store, QUERY_TIMEOUT=2)
    try:
        before = query_workers(server.workers())
        started = time.monotonic()
        response = requests.get(server.url + "sparql", params={"query": ENDLESS}, headers={"Accept": SPARQL_ACCEPT},
                                timeout=60)
        answered = time.monotonic() - started
        time.sleep(1.0)
        alive = {pid for pid in before if Path(f"/proc/{pid}").exists()}
        stopped = before - alive
        first = cpu_seconds(alive)
        time.sleep(1.0)
        used = cpu_seconds(alive) - first
    finally:
        server.stop()
    log(f"timeout: {response.status_code} after {answered:.2f} s (QUERY_TIMEOUT=2); 1 s later the worker that ran "
        f"it is {'gone' if stopped else 'STILL THERE'}, and the other workers used {used:.2f} s of CPU in the "
        "next second (replacements' start-up not counted)")
    return response.status_code == 503 and bool(stopped) and used < 0.05


SCENARIOS = {"load": scenario_load, "kill": scenario_kill, "timeout": scenario_timeout}
baseline_workers: set[int] = set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="build folder to serve (default: build the bundled articles)")
    parser.add_argument("--duration", type=int, default=3, help="seconds of each wrk run (default 3)")
    parser.add_argument("--scenarios", default="load,kill,timeout", help="comma-separated, from load, kill, timeout")
    parser.add_argument("--allow-503", action="store_true",
                        help="count 503 (refused: workers and queue full) as intended under load")
    parser.add_argument("--page-cache", action="store_true",
                        help="keep the page cache on (RESPONSE_CACHE_BYTES at its default, as shipped) in the load "
                             "scenario, and ask the page before the load so each worker has it; the SPARQL answer "
                             "cache stays off, so the query lane still saturates")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    baseline_workers.update(every_worker_anywhere())  # other servers on this machine are not ours
    with tempfile.TemporaryDirectory(prefix="racegraph-reliability-") as scratch:
        store = args.store
        if store is None:
            store = Path(scratch) / "graph"
            log(f"building the bundled articles into {store}")
            subprocess.run([sys.executable, "-m", "graph.cli", "build", "--out", str(store), str(BUNDLED_ARTICLES)],
                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        results = {}
        for name in args.scenarios.split(","):
            log(f"--- {name}")
            results[name] = SCENARIOS[name](store, args)
    log("--- " + ", ".join(f"{name}: {'pass' if ok else 'FAIL'}" for name, ok in results.items()))
    passed = sum(results.values())
    print(f"reliability: {passed} passed, {len(results) - passed} failed", flush=True)
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
