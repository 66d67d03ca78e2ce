"""Changing some named graphs of a copy of a build's store, and keeping its default graph the RDF merge.

The store of a published build is never written to: an update first copies it into its staging folder
with pyoxigraph's backup (a RocksDB checkpoint: on one file system the immutable table files are
hard-linked, not copied, so the copy costs little however big the store is), then changes the copy.

The default graph holds the merge of every named graph (graph.store.load_nquads). When a graph is
replaced, a triple it no longer states leaves the merge only if no other named graph states it; a
triple it states joins the merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from graph import store as store_module
from graph.sparql_rules import to_oxigraph

DEFAULT = ox.DefaultGraph()


@dataclass
class MergeDelta:
    """What an update did to the default graph (the merge), and the triples of the graphs it changed."""
    removed: set = field(default_factory=set)  # ox.Triple no longer in the merge
    added: set = field(default_factory=set)  # ox.Triple new in the merge
    subjects: set = field(default_factory=set)  # subjects of every triple of a changed graph, before or after


def clone_store(build: Path, staging: Path) -> ox.Store:
    """A writable copy of `build`'s store in `staging` (the build itself is only read)."""
    source = ox.Store.read_only(str(Path(build) / store_module.STORE_SUBDIR))
    source.backup(str(Path(staging) / store_module.STORE_SUBDIR))
    del source
    return ox.Store(str(Path(staging) / store_module.STORE_SUBDIR))


def matching(store: ox.Store, subject=None, predicate=None, obj=None, graph=None):
    """store.quads_for_pattern, keeping only the quads that do match the pattern.

    pyoxigraph 0.5.13's on-disk store answers a pattern whose term is absent, and whose encoding ends
    in the byte 0xFF (the integer 255, or an IRI whose hash ends so), with the quads of the next
    terms in its index: `?s ?p 255` gives the triples with 256 and 260. Its SPARQL is not affected."""
    for quad in store.quads_for_pattern(subject, predicate, obj, graph):
        if ((subject is None or quad.subject == subject) and (predicate is None or quad.predicate == predicate)
                and (obj is None or quad.object == obj) and (graph is None or quad.graph_name == graph)):
            yield quad


def oxigraph_triples(graph: Graph) -> set:
    return {ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph}


def replace_graphs(store: ox.Store, changes: dict[URIRef, Graph | None]) -> MergeDelta:
    """Give each named graph of `changes` its new triples (None: remove the graph), then bring the merge
    up to date. Triples are compared as the store holds them (literals in canonical form)."""
    delta = MergeDelta()
    candidates: set = set()
    for name, graph in changes.items():
        node = ox.NamedNode(str(name))
        old = {quad.triple for quad in matching(store, None, None, None, node)}
        new = _canonical(oxigraph_triples(graph)) if graph is not None else set()
        for triple in old - new:
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, node))
        store.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in new - old)
        if graph is None and store.contains_named_graph(node):
            store.remove_graph(node)
        candidates |= old - new
        delta.added |= new - old
        delta.subjects |= {t.subject for t in old | new}
    for triple in candidates:
        if not _stated_in_a_named_graph(store, triple):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, DEFAULT))
            delta.removed.add(triple)
    delta.added = {t for t in delta.added
                   if not any(True for _ in matching(store, t.subject, t.predicate, t.object, DEFAULT))}
    store.extend(ox.Quad(t.subject, t.predicate, t.object, DEFAULT) for t in delta.added)
    store.flush()
    return delta


def _canonical(triples: set) -> set:
    """The triples as the store will hold them: a literal such as "0.750"^^xsd:decimal comes back as
    "0.75", so compare in that form (a round trip through an in-memory store)."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, DEFAULT) for t in triples)
    return {quad.triple for quad in scratch.quads_for_pattern(None, None, None, DEFAULT)}


def _stated_in_a_named_graph(store: ox.Store, triple: ox.Triple) -> bool:
    return any(not isinstance(quad.graph_name, ox.DefaultGraph)
               for quad in matching(store, triple.subject, triple.predicate, triple.object))
