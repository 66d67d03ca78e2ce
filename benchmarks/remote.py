"""racegraph on its embedded store vs on a remote Oxigraph server vs on Virtuoso, same data, with wrk.

    python benchmarks/remote.py [--duration 5] [--connections 4] [--rounds 1]

Uses the ~1M-quad build of benchmarks/make_large.py (benchmarks/out/large/; run that first). Starts,
on free ports of 127.0.0.1 and in fresh folders under benchmarks/out/remote/, `oxigraph serve` and
Virtuoso (`virtuoso-t`, Debian's virtuoso-opensource), loads the build into each with `racegraph
publish` (timed), then runs racegraph under gunicorn (2 sync workers) three times on the same build:
on its embedded store, with STORE_URL pointing at Oxigraph, and at Virtuoso. Every case is checked
with one request (the three must give the same answer size), then measured with `wrk -t1 -cC -dD`;
req/s is reported with its ratio to the embedded store, and so is p50. Also recorded: the store
servers' resident memory after the run and their databases' size on disk. Every process started
here is stopped on exit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT), str(ROOT / "tests")]

import run  # noqa: E402  benchmarks/run.py: wrk, checks, process handling
from run import Servers, Target, check, free_port, wait_until_up, wrk  # noqa: E402

MERGE_GRAPH = "http://127.0.0.1:5000/graph/merged"
SLUG = run.EVENT_SLUG
CASES = [
    ("ASK {} on /sparql", Target(run.sparql_get("/sparql", run.ASK_QUERY), "application/sparql-results+json")),
    ("race results, per-graph query on /sparql", Target(run.sparql_get("/sparql", run.GRAPH_RESULTS_QUERY),
                                                        "application/sparql-results+json")),
    ("race results, JSON API", Target(f"/api/events/{SLUG}/results", "application/json")),
    ("driver Turtle document", Target("/data/driver/tom-kristensen.ttl", "text/turtle")),
    ("event page", Target(f"/page/event/{SLUG}", "text/html")),
    ("driver page", Target("/page/driver/tom-kristensen", "text/html")),
]


def resident_mib(pid: int) -> float:
    """Resident memory of a process and its children, MiB."""
    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                     text=True).stdout.split()]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def disk_mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def publish(build: Path, arguments: list[str]) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "graph.cli", "publish", "--store", str(build), *arguments],
                   cwd=ROOT, check=True, stdin=subprocess.DEVNULL)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    from store_servers import start_oxigraph, start_virtuoso

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per case and store (default 5)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--rounds", type=int, default=1, help="measure every case this many times, keep the median")
    parser.add_argument("--buffers", type=int, default=60000, help="Virtuoso NumberOfBuffers (8 KiB pages)")
    args = parser.parse_args(argv)
    build = HERE / "out" / "large"
    if not (build / "build.json").exists():
        sys.exit("no benchmarks/out/large: run python benchmarks/make_large.py first")
    work = HERE / "out" / "remote"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    servers = Servers(work / "logs")
    stores = []
    try:
        (work / "oxigraph").mkdir()
        oxigraph = start_oxigraph(work / "oxigraph", free_port(), timeout_s=30)
        stores.append(oxigraph)
        virtuoso_dir = work / "virtuoso"
        virtuoso_dir.mkdir()
        virtuoso = start_virtuoso(virtuoso_dir, free_port(), free_port(), buffers=args.buffers)
        stores.append(virtuoso)
        load = {"oxigraph": publish(build, oxigraph.publish_arguments()),
                "virtuoso": publish(build, virtuoso.publish_arguments())}
        print(f"published in {load['oxigraph']:.0f} s (Oxigraph) and {load['virtuoso']:.0f} s (Virtuoso)", flush=True)
        setups = {"embedded": {}, "oxigraph": oxigraph.app_settings(), "virtuoso": virtuoso.app_settings()}
        results: dict[str, dict[str, dict]] = {}
        answers: dict[str, dict[str, str]] = {}
        for name, settings in setups.items():
            port = free_port()
            env = {"RACEGRAPH_STORE": str(build), **{f"RACEGRAPH_{k}": v for k, v in settings.items() if v}}
            web = servers.start(f"racegraph-{name}", [sys.executable, "-m", "gunicorn", "-w", "2", "--timeout", "60",
                                                      "-b", f"127.0.0.1:{port}", "server:create_app()"], env)
            base = f"http://127.0.0.1:{port}"
            wait_until_up(web, base + "/", 120)
            for case, target in CASES:
                try:
                    answer, headers = check(base, target)
                except (ValueError, requests.RequestException) as error:  # reported, not measured
                    answers.setdefault(case, {})[name] = f"failed: {error}"
                    results.setdefault(case, {})[name] = {"rps": 0.0, "p50": 0.0, "p99": 0.0, "errors": 1}
                    continue
                answers.setdefault(case, {})[name] = answer
                rounds = sorted((wrk(base + target.path, headers, args, False) for _ in range(args.rounds)),
                                key=lambda r: r["rps"])
                results.setdefault(case, {})[name] = rounds[len(rounds) // 2]
            servers.stop(web)
        memory = {store.kind: resident_mib(store.process.pid) for store in stores}
        disk = {"oxigraph": disk_mib(work / "oxigraph" / "data"), "virtuoso": disk_mib(virtuoso_dir),
                "embedded": disk_mib(build / "store")}
    finally:
        servers.stop_all()
        for store in stores:
            store.stop()
    report = render(build, args, load, results, answers, memory, disk)
    (HERE / "out" / "remote.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


def render(build: Path, args, load, results, answers, memory, disk) -> str:
    info = json.loads((build / "build.json").read_text())
    counts = info.get("counts", {})
    lines = [
        f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.platform()}, "
        f"{len(os.sched_getaffinity(0))} CPUs; `python benchmarks/remote.py --duration {args.duration} "
        f"--connections {args.connections} --rounds {args.rounds}`.",
        f"Graph: {counts.get('quads', '?')} quads in named graphs, {counts.get('triples', '?')} triples in their merge.",
        "",
        f"Load with `racegraph publish`: Oxigraph {load['oxigraph']:.0f} s, Virtuoso {load['virtuoso']:.0f} s. "
        f"Resident memory after the run: Oxigraph {memory['oxigraph']:.0f} MiB, Virtuoso {memory['virtuoso']:.0f} MiB "
        f"(NumberOfBuffers {args.buffers}). On disk: embedded store {disk['embedded']:.0f} MiB, "
        f"Oxigraph {disk['oxigraph']:.0f} MiB, Virtuoso {disk['virtuoso']:.0f} MiB.",
        "",
        "| case | embedded req/s | Oxigraph req/s (ratio) | Virtuoso req/s (ratio) | p50 ms embedded / Oxigraph / Virtuoso | answer |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for case, by_store in results.items():
        base = by_store["embedded"]["rps"] or 1
        cells = [f"{by_store['embedded']['rps']:.0f}"]
        for name in ("oxigraph", "virtuoso"):
            cells.append(f"{by_store[name]['rps']:.0f} ({by_store[name]['rps'] / base:.2f}×)")
        p50 = " / ".join(f"{by_store[n]['p50']:.0f}" for n in ("embedded", "oxigraph", "virtuoso"))
        same = len(set(answers[case].values())) == 1
        answer = answers[case]["embedded"] + ("" if same else f" (differs: {answers[case]})")
        errors = sum(by_store[n]["errors"] for n in by_store)
        lines.append(f"| {case} | {' | '.join(cells)} | {p50} | {answer}{f', {errors} errors' if errors else ''} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
