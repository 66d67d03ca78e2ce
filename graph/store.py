"""The on-disk store: a pyoxigraph database plus build.json, inside one build folder.

Layout of a build folder (`racegraph build --out DIR`):

    DIR/store/            pyoxigraph (RocksDB) database, opened read-only by readers
    DIR/dumps/            racegraph.nt.gz, racegraph.ttl.gz, racegraph.trig.gz
    DIR/validation.ttl    the SHACL validation report
    DIR/build.json        base URI, counts, sources, conformance
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator
from typing import Any, Protocol

import pyoxigraph

STORE_SUBDIR = "store"
DUMPS_SUBDIR = "dumps"
BUILD_INFO = "build.json"
VALIDATION_REPORT = "validation.ttl"


class StoreMissingError(FileNotFoundError):
    """The build folder has no store: `racegraph build` has not been run into it."""

    def __init__(self, folder: Path):
        self.folder = folder
        super().__init__(
            f"{folder}: no racegraph store here (expected {folder / BUILD_INFO}); "
            f"run `racegraph build --out {folder}` first"
        )


class StoreOutdatedError(StoreMissingError):
    """A build written by an older racegraph lacks something this one needs: as good as missing."""

    def __init__(self, folder: Path, missing: str):
        self.folder = folder
        message = (f"{folder}: this build has no {missing} (written by an older racegraph); "
                   f"run `racegraph build --out {folder}` again")
        FileNotFoundError.__init__(self, message)


@dataclass(frozen=True)
class BuildInfo:
    folder: Path
    data: dict[str, Any]

    @property
    def base_uri(self) -> str:
        return self.data["base_uri"]

    @property
    def statistics(self) -> dict[str, Any]:
        """The figures graph.statistics counted when this build was written."""
        try:
            return self.data["statistics"]
        except KeyError:
            raise StoreOutdatedError(self.folder, "dataset statistics") from None


def read_build_info(folder: Path) -> BuildInfo:
    path = Path(folder) / BUILD_INFO
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreMissingError(Path(folder)) from None
    return BuildInfo(Path(folder), data)


def write_build_info(folder: Path, data: dict[str, Any]) -> None:
    (Path(folder) / BUILD_INFO).write_text(
        json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )


def open_store(folder: Path, *, read_only: bool = True) -> pyoxigraph.Store:
    """Open the store of a build folder; readers never take the write lock."""
    path = Path(folder) / STORE_SUBDIR
    if not path.is_dir():
        raise StoreMissingError(Path(folder))
    if read_only:
        return pyoxigraph.Store.read_only(str(path))
    return pyoxigraph.Store(str(path))


def load_nquads(folder: Path, nquads: bytes) -> pyoxigraph.Store:
    """Create the store of a new build folder from the N-Quads of its named graphs.

    The store's default graph is then filled with the RDF merge of every named graph. Oxigraph's
    own union default graph is a bag (a triple stated by five articles comes back five times),
    while SPARQL users expect the merge, a set: so the merge is stored, and queries run on it.
    """
    store = pyoxigraph.Store(str(Path(folder) / STORE_SUBDIR))
    store.bulk_load(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    merged = [pyoxigraph.Quad(q.subject, q.predicate, q.object, pyoxigraph.DefaultGraph())
              for q in store.quads_for_pattern(None, None, None)]
    store.bulk_extend(merged)
    store.flush()
    store.optimize()
    return store


def create_store(folder: Path) -> pyoxigraph.Store:
    """The (new, empty) store of a build folder, open for writing."""
    return pyoxigraph.Store(str(Path(folder) / STORE_SUBDIR))


def bulk_load_files(store: pyoxigraph.Store, named_graphs: Path, merge: Path) -> None:
    """Bulk-load files into `store` without holding them in memory: `named_graphs` (N-Quads, every
    quad in its named graph) and `merge` (N-Triples, the same triples for the default graph, which
    the store keeps as the RDF merge of the named graphs; see load_nquads). A build loads its
    events in chunks: pyoxigraph's bulk loader holds a whole call's input in memory."""
    store.bulk_load(path=str(named_graphs), format=pyoxigraph.RdfFormat.N_QUADS)
    store.bulk_load(path=str(merge), format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.DefaultGraph())


def finish_store(store: pyoxigraph.Store) -> None:
    """Make a bulk-loaded store ready to read: flushed and compacted."""
    store.flush()
    store.optimize()


def named_graph_quads(store: pyoxigraph.Store):
    """Every quad of the named graphs, leaving out the default graph (which only repeats their merge)."""
    return (quad for quad in store.quads_for_pattern(None, None, None)
            if not isinstance(quad.graph_name, pyoxigraph.DefaultGraph))


# --- the store interface ---------------------------------------------------------------------------

class GraphStore(Protocol):
    """What pages, API, CLI and endpoint ask of a store: the part of pyoxigraph.Store they use.

    Two implementations: the embedded `pyoxigraph.Store` of a build folder (`open_store`), and
    `graph.remote_store.RemoteStore`, a SPARQL 1.1 server spoken to over the SPARQL Protocol. Both
    answer the same SPARQL text with pyoxigraph's own result types: `QuerySolutions` (SELECT),
    `QueryBoolean` (ASK), or an iterable of `Triple` (CONSTRUCT, DESCRIBE; test with `is_graph_result`).
    The default graph is the RDF merge of the named graphs in both.
    """

    def query(self, query: str, *, prefixes: dict[str, str] | None = None,
              substitutions: dict[pyoxigraph.Variable, Any] | None = None,
              default_graph: list | None = None, named_graphs: list | None = None,
              base_iri: str | None = None) -> Any: ...

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> Iterator[pyoxigraph.Quad]: ...

    def contains_named_graph(self, graph_name: pyoxigraph.NamedNode) -> bool: ...

    def named_graphs(self) -> Iterator[pyoxigraph.NamedNode]: ...


def is_graph_result(result) -> bool:
    """True for the answer to a CONSTRUCT or DESCRIBE (triples), from either kind of store."""
    return not isinstance(result, (pyoxigraph.QuerySolutions, pyoxigraph.QueryBoolean, bool))
