"""Triple Pattern Fragments at /fragments: matching triples paged, counts, Hydra controls, the search form,
the metadata in its own graph, the formats, and the HTTP headers a browser client and a cache need."""

from __future__ import annotations

from html.parser import HTMLParser
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


# --- the HTML view, for people ---------------------------------------------------------------------

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
COMUNICA_ACCEPT = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
                   "application/n-triples;q=0.8,text/turtle;q=0.6,text/html;q=0.2")


class FragmentPage(HTMLParser):
    """The form's input values, each row's cells (text and first link), and the rel= links."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, str] = {}
        self.rows: list[list[dict]] = []
        self.rel: dict[str, str] = {}
        self.counts = ""
        self._cell: dict | None = None
        self._in_counts = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs["name"] in ("subject", "predicate", "object"):  # not the site's search box
            self.inputs[attrs["name"]] = attrs.get("value", "")
        elif tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = {"text": "", "href": None}
            self.rows[-1].append(self._cell)
        elif tag == "a" and self._cell is not None and self._cell["href"] is None:
            self._cell["href"] = attrs["href"]
        elif tag == "a" and attrs.get("rel"):
            self.rel[attrs["rel"]] = attrs["href"]
        elif tag == "p" and "fragment-counts" in (attrs.get("class") or ""):
            self._in_counts = True

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        elif tag == "p":
            self._in_counts = False

    def handle_data(self, data):
        if self._cell is not None and data.strip() and not self._cell["text"]:
            self._cell["text"] = data.strip()
        if self._in_counts:
            self.counts += data


def html_fragment(client, path: str = "/fragments", accept: str = BROWSER_ACCEPT, **pattern: str):
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in pattern.items())
    response = client.get(path + ("?" + query if query else ""), headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == "text/html", response.get_data(as_text=True)[:300]
    return response, FragmentPage(response.get_data(as_text=True))


def test_a_browser_gets_the_fragment_as_a_page_with_the_form_and_the_triples(client):
    response, page = html_fragment(client, predicate=str(RG.laps))
    assert {"Accept", "Accept-Language"} <= set(response.headers["Vary"].replace(" ", "").split(","))
    assert page.inputs == {"subject": "", "predicate": str(RG.laps), "object": ""}
    rows = [row for row in page.rows if row]
    expected = store_triples(client, f"?s <{RG.laps}> ?o")
    assert len(rows) == len(expected) and page.counts.strip() == f"Triples 1–{len(expected)} of {len(expected)}"
    shown = {(row[0]["text"], row[2]["text"]) for row in rows}
    assert ("rgid:entry/2003-1000-km-of-le-mans/5", "208") in shown
    # each term leads to the fragment that fixes it in its place
    subject_link = next(row[0]["href"] for row in rows if row[0]["text"].endswith("/5"))
    assert subject_link == "/fragments?subject=" + quote(BASE + "id/entry/2003-1000-km-of-le-mans/5", safe="")
    _, followed = html_fragment(client, subject_link)
    assert followed.inputs["subject"] == BASE + "id/entry/2003-1000-km-of-le-mans/5"
    assert any(row and row[1]["text"] == "rg:laps" for row in followed.rows)
    literal_link = next(row[2]["href"] for row in rows if row[2]["text"] == "208")
    _, by_literal = html_fragment(client, literal_link)
    assert by_literal.inputs["object"] == '"208"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert all(row[2]["text"] == "208" for row in by_literal.rows if row)


def test_rdf_clients_still_get_rdf(client):
    assert fragment(client, COMUNICA_ACCEPT).mimetype == "application/n-quads"
    assert fragment(client, "*/*").mimetype == "application/trig"
    assert client.get("/fragments").mimetype == "application/trig"


@pytest.mark.parametrize(("suffix", "media_type"), [
    ("html", "text/html"), ("trig", "application/trig"), ("nq", "application/n-quads"), ("ttl", "text/turtle"),
    ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
])
def test_a_suffix_chooses_the_format_whatever_the_accept_header(client, suffix, media_type):
    response = client.get(f"/fragments.{suffix}?subject={quote(str(TOM), safe='')}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == media_type
    assert client.get("/fragments.png").status_code == 404


def test_the_page_walks_a_long_fragment_with_its_controls(client):
    path = "/fragments.html?predicate=" + quote(str(RDF.type), safe="")
    total = len(store_triples(client, f"?s <{RDF.type}> ?o"))
    assert total > 200
    seen, url, pages = [], path, 0
    while url:
        response = client.get(url)
        page = FragmentPage(response.get_data(as_text=True))
        pages += 1
        seen += [(row[0]["text"], row[2]["text"]) for row in page.rows if row]
        if pages > 1:
            assert page.rel["prev"] and page.rel["first"] == path
        url = page.rel.get("next")
    assert pages == -(-total // 100) and len(seen) == total == len(set(seen))
    assert page.counts.strip() == f"Triples {(pages - 1) * 100 + 1}–{total} of {total}"


def test_the_page_escapes_what_the_visitor_typed(client):
    response, page = html_fragment(client, "/fragments.html", object='"<script>alert(1)</script>"@en')
    body = response.get_data(as_text=True)
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body
    assert page.inputs["object"] == '"<script>alert(1)</script>"@en'
    assert not [row for row in page.rows if row] and "No triple matches this pattern." in body


def test_the_page_speaks_spanish(client):
    response, page = html_fragment(client, "/fragments.html", subject=str(TOM))
    spanish = client.get(f"/fragments.html?subject={quote(str(TOM), safe='')}&lang=es").get_data(as_text=True)
    assert "Fragmentos de patrones de tripletas" in spanish and "Sujeto" in spanish
    assert response.headers["ETag"] != client.get(f"/fragments.html?subject={quote(str(TOM), safe='')}&lang=es").headers["ETag"]
