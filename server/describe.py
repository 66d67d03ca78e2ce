"""An entity's document, read from the store with SPARQL, and the mapping between IRIs and local paths.

A document about a thing holds every triple whose subject is the thing (following blank nodes to
their own triples), every triple that points at the thing, and the rdfs:label of every resource it
links to, so a client can show it without further requests.

IRIs map to request paths by their position under the build's base URI (Pubby style), never from
the request's Host: `{base}id/driver/x` is described at `/page/driver/x` and `/data/driver/x.ttl`,
`{base}graph/article/x` at `/page/graph/article/x`, `{base}ontology#Driver` at `/ontology#Driver`.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, Namespace

SCHEMA = Namespace("https://schema.org/")
DBO = Namespace("http://dbpedia.org/ontology/")
WD = Namespace("http://www.wikidata.org/entity/")

_LABEL = RDFS.label


def ontology_namespace(base: str) -> str:
    return base + "ontology#"


def bind_prefixes(graph: Graph, base: str) -> Graph:
    for prefix, namespace in (("rdf", RDF), ("rdfs", RDFS), ("xsd", XSD), ("owl", OWL), ("skos", SKOS),
                              ("dcterms", DCTERMS), ("prov", PROV), ("void", VOID), ("dcat", DCAT),
                              ("schema", SCHEMA), ("dbo", DBO), ("wd", WD)):
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind("rg", Namespace(ontology_namespace(base)), override=True, replace=True)
    graph.bind("rgid", Namespace(base + "id/"), override=True, replace=True)
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


# --- paths and IRIs ------------------------------------------------------------------------------

def key_of_page_path(rest: str) -> str:
    """The IRI key (relative to the base) of a `/page/<rest>` or `/data/<rest>` path."""
    return rest if rest.startswith("graph/") else "id/" + rest


def document_path(key: str) -> str:
    """`event/x` for `id/event/x`; `graph/article/x` for `graph/article/x`."""
    return key[3:] if key.startswith("id/") else key


def local_href(iri: str, base: str) -> str | None:
    """The local path where a person reads about `iri`, or None for an IRI outside this dataset."""
    if not iri.startswith(base):
        return None
    key = iri[len(base):]
    if key == "":
        return "/"
    if key.startswith(("id/", "graph/")):
        return "/page/" + document_path(key)
    if key.startswith("ontology#"):
        return "/ontology#" + key[len("ontology#"):]
    if key in ("ontology", "sparql") or key.startswith("dumps/"):
        return "/" + key
    return None


def href(iri: str, base: str) -> str:
    """Where a link to `iri` should go: the local page, else the IRI itself."""
    return local_href(iri, base) or iri


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip("/"):
            tail = iri.rstrip("/").rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


# --- queries -------------------------------------------------------------------------------------

_UNSAFE_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri_ref(iri: str) -> str:
    """`<iri>` for use inside SPARQL text; refuses anything that is not a valid IRIREF."""
    if _UNSAFE_IRI.search(iri):
        raise ValueError(f"not usable as an IRI: {iri!r}")
    return f"<{iri}>"


def bind_iris(text: str, **iris: str) -> str:
    """The query with each `?name` replaced by the IRI given for it (like pre-binding, in any position)."""
    for name, iri in iris.items():
        text = re.sub(r"\?" + name + r"\b", lambda _: iri_ref(iri), text)
    return text


def _query(store: ox.Store, text: str, **bindings):
    substitutions = {ox.Variable(name): value for name, value in bindings.items()}
    return store.query(text, substitutions=substitutions or None)


def exists(store: ox.Store, iri: str) -> bool:
    """True when the store says anything about `iri` or points at it."""
    return bool(store.query("ASK { { ?this ?p ?o } UNION { ?s ?p ?this } }",
                            substitutions={ox.Variable("this"): ox.NamedNode(iri)}))


def describe(store: ox.Store, iri: str, base: str) -> Graph:
    """The document of `iri`: its triples with blank-node closure, incoming links, labels of linked resources."""
    this = ox.NamedNode(iri)
    graph = bind_prefixes(Graph(), base)
    linked: set[str] = set()
    pending = [this]
    seen_bnodes: set[str] = set()
    while pending:
        subject = pending.pop()
        for row in _query(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", s=subject):
            graph.add((to_rdflib(subject), to_rdflib(row["p"]), to_rdflib(row["o"])))
            linked.add(row["p"].value)
            obj = row["o"]
            if isinstance(obj, ox.BlankNode):
                if obj.value not in seen_bnodes:
                    seen_bnodes.add(obj.value)
                    pending.append(obj)
            elif isinstance(obj, ox.NamedNode):
                linked.add(obj.value)
    for row in _query(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", o=this):
        graph.add((to_rdflib(row["s"]), to_rdflib(row["p"]), URIRef(iri)))
        linked.add(row["p"].value)
        if isinstance(row["s"], ox.NamedNode):
            linked.add(row["s"].value)
    linked.discard(iri)
    for other, label in label_rows(store, linked):
        graph.add((URIRef(other), _LABEL, to_rdflib(label)))
    return graph


def label_rows(store: ox.Store, iris) -> list[tuple[str, ox.Literal]]:
    """(iri, label literal) for every rdfs:label of the given IRIs."""
    iris = sorted(set(iris))
    rows: list[tuple[str, ox.Literal]] = []
    for start in range(0, len(iris), 200):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + 200])
        text = f"SELECT DISTINCT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x <{_LABEL}> ?l }}"
        rows.extend((row["x"].value, row["l"]) for row in store.query(text))
    return rows


def pick(literals: list[ox.Literal], lang: str) -> str | None:
    """The literal in `lang`, else English, else one without a language, else any."""
    if not literals:
        return None
    by_lang: dict[str, str] = {}
    for literal in sorted(literals, key=lambda lit: lit.value):
        by_lang.setdefault((literal.language or "").lower(), literal.value)
    for wanted in (lang, "en", ""):
        if wanted in by_lang:
            return by_lang[wanted]
    return next(iter(by_lang.values()))


def labels(store: ox.Store, iris, lang: str) -> dict[str, str]:
    """The label of each IRI in `lang` where the graph has one (falling back as `pick` does)."""
    found: dict[str, list[ox.Literal]] = {}
    for iri, literal in label_rows(store, iris):
        found.setdefault(iri, []).append(literal)
    return {iri: pick(literals, lang) for iri, literals in found.items()}
