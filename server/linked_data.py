"""Linked data: 303 redirects from thing IRIs to documents, RDF documents, the ontology, VoID,
the sitemap, robots.txt and the dumps.

`/id/...` names things; it answers 303 See Other to `/page/...` (people) or `/data/....ttl` etc.
(machines), chosen by Accept, as in "Cool URIs for the Semantic Web".
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_from_directory
from pyoxigraph import NamedNode
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VOID, XSD

from graph.convert import ARTICLE_LICENCE, SCHEMA
from graph.metadata import DUMP_NAMES
from graph.store import DUMPS_SUBDIR
from graph.uris import ONTOLOGY_IRI, ONTOLOGY_NS
from server import describe, fragments, iris, jsonld, negotiation
from server.db import get_build_info, get_store
from server.iris import BROWSED_CLASSES
from server.negotiation import FORMATS, RDF_FORMATS

bp = Blueprint("linked_data", __name__)

DOCUMENT_FORMATS = ("html", "json", *RDF_FORMATS)
SITEMAP_LIMIT = 50_000  # URLs in one sitemap file (sitemaps.org); more make a sitemap index


# --- thing IRIs: 303 ----------------------------------------------------------------------------

def document_target(path: str, fmt: negotiation.Format) -> str:
    """Where the document of `path` (`event/x`) is served in `fmt`."""
    if fmt.name == "html":
        return "/page/" + path
    if fmt.name == "json":
        return "/page/" + path + ".json"
    return "/data/" + path + "." + fmt.name


@bp.route("/id/<path:rest>")
def thing(rest: str):
    return _see_other("id/" + rest)


@bp.route("/graph/<path:rest>")
def named_graph(rest: str):
    return _see_other("graph/" + rest)


def _see_other(key: str):
    iri = iris.requested_iri(get_build_info().base_uri, key, lambda fixed: "/" + fixed)
    if not describe.exists(get_store(), iri):
        abort(404, f"nothing is known about {iri}")
    fmt = negotiation.choose(DOCUMENT_FORMATS)
    response = redirect(document_target(iris.document_path(key), fmt), code=303)
    response.vary.add("Accept")
    return response


# --- RDF documents ------------------------------------------------------------------------------

def alternates(path: str, current: str) -> list[tuple[str, negotiation.Format]]:
    return [(document_target(path, FORMATS[name]), FORMATS[name]) for name in DOCUMENT_FORMATS if name != current]


def serialize(triples: Iterable[ox.Triple] | Graph, fmt: negotiation.Format) -> Response:
    """An RDF answer written by pyoxigraph, whether the triples come from the store or an rdflib Graph;
    JSON-LD compacted with the published @context (server.jsonld) rather than in expanded form."""
    base = get_build_info().base_uri
    if fmt.name == "jsonld":
        body = jsonld.compact(triples if isinstance(triples, Graph) else describe.to_rdflib_graph(triples, base))
        return Response(body, mimetype=fmt.media_type, content_type=f"{fmt.media_type}; charset=utf-8")
    if isinstance(triples, Graph):
        triples = describe.from_rdflib_graph(triples)
    prefixes = describe.document_prefixes(base)
    body = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes)
    return Response(body, mimetype=fmt.media_type, content_type=f"{fmt.media_type}; charset=utf-8")


def rdf_document(path: str, fmt: negotiation.Format) -> Response:
    """The RDF document about the thing at `path` (`event/x`, `graph/article/y`) in `fmt`, or 404.

    Incoming links come `DOCUMENT_PAGE_SIZE` at a time (`?page=N`); a conditional request for a
    current copy is answered 304 before the store is read.
    """
    base = get_build_info().base_uri
    iri = iris.requested_iri(base, iris.key_of_page_path(path),
                             lambda fixed: document_target(iris.document_path(fixed), fmt))
    page = describe.DocumentPage(_page_number(), current_app.config["DOCUMENT_PAGE_SIZE"])

    def make() -> Response:
        store = get_store()
        if not describe.exists(store, iri):
            abort(404, f"nothing is known about {iri}")
        document = base + document_target(iris.document_path(iris.key_of_page_path(path)), fmt).lstrip("/")
        try:
            triples = describe.describe(store, iri, base, page=page, document=document)
        except describe.NoSuchPage as error:
            abort(404, str(error))
        return serialize(triples, fmt)

    return negotiation.answer(make, tag_parts=(fmt.name, str(page.number)), alternates=alternates(path, fmt.name))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(400, f"page must be a whole number from 1, found {raw!r}")
    return int(raw)


@bp.route("/data/<path:rest>")
def data(rest: str):
    path, suffix = negotiation.split_suffix(rest, RDF_FORMATS)
    return rdf_document(path, negotiation.choose(RDF_FORMATS, suffix))


# --- the ontology -------------------------------------------------------------------------------

ONTOLOGY_FORMATS = ("html", "ttl", "rdf", "jsonld", "nt", "json")
ALIGNMENTS = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
              SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


def ontology_graph() -> Graph:
    info = get_build_info()
    graph = describe.bind_prefixes(Graph(), info.base_uri)
    name = NamedNode(info.base_uri + "graph/ontology")
    for quad in get_store().quads_for_pattern(None, None, None, name):
        graph.add((describe.to_rdflib(quad.subject), describe.to_rdflib(quad.predicate),
                   describe.to_rdflib(quad.object)))
    return graph


def _text(graph: Graph, subject, predicate, lang: str) -> str | None:
    values = graph.objects(subject, predicate)
    return describe.in_language(((value.language, str(value)) for value in values if isinstance(value, Literal)), lang)


def _term_ref(graph: Graph, term, namespace: str, base: str, lang: str) -> list[dict]:
    """A class expression as links: a named class, or the members of an owl:unionOf."""
    if isinstance(term, BNode):
        members = graph.value(term, OWL.unionOf)
        if members is not None:
            refs = []
            for member in graph.items(members):
                refs.extend(_term_ref(graph, member, namespace, base, lang))
            return refs
        return []
    iri = str(term)
    label = _text(graph, term, RDFS.label, lang)
    if label is None:
        label = graph.namespace_manager.normalizeUri(term)
        if label.startswith("<"):
            label = iris.local_name(iri)
    return [{"iri": iri, "label": label, "href": iris.href(iri, base)}]


def ontology_data(lang: str) -> dict:
    """Every class and property of the ontology with label, comment, domain, range and alignments."""
    info = get_build_info()
    base, namespace = info.base_uri, ONTOLOGY_NS
    graph = ontology_graph()
    ontology = URIRef(ONTOLOGY_IRI)

    def term(subject) -> dict:
        name = str(subject)[len(namespace):]
        entry = {"name": name, "iri": str(subject), "label": _text(graph, subject, RDFS.label, lang) or name,
                 "comment": _text(graph, subject, RDFS.comment, lang) or "",
                 "kinds": sorted(iris.local_name(str(t)) for t in graph.objects(subject, RDF.type)),
                 "domain": [], "range": [], "alignments": []}
        for value in graph.objects(subject, RDFS.domain):
            entry["domain"].extend(_term_ref(graph, value, namespace, base, lang))
        for value in graph.objects(subject, RDFS.range):
            entry["range"].extend(_term_ref(graph, value, namespace, base, lang))
        for relation in ALIGNMENTS:
            for value in sorted(graph.objects(subject, relation)):
                for ref in _term_ref(graph, value, namespace, base, lang):
                    entry["alignments"].append({"relation": graph.namespace_manager.normalizeUri(relation), **ref})
        return entry

    classes, properties = [], []
    for subject in sorted(set(graph.subjects())):
        if not isinstance(subject, URIRef) or not str(subject).startswith(namespace):
            continue
        kinds = set(graph.objects(subject, RDF.type))
        if OWL.Class in kinds or RDFS.Class in kinds:
            classes.append(term(subject))
        elif kinds & {OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.AnnotationProperty}:
            properties.append(term(subject))
    return {
        "iri": str(ontology),
        "namespace": namespace,
        "title": _text(graph, ontology, DCTERMS.title, lang) or "racegraph ontology",
        "description": _text(graph, ontology, DCTERMS.description, lang) or "",
        "version": _text(graph, ontology, OWL.versionInfo, lang) or "",
        "license": str(graph.value(ontology, DCTERMS.license) or ""),
        "classes": classes,
        "properties": properties,
        "lang": lang,
    }


@bp.route("/ontology")
@bp.route("/ontology.<suffix>")
def ontology(suffix: str | None = None):
    if suffix is not None and suffix not in ONTOLOGY_FORMATS:
        abort(404)
    fmt = negotiation.choose(ONTOLOGY_FORMATS, suffix)
    lang = negotiation.preferred_language()

    def make() -> Response:
        if fmt.name == "html":
            return Response(render_template("ontology.html", data=ontology_data(lang), lang=lang))
        if fmt.name == "json":
            return negotiation.json_document(ontology_data(lang))
        return serialize(ontology_graph(), fmt)

    others = [(f"/ontology.{name}", FORMATS[name]) for name in ONTOLOGY_FORMATS if name != fmt.name]
    # the query string is in the tag: an unsupported ?lang= adds a notice to the page
    return negotiation.answer(make, tag_parts=(fmt.name, lang, request.query_string.decode("ascii", "replace")),
                              alternates=others, vary=("Accept", "Accept-Language", "Cookie"))


# --- VoID ---------------------------------------------------------------------------------------

_VOID_TOTALS = {
    VOID.triples: "triples", VOID.entities: "entities", VOID.distinctSubjects: "distinct_subjects",
    VOID.distinctObjects: "distinct_objects", VOID.properties: "properties", VOID.classes: "classes",
}


def void_graph() -> Graph:
    """The VoID description: metadata from the build plus the statistics counted when it was built."""
    info = get_build_info()
    base = info.base_uri
    store = get_store()
    graph = describe.bind_prefixes(Graph(), base)
    dataset = URIRef(base + "id/dataset")
    for quad in store.quads_for_pattern(NamedNode(str(dataset)), None, None, NamedNode(base + "graph/metadata")):
        graph.add((dataset, describe.to_rdflib(quad.predicate), describe.to_rdflib(quad.object)))
    graph.add((dataset, RDF.type, VOID.Dataset))
    id_space = base + "id/"
    statistics = info.statistics
    for predicate, name in _VOID_TOTALS.items():
        graph.set((dataset, predicate, Literal(statistics[name], datatype=XSD.integer)))
    for iri, count in statistics["class_partitions"]:
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(iri)))
        graph.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for iri, count in statistics["property_partitions"]:
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(iri)))
        graph.add((partition, VOID.triples, Literal(count, datatype=XSD.integer)))
    graph.set((dataset, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    fragments.add_search_form(graph, dataset, base + "fragments")  # Triple Pattern Fragments
    graph.set((dataset, VOID.uriSpace, Literal(id_space)))
    graph.set((dataset, DCTERMS.license, ARTICLE_LICENCE))
    graph.remove((dataset, VOID.dataDump, None))
    dumps = info.folder / DUMPS_SUBDIR
    for name in DUMP_NAMES:
        if (dumps / name).is_file():
            graph.add((dataset, VOID.dataDump, URIRef(base + "dumps/" + name)))
    for vocabulary in (ONTOLOGY_NS, str(RDFS), SCHEMA, str(DCTERMS),
                       "http://www.w3.org/ns/prov#", str(SKOS)):
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    built = negotiation.build_time()
    if built is not None:
        graph.set((dataset, DCTERMS.modified, Literal(built.isoformat(), datatype=XSD.dateTime)))
    description = URIRef(base + ".well-known/void")
    graph.add((description, RDF.type, VOID.DatasetDescription))
    graph.add((description, DCTERMS.title, Literal("VoID description of racegraph", lang="en")))
    graph.add((description, URIRef("http://xmlns.com/foaf/0.1/primaryTopic"), dataset))
    return graph


@bp.route("/.well-known/void")
@bp.route("/.well-known/void.<suffix>")
def void(suffix: str | None = None):
    if suffix is not None and suffix not in RDF_FORMATS:
        abort(404)
    fmt = negotiation.choose(RDF_FORMATS, suffix)
    others = [(f"/.well-known/void.{name}", FORMATS[name]) for name in RDF_FORMATS if name != fmt.name]
    return negotiation.answer(lambda: serialize(void_graph(), fmt), tag_parts=(fmt.name,), alternates=others)


# --- sitemap, robots, dumps ---------------------------------------------------------------------

def sitemap_locations() -> list[str]:
    """Absolute URLs (under the build's base) of the home page, the ontology and the page of every thing
    people browse (events, drivers, teams, chassis, engines, manufacturers, classes, circuits, countries)."""
    info = get_build_info()
    base = info.base_uri
    types = " ".join(describe.iri_ref(ONTOLOGY_NS + name) for name in BROWSED_CLASSES)
    text = (f"SELECT DISTINCT ?s WHERE {{ VALUES ?type {{ {types} }} ?s a ?type "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}id/")) }} ORDER BY ?s')
    pages = [base + "page/" + iris.document_path(row["s"].value[len(base):]) for row in get_store().query(text)]
    return [base, base + "ontology", *pages]


def _sitemap_response(template: str, **context) -> Response:
    built = negotiation.build_time()
    body = render_template(template, lastmod=built.date().isoformat() if built else None, **context)
    return Response(body, mimetype="application/xml")


@bp.route("/sitemap.xml")
def sitemap():
    """The sitemap; past SITEMAP_LIMIT URLs, a sitemap index of /sitemap-1.xml, /sitemap-2.xml..."""
    locations = sitemap_locations()
    if len(locations) <= SITEMAP_LIMIT:
        response = _sitemap_response("sitemap.xml", locations=locations)
    else:
        base = get_build_info().base_uri
        parts = range(1, -(-len(locations) // SITEMAP_LIMIT) + 1)
        response = _sitemap_response("sitemap-index.xml", sitemaps=[f"{base}sitemap-{n}.xml" for n in parts])
    return negotiation.finish(response, tag_parts=("sitemap",), vary=())


@bp.route("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    locations = sitemap_locations()
    chunk = locations[(number - 1) * SITEMAP_LIMIT:number * SITEMAP_LIMIT] if number >= 1 else []
    if len(locations) <= SITEMAP_LIMIT or not chunk:
        abort(404, "no such sitemap part; see /sitemap.xml")
    response = _sitemap_response("sitemap.xml", locations=chunk)
    return negotiation.finish(response, tag_parts=("sitemap", str(number)), vary=())


@bp.route("/robots.txt")
def robots():
    base = get_build_info().base_uri
    root = urlsplit(base).path or "/"
    body = render_template("robots.txt", sparql=root + "sparql?", sitemap=base + "sitemap.xml")
    return Response(body, mimetype="text/plain")


@bp.route("/dumps/<name>")
def dump(name: str):
    """The gzipped dumps, served as application/gzip downloads (no Content-Encoding: the file is the gzip)."""
    if name not in DUMP_NAMES:
        abort(404)
    folder = get_build_info().folder / DUMPS_SUBDIR
    return send_from_directory(folder, name, mimetype="application/gzip", as_attachment=True,
                               etag=True, conditional=True, max_age=0)
