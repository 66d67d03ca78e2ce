"""Linked data over the built seed: 303s, RDF documents, caching headers, ontology, VoID, sitemap, robots, dumps."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pyoxigraph
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, VOID

from conftest import parse_rdf

BASE = "http://127.0.0.1:5000/"
RG = Namespace("https://w3id.org/racegraph/ontology#")
EVENT_SLUG = "2003-1000-km-of-le-mans"
EVENT = URIRef(BASE + "id/event/" + EVENT_SLUG)
TOM = URIRef(BASE + "id/driver/tom-kristensen")
ENTRY_5 = URIRef(BASE + f"id/entry/{EVENT_SLUG}/5")
DENMARK = URIRef(BASE + "id/country/dnk")
RDF_SUFFIXES = {"ttl": ("text/turtle", "turtle"), "nt": ("application/n-triples", "nt"),
                "rdf": ("application/rdf+xml", "xml"), "jsonld": ("application/ld+json", "json-ld")}


@pytest.fixture(scope="module")
def store(built_store):
    return pyoxigraph.Store.read_only(str(built_store / "store"))


def count(store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


# --- 303 See Other -----------------------------------------------------------------------------

@pytest.mark.parametrize("accept, target", [
    (None, f"/page/event/{EVENT_SLUG}"),
    ("text/html", f"/page/event/{EVENT_SLUG}"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", f"/page/event/{EVENT_SLUG}"),
    ("*/*", f"/page/event/{EVENT_SLUG}"),
    ("text/turtle", f"/data/event/{EVENT_SLUG}.ttl"),
    ("application/n-triples", f"/data/event/{EVENT_SLUG}.nt"),
    ("application/rdf+xml", f"/data/event/{EVENT_SLUG}.rdf"),
    ("application/ld+json", f"/data/event/{EVENT_SLUG}.jsonld"),
    ("application/json", f"/page/event/{EVENT_SLUG}.json"),
    ("text/turtle;q=0.5, application/ld+json", f"/data/event/{EVENT_SLUG}.jsonld"),
    ("text/html;q=0.1, application/rdf+xml;q=0.3, text/turtle;q=0.9", f"/data/event/{EVENT_SLUG}.ttl"),
    ("application/n-triples;q=1.0, text/html;q=0.99", f"/data/event/{EVENT_SLUG}.nt"),
])
def test_thing_uri_answers_303_by_accept(client, accept, target):
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/id/event/{EVENT_SLUG}", headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"] == target
    assert "Accept" in response.headers["Vary"]


def test_every_kind_of_thing_redirects(client):
    for path in ("driver/tom-kristensen", "team/audi-sport-japan-team-goh", "chassis/audi-r8",
                 f"entry/{EVENT_SLUG}/5", f"entry/{EVENT_SLUG}/5/driver/1", "country/dnk", "class/lmp900",
                 "status/nc", "circuit/bugatti-circuit", "manufacturer/audi", "dataset"):
        response = client.get("/id/" + path, headers={"Accept": "text/turtle"})
        assert response.status_code == 303, path
        assert response.headers["Location"] == f"/data/{path}.ttl"


def test_non_ascii_slug_redirects_to_ascii(client):
    response = client.get("/id/driver/st%C3%A9phane-sarrazin")
    assert response.status_code == 301
    assert response.headers["Location"] == "/id/driver/stephane-sarrazin"
    assert client.get("/id/driver/stephane-sarrazin").status_code == 303
    page = client.get("/page/driver/S%C3%A9bastien-Bourdais")
    assert page.status_code == 301 and page.headers["Location"] == "/page/driver/sebastien-bourdais"
    data = client.get("/data/driver/st%C3%A9phane-sarrazin.ttl")
    assert data.status_code == 301 and data.headers["Location"] == "/data/driver/stephane-sarrazin.ttl"


def test_unknown_uri_is_404_html_for_people_plain_for_machines(client):
    for path in ("/id/driver/nobody-at-all", "/data/driver/nobody-at-all.ttl", "/page/driver/nobody-at-all"):
        browser = client.get(path, headers={"Accept": "text/html,*/*;q=0.8"})
        assert browser.status_code == 404, path
        assert browser.mimetype == "text/html"
        machine = client.get(path, headers={"Accept": "text/turtle"})
        assert machine.status_code == 404
        assert machine.mimetype != "text/html"


def test_unsupported_accept_is_406(client):
    assert client.get(f"/id/event/{EVENT_SLUG}", headers={"Accept": "image/png"}).status_code == 406
    assert client.get(f"/data/event/{EVENT_SLUG}", headers={"Accept": "text/csv"}).status_code == 406
    assert client.get("/ontology", headers={"Accept": "application/pdf"}).status_code == 406


# --- documents ----------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", sorted(RDF_SUFFIXES))
def test_driver_document_in_every_format(client, suffix):
    media_type, rdflib_format = RDF_SUFFIXES[suffix]
    response = client.get(f"/data/driver/tom-kristensen.{suffix}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    graph = parse_rdf(client, response.data, rdflib_format)
    assert (TOM, RDF.type, RG.Driver) in graph
    assert (TOM, RDFS.label, Literal("Tom Kristensen", lang="en")) in graph
    assert (TOM, RG.nationality, DENMARK) in graph
    # incoming links, and the labels of what is linked
    assert (ENTRY_5, RG.driver, TOM) in graph
    assert (URIRef(str(ENTRY_5) + "/driver/1"), RG.roleDriver, TOM) in graph
    assert (DENMARK, RDFS.label, Literal("Denmark", lang="en")) in graph
    assert (DENMARK, RDFS.label, Literal("Dinamarca", lang="es")) in graph
    assert graph.value(ENTRY_5, RDFS.label) is not None
    assert (RG.Driver, RDFS.label, Literal("driver", lang="en")) in graph


def test_event_document_has_all_its_triples(client, store):
    graph = Graph().parse(data=client.get(f"/data/event/{EVENT_SLUG}.ttl").data, format="turtle")
    expected = {(row["p"].value, row["o"].value) for row in store.query(
        f"SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ <{EVENT}> ?p ?o }} }}")}
    got = {(str(p), str(o)) for p, o in graph.predicate_objects(EVENT)}
    assert expected == got
    assert graph.value(EVENT, RG.date) == Literal(dt.date(2003, 11, 9))
    assert (EVENT, RG.polePosition, ENTRY_5) in graph
    assert (EVENT, RG.classWinner, ENTRY_5) in graph  # derived graph included
    entries = set(graph.subjects(RG.event, EVENT))
    assert len(entries) == 37  # incoming rg:event from every entry
    for entry in entries:
        assert graph.value(entry, RDFS.label) is not None


def test_blank_nodes_are_followed(app):
    """An ontology property whose domain is an owl:unionOf: the document carries the whole expression."""
    from server import describe
    from server.db import get_store

    with app.app_context():
        graph = describe.to_rdflib_graph(describe.describe(get_store(), str(RG.manufacturer), BASE), BASE)
    domain = graph.value(RG.manufacturer, RDFS.domain)
    members = set(graph.items(graph.value(domain, OWL.unionOf)))
    assert members == {RG.Chassis, RG.Engine}


def test_data_without_suffix_negotiates(client):
    plain = client.get(f"/data/driver/tom-kristensen")
    assert plain.mimetype == "text/turtle"
    nt = client.get(f"/data/driver/tom-kristensen", headers={"Accept": "application/n-triples"})
    assert nt.mimetype == "application/n-triples"
    assert (TOM, RDF.type, RG.Driver) in Graph().parse(data=nt.data, format="nt")


def test_document_headers_and_conditional_requests(client, built_store):
    built_at = dt.datetime.fromisoformat(json.loads((built_store / "build.json").read_text())["built_at"])
    for path, alternates in ((f"/data/event/{EVENT_SLUG}.ttl",
                              {f"/page/event/{EVENT_SLUG}": "text/html",
                               f"/data/event/{EVENT_SLUG}.jsonld": "application/ld+json",
                               f"/data/event/{EVENT_SLUG}.nt": "application/n-triples",
                               f"/data/event/{EVENT_SLUG}.rdf": "application/rdf+xml"}),
                             (f"/page/event/{EVENT_SLUG}",
                              {f"/data/event/{EVENT_SLUG}.ttl": "text/turtle",
                               f"/page/event/{EVENT_SLUG}.json": "application/json"})):
        response = client.get(path)
        assert response.status_code == 200
        assert "Accept" in response.headers["Vary"]
        link = response.headers["Link"]
        for href, media_type in alternates.items():
            assert f'<{href}>; rel="alternate"; type="{media_type}"' in link
        etag = response.headers["ETag"]
        assert etag
        assert response.cache_control.public and response.cache_control.max_age == 300
        assert parsedate_to_datetime(response.headers["Last-Modified"]) == built_at
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        since = response.headers["Last-Modified"]
        assert client.get(path, headers={"If-Modified-Since": since}).status_code == 304
        assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
    # different representations have different tags
    assert (client.get(f"/data/event/{EVENT_SLUG}.ttl").headers["ETag"]
            != client.get(f"/data/event/{EVENT_SLUG}.nt").headers["ETag"])


# --- ontology -----------------------------------------------------------------------------------

def ontology_terms(store) -> set[str]:
    rows = store.query(f"SELECT DISTINCT ?t WHERE {{ GRAPH <{BASE}graph/ontology> {{ ?t a ?k }} "
                       f'FILTER(STRSTARTS(STR(?t), "{RG}")) }}')
    return {row["t"].value[len(str(RG)):] for row in rows}


def test_ontology_html_documents_every_term_with_anchors(client, store):
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    terms = ontology_terms(store)
    assert {"Driver", "RaceEvent", "classWinner", "position"} <= terms
    for term in terms:
        assert f'id="{term}"' in html, term
    assert "A person who drove in at least one entry." in html  # rdfs:comment of rg:Driver
    assert "https://schema.org/Person" in html  # alignment of rg:Driver


def test_every_term_used_in_the_data_dereferences(client, store):
    used = {row["t"].value for row in store.query(
        "SELECT DISTINCT ?t WHERE { GRAPH ?g { { ?s ?t ?o } UNION { ?s a ?t } } }")}
    terms = ontology_terms(store)
    html = client.get("/ontology").get_data(as_text=True)
    for term in sorted(t for t in used if t.startswith(str(RG))):
        name = term[len(str(RG)):]
        assert name in terms and f'id="{name}"' in html, term


@pytest.mark.parametrize("suffix", sorted(RDF_SUFFIXES))
def test_ontology_rdf_by_suffix_and_accept(client, suffix):
    media_type, rdflib_format = RDF_SUFFIXES[suffix]
    for response in (client.get(f"/ontology.{suffix}"), client.get("/ontology", headers={"Accept": media_type})):
        assert response.status_code == 200
        assert response.mimetype == media_type
        graph = parse_rdf(client, response.data, rdflib_format)
        assert (RG.Driver, RDF.type, OWL.Class) in graph
        assert (URIRef("https://w3id.org/racegraph/ontology"), RDF.type, OWL.Ontology) in graph
        assert (RG.date, RDFS.domain, RG.RaceEvent) in graph


# --- VoID ---------------------------------------------------------------------------------------

def test_void_describes_the_store(client, store, built_store):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    dataset = URIRef(BASE + "id/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph

    def number(predicate, subject=dataset):
        return int(graph.value(subject, predicate))

    assert number(VOID.triples) == count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                                "WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert number(VOID.entities) == count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                                 f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }}')
    assert number(VOID.distinctSubjects) == count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert number(VOID.distinctObjects) == count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    counts = json.loads((built_store / "build.json").read_text())["counts"]
    classes = {graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
               for p in graph.objects(dataset, VOID.classPartition)}
    assert classes[RG.Driver] == counts["drivers"] == 98
    assert classes[RG.Entry] == counts["entries"] == 37
    assert classes[RG.RaceEvent] == 1
    properties = {graph.value(p, VOID.property): int(graph.value(p, VOID.triples))
                  for p in graph.objects(dataset, VOID.propertyPartition)}
    assert properties[RG.event] == 37
    assert properties[RG.classWinner] == count(
        store, f"SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {{ GRAPH ?g {{ ?e <{RG.classWinner}> ?w }} }}")
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert set(graph.objects(dataset, VOID.dataDump)) == {
        URIRef(BASE + f"dumps/racegraph.{kind}.gz") for kind in ("nt", "ttl", "trig")}
    assert graph.value(dataset, VOID.uriSpace) == Literal(BASE + "id/")
    assert (dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by-sa/4.0/")) in graph
    assert (dataset, VOID.vocabulary, URIRef(str(RG))) in graph


def test_void_by_content_negotiation(client):
    for media_type, rdflib_format in RDF_SUFFIXES.values():
        response = client.get("/.well-known/void", headers={"Accept": media_type})
        assert response.mimetype == media_type
        graph = parse_rdf(client, response.data, rdflib_format)
        assert (URIRef(BASE + "id/dataset"), RDF.type, VOID.Dataset) in graph


# --- sitemap, robots, dumps ---------------------------------------------------------------------

def test_sitemap_lists_every_entity_page(client, store):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("sm:url/sm:loc", ns)]
    assert len(locations) == len(set(locations))
    assert BASE in locations and BASE + "ontology" in locations
    assert BASE + f"page/event/{EVENT_SLUG}" in locations
    assert BASE + "page/driver/tom-kristensen" in locations
    drivers = {row["d"].value for row in store.query(f"SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?d a <{RG.Driver}> }} }}")}
    assert len(drivers) == 98
    for driver in drivers:
        assert BASE + "page/" + driver[len(BASE + "id/"):] in locations


def test_robots_points_to_sitemap(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Disallow: /sparql?" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines


@pytest.mark.parametrize("name, parse_format", [("racegraph.nt.gz", "nt"), ("racegraph.ttl.gz", "turtle"),
                                                ("racegraph.trig.gz", "trig")])
def test_dumps_download_and_parse(client, name, parse_format):
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200
    assert response.mimetype == "application/gzip"
    assert "Content-Encoding" not in response.headers
    assert "attachment" in response.headers["Content-Disposition"]
    etag = response.headers["ETag"]
    text = gzip.decompress(response.data)
    if parse_format == "trig":
        dataset = Dataset()
        dataset.parse(data=text, format="trig")
        assert len(list(dataset.graphs())) >= 4
        assert any((TOM, RDF.type, RG.Driver) in graph for graph in dataset.graphs())
    else:
        graph = Graph().parse(data=text, format=parse_format)
        assert (TOM, RDF.type, RG.Driver) in graph
        assert len(graph) > 3000
    response.close()
    assert client.get(f"/dumps/{name}", headers={"If-None-Match": etag}).status_code == 304


def test_unknown_dump_is_404(client):
    assert client.get("/dumps/build.json").status_code == 404
    assert client.get("/dumps/..%2Fbuild.json").status_code == 404


def test_sitemap_lists_only_the_pages_people_browse(client):
    root = ET.fromstring(client.get("/sitemap.xml").data)
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("sm:url/sm:loc", ns)]
    kinds = {location[len(BASE + "page/"):].split("/")[0] for location in locations if "/page/" in location}
    assert kinds == {"event", "driver", "team", "chassis", "engine", "manufacturer", "class", "circuit", "country"}


def test_a_sitemap_past_the_limit_becomes_an_index_of_parts(client, monkeypatch):
    from server import linked_data

    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    whole = [loc.text for loc in ET.fromstring(client.get("/sitemap.xml").data).findall("sm:url/sm:loc", ns)]
    monkeypatch.setattr(linked_data, "SITEMAP_LIMIT", 100)
    index = ET.fromstring(client.get("/sitemap.xml").data)
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    parts = [loc.text for loc in index.findall("sm:sitemap/sm:loc", ns)]
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in range(1, len(parts) + 1)] and len(parts) == -(-len(whole) // 100)
    listed = []
    for part in parts:
        response = client.get(part[len(BASE) - 1:])
        assert response.status_code == 200 and response.mimetype == "application/xml"
        chunk = [loc.text for loc in ET.fromstring(response.data).findall("sm:url/sm:loc", ns)]
        assert 0 < len(chunk) <= 100
        listed += chunk
    assert listed == whole
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


# --- paths that are not IRIs racegraph mints ----------------------------------------------------

@pytest.mark.parametrize("path", [
    "/id/driver/a%3Eb", "/id/driver/%22", "/page/driver/a%20b", "/data/driver/x%00y.ttl", "/graph/article/a%7Bb",
    "/page/driver/a%5Cb.json", "/data/driver/..%2Fx.ttl", "/id/Driver/TOM", "/page/driver/tom%60kristensen",
])
def test_paths_outside_what_racegraph_mints_are_404_not_500(client, path):
    for accept in ("text/html", "text/turtle", "text/plain"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 404, (path, accept, response.data[:200])


def test_non_ascii_slugs_still_redirect_before_the_mint_check(client):
    response = client.get("/data/driver/st%C3%A9phane-sarrazin.ttl")
    assert response.status_code == 301 and response.headers["Location"].endswith("/data/driver/stephane-sarrazin.ttl")


# --- CORS on everything a linked-data client in a browser reads ---------------------------------

@pytest.mark.parametrize("path", [
    "/data/driver/tom-kristensen.ttl", "/page/driver/tom-kristensen.jsonld", "/id/driver/tom-kristensen",
    "/ontology", "/ontology.ttl", "/.well-known/void", "/dumps/racegraph.nt.gz", "/api/events",
    "/api/drivers/tom-kristensen", "/api/drivers/nobody", "/sitemap.xml",
])
def test_cors_on_documents_ontology_void_dumps_and_the_api(client, path):
    response = client.get(path, headers={"Accept": "text/turtle", "Origin": "http://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*", path
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(path, headers={"Origin": "http://example.org", "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


# --- named graphs are things too ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["ontology", "metadata", f"article/{EVENT_SLUG}-en", f"derived/{EVENT_SLUG}-en"])
def test_named_graphs_dereference_and_say_what_they_hold(client, store, name):
    iri = BASE + "graph/" + name
    response = client.get(f"/graph/{name}", headers={"Accept": "text/turtle"})
    assert response.status_code == 303 and response.headers["Location"] == f"/data/graph/{name}.ttl"
    document = Graph().parse(data=client.get(response.headers["Location"]).data, format="turtle")
    size = count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    assert size > 0
    assert document.value(URIRef(iri), VOID.triples).toPython() == size
    assert document.value(URIRef(iri), RDFS.comment) is not None
    page = client.get(f"/page/graph/{name}")
    assert page.status_code == 200 and f">{size}<" in page.get_data(as_text=True)


def test_void_and_service_description_read_the_statistics_counted_at_build_time(built_store, tmp_path):
    """A build never changes, so its figures are counted once, by `build`, not per request."""
    import shutil

    from server import create_app

    copy = tmp_path / "graph"
    shutil.copytree(built_store, copy)
    info = json.loads((copy / "build.json").read_text())
    info["statistics"]["triples"] = 123456789
    (copy / "build.json").write_text(json.dumps(info))
    client = create_app({"TESTING": True, "STORE": str(copy)}).test_client()
    void = Graph().parse(data=client.get("/.well-known/void.ttl").data, format="turtle")
    assert int(void.value(URIRef(BASE + "id/dataset"), VOID.triples)) == 123456789
    description = client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "123456789" in description

    del info["statistics"]
    (copy / "build.json").write_text(json.dumps(info))
    client = create_app({"TESTING": True, "STORE": str(copy)}).test_client()
    response = client.get("/.well-known/void.ttl", headers={"Accept": "text/plain"})
    assert response.status_code == 503
    assert "written by an older racegraph" in response.get_data(as_text=True)


# --- bounded documents and early conditional answers ---------------------------------------------

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


def test_documents_page_their_incoming_links_with_hydra_and_keep_every_own_triple(built_store):
    from server import create_app

    client = create_app({"TESTING": True, "STORE": str(built_store), "DOCUMENT_PAGE_SIZE": 10}).test_client()
    whole = Graph().parse(data=client.get(f"/data/event/{EVENT_SLUG}.ttl?page=1").data, format="turtle")
    document = URIRef(BASE + f"data/event/{EVENT_SLUG}.ttl")
    view = whole.value(document, HYDRA.view)
    assert view == URIRef(f"{document}?page=1")
    total = int(whole.value(view, HYDRA.totalItems))
    assert total >= 37 and whole.value(view, HYDRA.next) == URIRef(f"{document}?page=2")
    assert whole.value(view, HYDRA.previous) is None
    own = set(whole.predicate_objects(EVENT))

    incoming, page, pages = set(), f"/data/event/{EVENT_SLUG}.ttl?page=1", 0
    while page:
        graph = Graph().parse(data=client.get(page).data, format="turtle")
        pages += 1
        assert set(graph.predicate_objects(EVENT)) - {(HYDRA.view, None)} >= own - {(HYDRA.view, None)}
        found = {(s, p) for s, p in graph.subject_predicates(EVENT)}
        assert len(found) <= 10 and not (found & incoming)
        incoming |= found
        nxt = graph.value(graph.value(document, HYDRA.view), HYDRA.next)
        page = str(nxt)[len(BASE) - 1:] if nxt is not None else None
    assert pages == -(-total // 10) and len(incoming) == total

    unpaged = create_app({"TESTING": True, "STORE": str(built_store)}).test_client()
    full = Graph().parse(data=unpaged.get(f"/data/event/{EVENT_SLUG}.ttl").data, format="turtle")
    assert {(s, p) for s, p in full.subject_predicates(EVENT)} == incoming
    assert (None, HYDRA.view, None) not in full  # a document that fits one page says nothing of pages

    assert client.get(f"/data/event/{EVENT_SLUG}.ttl?page={pages + 1}").status_code == 404
    for bad in ("0", "-1", "two"):
        assert client.get(f"/data/event/{EVENT_SLUG}.ttl?page={bad}").status_code == 400


def test_a_current_conditional_request_is_answered_without_reading_the_store(built_store, tmp_path):
    import shutil

    from server import create_app

    copy = tmp_path / "graph"
    shutil.copytree(built_store, copy)
    client = create_app({"TESTING": True, "STORE": str(copy)}).test_client()
    path = "/data/driver/tom-kristensen.ttl"
    etag = client.get(path).headers["ETag"]
    fresh = create_app({"TESTING": True, "STORE": str(copy)}).test_client()
    shutil.rmtree(copy / "store")  # whoever reads the store now fails
    assert fresh.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert fresh.get(path).status_code == 503


def test_a_current_conditional_request_for_a_page_is_answered_without_reading_the_store(built_store, tmp_path):
    import shutil

    from server import create_app

    copy = tmp_path / "graph"
    shutil.copytree(built_store, copy)
    path = "/page/driver/tom-kristensen?lang=es"
    etag = create_app({"TESTING": True, "STORE": str(copy)}).test_client().get(path).headers["ETag"]
    fresh = create_app({"TESTING": True, "STORE": str(copy)}).test_client()
    shutil.rmtree(copy / "store")
    answer = fresh.get(path, headers={"If-None-Match": etag})
    assert answer.status_code == 304 and answer.headers["ETag"] == etag
    assert fresh.get(path.replace("es", "en"), headers={"If-None-Match": etag}).status_code == 503
