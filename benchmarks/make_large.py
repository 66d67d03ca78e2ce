"""Make the benchmark graphs: the bundled articles as built, and a ~1M-quad graph grown from them.

    python benchmarks/make_large.py [--out benchmarks/out] [--target-quads 1000000] [--copies N]

Writes, under --out:

    small/          racegraph build folder of the bundled articles (store/, build.json)
    small.nq        everything its store holds (named graphs and their merge in the default
                    graph) as N-Quads, for the Oxigraph reference server
    large/          racegraph build folder of the grown graph
    large.nq        the same for the grown graph

The large graph is the small one plus N-1 renamed copies of every event. A copy renames what
belongs to one event: its slug (so its event, entry, role and named-graph IRIs and the article
file names), its English and Spanish titles (labels, names, article titles, descriptions) and its
date (copy k is k days later). Everything else keeps its IRI: drivers, teams, chassis, engines,
manufacturers, classes, circuits, countries, statuses, the ontology graph. So each driver of the
bundled race appears in every copy, as a driver with a long career would, and the shared
resources' indexes grow the way they do in a real graph. The original event is kept unrenamed,
so the README's example queries and `/id/driver/tom-kristensen` still answer.

The builds are not validated by default (`--validate` to do it): validation is not what is measured
here, and its outcome is not what a benchmark depends on. build.json records this under
"benchmark".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pyoxigraph  # noqa: E402

from graph import store as store_module  # noqa: E402
from graph.build import _counts, build_graph  # noqa: E402
from graph.paths import BUNDLED_ARTICLES  # noqa: E402
from graph.statistics import count_statistics  # noqa: E402
from graph.uris import slug as make_slug  # noqa: E402

XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT_SOURCE = "http://purl.org/dc/terms/source"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def nq_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def events_of(store: pyoxigraph.Store, base: str) -> list[dict]:
    """Every event with its slug, English title, Spanish title (if any) and date."""
    query = f"""
    PREFIX rg: <https://w3id.org/racegraph/ontology#>
    PREFIX rdfs: <{RDFS_LABEL.rsplit('#', 1)[0]}#>
    SELECT ?event ?en ?es ?date WHERE {{
      ?event a rg:RaceEvent ; rg:date ?date ; rdfs:label ?en . FILTER(LANG(?en) = "en")
      OPTIONAL {{ ?event rdfs:label ?es . FILTER(LANG(?es) = "es") }}
    }} ORDER BY ?event"""
    events = []
    for row in store.query(query):  # the default graph is the merge of the named graphs
        uri = row["event"].value
        events.append({"uri": uri, "slug": uri[len(base + "id/event/"):], "en": row["en"].value,
                       "es": row["es"].value if row["es"] is not None else None,
                       "date": dt.date.fromisoformat(row["date"].value)})
    return events


def renamer(events: list[dict], copy: int):
    """A function renaming one event-specific N-Quads text block for copy number `copy`."""
    replacements: list[tuple[str, str]] = []
    new_slugs = []
    for event in events:
        new_en = f"{event['en']} (copy {copy})"
        new_slug = make_slug(new_en)
        new_slugs.append(new_slug)
        shifted = (event["date"] + dt.timedelta(days=copy)).isoformat()
        # Longest first, so a slug that is the prefix of another cannot be half-replaced.
        replacements.append((event["slug"], new_slug))
        replacements.append((event["en"], new_en))
        if event["es"]:
            replacements.append((event["es"], f"{event['es']} (copia {copy})"))
        replacements.append((f'"{event["date"].isoformat()}"^^<{XSD_DATE}>', f'"{shifted}"^^<{XSD_DATE}>'))
    replacements.sort(key=lambda pair: len(pair[0]), reverse=True)

    def rename(text: str) -> str:
        for old, new in replacements:
            text = text.replace(old, new)
        return text

    return rename, new_slugs


def split_quads(nquads: str, base: str) -> tuple[list[str], list[str]]:
    """(shared lines: the ontology and metadata graphs; per-event lines: everything else)."""
    shared_graphs = (f"<{base}graph/ontology> .", f"<{base}graph/metadata> .")
    shared, per_event = [], []
    for line in nquads.splitlines():
        if not line.strip():
            continue
        (shared if line.endswith(shared_graphs) else per_event).append(line)
    return shared, per_event


def write_reference(folder: Path, target: Path) -> None:
    """Everything the build's store holds, default graph (the merge) included, for the Oxigraph server."""
    store = store_module.open_store(folder)
    with open(target, "wb") as out:
        store.dump(out, pyoxigraph.RdfFormat.N_QUADS)


def write_build_folder(folder: Path, nquads: bytes, info: dict, note: dict) -> dict:
    """A build folder holding `nquads`, with build.json copied from `info` and counts recomputed."""
    staging = folder.with_name(f".{folder.name}.making")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    store = store_module.load_nquads(staging, nquads)
    counts = _counts(store)
    statistics = count_statistics(store, base_uri=info["base_uri"])
    del store
    data = dict(info)
    data["counts"] = counts
    data["statistics"] = statistics
    data["built_at"] = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    data["benchmark"] = note
    store_module.write_build_info(staging, data)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "out", help="output folder (default: benchmarks/out)")
    parser.add_argument("--target-quads", type=int, default=1_000_000, help="about how many quads (default 1000000)")
    parser.add_argument("--copies", type=int, help="number of copies of each event, original included "
                                                   "(default: enough to reach --target-quads)")
    parser.add_argument("--validate", action="store_true", help="validate the bundled build against the shapes")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    small = out / "small"
    log(f"building the bundled articles into {small} (validate={args.validate})")
    outcome = build_graph([BUNDLED_ARTICLES], small, validate=args.validate)
    if not outcome.conforms:
        log(f"the bundled build does not conform ({len(outcome.violations)} violations); "
            f"using the rejected build {outcome.rejected_dir}")
        shutil.rmtree(small, ignore_errors=True)
        outcome.rejected_dir.rename(small)
    info = store_module.read_build_info(small).data
    base = info["base_uri"]
    small_note = {"made_by": "benchmarks/make_large.py", "copies": 1, "validated": args.validate,
                  "conforms": outcome.conforms}
    info_small = dict(info)
    info_small["benchmark"] = small_note
    store_module.write_build_info(small, info_small)

    store = store_module.open_store(small)
    # the named graphs only: the build stores their merge in the default graph, remade by load_nquads
    nquads = pyoxigraph.serialize(store_module.named_graph_quads(store), format=pyoxigraph.RdfFormat.N_QUADS
                                  ).decode("utf-8")
    events = events_of(store, base)
    del store
    write_reference(small, out / "small.nq")
    shared, per_event = split_quads(nquads, base)
    if not events or not per_event:
        log("no events in the bundled build; nothing to replicate")
        return 2
    copies = args.copies or max(1, round((args.target_quads - len(shared)) / len(per_event)))
    log(f"{len(events)} event(s), {len(per_event)} event quads and {len(shared)} shared quads; "
        f"making {copies} copies (original included)")

    block = "\n".join(per_event) + "\n"
    parts = ["\n".join(shared) + "\n", block]
    sources = [line for line in shared if f"<{DCT_SOURCE}>" in line]
    for copy in range(1, copies):
        rename, _ = renamer(events, copy)
        parts.append(rename(block))
        parts.append("".join(rename(line) + "\n" for line in sources))  # the dataset lists its sources
    large_text = "".join(parts)
    log(f"made {len(large_text) / 1e6:.0f} MB of N-Quads in {time.monotonic() - started:.0f} s")

    note = {"made_by": "benchmarks/make_large.py", "copies": copies, "validated": False,
            "description": "the bundled build plus renamed copies of each event; drivers, teams, chassis, "
                           "engines, manufacturers, classes, circuits and countries shared"}
    info_large = dict(info)
    info_large["sources"] = [{**source, "copies": copies} for source in info.get("sources", [])]
    counts = write_build_folder(out / "large", large_text.encode("utf-8"), info_large, note)
    log(f"wrote {out / 'large'} in {time.monotonic() - started:.0f} s")
    write_reference(out / "large", out / "large.nq")
    log(f"wrote {out / 'large.nq'} in {time.monotonic() - started:.0f} s")
    print(json.dumps({"small": info["counts"], "large": counts}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
