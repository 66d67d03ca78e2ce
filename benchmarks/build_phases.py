"""The build, phase by phase, from 10 to 1,000 generated events: time per event and peak memory.

    python benchmarks/build_phases.py [--events 10,100,1000] [--cars 37] [--workers N]
                                      [--out benchmarks/out/phases] [--markdown FILE]

For each size N, writes N distinct articles with make_articles.py (kept and reused under
--out/articles-N), then builds them in a fresh process (`graph.build.build_graph`, exactly what
`racegraph build` runs) into --out/build-N and prints one table row:

- quads: quads in the named graphs of the build;
- total: wall time of the whole build (read, events, shared resources, store and dumps);
- read: wall time of the read stage: every file parsed (in the workers) and its spellings counted,
  then the naming pass (graph.names) in the main process;
- parse, convert + derive, validate, write: CPU time per event spent in each phase by the workers
  (CPU, not wall: on a shared machine, wall time inside a worker counts the other processes too);
  validate is the per-batch validation (core shapes with pyshacl, race rules with pyoxigraph);
- events: wall time of the whole event stage (the pool working through every batch);
- shared: wall time of validating what belongs to no event and the resources several events describe;
- load: wall time the main process spent bulk-loading chunks of ~100k quads (while the workers go on)
  and optimising the store at the end; dumps: the three gzipped dumps
  and validation.ttl; statistics: counts and VoID statistics for build.json;
- CPU: CPU seconds of the main process (its pyoxigraph threads included) and of all workers
  together; on an idle 2-core machine the wall time cannot be less than their sum over 2;
- peak RSS: the build's main process, and the largest of its workers (each worker holds one
  batch of events at a time);
- load: the machine's 1-minute load average before and after the build (it is shared: on 2 cores,
  a load above 2 means the build did not have the machine to itself).

Nothing here is part of the test suite; no test asserts these figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
from graph.build import build_graph
articles, out, workers = sys.argv[2], sys.argv[3], int(sys.argv[4]) or None
load_before = os.getloadavg()[0]
started = time.perf_counter()
outcome = build_graph([articles], out, workers=workers)
wall = time.perf_counter() - started
print(json.dumps({
    "wall": wall, "phases": outcome.phases, "counts": outcome.counts, "events": outcome.events,
    "conforms": outcome.conforms, "warnings": sum(1 for v in outcome.violations if v.severity == "Warning"),
    "violations": sum(1 for v in outcome.violations if v.severity == "Violation"),
    "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "cpu_main_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
    "cpu_workers_s": sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]),
    "load": [load_before, os.getloadavg()[0]], "workers": outcome.workers,
}))
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(events: int, cars: int, workers: int, out: Path) -> dict:
    sys.path.insert(0, str(HERE))
    from make_articles import write_articles

    articles = out / f"articles-{events}"
    if not articles.is_dir():
        log(f"writing {events} events' articles into {articles}")
        write_articles(events, articles, cars=cars)
    build = out / f"build-{events}"
    log(f"building {events} events into {build}")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(articles), str(build), str(workers)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(events: int, figures: dict) -> str:
    phases = figures["phases"]
    per_event = {name: 1000 * phases.get(name, 0.0) / max(events, 1) for name in ("parse", "convert", "validate", "write")}
    return (f"| {events:,} | {figures['counts']['quads']:,} | {figures['wall']:.1f} s | {phases.get('read_wall', 0):.1f} s "
            f"| {per_event['parse']:.0f} ms | {per_event['convert']:.0f} ms | {per_event['validate']:.0f} ms "
            f"| {per_event['write']:.0f} ms | {phases.get('events_wall', 0):.1f} s | {phases.get('rest_wall', 0):.1f} s "
            f"| {phases.get('load_wall', 0) + phases.get('optimize_wall', 0):.1f} s | {phases.get('dumps_wall', 0):.1f} s "
            f"| {phases.get('statistics_wall', 0):.1f} s "
            f"| {figures['cpu_main_s']:.0f} s + {figures['cpu_workers_s']:.0f} s "
            f"| {figures['rss_main_mb']:,.0f} MB + {figures['rss_worker_mb']:,.0f} MB "
            f"| {figures['warnings']} / {figures['violations']} "  # the shapes' warnings and violations
            f"| {figures['load'][0]:.1f} → {figures['load'][1]:.1f} |")


HEADER = ("| events | quads | total (wall) | read (wall) | parse | convert + derive | validate | write | events (wall) "
          "| shared (wall) | load (wall) | dumps (wall) | statistics (wall) | CPU main + workers | peak RSS main + worker "
          "| warnings / violations | load average |\n"
          "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", default="10,100,1000", help="comma-separated sizes")
    parser.add_argument("--cars", type=int, default=37)
    parser.add_argument("--workers", type=int, default=0, help="worker processes (default: every CPU)")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "phases")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    lines = [HEADER]
    print(HEADER, flush=True)
    for events in (int(n) for n in args.events.split(",")):
        figures = measure(events, args.cars, args.workers, args.out)
        (args.out / f"figures-{events}.json").write_text(json.dumps(figures, indent=2) + "\n")
        lines.append(row(events, figures))
        print(lines[-1], flush=True)
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
