"""Latency of the JSON API's lists and the browse indexes on one or more running servers, with wrk.

    python benchmarks/api_lists.py --server before=http://127.0.0.1:6401 --server after=http://127.0.0.1:6402

Each path is run for DURATION seconds on one connection (sequential requests: the figure is a request's
latency, not the server's throughput), the servers interleaved path by path so that a change in the
machine's load falls on all of them alike; the table gives p50 and p99 in ms and requests per second.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_QUERY_PATH = "/sparql?query="  # + the per-graph results query of run.py, URL-encoded

PATHS = [
    "/api/results", "/api/results?offset=14000", "/api/results?year=2003&offset=5000",
    "/api/events", "/api/drivers", "/api/teams", "/api/chassis", "/api/engines", "/api/circuits",
    "/api/events?year=2003", "/api/teams?event=2003-1000-km-of-le-mans",
    "/api/drivers/tom-kristensen/results?position=1",
    "/api/events/2003-1000-km-of-le-mans/results",
    "/page/driver", "/page/driver?sort=column", "/page/manufacturer?sort=-count", "/page/event?sort=column",
]


def run_wrk(url: str, duration: int, accept: str) -> dict:
    done = subprocess.run(["wrk", "-t1", "-c1", f"-d{duration}s", "--timeout", "30s", "-s",
                           str(HERE / "wrk_report.lua"), "-H", f"Accept: {accept}", url],
                          capture_output=True, text=True, check=True).stdout
    line = next(line for line in done.splitlines() if line.startswith("WRKJSON "))
    found = json.loads(line[len("WRKJSON "):])
    found["rps"] = found["requests"] / (found["duration_us"] / 1e6)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", action="append", required=True, help="name=root URL")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--path", action="append", help="instead of the default paths")
    parser.add_argument("--sparql-results", action="store_true",
                        help="also the per-graph race results query of benchmarks/run.py at /sparql")
    args = parser.parse_args()
    servers = dict(pair.split("=", 1) for pair in args.server)
    paths = args.path or list(PATHS)
    if args.sparql_results:
        from urllib.parse import quote

        from run import GRAPH_RESULTS_QUERY
        paths.append(RESULTS_QUERY_PATH + quote(GRAPH_RESULTS_QUERY))
    print("| path | " + " | ".join(f"{name} p50 ms | {name} p99 ms | {name} req/s" for name in servers) + " |")
    print("| --- |" + " ---: | ---: | ---: |" * len(servers))
    for path in paths:
        accept = "application/sparql-results+json" if path.startswith("/sparql") else (
            "text/html" if path.startswith("/page/") else "application/json")
        cells = []
        for root in servers.values():
            found = run_wrk(root.rstrip("/") + path, args.duration, accept)
            bad = found["status_errors"] + found["socket_errors"]
            cells.append(f"{found['p50_us'] / 1000:.1f} | {found['p99_us'] / 1000:.1f} | "
                         f"{found['rps']:.1f}{' (errors: %d)' % bad if bad else ''}")
        shown = "/sparql per-graph results query" if path.startswith(RESULTS_QUERY_PATH) else path
        print(f"| `{shown}` | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
