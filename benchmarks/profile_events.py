"""cProfile of a build worker's per-event steps: convert, derive and validate a batch of events.

    python benchmarks/profile_events.py ARTICLES_DIR [--events 16] [--top 30]

Reads the race articles of ARTICLES_DIR (make_articles.py writes them), runs the naming pass on
all of them, then profiles what a worker does with `--events` of them: `convert_event`,
`event_unit` and one `EventValidator.validate` over the batch (graph.pipeline). Prints the CPU
milliseconds per event without the profiler, then the profile by cumulative time. Under cProfile
every Python call costs more: read the shares, not the seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

from graph.build import collect_sources, read_articles
from graph.convert import article_spellings
from graph.names import NameBook
from graph.pipeline import convert_event, event_unit
from graph.uris import Minter
from graph.validate import EventValidator, Unit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", type=Path)
    parser.add_argument("--events", type=int, default=16)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    races, _ = read_articles(collect_sources([args.articles]))
    book = NameBook()
    for article in races:
        book.add(article_spellings(article))
    naming = book.decide()
    batch = races[:args.events]
    minter = Minter()
    validator = EventValidator()

    def run() -> None:
        units = []
        for article in batch:
            converted = convert_event([article], [], naming, minter)
            unit, _ = event_unit(converted)
            units.append(Unit(str(converted.event), unit, owned=True))
        validator.validate(units)

    started = time.process_time()
    run()
    print(f"{1000 * (time.process_time() - started) / len(batch):.0f} ms of CPU per event, without the profiler")
    profile = cProfile.Profile()
    profile.runcall(run)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
