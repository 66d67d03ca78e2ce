"""Time `racegraph add` of one article, and `racegraph remove` of it again, on an existing build.

    python benchmarks/make_articles.py 440 /tmp/bench/articles      # ~1M quads
    mv /tmp/bench/articles/1983-6-hours-of-zhuhai.en.txt /tmp/bench/held/
    racegraph build /tmp/bench/articles --out /tmp/bench/graph         # the full build, timed apart
    python benchmarks/incremental.py --store /tmp/bench/graph --article /tmp/bench/held/1983-6-hours-of-zhuhai.en.txt

Prints, as JSON, the size of the build and, for the add and the remove, the wall time and the time of
each phase (graph.incremental: read, naming, convert, store, validate, dumps, statistics, write and
publish), so that what grows with the article can be told from what grows with the graph. The build
is left as it was found (the article added, then removed), so the script can be run again.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from graph.incremental import update_build  # noqa: E402
from graph.store import read_build_info  # noqa: E402


def timed(store: Path, **change) -> dict:
    start = time.perf_counter()
    outcome = update_build(store, **change)
    wall = time.perf_counter() - start
    if not outcome.conforms:
        raise SystemExit(f"the update did not conform: {outcome.violations[:3]}")
    return {"wall_s": round(wall, 2), "phases_s": outcome.phases, "reconverted": len(outcome.touched),
            "events_validated": outcome.events_validated, "changed_graphs": len(outcome.changed_graphs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a build made by `racegraph build`")
    parser.add_argument("--article", type=Path, required=True, help="a race article the build does not hold")
    args = parser.parse_args(argv)
    added = timed(args.store, add=[args.article])
    event = read_build_info(args.store).data["update"]["added"]
    counts = read_build_info(args.store).data["counts"]
    removed_event = json.loads((args.store / "update" / "articles" / (event[0] + ".json")).read_text())["event"]
    removed = timed(args.store, remove=[removed_event])
    print(json.dumps({"quads": counts["quads"], "triples": counts["triples"], "events": counts["events"],
                      "add": added, "remove": removed}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
