"""Triple Pattern Fragments at /fragments: matching triples paged, counts, Hydra controls, the search form,
the metadata in its own graph, the formats, and the HTTP headers a browser client and a cache need."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, VOID

from conftest import parse_rdf
from graph.uris import ONTOLOGY_NS

BASE = "http://127.0.0.1:5000/"
RG = Namespace(ONTOLOGY_NS)
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # open: a closed one warns under pytest
ROOT = "http://localhost/fragments"  # the test client's host: the controls point where the client asked
TOM = URIRef(BASE + "id/driver/tom-kristensen")
METADATA = URIRef(ROOT + "#metadata")
DATASET = URIRef(ROOT + "#dataset")


def fragment(client, accept: str = "application/trig", **pattern: str):
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in pattern.items())
    return client.get("/fragments" + ("?" + query if query else ""), headers={"Accept": accept})


def parts(response) -> tuple[set, Graph, str]:
    """(data triples, metadata graph, the page's own URL) of a TriG fragment."""
    dataset = Dataset()
    dataset.parse(data=response.data, format="trig")
    data = set(dataset.default_graph)
    metadata = dataset.graph(METADATA)
    page = next(metadata.objects(DATASET, VOID.subset))
    return data, metadata, str(page)


def store_triples(client, where: str) -> set:
    response = client.get("/sparql", query_string={"query": f"CONSTRUCT {{ {where} }} WHERE {{ {where} }}"},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return set(Graph().parse(data=response.data, format="nt"))


def test_a_fragment_holds_the_matching_triples_and_their_count(client):
    response = fragment(client, predicate=str(RG.laps))
    assert response.status_code == 200 and response.mimetype == "application/trig"
    data, metadata, page = parts(response)
    expected = store_triples(client, f"?s <{RG.laps}> ?o")
    assert data == expected and 0 < len(expected) <= 100
    this = URIRef(page)
    assert metadata.value(this, VOID.triples) == Literal(len(expected), datatype=XSD.integer)
    assert metadata.value(this, HYDRA.totalItems) == Literal(len(expected), datatype=XSD.integer)
    assert metadata.value(this, HYDRA.itemsPerPage) == Literal(100, datatype=XSD.integer)
    assert (this, RDF.type, HYDRA.PartialCollectionView) in metadata
    assert metadata.value(this, HYDRA.next) is None and metadata.value(this, HYDRA.previous) is None


def test_every_kind_of_term_can_be_asked_for(client):
    cases = {
        "an IRI subject": ({"subject": str(TOM)}, f"<{TOM}> ?p ?o"),
        "an IRI object": ({"object": str(TOM)}, f"?s ?p <{TOM}>"),
        "a language-tagged literal": ({"object": '"Tom Kristensen"@en'}, '?s ?p "Tom Kristensen"@en'),
        "a typed literal": ({"object": f'"208"^^{XSD.integer}'}, "?s ?p 208"),
        "a plain string": ({"predicate": str(RG.carNumber), "object": '"5"'}, f'?s <{RG.carNumber}> "5"'),
        "all three": ({"subject": str(TOM), "predicate": str(RDF.type), "object": str(RG.Driver)},
                      f"<{TOM}> a <{RG.Driver}>"),
    }
    for name, (pattern, where) in cases.items():
        data, metadata, page = parts(fragment(client, **pattern))
        expected = store_triples(client, where)
        assert data == expected and expected, name
        assert int(metadata.value(URIRef(page), VOID.triples)) == len(expected), name


def test_paging_walks_every_matching_triple_once(client):
    expected = store_triples(client, f"?s <{RDFS.label}> ?o")
    assert len(expected) > 250  # at least three pages
    seen: list = []
    response = fragment(client, predicate=str(RDFS.label))
    first_page = None
    pages = 0
    while True:
        data, metadata, page = parts(response)
        this = URIRef(page)
        pages += 1
        first_page = first_page or page
        assert str(metadata.value(this, HYDRA.first)) == first_page
        assert int(metadata.value(this, HYDRA.totalItems)) == len(expected)
        if pages > 1:
            assert metadata.value(this, HYDRA.previous) is not None
        seen.extend(data)
        following = metadata.value(this, HYDRA.next)
        if following is None:
            break
        assert str(following).startswith(ROOT + "?")
        response = client.get(str(following).removeprefix("http://localhost"), headers={"Accept": "application/trig"})
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert pages == -(-len(expected) // 100)


def test_the_dataset_offers_the_search_form_with_its_mappings(client):
    _, metadata, page = parts(fragment(client))
    assert (METADATA, FOAF.primaryTopic, DATASET) in metadata
    assert (DATASET, RDF.type, HYDRA.Collection) in metadata and (DATASET, RDF.type, VOID.Dataset) in metadata
    assert page == ROOT
    everything = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                            headers={"Accept": "application/sparql-results+json"}).get_json()
    total = int(everything["results"]["bindings"][0]["n"]["value"])
    assert int(metadata.value(URIRef(page), HYDRA.totalItems)) == total > 1000
    form = metadata.value(DATASET, HYDRA.search)
    assert str(metadata.value(form, HYDRA.template)) == ROOT + "{?subject,predicate,object}"
    assert metadata.value(form, HYDRA.variableRepresentation) == HYDRA.ExplicitRepresentation
    mappings = {str(metadata.value(m, HYDRA.variable)): metadata.value(m, HYDRA.property)
                for m in metadata.objects(form, HYDRA.mapping)}
    assert mappings == {"subject": RDF.subject, "predicate": RDF.predicate, "object": RDF.object}


@pytest.mark.parametrize(("accept", "rdflib_format", "quads"), [
    ("application/trig", "trig", True), ("application/n-quads", "nquads", True),
    ("text/turtle", "turtle", False), ("application/n-triples", "nt", False), ("application/ld+json", "json-ld", True),
])
def test_every_format_holds_the_same_fragment(client, accept, rdflib_format, quads):
    reference = Dataset()
    reference.parse(data=fragment(client, subject=str(TOM)).data, format="trig")
    response = fragment(client, accept, subject=str(TOM))
    assert response.status_code == 200 and response.mimetype == accept
    parsed = parse_rdf(client, response.data, rdflib_format, dataset=quads)
    if quads:
        assert set(parsed.default_graph) == set(reference.default_graph)
        assert len(parsed.graph(METADATA)) == len(reference.graph(METADATA))
    else:
        assert len(parsed) == len(reference)  # data and metadata in one graph
        assert set(reference.default_graph) <= set(parsed)
    if accept == "application/ld+json":
        assert response.get_json()["@context"] == BASE + "context.jsonld"


def test_a_literal_subject_matches_nothing(client):
    data, metadata, page = parts(fragment(client, subject='"Tom Kristensen"@en'))
    assert data == set() and int(metadata.value(URIRef(page), VOID.triples)) == 0


@pytest.mark.parametrize(("query", "message"), [
    ("subject=tom", "subject='tom': expected an absolute IRI"),
    ("object=%22open", "needs its closing quote"),
    ("object=%22x%22%40", "expected @language or ^^datatype"),
    ("predicate=http://a%20b", "not a valid IRI"),
    ("page=0", "page='0'"),
    ("graph=x", "unknown parameter 'graph'"),
])
def test_bad_patterns_are_400_saying_why(client, query, message):
    response = client.get("/fragments?" + query, headers={"Accept": "application/trig"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_cors_and_caching_headers(client):
    response = fragment(client, subject=str(TOM))
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    max_age = client.application.config["CACHE_MAX_AGE"]
    assert "public" in response.headers["Cache-Control"] and f"max-age={max_age}" in response.headers["Cache-Control"]
    assert "Accept" in response.headers["Vary"] and response.headers["ETag"] and response.headers["Last-Modified"]
    again = client.get(f"/fragments?subject={quote(str(TOM), safe='')}",
                       headers={"Accept": "application/trig", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    other_format = fragment(client, "text/turtle", subject=str(TOM))
    assert other_format.headers["ETag"] != response.headers["ETag"]
    preflight = client.options("/fragments", headers={"Origin": "http://elsewhere.example",
                                                      "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert fragment(client, "image/png").status_code == 406


def test_void_and_the_home_page_announce_the_fragments(client):
    void = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    dataset = URIRef(BASE + "id/dataset")
    form = void.value(dataset, HYDRA.search)
    assert str(void.value(form, HYDRA.template)) == BASE + "fragments{?subject,predicate,object}"
    assert len(set(void.objects(form, HYDRA.mapping))) == 3
    assert 'href="/fragments"' in client.get("/").get_data(as_text=True)
