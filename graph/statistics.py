"""Dataset statistics, counted once when a build is written and kept in its build.json.

A build never changes, so VoID, the service description and the home page read these figures
instead of recounting the store on every request (on a million quads a recount takes seconds).
"""

from __future__ import annotations

from typing import Any

import pyoxigraph

# The default graph is the stored RDF merge of the named graphs (graph.store.load_nquads), so plain
# triple patterns count each triple once, however many articles state it.
_TOTALS = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "distinct_subjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "distinct_objects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
}
_CLASS_PARTITIONS = "SELECT ?key (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?key } GROUP BY ?key ORDER BY ?key"
_PROPERTY_PARTITIONS = "SELECT ?key (COUNT(*) AS ?n) WHERE { ?s ?p ?o BIND(?p AS ?key) } GROUP BY ?key ORDER BY ?key"
_GRAPH_SIZES = "SELECT ?key (COUNT(*) AS ?n) WHERE { GRAPH ?key { ?s ?p ?o } } GROUP BY ?key ORDER BY ?key"


def count_statistics(store: pyoxigraph.Store, *, base_uri: str) -> dict[str, Any]:
    """VoID figures of the store's merged default graph, plus the size of every named graph.

    Partitions are [[IRI, count], …] sorted by IRI, so the JSON is stable from build to build.
    """
    def total(query: str) -> int:
        return int(next(iter(store.query(query)))["n"].value)

    def partitions(query: str) -> list[list]:
        return [[row["key"].value, int(row["n"].value)] for row in store.query(query)]

    entities = ("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
                f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base_uri}id/")) }}')
    return {
        **{name: total(query) for name, query in _TOTALS.items()},
        "entities": total(entities),
        "class_partitions": partitions(_CLASS_PARTITIONS),
        "property_partitions": partitions(_PROPERTY_PARTITIONS),
        "graph_sizes": partitions(_GRAPH_SIZES),
    }
