"""SHACL validation of the knowledge graph, one race event at a time.

The shapes live in shapes/*.ttl, in racegraph's fixed namespaces (graph.uris.ONTOLOGY_NS,
SHAPES_NS), so one set of shapes validates a graph minted under any base URI.

Why per event: every rule is about one event and the things its articles describe, so
each event is validated on its own graphs (its unit), which keeps the total time linear in
the number of events. Resources that several units describe (drivers, teams, circuits…)
are then validated once on their merged description. `EventValidator` validates a batch of
units: pyshacl for the core shapes, the SPARQL rules as pyoxigraph queries
(graph.sparql_rules), with the results pyshacl would give.

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
from typing import Callable, Iterable, Sequence

import pyoxigraph
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, NamespaceManager

from graph.paths import ONTOLOGY_FILE, SHAPES_DIR
from graph.sparql_rules import (AmbiguousLiteral, LiteralLookup, from_oxigraph, run_rules, split_rules,
                                to_oxigraph)
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


@dataclass(frozen=True)
class Unit:
    """What one validation run sees: an event with every named graph it is described in, or
    ("" as event) what belongs to no event. Validated as if no other unit existed.

    `triples` is a Graph or a list of distinct triples. With `owned`, the Graph is the caller's to
    give away: it is validated in place (pyshacl mixes the ontology into it) instead of copied."""
    event: str
    triples: Graph | list[tuple]
    owned: bool = False


class EventValidator:
    """The shapes and ontology loaded once, for validating many units (events) in batches.

    This is the per-event validation a build runs, and what an incremental add can reuse:
    `validate(units)` gives each unit exactly the outcome of a pyshacl run with every shape over
    that unit alone, for a fraction of the cost:
    - pyshacl runs the core shapes only (its fixed cost per run is about 12 ms; its cost per triple
      is what remains);
    - the SPARQL rules (race rules, consistency rules) run as pyoxigraph queries
      (graph.sparql_rules) over a store holding the batch, each unit in a named graph of its own
      and queried on its own: about 15 ms per event instead of about 2 s through rdflib.
    A unit whose rule results cannot be given their literals back exactly is validated with the
    plain pyshacl run instead (`validate_alone`)."""

    def __init__(self, *, shapes: Graph | None = None, ontology: Graph | None = None):
        self.shapes = shapes if shapes is not None else load_shapes()
        self.ontology = ontology if ontology is not None else load_ontology()
        self.core_shapes, self.rules = split_rules(self.shapes)
        self._ontology_quads = [pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), _ONTOLOGY_GRAPH)
                                for s, p, o in self.ontology]

    def validate(self, units: Sequence[Unit]) -> list[tuple[Graph, list[Violation]]]:
        """(report, violations) of each unit, in order; as if each were validated on its own."""
        literals = LiteralLookup()
        quads = list(self._ontology_quads)
        for index, unit in enumerate(units):
            graph = _unit_graph(index)
            for s, p, o in unit.triples:
                if isinstance(o, Literal):
                    literals.add(index, o)
                quads.append(pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))
        store = pyoxigraph.Store()
        store.bulk_extend(quads)

        outcomes = []
        for index, unit in enumerate(units):
            # 1. pyshacl, core shapes.
            data = unit.triples if unit.owned and isinstance(unit.triples, Graph) else union([unit.triples])
            _, report, text = pyshacl_validate(
                data, shacl_graph=self.core_shapes, ont_graph=self.ontology, inference="none", inplace=True,
                advanced=False, allow_warnings=False)
            if not isinstance(report, Graph):
                raise ShapesError(f"SHACL validation could not run: {text}")
            # 2. the SPARQL rules, over this unit's graph and the ontology (for subclass targets).
            # A graph per unit, not one for the batch: the rules' FILTER NOT EXISTS would scan every
            # event's entries, quadratic in the batch size.
            ambiguous = []

            def term(found, _focus):
                if isinstance(found, pyoxigraph.NamedNode):
                    return URIRef(found.value)
                if isinstance(found, pyoxigraph.BlankNode):
                    return BNode(found.value)
                try:
                    return literals.original(index, found)
                except AmbiguousLiteral:
                    ambiguous.append(found)
                    return Literal(found.value)

            scope = [_unit_graph(index), _ONTOLOGY_GRAPH]
            for found in run_rules(store, self.rules, term=term, default_graph=scope):
                _add_rule_result(report, found)
            if ambiguous:
                outcomes.append(self.validate_alone(unit))
                continue
            _set_conforms(report)
            outcomes.append((report, [_violation(report, self.shapes, r, unit.event)
                                      for r in report.objects(None, SH.result)]))
        return outcomes

    def validate_alone(self, unit: Unit, focus_nodes: list | None = None) -> tuple[Graph, list[Violation]]:
        """The plain run: pyshacl with every shape (the SPARQL rules through rdflib) over one unit."""
        data = unit.triples if unit.owned and isinstance(unit.triples, Graph) else union([unit.triples])
        return _run(data, self.shapes, self.ontology, unit.event, focus_nodes=focus_nodes)


_ONTOLOGY_GRAPH = pyoxigraph.NamedNode("urn:x-racegraph:validation:ontology")


def _unit_graph(index: int) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(f"urn:x-racegraph:validation:unit:{index}")


def _add_rule_result(report: Graph, found) -> None:
    """The triples pyshacl's SPARQLConstraintComponent writes for one result."""
    root = next(report.subjects(RDF.type, SH.ValidationReport))
    result = BNode()
    rule = found.rule
    report.add((root, SH.result, result))
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    report.add((result, SH.sourceShape, rule.shape))
    report.add((result, SH.resultSeverity, rule.severity))
    report.add((result, SH.focusNode, found.focus))
    report.add((result, SH.value, found.value))
    if found.path is not None:
        report.add((result, SH.resultPath, found.path))
    report.add((result, SH.sourceConstraint, rule.constraint))
    for message in found.messages:
        report.add((result, SH.resultMessage, Literal(message)))


def _set_conforms(report: Graph) -> None:
    """sh:conforms as pyshacl states it (no result at all), now that the rules' results are in."""
    root = next(report.subjects(RDF.type, SH.ValidationReport))
    report.set((root, SH.conforms, Literal(not any(True for _ in report.objects(root, SH.result)))))


def validate_event_graph(data: Graph, *, shapes: Graph, ontology: Graph) -> ValidationResult:
    """Validate one graph (normally one event's validation unit). `data` is not modified."""
    events = sorted(set(data.subjects(RDF.type, RG.RaceEvent)), key=str)
    validator = EventValidator(shapes=shapes, ontology=ontology)
    outcome = validator.validate([Unit(str(events[0]) if len(events) == 1 else "", data)])[0]
    return _merged([outcome], events_checked=len(events))


def validate_dataset(dataset: Dataset, *, base_uri: str = DEFAULT_BASE,
                     progress: Progress | None = None, batch_size: int = 16) -> ValidationResult:
    """Validate every event of `dataset` on its own graphs, then what belongs to no event, then the
    resources that several units describe, on their merged description."""
    validator = EventValidator()
    race_event = RG.RaceEvent
    ontology_graph = Minter(base_uri).ontology_graph

    graphs = {_name(g): g for g in dataset.graphs()}
    events = sorted({s for s, _, _, _ in dataset.quads((None, RDF.type, race_event, None))}, key=str)
    groups: list[tuple[str, list]] = []
    claimed: set = set()
    for event in events:
        names = sorted({_name(g) for _, _, _, g in dataset.quads((event, None, None, None))}, key=str)
        groups.append((str(event), names))
        claimed.update(names)
    rest = [name for name in sorted(graphs, key=str)
            if name not in claimed and name != ontology_graph and len(graphs[name])]
    if rest:
        # The metadata graph and anything else no event claims: validated once, together.
        groups.append(("", rest))
    shared, shared_things = _shared_descriptions([[graphs[name] for name in names] for _, names in groups],
                                                 excluded=set(events))

    total = len(groups) + (1 if shared_things else 0)
    outcomes = []
    for start in range(0, len(groups), batch_size):
        batch = [Unit(event, union(graphs[name] for name in names), owned=True)
                 for event, names in groups[start:start + batch_size]]
        outcomes.extend(validator.validate(batch))
        if progress:
            for done in range(start + 1, start + len(batch) + 1):
                progress(done, total)
    if shared_things:
        # Drivers, teams, circuits… that several units describe: each event saw only its own
        # article's words about them, so conflicts between articles show only in the merge.
        # (pyshacl's focus_nodes also filters the values nested shapes see: an sh:or of datatypes
        # passes there, a qualified count would fail; the shapes have neither on shared classes.)
        outcomes.append(validator.validate_alone(Unit("", shared, owned=True), focus_nodes=shared_things))
        if progress:
            progress(total, total)
    return _merged(outcomes, events_checked=len(events))


def validate_shared(validator: EventValidator, quads: Iterable[pyoxigraph.Quad],
                    shared: set[str]) -> tuple[Graph, list[Violation]]:
    """Validate the resources `shared` (IRIs that several units describe) on their merged description,
    read from the named-graph quads of a build (what `_shared_descriptions` makes from a Dataset).

    One pass over the quads, which come grouped by graph: the types of what a shared resource links
    to are looked up in the graph that links to it, when that graph ends."""
    description: set = set()
    pending: dict = {}  # graph -> objects that shared resources link to in it
    types: dict = {}  # subject -> its types, in the current graph
    closed: set = set()
    reopened: set = set()
    current = None

    def close(graph):
        for obj in pending.get(graph, ()):
            for typed in types.get(obj, ()):
                description.add(pyoxigraph.Triple(obj, _OX_TYPE, typed))
        closed.add(graph)
        types.clear()

    for quad in quads:
        graph = quad.graph_name
        if isinstance(graph, pyoxigraph.DefaultGraph):
            continue
        if graph != current:
            if current is not None:
                close(current)
            if graph in closed:
                reopened.add(graph)
            current = graph
        subject, predicate, obj = quad.subject, quad.predicate, quad.object
        if predicate == _OX_TYPE:
            types.setdefault(subject, []).append(obj)
        if isinstance(subject, pyoxigraph.NamedNode) and subject.value in shared:
            description.add(pyoxigraph.Triple(subject, predicate, obj))
            if predicate != _OX_TYPE and isinstance(obj, pyoxigraph.NamedNode):
                pending.setdefault(graph, set()).add(obj)
    if current is not None:
        close(current)
    if reopened:  # the build writes each graph in one piece; anything else is a bug here
        raise RuntimeError(f"the quads of graph {sorted(map(str, reopened))[0]} are not together")
    unit = Graph()
    for triple in description:
        unit.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate), from_oxigraph(triple.object)))
    things = sorted((URIRef(s) for s in shared), key=str)
    return validator.validate_alone(Unit("", unit), focus_nodes=things)


_OX_TYPE = pyoxigraph.NamedNode(str(RDF.type))


def _shared_descriptions(units: list[list[Graph]], *, excluded: set) -> tuple[Graph, list]:
    """(unit, focus nodes): the merged description of every resource that more than one unit
    describes (events aside: their units already hold all their graphs), with the types of what it
    links to (from the graph that links to it) so that sh:class can be checked.

    A resource described twice within one unit (an entry in its article and its derived graph)
    was already seen whole by that unit, so it is not shared. One pass over the triples."""
    first_unit: dict = {}
    shared: set = set()
    for index, graphs in enumerate(units):
        for graph in graphs:
            for subject in graph.subjects(unique=True):
                if first_unit.setdefault(subject, index) != index:
                    shared.add(subject)
    shared -= excluded
    things = sorted(shared, key=str)
    unit = Graph()
    for graphs in units:
        for graph in graphs:
            for subject, predicate, obj in graph:
                if subject not in shared:
                    continue
                unit.add((subject, predicate, obj))
                if predicate != RDF.type and isinstance(obj, URIRef):
                    for typed in graph.objects(obj, RDF.type):
                        unit.add((obj, RDF.type, typed))
    return unit, things


def _name(graph) -> URIRef | BNode:
    return graph.identifier if isinstance(graph, Graph) else graph


def union(graphs: Iterable[Graph]) -> Graph:
    """A new graph holding every triple of `graphs` (a validation unit made of several named graphs)."""
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


def merge_outcomes(outcomes: list[tuple[Graph, list[Violation]]], *, events_checked: int) -> ValidationResult:
    """The units' reports and violations as one ValidationResult (one sh:ValidationReport)."""
    return _merged(outcomes, events_checked=events_checked)


def violation_order(v: Violation) -> tuple:
    """The order reports list results in: by event, then resource, rule, path, value."""
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
    return ValidationResult(conforms=conforms, violations=sorted(set(violations), key=violation_order),
                            report=merged, events_checked=events_checked)
