"""SHACL validation of the knowledge graph, one race event at a time.

The shapes live in shapes/*.ttl; they and the ontology are written with relative
IRIs (`@prefix rg: <ontology#> .`) and parsed with the base URI as publicID.

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
import re
from typing import Callable, Iterable, Sequence

import pyoxigraph
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD, NamespaceManager

from graph.paths import ONTOLOGY_FILE, SHAPES_DIR
from graph.sparql_rules import (AmbiguousLiteral, LiteralLookup, from_oxigraph, run_rules, split_rules,
                                to_oxigraph)
from graph.uris import DEFAULT_BASE, Minter
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


def _rebased(term: URIRef, base_uri: str) -> URIRef:
    """An ontology term of graph.vocab.RG (default base) moved under `base_uri`."""
    return URIRef(base_uri + str(term)[len(DEFAULT_BASE):])


def load_shapes(base_uri: str = DEFAULT_BASE) -> Graph:
    """Every shapes/*.ttl parsed with `base_uri` as publicID, ready for pyshacl."""
    shapes = Graph()
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no SHACL shapes (*.ttl) in {SHAPES_DIR}")
    for path in files:
        shapes.parse(path, format="turtle", publicID=base_uri)
    # SHACL wants sh:namespace as an xsd:anyURI literal, but a literal cannot be
    # relative; the files write the rg namespace as a relative IRI and we turn it
    # into the literal here, so the SPARQL rules follow the base like everything else.
    for declaration, namespace in list(shapes.subject_objects(SH.namespace)):
        if isinstance(namespace, URIRef):
            shapes.remove((declaration, SH.namespace, namespace))
            shapes.add((declaration, SH.namespace, Literal(str(namespace), datatype=XSD.anyURI)))
    shapes.bind("rg", base_uri + "ontology#")
    shapes.bind("rgsh", base_uri + "shapes#")
    return shapes


def load_ontology(base_uri: str = DEFAULT_BASE) -> Graph:
    """ontology/racegraph.ttl parsed with `base_uri` as publicID."""
    if not ONTOLOGY_FILE.exists():
        raise FileNotFoundError(f"the ontology {ONTOLOGY_FILE} is missing")
    ontology = Graph()
    ontology.parse(ONTOLOGY_FILE, format="turtle", publicID=base_uri)
    return ontology


@dataclass(frozen=True)
class Unit:
    """What one validation run sees: an event with every named graph it is described in, or
    ("" as event) what belongs to no event. Validated as if no other unit existed."""
    event: str
    triples: Graph


class EventValidator:
    """The shapes and ontology loaded once, for validating many units (events) in batches.

    This is the per-event validation a build runs, and what an incremental add can reuse:
    `validate(units)` gives each unit the outcome a pyshacl run over that unit alone would give.
    Two costs are taken off pyshacl:
    - its fixed cost per run (shapes, ontology, setup): the units of a batch are renamed apart
      (`urn:x-racegraph-unit:K:` before every IRI they describe) and checked in one run;
    - the SPARQL rules (race rules, consistency rules): run as one pyoxigraph query per rule over
      the batch (graph.sparql_rules), hundreds of times faster than rdflib for these queries.
    A unit that renaming could change (blank nodes, a class or ontology term described as data) and
    a unit whose rule results cannot be given their literals back exactly are validated alone
    with the plain pyshacl run instead."""

    def __init__(self, *, shapes: Graph | None = None, ontology: Graph | None = None,
                 base_uri: str = DEFAULT_BASE):
        self.shapes = shapes if shapes is not None else load_shapes(base_uri)
        self.ontology = ontology if ontology is not None else load_ontology(base_uri)
        self.core_shapes, self.rules = split_rules(self.shapes)
        self._ontology_terms = {t for t in self.ontology.subjects() if isinstance(t, URIRef)}
        self._ontology_quads = [pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
                                for s, p, o in self.ontology]
        self._batchable = _renaming_keeps_verdicts(self.core_shapes)

    def validate(self, units: Sequence[Unit]) -> list[tuple[Graph, list[Violation]]]:
        """(report, violations) of each unit, in order; as if each were validated on its own."""
        outcomes: list = [None] * len(units)
        together = []
        for index, unit in enumerate(units):
            if self._batchable and self._can_rename(unit.triples):
                together.append(index)
            else:
                outcomes[index] = self.validate_alone(unit)
        if together:
            for index, outcome in zip(together, self._validate_together([units[i] for i in together])):
                outcomes[index] = outcome if outcome is not None else self.validate_alone(units[index])
        return outcomes

    def validate_alone(self, unit: Unit, focus_nodes: list | None = None) -> tuple[Graph, list[Violation]]:
        """The plain run: pyshacl with every shape (the SPARQL rules through rdflib) over one unit."""
        return _run(_union([unit.triples]), self.shapes, self.ontology, unit.event, focus_nodes=focus_nodes)

    def _can_rename(self, triples: Graph) -> bool:
        classes = set(triples.objects(None, RDF.type))
        for s, _, o in triples:
            if isinstance(s, BNode) or isinstance(o, BNode) or s in classes or s in self._ontology_terms:
                return False
        return True

    def _validate_together(self, units: list[Unit]) -> list:
        data = Graph()
        store = pyoxigraph.Store()
        literals = LiteralLookup()
        quads = list(self._ontology_quads)
        prefixes = [f"{_UNIT_SCHEME}{index}:" for index in range(len(units))]
        for index, unit in enumerate(units):
            keep = set(unit.triples.objects(None, RDF.type)) | self._ontology_terms
            prefix = prefixes[index]
            renamed: dict = {}

            def rename(term):
                if isinstance(term, URIRef) and term not in keep:
                    found = renamed.get(term)
                    if found is None:
                        found = renamed[term] = URIRef(prefix + term)
                    return found
                return term

            add = data.add
            for s, p, o in unit.triples:
                s, o = rename(s), rename(o)
                add((s, p, o))
                if isinstance(o, Literal):
                    literals.add(index, o)
                quads.append(pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)))
        store.bulk_extend(quads)

        reports = [_unit_report() for _ in units]
        redo: set[int] = set()
        # 1. pyshacl, core shapes, all units at once.
        _, report, text = pyshacl_validate(
            data, shacl_graph=self.core_shapes, ont_graph=self.ontology, inference="none", inplace=True,
            advanced=False, allow_warnings=False)
        if not isinstance(report, Graph):
            raise ShapesError(f"SHACL validation could not run: {text}")
        for result in report.objects(None, SH.result):
            index = _unit_of(report.value(result, SH.focusNode))
            if index is None:
                return [None] * len(units)  # cannot tell whose result it is: validate each alone
            _copy_result(report, result, reports[index])

        # 2. the SPARQL rules, one query each over the batch's store.
        def term(found, raw_focus: str):
            if isinstance(found, pyoxigraph.NamedNode):
                return _original_iri(found.value)
            if isinstance(found, pyoxigraph.BlankNode):
                return BNode(found.value)
            index = _unit_of(raw_focus)
            try:
                return literals.original(index, found)
            except AmbiguousLiteral:
                redo.add(index)
                return Literal(found.value)

        for found in run_rules(store, self.rules, term=term):
            index = _unit_of(found.raw_focus)
            if index is None:
                return [None] * len(units)
            _add_rule_result(reports[index], found)

        outcomes = []
        for index, (unit, unit_report) in enumerate(zip(units, reports)):
            if index in redo:
                outcomes.append(None)
                continue
            _finish_report(unit_report)
            violations = [_violation(unit_report, self.shapes, r, unit.event)
                          for r in unit_report.objects(None, SH.result)]
            outcomes.append((unit_report, violations))
        return outcomes


_UNIT_SCHEME = "urn:x-racegraph-unit:"


def _unit_of(term) -> int | None:
    text = str(term) if term is not None else ""
    if not text.startswith(_UNIT_SCHEME):
        return None
    return int(text[len(_UNIT_SCHEME):text.index(":", len(_UNIT_SCHEME))])


def _original_iri(text: str) -> URIRef:
    if text.startswith(_UNIT_SCHEME):
        return URIRef(text[text.index(":", len(_UNIT_SCHEME)) + 1:])
    return URIRef(text)


def _unrenamed(term):
    if isinstance(term, URIRef):
        return _original_iri(str(term))
    if isinstance(term, Literal) and _UNIT_SCHEME in term:
        # A message or value that quotes a renamed IRI.
        return Literal(re.sub(re.escape(_UNIT_SCHEME) + r"\d+:", "", str(term)),
                       lang=term.language, datatype=term.datatype)
    return term


def _renaming_keeps_verdicts(shapes: Graph) -> bool:
    """Renaming IRIs apart cannot change what these shapes say: no shape names a data IRI
    (sh:targetNode, sh:hasValue, an IRI in sh:in) and no SPARQL is left that could quote one."""
    if any(True for _ in shapes.triples((None, SH.targetNode, None))):
        return False
    if any(isinstance(v, URIRef) for v in shapes.objects(None, SH.hasValue)):
        return False
    for members in shapes.objects(None, SH["in"]):
        if any(isinstance(m, URIRef) for m in shapes.items(members)):
            return False
    return not any(True for _ in shapes.triples((None, SH.sparql, None)))


def _unit_report() -> Graph:
    report = Graph()
    report.bind("sh", SH)
    report.add((BNode(), RDF.type, SH.ValidationReport))
    return report


def _copy_result(report: Graph, result, into: Graph) -> None:
    """One sh:ValidationResult (with any blank-node structure under it) with IRIs un-renamed."""
    root = next(into.subjects(RDF.type, SH.ValidationReport))
    into.add((root, SH.result, result))
    todo, done = [result], set()
    while todo:
        node = todo.pop()
        if node in done:
            continue
        done.add(node)
        for _, p, o in report.triples((node, None, None)):
            into.add((node, p, _unrenamed(o)))
            if isinstance(o, BNode):
                todo.append(o)


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


def _finish_report(report: Graph) -> None:
    root = next(report.subjects(RDF.type, SH.ValidationReport))
    conforms = not any(report.value(r, SH.resultSeverity) == SH.Violation for r in report.objects(root, SH.result))
    report.add((root, SH.conforms, Literal(conforms)))


def validate_event_graph(data: Graph, *, shapes: Graph, ontology: Graph) -> ValidationResult:
    """Validate one graph (normally one event's validation unit). `data` is not modified."""
    events = sorted(set(data.subjects(RDF.type, _race_event_class(shapes))), key=str)
    validator = EventValidator(shapes=shapes, ontology=ontology)
    outcome = validator.validate([Unit(str(events[0]) if len(events) == 1 else "", data)])[0]
    return _merged([outcome], events_checked=len(events))


def validate_dataset(dataset: Dataset, *, base_uri: str = DEFAULT_BASE,
                     progress: Progress | None = None, batch_size: int = 16) -> ValidationResult:
    """Validate every event of `dataset` on its own graphs, then what belongs to no event, then the
    resources that several units describe, on their merged description."""
    validator = EventValidator(base_uri=base_uri)
    race_event = _rebased(RG.RaceEvent, base_uri)
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
        batch = [Unit(event, _union(graphs[name] for name in names))
                 for event, names in groups[start:start + batch_size]]
        outcomes.extend(validator.validate(batch))
        if progress:
            for done in range(start + 1, start + len(batch) + 1):
                progress(done, total)
    if shared_things:
        # Drivers, teams, circuits… that several units describe: each event saw only its own
        # article's words about them, so conflicts between articles show only in the merge.
        outcomes.append(validator.validate_alone(Unit("", shared), focus_nodes=shared_things))
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


def _union(graphs: Iterable[Graph]) -> Graph:
    unit = Graph()
    for graph in graphs:
        for triple in graph:
            unit.add(triple)
    return unit


def _race_event_class(shapes: Graph) -> URIRef:
    """rg:RaceEvent under whatever base the shapes were loaded with."""
    suffix = str(RG.RaceEvent)[len(DEFAULT_BASE):]
    return next((c for c in shapes.objects(None, SH.targetClass) if str(c).endswith("/" + suffix)), RG.RaceEvent)


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
    names.bind("rg", _race_event_class(shapes)[:-len("RaceEvent")])

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
