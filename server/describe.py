"""An entity's document, read from the store: its triples, its incoming links, the labels of what it links to.

A document about a thing holds every triple whose subject is the thing (following blank nodes to
their own triples), every triple that points at the thing, and the rdfs:label of every resource it
links to, so a client can show it without further requests. A named graph's name is a thing too:
its document also says what the graph holds and how many triples.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from graph.metadata import query_prefixes

DBO = Namespace("http://dbpedia.org/ontology/")
WD = Namespace("http://www.wikidata.org/entity/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

_LABEL = RDFS.label
_LABEL_NODE = ox.NamedNode(str(RDFS.label))
_DEFAULT = ox.DefaultGraph()  # the merge of every named graph: each triple once

# what each named graph holds, by the start of its key (docs/model.md)
GRAPH_CONTENTS = {
    "graph/article/": "The statements of one source article.",
    "graph/derived/": "The facts racegraph worked out from one source article (class winners, lap length, distances).",
    "graph/ontology": "The racegraph ontology.",
    "graph/metadata": "The description of the dataset itself: licence, sources, dumps, SPARQL endpoint.",
}


def document_prefixes(base: str) -> dict[str, str]:
    """The prefixes a query may use undeclared (rg:, rgid:, schema:...), plus DBpedia's, Wikidata's, Hydra's."""
    return {**query_prefixes(base), "dbo": str(DBO), "wd": str(WD), "hydra": str(HYDRA)}


def bind_prefixes(graph: Graph, base: str) -> Graph:
    for prefix, namespace in document_prefixes(base).items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph


# --- terms between pyoxigraph and rdflib ---------------------------------------------------------

def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"not an RDF term from the store: {term!r}")


def from_rdflib(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_rdflib_graph(graph: Graph) -> list[ox.Triple]:
    return [ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph]


# --- IRIs in query text --------------------------------------------------------------------------

_UNSAFE_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri_ref(iri: str) -> str:
    """`<iri>` for use inside SPARQL text; refuses anything that is not a valid IRIREF."""
    if _UNSAFE_IRI.search(iri):
        raise ValueError(f"not usable as an IRI: {iri!r}")
    return f"<{iri}>"


def bind_iris(text: str, **iris: str) -> str:
    """The query with each `?name` replaced by the IRI given for it.

    The one way the server binds IRIs into queries: pyoxigraph's `substitutions=` only binds a
    variable the query projects, and most of ours (`?this` in a count or a sub-select) are not.
    """
    for name, iri in iris.items():
        text = re.sub(r"\?" + name + r"\b", lambda _: iri_ref(iri), text)
    return text


# --- documents -----------------------------------------------------------------------------------

def exists(store: ox.Store, iri: str) -> bool:
    """True when the store says anything about `iri`, points at it, or has a named graph of that name."""
    return bool(store.query(bind_iris("ASK { { ?this ?p ?o } UNION { ?s ?p ?this } UNION { GRAPH ?this { ?s ?p ?o } } }",
                                      this=iri)))


def graph_size(store: ox.Store, iri: str) -> int | None:
    """The number of triples in the named graph `iri`, or None when the store has no graph of that name."""
    if not store.contains_named_graph(ox.NamedNode(iri)):
        return None
    return int(next(iter(store.query(bind_iris("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?this { ?s ?p ?o } }",
                                               this=iri))))["n"].value)


def graph_contents(iri: str, base: str) -> str:
    key = iri[len(base):] if iri.startswith(base) else ""
    return next((text for start, text in GRAPH_CONTENTS.items() if key.startswith(start)), "A named graph.")


class NoSuchPage(LookupError):
    """A `?page=N` past the last page of a thing's incoming links."""


@dataclass(frozen=True)
class DocumentPage:
    """Which slice of a thing's incoming links a document carries (`?page=N`, 1-based)."""
    number: int = 1
    size: int = 1000


def describe(store: ox.Store, iri: str, base: str, *, page: DocumentPage = DocumentPage(),
             document: str | None = None) -> list[ox.Triple]:
    """The document of `iri`: its triples with blank-node closure, incoming links, labels of linked resources.

    Every page carries all of the thing's own triples, but only `page.size` of its incoming links, as
    DBpedia and Wikidata bound theirs: a class with 10,000 entries is not one 2 MB answer. When the
    links do not fit one page, the document (IRI `document`, the data URL without `?page`) says so
    in Hydra: a partial view with the total and links to the first, previous, next and last pages.
    """
    this = ox.NamedNode(iri)
    triples: list[ox.Triple] = []
    linked: set[str] = set()
    pending: list = [this]
    seen_bnodes: set[str] = set()
    while pending:
        subject = pending.pop()
        for quad in store.quads_for_pattern(subject, None, None, _DEFAULT):
            triples.append(ox.Triple(subject, quad.predicate, quad.object))
            linked.add(quad.predicate.value)
            obj = quad.object
            if isinstance(obj, ox.BlankNode):
                if obj.value not in seen_bnodes:
                    seen_bnodes.add(obj.value)
                    pending.append(obj)
            elif isinstance(obj, ox.NamedNode):
                linked.add(obj.value)
    incoming = store.quads_for_pattern(None, None, this, _DEFAULT)
    offset = (page.number - 1) * page.size
    taken = 0
    for quad in itertools.islice(incoming, offset, offset + page.size):
        triples.append(ox.Triple(quad.subject, quad.predicate, this))
        linked.add(quad.predicate.value)
        if isinstance(quad.subject, ox.NamedNode):
            linked.add(quad.subject.value)
        taken += 1
    if page.number > 1 and taken == 0:
        raise NoSuchPage(f"{iri} has no page {page.number} of incoming links")
    if page.number > 1 or taken == page.size:  # only then can the links span several pages
        total = incoming_count(store, iri)
        if total > page.size:
            triples.extend(_partial_view(document or iri, total, page))
    size = graph_size(store, iri)
    if size is not None:
        triples.append(ox.Triple(this, _ox(RDF.type), _ox(SD.Graph)))
        triples.append(ox.Triple(this, _ox(VOID.triples), ox.Literal(str(size), datatype=_ox(XSD.integer))))
        triples.append(ox.Triple(this, _ox(RDFS.comment), ox.Literal(graph_contents(iri, base), language="en")))
    linked.discard(iri)
    for other, label in label_rows(store, linked):
        triples.append(ox.Triple(ox.NamedNode(other), _LABEL_NODE, label))
    return triples


def incoming_count(store: ox.Store, iri: str) -> int:
    text = bind_iris("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?this }", this=iri)
    return int(next(iter(store.query(text)))["n"].value)


def _partial_view(document: str, total: int, page: DocumentPage) -> list[ox.Triple]:
    last = max(1, -(-total // page.size))

    def page_iri(number: int) -> ox.NamedNode:
        return ox.NamedNode(f"{document}?page={number}")

    view = page_iri(page.number)
    triples = [
        ox.Triple(ox.NamedNode(document), _ox(HYDRA.view), view),
        ox.Triple(view, _ox(RDF.type), _ox(HYDRA.PartialCollectionView)),
        ox.Triple(view, _ox(HYDRA.totalItems), ox.Literal(str(total), datatype=_ox(XSD.integer))),
        ox.Triple(view, _ox(HYDRA.itemsPerPage), ox.Literal(str(page.size), datatype=_ox(XSD.integer))),
        ox.Triple(view, _ox(HYDRA.first), page_iri(1)),
        ox.Triple(view, _ox(HYDRA.last), page_iri(last)),
    ]
    if page.number > 1:
        triples.append(ox.Triple(view, _ox(HYDRA.previous), page_iri(min(page.number - 1, last))))
    if page.number < last:
        triples.append(ox.Triple(view, _ox(HYDRA.next), page_iri(page.number + 1)))
    return triples


def _ox(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def to_rdflib_graph(triples: Iterable[ox.Triple], base: str) -> Graph:
    """The triples as an rdflib Graph with our prefixes (for code that reads a document, such as tests)."""
    graph = bind_prefixes(Graph(), base)
    for triple in triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph


# --- labels --------------------------------------------------------------------------------------

def label_rows(store: ox.Store, iris) -> list[tuple[str, ox.Literal]]:
    """(iri, label literal) for every rdfs:label of the given IRIs."""
    iris = sorted(set(iris))
    rows: list[tuple[str, ox.Literal]] = []
    for start in range(0, len(iris), 200):
        values = " ".join(iri_ref(iri) for iri in iris[start:start + 200])
        text = f"SELECT DISTINCT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x <{_LABEL}> ?l }}"
        rows.extend((row["x"].value, row["l"]) for row in store.query(text))
    return rows


def in_language(texts: Iterable[tuple[str | None, str]], lang: str) -> str | None:
    """Of (language tag, text) pairs: the text in `lang`, else English, else untagged, else any; None if none.

    The one language fallback, for pyoxigraph literals (labels, descriptions) and rdflib ones (the ontology).
    """
    by_lang: dict[str, str] = {}
    for tag, text in sorted(texts, key=lambda pair: pair[1]):
        by_lang.setdefault((tag or "").lower(), text)
    for wanted in (lang, "en", ""):
        if wanted in by_lang:
            return by_lang[wanted]
    return next(iter(by_lang.values()), None)


def pick(literals: list[ox.Literal], lang: str) -> str | None:
    """The literal in `lang`, falling back as `in_language` does."""
    return in_language(((literal.language, literal.value) for literal in literals), lang)


def labels(store: ox.Store, iris, lang: str) -> dict[str, str]:
    """The label of each IRI in `lang` where the graph has one (falling back as `in_language` does)."""
    found: dict[str, list[ox.Literal]] = {}
    for iri, literal in label_rows(store, iris):
        found.setdefault(iri, []).append(literal)
    return {iri: pick(literals, lang) for iri, literals in found.items()}
