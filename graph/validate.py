"""SHACL validation of the knowledge graph, one race event at a time.

The shapes live in shapes/*.ttl, in racegraph's fixed namespaces (graph.uris.ONTOLOGY_NS,
SHAPES_NS), so one set of shapes validates a graph minted under any base URI.

Why per event: pyshacl's cost grows faster than linearly with the size of the data
graph (the SPARQL rules join entries with entries), so validating the whole dataset
at once gets slow as articles are added. Every rule is about one event and the
things its articles describe, so validating each event's own graphs separately
keeps the total time linear in the number of events.

Why inference "none": the ontology is given to pyshacl as `ont_graph`, which mixes
its rdfs:subClassOf triples into the data graph, and SHACL's sh:targetClass and
sh:class already follow rdfs:subClassOf* there; so subclass targeting works with
no inference. RDFS inference would also add rdf:type triples from rdfs:domain and
rdfs:range, which would make every sh:class check pass trivially (anything used as
an rg:circuit would *become* an rg:Circuit) and hide exactly the mistakes the
shapes are there to catch; it is slower too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, NamespaceManager

from graph.paths import ONTOLOGY_FILE, SHAPES_DIR
from graph.uris import DEFAULT_BASE, ONTOLOGY_NS, SHAPES_NS, Minter
from graph.vocab import RG

Progress = Callable[[int, int], None]


class ShapesError(RuntimeError):
    """The shapes themselves are broken, so nothing could be validated."""


@dataclass(frozen=True)
class Violation:
    event: str  # the event whose validation unit reported it; "" for resources of no event
    focus: str
    path: str | None
    value: str | None
    message: str
    source_shape: str  # the named SPARQL rule if there is one, else the shape (IRI, or parent[path])
    severity: str  # "Violation", "Warning" or "Info"


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool  # no result of severity Violation (warnings are listed but allowed)
    violations: list[Violation]
    report: Graph
    events_checked: int


def load_shapes() -> Graph:
    """Every shapes/*.ttl, ready for pyshacl."""
    shapes = Graph()
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no SHACL shapes (*.ttl) in {SHAPES_DIR}")
    for path in files:
        shapes.parse(path, format="turtle")
    shapes.bind("rg", ONTOLOGY_NS)
    shapes.bind("rgsh", SHAPES_NS)
    return shapes


def load_ontology() -> Graph:
    """ontology/racegraph.ttl."""
    if not ONTOLOGY_FILE.exists():
        raise FileNotFoundError(f"the ontology {ONTOLOGY_FILE} is missing")
    ontology = Graph()
    ontology.parse(ONTOLOGY_FILE, format="turtle")
    return ontology


def validate_event_graph(data: Graph, *, shapes: Graph, ontology: Graph) -> ValidationResult:
    """Validate one graph (normally one event's validation unit). `data` is not modified."""
    events = sorted(set(data.subjects(RDF.type, RG.RaceEvent)), key=str)
    unit = Graph()
    for triple in data:
        unit.add(triple)
    report, violations = _run(unit, shapes, ontology, str(events[0]) if len(events) == 1 else "")
    return _merged([(report, violations)], events_checked=len(events))


def validate_dataset(dataset: Dataset, *, base_uri: str = DEFAULT_BASE,
                     progress: Progress | None = None) -> ValidationResult:
    """Validate every event of `dataset` on its own graphs, then what belongs to no event."""
    shapes = load_shapes()
    ontology = load_ontology()
    ontology_graph = Minter(base_uri).ontology_graph

    graphs = {_name(g): g for g in dataset.graphs()}
    events = sorted({s for s, _, _, _ in dataset.quads((None, RDF.type, RG.RaceEvent, None))}, key=str)
    units: list[tuple[str, list[URIRef]]] = []
    claimed: set = set()
    for event in events:
        names = sorted({_name(g) for _, _, _, g in dataset.quads((event, None, None, None))}, key=str)
        units.append((str(event), names))
        claimed.update(names)
    rest = [name for name in sorted(graphs, key=str)
            if name not in claimed and name != ontology_graph and len(graphs[name])]
    shared, shared_things = _shared_descriptions(
        [g for name, g in graphs.items() if name != ontology_graph], excluded=set(events))

    total = len(units) + (1 if rest else 0) + (1 if shared_things else 0)
    outcomes = []
    for done, (event, names) in enumerate(units, 1):
        outcomes.append(_run(_union(graphs[name] for name in names), shapes, ontology, event))
        if progress:
            progress(done, total)
    if rest:
        # The metadata graph and anything else no event claims: validated once, together.
        outcomes.append(_run(_union(graphs[name] for name in rest), shapes, ontology, ""))
        if progress:
            progress(len(units) + 1, total)
    if shared_things:
        # Drivers, teams, circuits… that several articles describe: each event saw only its own
        # article's words about them, so conflicts between articles show only in the merge.
        outcomes.append(_run(shared, shapes, ontology, "", focus_nodes=shared_things))
        if progress:
            progress(total, total)
    return _merged(outcomes, events_checked=len(units))


def _shared_descriptions(graphs: list[Graph], *, excluded: set) -> tuple[Graph, list]:
    """(unit, focus nodes): the merged description of every resource described in more than one
    graph (events aside: their units already hold all their graphs), with the types of what it
    links to so that sh:class can be checked. Linear in the size of the dataset."""
    seen_in: dict = {}
    for graph in graphs:
        for subject in set(graph.subjects()):
            seen_in[subject] = seen_in.get(subject, 0) + 1
    things = sorted((s for s, count in seen_in.items() if count > 1 and s not in excluded), key=str)
    unit = Graph()
    for subject in things:
        for graph in graphs:
            for _, predicate, obj in graph.triples((subject, None, None)):
                unit.add((subject, predicate, obj))
                if predicate != RDF.type and isinstance(obj, URIRef):
                    for typed in graph.objects(obj, RDF.type):
                        unit.add((obj, RDF.type, typed))
    return unit, things


def _name(graph) -> URIRef | BNode:
    return graph.identifier if isinstance(graph, Graph) else graph


def _union(graphs: Iterable[Graph]) -> Graph:
    unit = Graph()
    for graph in graphs:
        for triple in graph:
            unit.add(triple)
    return unit


def _run(unit: Graph, shapes: Graph, ontology: Graph, event: str,
         focus_nodes: list | None = None) -> tuple[Graph, list[Violation]]:
    # inplace: the unit is our own throw-away copy, so pyshacl may mix the ontology into it.
    _, report, text = pyshacl_validate(
        unit, shacl_graph=shapes, ont_graph=ontology, inference="none", inplace=True,
        advanced=False, allow_warnings=False, focus_nodes=focus_nodes,
    )
    if not isinstance(report, Graph):
        # pyshacl reports a broken shapes file this way instead of raising.
        raise ShapesError(f"SHACL validation could not run: {text}")
    return report, [_violation(report, shapes, result, event) for result in report.objects(None, SH.result)]


def _violation(report: Graph, shapes: Graph, result, event: str) -> Violation:
    names = NamespaceManager(Graph(), bind_namespaces="core")
    names.bind("rg", ONTOLOGY_NS)

    def text(term) -> str | None:
        if term is None:
            return None
        if isinstance(term, Literal):
            return term.n3(names)
        if isinstance(term, URIRef):
            return str(term)
        return _describe_node(report, term)

    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    severity = report.value(result, SH.resultSeverity)
    return Violation(
        event=event,
        focus=text(report.value(result, SH.focusNode)),
        path=text(report.value(result, SH.resultPath)),
        value=text(report.value(result, SH.value)),
        message="; ".join(messages),
        source_shape=_describe_source(report, shapes, result),
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
    )


def _describe_node(graph: Graph, node) -> str:
    """A stable text for a blank node (a complex path): its triples, sorted, in Turtle terms."""
    parts = sorted(f"{p.n3()} {o.n3() if not isinstance(o, BNode) else _describe_node(graph, o)}"
                   for p, o in graph.predicate_objects(node))
    return "[ " + " ; ".join(parts) + " ]"


def _describe_source(report: Graph, shapes: Graph, result) -> str:
    constraint = report.value(result, SH.sourceConstraint)
    if isinstance(constraint, URIRef):
        return str(constraint)
    shape = report.value(result, SH.sourceShape)
    if isinstance(shape, URIRef):
        return str(shape)
    # An anonymous property shape: name it by the node shape that holds it and its path.
    parent = next((p for p in shapes.subjects(SH.property, shape) if isinstance(p, URIRef)), None)
    path = shapes.value(shape, SH.path)
    path_text = str(path) if isinstance(path, URIRef) else _describe_node(shapes, path) if path else "?"
    return f"{parent or '[]'}[{path_text}]"


def _sort_key(v: Violation) -> tuple:
    return (v.event, v.focus, v.source_shape, v.path or "", v.value or "", v.message, v.severity)


def _merged(outcomes: list[tuple[Graph, list[Violation]]], *, events_checked: int) -> ValidationResult:
    """One sh:ValidationReport holding the results of every unit."""
    merged = Graph()
    merged.bind("sh", SH)
    root = BNode()
    merged.add((root, RDF.type, SH.ValidationReport))
    violations: list[Violation] = []
    for report, found in outcomes:
        violations.extend(found)
        for prefix, namespace in report.namespaces():
            merged.bind(prefix, namespace, override=False)
        unit_roots = set(report.subjects(RDF.type, SH.ValidationReport))
        for s, p, o in report:
            if s in unit_roots and p != SH.result:
                continue
            merged.add((root if s in unit_roots else s, p, o))
    # Warnings (the threshold rules) are reported but do not break conformance.
    conforms = not any(v.severity == "Violation" for v in violations)
    merged.add((root, SH.conforms, Literal(conforms)))
    # Identical entries (one value breaking two components of one property shape, say
    # sh:datatype and sh:minInclusive, which share a message) are listed once.
    return ValidationResult(conforms=conforms, violations=sorted(set(violations), key=_sort_key),
                            report=merged, events_checked=events_checked)
