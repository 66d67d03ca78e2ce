"""SHACL-SPARQL constraints (`sh:sparql` with `sh:select`) run as plain SPARQL over pyoxigraph.

pyshacl runs each SPARQL constraint once per focus node through rdflib's SPARQL engine, which
costs about two seconds per event for the race rules. Here each constraint is one query over a
pyoxigraph store holding many events at once: `$this` is not pre-bound but joined with the
shape's targets (`?this rdf:type/rdfs:subClassOf* <class>`), which is the same thing for these
queries, and each solution becomes the sh:ValidationResult pyshacl would have made: same focus
node, sh:value (the focus node when ?value is unbound), sh:resultPath (from ?path), severity,
source shape and constraint, and messages with `{?var}` filled in as pyshacl fills them in.

Only what this module understands is taken out of pyshacl's hands (`split_rules`): a constraint
that uses `$PATH`, `$currentShape` or `$shapesGraph`, or sits on a property shape or on a shape
with targets other than sh:targetClass, stays in the shapes that pyshacl runs.

pyoxigraph keeps literals in canonical form ("0.750"^^xsd:decimal comes back as "0.75", an
xsd:positiveInteger as an xsd:integer); `LiteralLookup` gives results their original terms back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable, Iterator

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

_UNSUPPORTED_VARIABLES = re.compile(r"\$PATH\b|[?$](currentShape|shapesGraph)\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_TARGET_KINDS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)

_INTEGER_TYPES = {XSD[name] for name in (
    "integer", "positiveInteger", "nonNegativeInteger", "negativeInteger", "nonPositiveInteger", "long", "int",
    "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_XSD_STRING = str(XSD.string)


@dataclass(frozen=True)
class SparqlRule:
    """One sh:sparql constraint of a node shape, ready to run over a store."""
    shape: URIRef
    constraint: URIRef | BNode
    target_classes: tuple[URIRef, ...]
    severity: URIRef
    query: str  # the SELECT with prefixes, $this joined with the targets
    messages: tuple[Literal, ...]  # the constraint's sh:message, then the shape's own


@dataclass(frozen=True)
class RuleResult:
    """One solution of a rule, in rdflib terms: what pyshacl turns into one validation result."""
    rule: SparqlRule
    raw_focus: str  # the focus node as the store has it
    focus: URIRef | BNode
    value: object | None
    path: URIRef | None
    messages: tuple[str, ...]


def split_rules(shapes: Graph) -> tuple[Graph, list[SparqlRule]]:
    """(the shapes without the SPARQL constraints run here, those constraints as SparqlRules)."""
    rules: list[SparqlRule] = []
    taken: list[tuple] = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql), key=lambda pair: (str(pair[0]), str(pair[1]))):
        rule = _rule(shapes, shape, constraint)
        if rule is not None:
            rules.append(rule)
            taken.append((shape, SH.sparql, constraint))
    remaining = Graph()
    for prefix, namespace in shapes.namespaces():
        remaining.bind(prefix, namespace, override=True)
    skip = set(taken)
    for triple in shapes:
        if triple not in skip:
            remaining.add(triple)
    return remaining, rules


def _rule(shapes: Graph, shape, constraint) -> SparqlRule | None:
    if not isinstance(shape, URIRef) or (shape, SH.path, None) in shapes:
        return None  # property shapes pre-bind $PATH; left to pyshacl
    if any((shape, kind, None) in shapes for kind in _TARGET_KINDS):
        return None
    if _true(shapes.value(shape, SH.deactivated)) or _true(shapes.value(constraint, SH.deactivated)):
        return None  # pyshacl skips it; so does the copy of the shapes it gets
    select = shapes.value(constraint, SH.select)
    if select is None or _UNSUPPORTED_VARIABLES.search(str(select)):
        return None
    targets = tuple(sorted((c for c in shapes.objects(shape, SH.targetClass) if isinstance(c, URIRef)), key=str))
    if not targets:
        return None
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
        return None  # implicit class target: left to pyshacl
    where = _WHERE.search(str(select))
    if where is None:
        return None
    target_values = " ".join(f"<{c}>" for c in targets)
    join = (f" ?this <{RDF.type}> ?rgTargetType . ?rgTargetType <{RDFS.subClassOf}>* ?rgTargetClass . "
            f"VALUES ?rgTargetClass {{ {target_values} }} ")
    text = str(select)
    text = text[:where.end()] + join + text[where.end():]
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _prefixes(shapes, constraint).items())
    own = [m for m in shapes.objects(shape, SH.message)]
    extra = [m for m in shapes.objects(constraint, SH.message) if m not in own]
    return SparqlRule(shape=shape, constraint=constraint, target_classes=targets,
                      severity=shapes.value(shape, SH.severity) or SH.Violation, query=prefixes + text,
                      messages=tuple(extra + own))


def _true(value) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _prefixes(shapes: Graph, constraint) -> dict[str, str]:
    found: dict[str, str] = {}
    for declarations in shapes.objects(constraint, SH.prefixes):
        for declare in shapes.objects(declarations, SH.declare):
            prefix, namespace = shapes.value(declare, SH.prefix), shapes.value(declare, SH.namespace)
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
    return found


class LiteralLookup:
    """The original rdflib literal behind a canonical one pyoxigraph returns, per validation unit.

    A key that stands for two different original literals in one unit is ambiguous; `original`
    then raises AmbiguousLiteral and the caller validates that unit with pyshacl instead."""

    def __init__(self):
        self._terms: dict[tuple, Literal | None] = {}

    def add(self, unit: int, literal: Literal) -> None:
        key = (unit, _key(str(literal), str(literal.datatype) if literal.datatype else None, literal.language))
        known = self._terms.get(key, literal)
        self._terms[key] = literal if known == literal and known is not None else None

    def original(self, unit: int, term: pyoxigraph.Literal) -> Literal:
        datatype = term.datatype.value if term.language is None else None
        key = (unit, _key(term.value, datatype, term.language))
        if key in self._terms:
            found = self._terms[key]
            if found is None:
                raise AmbiguousLiteral(term)
            return found
        # Not in the data: computed by the query (COUNT, STR, GROUP_CONCAT, ?pos - 1). rdflib gives
        # such strings no datatype, and numbers their canonical form, as pyoxigraph does.
        if term.language:
            return Literal(term.value, lang=term.language)
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=datatype)


class AmbiguousLiteral(LookupError):
    """One canonical literal stands for two different ones written in the same unit."""


def _key(lexical: str, datatype: str | None, language: str | None) -> tuple:
    if datatype is not None and URIRef(datatype) in _INTEGER_TYPES:
        try:
            return ("integer", int(lexical))
        except ValueError:
            pass
    elif datatype == str(XSD.decimal):
        try:
            return ("decimal", Decimal(lexical))
        except InvalidOperation:
            pass
    elif datatype in (str(XSD.double), str(XSD.float)):
        try:
            return ("double", float(lexical))
        except ValueError:
            pass
    elif datatype == str(XSD.boolean):
        if lexical in ("true", "1", "false", "0"):
            return ("boolean", lexical in ("true", "1"))
    if datatype is None and language is None:
        datatype = _XSD_STRING
    return ("literal", lexical, datatype, language.lower() if language else None)


def to_oxigraph(term) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    if term.datatype:
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
    return pyoxigraph.Literal(str(term))


def from_oxigraph(term) -> URIRef | BNode | Literal:
    """A pyoxigraph term (as parsed, not as stored: lexical forms kept) in rdflib's terms."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)  # rdflib's plain literal: N-Quads cannot tell the two apart
    return Literal(term.value, datatype=term.datatype.value)


def run_rules(store: pyoxigraph.Store, rules: Iterable[SparqlRule], *,
              term: Callable[[object, str], object], default_graph=None) -> Iterator[RuleResult]:
    """Every result of every rule over the store's default graph.

    `term(store_term, focus)` gives a term of a solution its rdflib form in the data: the IRI the
    data had before a batch renamed its units apart, a literal as it was written. `focus` is the
    focus node as the store has it (an IRI or blank node id). `default_graph`: the graphs the
    queries see as their default graph (pyoxigraph's option), else the store's default graph."""
    for rule in rules:
        seen: set = set()
        solutions = (store.query(rule.query, default_graph=default_graph) if default_graph is not None
                     else store.query(rule.query))
        names = [variable.value for variable in solutions.variables]
        for solution in solutions:
            this = solution["this"]
            if this is None:
                continue
            raw_focus = this.value
            row = {}
            for name in names:  # projection order: the order pyshacl fills the message in
                found = solution[name]
                if found is not None:
                    row[name] = term(found, raw_focus)
            focus = row.pop("this")
            row.pop("failure", None)
            path = row.pop("path", None)
            value = row.pop("value", None)
            key = (focus, path, value, tuple(row.items()))
            if key in seen:  # pyshacl reports a repeated solution once
                continue
            seen.add(key)
            bound = {**row, "this": focus}
            if path is not None:
                bound["path"] = path
            if value is not None:
                bound["value"] = value
            messages = tuple(_format(str(m.value) if isinstance(m, Literal) else str(m), bound)
                             for m in rule.messages)
            yield RuleResult(rule=rule, raw_focus=raw_focus, focus=focus, value=value if value is not None else focus,
                             path=path if isinstance(path, URIRef) else None, messages=messages)


def _format(message: str, bound: dict) -> str:
    """pyshacl's substitution of `{?var}` / `{$var}`, same order, same str() of each term."""
    for name, term in bound.items():
        message = re.sub("{{[?$]{}}}".format(name), str(term), message)
    return message
