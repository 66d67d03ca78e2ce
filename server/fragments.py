"""Triple Pattern Fragments (Linked Data Fragments): `/fragments?subject=&predicate=&object=&page=N`.

A fragment is one page of the triples of the default graph (the merge of every named graph) that match
the pattern, plus its metadata in a graph of its own, `<…/fragments#metadata>`, as the TPF
specification and Comunica expect:

- the fragment page: `void:triples` and `hydra:totalItems` (the build's VoID figures for `?s ?p ?o` and
  `?s <p> ?o`, else counted, exactly up to COUNT_CAP),
  `hydra:itemsPerPage`, `hydra:first`, `hydra:next` and `hydra:previous`;
- the dataset `<…/fragments#dataset>`: `void:subset` the page, and the `hydra:search` form (template
  `…/fragments{?subject,predicate,object}` with its three mappings);
- `<…#metadata> foaf:primaryTopic <…#dataset>`, by which a client tells metadata from data.

Pages are read with LIMIT/OFFSET in SPARQL. The controls point at the host the client asked (they are
where it can follow them); the data keeps the build's IRIs. Served as TriG, N-Quads, Turtle,
N-Triples or JSON-LD (compacted with the published context), and as an HTML page for people
(server.fragments_page), chosen by Accept or by a suffix (`/fragments.html`, `.ttl`, `.trig`, `.nq`, `.nt`,
`.jsonld`); with CORS and caching headers (public for CACHE_MAX_AGE seconds, then revalidated by ETag).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, abort, request, url_for
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, VOID, XSD

from graph.store import StoreOutdatedError
from server import describe, fragments_page, jsonld, negotiation
from server.db import get_build_info, get_store
from server.fragment_pattern import POSITIONS, PatternError, TriplePattern, parse_pattern

bp = Blueprint("fragments", __name__)

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
PAGE_SIZE = 100  # triples a page, as the reference TPF server
COUNT_CAP = 1_000_000  # matches counted exactly up to here; past it the count is an estimate from below
PARAMETERS = (*POSITIONS, "page", "lang")  # lang: the HTML view's language (ignored by the RDF formats)


@dataclass(frozen=True)
class FragmentFormat:
    name: str
    media_type: str
    rdf_format: ox.RdfFormat | None  # None for JSON-LD, which rdflib compacts
    quads: bool  # keeps the metadata in its own graph


FORMATS = {f.media_type: f for f in (
    FragmentFormat("trig", "application/trig", ox.RdfFormat.TRIG, True),
    FragmentFormat("nq", "application/n-quads", ox.RdfFormat.N_QUADS, True),
    FragmentFormat("ttl", "text/turtle", ox.RdfFormat.TURTLE, False),
    FragmentFormat("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, False),
    FragmentFormat("jsonld", "application/ld+json", None, True),
    FragmentFormat("html", "text/html", None, False),  # for people: server.fragments_page
)}
BY_NAME = {f.name: f for f in FORMATS.values()}


def choose_format(suffix: str | None = None) -> FragmentFormat:
    """The suffix's format (`/fragments.html`), else TriG unless Accept prefers another of the formats (a
    browser's Accept prefers HTML; a TPF client's puts RDF first); 406 when it accepts none of them."""
    if suffix is not None:
        return BY_NAME[suffix]
    if not request.accept_mimetypes:
        return FORMATS["application/trig"]
    best = request.accept_mimetypes.best_match(list(FORMATS))
    if best is None:
        abort(406, "fragments are available as " + ", ".join(FORMATS))
    return FORMATS[best]


def requested_page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 10**7:
        abort(400, f"page={raw!r}: expected a page number from 1")
    return int(raw)


def _matches(pattern: TriplePattern, page: int) -> tuple[list[ox.Triple], bool]:
    """One page of matching triples and whether another page follows."""
    if not pattern.can_match():
        return [], False
    rows = get_store().query(f"SELECT ?s ?p ?o WHERE {{ {pattern.where()} }} "
                             f"LIMIT {PAGE_SIZE + 1} OFFSET {(page - 1) * PAGE_SIZE}")
    terms = pattern.terms()
    found = []
    for row in rows:
        found.append(ox.Triple(*(terms[name] if terms[name] is not None else row[name[0]] for name in POSITIONS)))
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


def _counted_at_build(pattern: TriplePattern) -> int | None:
    """The build's own count (graph.statistics, the VoID figures) for the patterns dearest to count:
    `?s ?p ?o` (every client's first request) and `?s <p> ?o`; None for the others."""
    if pattern.subject is not None or pattern.object is not None:
        return None
    try:
        statistics = get_build_info().statistics
    except StoreOutdatedError:  # a build from before the statistics: count as for any pattern
        return None
    if pattern.predicate is None:
        return int(statistics["triples"])
    return dict((iri, int(n)) for iri, n in statistics["property_partitions"]).get(pattern.predicate.value, 0)


def _count(pattern: TriplePattern) -> int:
    if not pattern.can_match():
        return 0
    known = _counted_at_build(pattern)
    if known is not None:
        return known
    rows = get_store().query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT * WHERE {{ {pattern.where()} }} "
                             f"LIMIT {COUNT_CAP} }}")
    return int(next(iter(rows))["n"].value)


def _page_url(fragments: str, page: int) -> str:
    """This request's fragment URL at `page`, keeping the client's own encoding of the other parameters."""
    kept = [part for part in request.query_string.decode("ascii", "replace").split("&")
            if part and not part.startswith("page=")]
    if page > 1:
        kept.append(f"page={page}")
    return fragments + ("?" + "&".join(kept) if kept else "")


def add_search_form(graph: Graph, dataset: URIRef, fragments: str) -> None:
    """`dataset hydra:search` the triple-pattern form of the fragments at `fragments` (also said in VoID)."""
    graph.bind("hydra", HYDRA)
    search = BNode()
    graph.add((dataset, HYDRA.search, search))
    graph.add((search, HYDRA.template, Literal(fragments + "{?subject,predicate,object}")))
    graph.add((search, HYDRA.variableRepresentation, HYDRA.ExplicitRepresentation))
    for name, prop in zip(POSITIONS, (RDF.subject, RDF.predicate, RDF.object)):
        mapping = BNode()
        graph.add((search, HYDRA.mapping, mapping))
        graph.add((mapping, HYDRA.variable, Literal(name)))
        graph.add((mapping, HYDRA.property, prop))


def _metadata(graph: Graph, fragments: str, pattern: TriplePattern, page: int, total: int, more: bool) -> None:
    dataset, metadata = URIRef(fragments + "#dataset"), URIRef(fragments + "#metadata")
    raw_query = request.query_string.decode("ascii", "replace")
    this = URIRef(fragments + ("?" + raw_query if raw_query else ""))
    graph.add((metadata, FOAF.primaryTopic, dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, HYDRA.Collection))
    graph.add((dataset, VOID.subset, this))
    graph.add((dataset, DCTERMS.title, Literal("racegraph Triple Pattern Fragments", lang="en")))
    add_search_form(graph, dataset, fragments)
    graph.add((this, RDF.type, HYDRA.PartialCollectionView))
    graph.add((this, DCTERMS.title, Literal(f"Triples matching {pattern.where()}, page {page}", lang="en")))
    graph.add((dataset, HYDRA.view, this))
    for predicate in (VOID.triples, HYDRA.totalItems):
        graph.add((this, predicate, Literal(total, datatype=XSD.integer)))
    graph.add((this, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.integer)))
    graph.add((this, HYDRA.first, URIRef(_page_url(fragments, 1))))
    if more:
        graph.add((this, HYDRA.next, URIRef(_page_url(fragments, page + 1))))
    if page > 1:
        graph.add((this, HYDRA.previous, URIRef(_page_url(fragments, page - 1))))


@dataclass(frozen=True)
class Fragment:
    data: list[ox.Triple]  # the matching triples of this page
    page: int
    total: int  # matches in all (exact up to COUNT_CAP), never below what the pages so far have shown
    more: bool  # another page follows
    metadata: Graph  # counts, controls and the search form, for the graph `metadata_graph`
    metadata_graph: str

    def quads(self) -> list[ox.Quad]:
        graph = ox.NamedNode(self.metadata_graph)
        found = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in self.data]
        found += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in describe.from_rdflib_graph(self.metadata)]
        return found


def read_fragment(fragments: str, pattern: TriplePattern, page: int) -> Fragment:
    """The fragment: matching triples for the default graph, metadata for `<fragments#metadata>`."""
    triples, more = _matches(pattern, page)
    total = _count(pattern)
    if more or triples:  # an estimate never below what this page shows
        total = max(total, (page - 1) * PAGE_SIZE + len(triples) + (1 if more else 0))
    metadata = Graph()
    _metadata(metadata, fragments, pattern, page, total, more)
    return Fragment(triples, page, total, more, metadata, fragments + "#metadata")


def _serialize(fragment: Fragment, fmt: FragmentFormat) -> bytes:
    """Written by pyoxigraph (rdflib only for JSON-LD, which is compacted with the published context)."""
    base = get_build_info().base_uri
    if fmt.name == "jsonld":
        dataset = Dataset()
        for quad in fragment.quads():
            graph = dataset.default_graph if isinstance(quad.graph_name, ox.DefaultGraph) else \
                dataset.graph(URIRef(quad.graph_name.value))
            graph.add((describe.to_rdflib(quad.subject), describe.to_rdflib(quad.predicate),
                       describe.to_rdflib(quad.object)))
        return jsonld.compact(dataset)
    prefixes = {**describe.document_prefixes(base), "foaf": str(FOAF), "void": str(VOID), "dcterms": str(DCTERMS)}
    if fmt.quads:
        return ox.serialize(fragment.quads(), format=fmt.rdf_format, prefixes=prefixes)
    triples = fragment.data + describe.from_rdflib_graph(fragment.metadata)  # one graph: data and metadata
    return ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes)


@bp.route("/fragments")
@bp.route(f"/fragments.<any({', '.join(BY_NAME)}):suffix>")
def fragments(suffix: str | None = None):
    unknown = sorted(set(request.args) - set(PARAMETERS))
    if unknown:
        abort(400, f"unknown parameter {unknown[0]!r}; a fragment is chosen by subject, predicate, object and page")
    try:
        pattern = parse_pattern(request.args)
    except PatternError as error:
        abort(400, str(error))
    page = requested_page()
    fmt = choose_format(suffix)
    root = url_for("fragments.fragments", _external=True)
    vary = ("Accept",)
    tag: tuple[str, ...] = (fmt.name,)
    if fmt.name == "html":
        lang = negotiation.preferred_language()
        vary = ("Accept", "Accept-Language", "Cookie")  # the page's words follow the visitor's language
        tag = (fmt.name, lang)

    def make() -> Response:
        fragment = read_fragment(root, pattern, page)
        if fmt.name == "html":
            body = fragments_page.render(fragment, pattern, get_build_info().base_uri, _page_url, PAGE_SIZE, tag[1])
        else:
            body = _serialize(fragment, fmt)
        return Response(body, content_type=f"{fmt.media_type}; charset=utf-8")

    # answer() adds Vary, ETag, Last-Modified and Cache-Control, answers 304, and keeps what it made:
    # a fragment depends on the build, the host (its controls are absolute URLs), format and query alone
    return negotiation.answer(make, tag_parts=(*tag, request.host, request.query_string.decode("ascii", "replace")),
                              vary=vary)
