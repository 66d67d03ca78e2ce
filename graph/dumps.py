"""The three gzipped dumps of a build folder, written from its store (graph.build and graph.incremental).

Level 6 (the gzip tool's default) rather than Python's 9, as issue #11's streaming build chose too:
every update (racegraph add) writes the dumps again, and level 9 spends much more time for a few
per cent of size."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Iterable

import pyoxigraph

from graph import store as store_module
from graph.metadata import prefixes


def write_dumps(folder: Path, store: pyoxigraph.Store, base_uri: str, *,
                named_graphs: Iterable[pyoxigraph.Quad] | None = None) -> None:
    """dumps/racegraph.nt.gz and .ttl.gz (the merge) and .trig.gz (the named graphs) under `folder`.
    `named_graphs`: the named graphs' quads, each graph in one piece, if the caller has them at hand
    (else they are read from the store)."""
    dumps = Path(folder) / store_module.DUMPS_SUBDIR
    dumps.mkdir()
    names = prefixes(base_uri)
    merged = pyoxigraph.DefaultGraph()
    with gzip.open(dumps / "racegraph.nt.gz", "wb", compresslevel=6) as out:
        store.dump(out, pyoxigraph.RdfFormat.N_TRIPLES, from_graph=merged)
    with gzip.open(dumps / "racegraph.ttl.gz", "wb", compresslevel=6) as out:
        store.dump(out, pyoxigraph.RdfFormat.TURTLE, from_graph=merged, prefixes=names)
    with gzip.open(dumps / "racegraph.trig.gz", "wb", compresslevel=6) as out:
        quads = named_graphs if named_graphs is not None else store_module.named_graph_quads(store)
        pyoxigraph.serialize(quads, out, pyoxigraph.RdfFormat.TRIG, prefixes=names)
