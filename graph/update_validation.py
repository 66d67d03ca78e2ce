"""Validating what an update touched: its events, the unit of no event, and the shared resources it touched.

A full build (graph.validate.validate_dataset) validates every event on its own graphs, then what no
event claims, then every resource that several units describe, on their merged description. An update
starts from a build that conformed, and every unit it did not touch holds the same triples as before,
so it validates only:
- each touched event, on its graphs (its article, its derived facts when they speak of it, its
  translations), built in memory as the full build builds them;
- the unit of no event (the metadata graph, and derived graphs that do not speak of their event);
- each resource the changed graphs describe (before or after) that several units describe, on its
  merged description read from the updated store.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graph.sparql_rules import from_oxigraph
from graph.store_patch import matching
from graph.validate import EventValidator, Unit, ValidationResult, merge_outcomes, union

_TYPE = ox.NamedNode(str(RDF.type))


@dataclass
class EventUnit:
    event: str
    graphs: list[Graph]


def validate_update(store: ox.Store, events: list[EventUnit], rest: list[Graph], subjects: set,
                    graph_units: dict[str, str], *, excluded: set[str], ontology_graph: str) -> tuple[ValidationResult, set]:
    """(the result, the shared resources validated). `subjects`: ox terms the changed graphs describe;
    `graph_units`: named graph IRI -> the event whose unit holds it ("" for none); `excluded`: every
    event IRI (their units already hold all their graphs)."""
    validator = EventValidator()
    units = [Unit(unit.event, union(unit.graphs), owned=True) for unit in events]
    if any(len(graph) for graph in rest):
        units.append(Unit("", union(rest), owned=True))
    outcomes = validator.validate(units) if units else []
    shared = _shared(store, subjects, graph_units, excluded=excluded, ontology_graph=ontology_graph)
    if shared:
        description = _description(store, shared, ontology_graph)
        focus = sorted((URIRef(node.value) for node in shared), key=str)
        outcomes.append(validator.validate_alone(Unit("", description, owned=True), focus_nodes=focus))
    return merge_outcomes(outcomes, events_checked=len(events)), {node.value for node in shared}


def _named_graphs_describing(store: ox.Store, subject, ontology_graph: str) -> set[str]:
    return {quad.graph_name.value for quad in matching(store, subject)
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value != ontology_graph}


def _shared(store: ox.Store, subjects: set, graph_units: dict[str, str], *, excluded: set[str],
            ontology_graph: str) -> set:
    """The subjects that graphs of more than one unit describe (as graph.validate._shared_descriptions)."""
    shared = set()
    for subject in subjects:
        if not isinstance(subject, (ox.NamedNode, ox.BlankNode)) or subject.value in excluded:
            continue
        units = {graph_units.get(graph, "") for graph in _named_graphs_describing(store, subject, ontology_graph)}
        if len(units) > 1:
            shared.add(subject)
    return shared


def _description(store: ox.Store, shared: set, ontology_graph: str) -> Graph:
    """The merged description of the shared resources, with the types of what they link to, as given
    by the graph that links to it."""
    unit = Graph()
    for subject in shared:
        for quad in matching(store, subject):
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode) or graph.value == ontology_graph:
                continue
            unit.add((from_oxigraph(subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object)))
            if quad.predicate != _TYPE and isinstance(quad.object, ox.NamedNode):
                for typed in matching(store, quad.object, _TYPE, None, graph):
                    unit.add((from_oxigraph(quad.object), from_oxigraph(_TYPE), from_oxigraph(typed.object)))
    return unit
