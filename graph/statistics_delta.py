"""A build's VoID statistics brought up to date after an update, from what the update changed.

graph.statistics counts a whole store (seconds on a million quads). An update knows which triples
left and joined the merge, and which named graphs it rewrote, so it can give the same figures by
looking only at the terms those triples use:

- triples, property and class partitions: plus what joined, minus what left (the merge is a set, so
  each (s, rdf:type, C) triple is one distinct member of class C);
- distinct subjects, objects, properties, classes, entities: a term counts if the merge still uses it
  in that position. How many triples use it now is counted, but never past the number that joined:
  past that, it was used before the update as well, and after it.
- named-graph sizes: the rewritten graphs are counted again, the others kept.

The result is exactly what graph.statistics.count_statistics would count on the updated store
(tests/test_incremental.py compares the two through build.json).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox

from graph.store_patch import matching

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_MERGE = ox.DefaultGraph()


def update_statistics(old: dict[str, Any], store: ox.Store, *, removed: set, added: set,
                      graphs: list[str], base_uri: str) -> dict[str, Any]:
    """`old` statistics after `removed` left and `added` joined the merge (ox.Triple sets) and the
    named `graphs` were rewritten (or deleted) in `store`."""
    entity_prefix = base_uri + "id/"
    properties = _partitions(old["property_partitions"], Counter(t.predicate.value for t in added),
                             Counter(t.predicate.value for t in removed))
    classes = _partitions(old["class_partitions"],
                          Counter(t.object.value for t in added if t.predicate == _TYPE),
                          Counter(t.object.value for t in removed if t.predicate == _TYPE))
    subjects = _distinct_change(store, added, removed, position=0)
    objects = _distinct_change(store, added, removed, position=2)
    predicates = _distinct_change(store, added, removed, position=1)
    entities = sum(change for term, change in subjects.items()
                   if isinstance(term, ox.NamedNode) and term.value.startswith(entity_prefix))
    sizes = dict((iri, count) for iri, count in old["graph_sizes"])
    for graph in graphs:
        count = sum(1 for _ in matching(store, None, None, None, ox.NamedNode(graph)))
        if count:
            sizes[graph] = count
        else:
            sizes.pop(graph, None)
    return {
        "triples": old["triples"] + len(added) - len(removed),
        "distinct_subjects": old["distinct_subjects"] + sum(subjects.values()),
        "distinct_objects": old["distinct_objects"] + sum(objects.values()),
        "properties": old["properties"] + sum(predicates.values()),
        "classes": len(classes),
        "entities": old["entities"] + entities,
        "class_partitions": classes,
        "property_partitions": properties,
        "graph_sizes": [[iri, sizes[iri]] for iri in sorted(sizes)],
    }


def _partitions(old: list[list], plus: Counter, minus: Counter) -> list[list]:
    counts = Counter({iri: count for iri, count in old})
    counts.update(plus)
    counts.subtract(minus)
    return [[iri, counts[iri]] for iri in sorted(counts) if counts[iri] > 0]


def _distinct_change(store: ox.Store, added: set, removed: set, *, position: int) -> dict:
    """term -> +1 (now used in `position` of the merge, not before), -1 (the reverse) or 0."""
    joined = Counter(_term(t, position) for t in added)
    left = Counter(_term(t, position) for t in removed)
    change = {}
    for term in joined.keys() | left.keys():
        now = _count_up_to(store, term, position, joined[term] + 1)
        before = now - joined[term] + left[term] if now <= joined[term] else 1
        change[term] = (now > 0) - (before > 0)
    return change


def _term(triple: ox.Triple, position: int):
    return (triple.subject, triple.predicate, triple.object)[position]


def _count_up_to(store: ox.Store, term, position: int, limit: int) -> int:
    pattern = [None, None, None]
    pattern[position] = term
    count = 0
    for _ in matching(store, *pattern, _MERGE):
        count += 1
        if count >= limit:
            break
    return count
