"""The SPARQL 1.1 Protocol at /sparql, through Flask's test client on a small hand-written store.

Query workers are real child processes on a real read-only store; the "remote" SPARQL endpoint used
for the SERVICE tests is a real HTTP server on 127.0.0.1 started here.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import threading
import time

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef

from graph.statistics import count_statistics
from graph.store import load_nquads, write_build_info
from server import create_app
from server.sparql_examples import EXAMPLE_QUERIES

BASE = "http://127.0.0.1:5000/"
EX = "http://127.0.0.1:5000/id/"
G1 = BASE + "graph/article/one"
G2 = BASE + "graph/article/two"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
JSON_RESULTS = "application/sparql-results+json"

DRIVERS = [f"driver-{n}" for n in range(12)]
TRIG = f"""
@prefix rg: <https://w3id.org/racegraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{G1}> {{
  <{EX}event/race-one> a rg:RaceEvent ; rdfs:label "Race one"@en , "Carrera uno"@es ; rg:laps 208 .
  {" ".join(f'<{EX}driver/{d}> a rg:Driver ; rdfs:label "{d}" .' for d in DRIVERS[:8])}
}}
<{G2}> {{
  <{EX}event/race-two> a rg:RaceEvent ; rdfs:label "Race two"@en .
  {" ".join(f'<{EX}driver/{d}> a rg:Driver ; rdfs:label "{d}" .' for d in DRIVERS[8:])}
}}
"""
TRIPLES = 4 + 2 * len(DRIVERS) + 2  # rows of SELECT * { ?s ?p ?o } over the union
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sparql") / "build"
    folder.mkdir()
    dataset = ox.Dataset(ox.parse(TRIG.encode(), format=ox.RdfFormat.TRIG))
    store = load_nquads(folder, ox.serialize(dataset, format=ox.RdfFormat.N_QUADS))
    write_build_info(folder, {"base_uri": BASE, "conforms": True, "statistics": count_statistics(store, base_uri=BASE)})
    del store  # readers open it read-only
    return folder


@pytest.fixture(scope="module")
def small_store_servers(request, small_store, tmp_path_factory):
    """kind -> app settings of the small store on that kind of store; servers of this module's own (they hold
    other graphs than the session's), started and given the small store on first use."""
    from conftest import free_port
    from store_servers import start_oxigraph, start_virtuoso, virtuoso_installed

    from graph.publish import publish_build

    started, settings = [], {"embedded": {}}

    def settings_for(kind: str) -> dict:
        if kind not in settings:
            folder = tmp_path_factory.mktemp(kind)
            if kind == "oxigraph":
                server = start_oxigraph(folder, free_port(), timeout_s=5)  # stops the cross joins below itself
            elif not virtuoso_installed() and not os.environ.get("CI"):
                pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
            else:
                server = start_virtuoso(folder, free_port(), free_port())
            started.append(server)
            publish_build(small_store, graph_store=server.graph_store_url, query_endpoint=server.query_url,
                          default_graph=server.default_graph, auth=server.auth)
            settings[kind] = server.app_settings()
        return settings[kind]

    yield settings_for
    for server in started:
        server.stop()


def make_app(store, **settings):
    return create_app({"TESTING": True, "STORE": str(store), "QUERY_WORKERS": 1, **settings})


def close_pool(app):
    from server.query_runner import close_pools

    close_pools(app)


STORE_KINDS = ("embedded", "oxigraph", "virtuoso")


@pytest.fixture(scope="module", params=STORE_KINDS)
def app(request, small_store, small_store_servers):
    """The endpoint on the small store: embedded (query workers), then on each real SPARQL server."""
    application = make_app(small_store, QUERY_WORKERS=2, **small_store_servers(request.param))
    yield application
    close_pool(application)


@pytest.fixture
def client(app):
    return app.test_client()


def select(client, query, **kwargs):
    return client.get("/sparql", query_string={"query": query}, **kwargs)


def bindings(response):
    assert response.status_code == 200, response.data
    return json.loads(response.data)["results"]["bindings"]


# ---- query forms and result formats --------------------------------------------------------------

def test_select_without_accept_is_sparql_json_over_the_union_of_named_graphs(client):
    response = select(client, "SELECT * WHERE { ?s ?p ?o }")
    assert response.mimetype == JSON_RESULTS
    assert len(bindings(response)) == TRIPLES


def test_select_rows_keep_terms_exactly(client):
    rows = bindings(select(client, f"SELECT ?l ?n WHERE {{ <{EX}event/race-one> <http://www.w3.org/2000/01/rdf-schema#label> ?l ; <https://w3id.org/racegraph/ontology#laps> ?n }}"))
    # picked by language, not by ORDER BY ?l: SPARQL leaves the order of literals in different languages to
    # the engine (Oxigraph sorts by text, Virtuoso by language first)
    spanish = next(row for row in rows if row["l"].get("xml:lang") == "es")
    assert spanish["l"] == {"type": "literal", "value": "Carrera uno", "xml:lang": "es"}
    assert spanish["n"] == {"type": "literal", "value": "208", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


@pytest.mark.parametrize("accept, expected", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", JSON_RESULTS),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/csv;q=0.9, application/sparql-results+xml;q=0.2", "text/csv"),
    ("*/*", JSON_RESULTS),
    ("text/html;q=0.5,application/xhtml+xml;q=0.5,*/*;q=0.8", JSON_RESULTS),  # a browser's GET: test_sparql_html
])
def test_select_formats_by_accept(client, accept, expected):
    response = select(client, "SELECT ?s WHERE { ?s a ?t }", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == expected
    if expected == "text/csv":  # pyoxigraph does not read CSV results back (lossy): count the lines
        assert len(response.data.decode().strip().splitlines()) == 1 + 2 + len(DRIVERS)
        return
    solutions = ox.parse_query_results(response.data, format=ox.QueryResultsFormat.from_media_type(expected))
    assert len(list(solutions)) == 2 + len(DRIVERS)


@pytest.mark.parametrize("name, media", [("json", JSON_RESULTS), ("xml", "application/sparql-results+xml"),
                                         ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_select_format_parameter_beats_accept(client, name, media):
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }", "format": name},
                          headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == media


def test_ask_in_json_and_xml(client):
    response = select(client, f"ASK {{ <{EX}event/race-two> ?p ?o }}")
    assert response.mimetype == JSON_RESULTS and json.loads(response.data)["boolean"] is True
    response = select(client, "ASK { ?s ?p <http://nowhere/> }", headers={"Accept": "application/sparql-results+xml"})
    assert response.mimetype == "application/sparql-results+xml" and b"<boolean>false</boolean>" in response.data


CONSTRUCT = (f"PREFIX rg: <https://w3id.org/racegraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a rg:RaceEvent ; rdfs:label ?l }")


def test_construct_defaults_to_turtle_with_the_query_prefixes(client):
    response = select(client, CONSTRUCT)
    assert response.mimetype == "text/turtle"
    assert b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in response.data
    assert len(Graph().parse(data=response.data, format="turtle")) == 3


@pytest.mark.parametrize("name, media, rdflib_format", [
    ("ttl", "text/turtle", "turtle"), ("turtle", "text/turtle", "turtle"),
    ("nt", "application/n-triples", "nt"), ("rdf", "application/rdf+xml", "xml"),
    ("xml", "application/rdf+xml", "xml"), ("jsonld", "application/ld+json", "json-ld"),
    ("nq", "application/n-quads", "nquads"), ("trig", "application/trig", "trig"),
])
def test_construct_formats_by_parameter(client, name, media, rdflib_format):
    response = client.get("/sparql", query_string={"query": CONSTRUCT, "format": name})
    assert response.status_code == 200 and response.mimetype == media
    if rdflib_format in ("nquads", "trig"):
        from rdflib import Dataset
        parsed = Dataset().parse(data=response.data, format=rdflib_format)
        assert len(list(parsed.quads())) == 3
    else:
        assert len(Graph().parse(data=response.data, format=rdflib_format)) == 3


@pytest.mark.parametrize("accept, media", [
    ("application/ld+json", "application/ld+json"), ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml;q=1, text/turtle;q=0.5", "application/rdf+xml"), ("application/trig", "application/trig"),
])
def test_describe_formats_by_accept(client, accept, media):
    response = select(client, f"DESCRIBE <{EX}driver/driver-3>", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media
    assert b"driver-3" in response.data


# ---- the three ways to send a query --------------------------------------------------------------

def test_post_form(client):
    response = client.post("/sparql", data={"query": "SELECT * { ?s ?p ?o }"})
    assert len(bindings(response)) == TRIPLES


def test_post_query_body(client):
    response = client.post("/sparql", data="SELECT * { ?s ?p ?o }".encode(),
                           content_type="application/sparql-query; charset=utf-8")
    assert len(bindings(response)) == TRIPLES


def test_post_query_body_is_utf8(client):
    query = 'SELECT ?s WHERE { ?s ?p "Carrera uno"@es . FILTER("é" != "ü") }'
    response = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
    assert len(bindings(response)) == 1


# ---- the dataset -------------------------------------------------------------------------------

def test_default_graph_uri_restricts_the_default_graph(client):
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s a ?t }", "default-graph-uri": G2})
    assert len(bindings(response)) == 1 + len(DRIVERS[8:])


def test_named_graph_uri_restricts_graph_patterns(client):
    response = client.get("/sparql", query_string=[("query", "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"),
                                                   ("named-graph-uri", G1)])
    assert [row["g"]["value"] for row in bindings(response)] == [G1]


def test_without_protocol_dataset_every_named_graph_is_queryable(client):
    rows = bindings(select(client, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"))
    assert [row["g"]["value"] for row in rows] == [G1, G2]


def test_a_graph_named_in_the_query_is_read(client):
    """Regression: Virtuoso, once given a default graph, saw no named graph that the request did not list."""
    rows = bindings(select(client, f"SELECT ?s WHERE {{ GRAPH <{G2}> {{ ?s a ?t }} }}"))
    assert len(rows) == 1 + len(DRIVERS[8:])
    mixed = bindings(select(client, f"SELECT DISTINCT ?g WHERE {{ GRAPH <{G2}> {{ ?s a ?t }} GRAPH ?g {{ ?s ?p ?o }} }}"))
    assert [row["g"]["value"] for row in mixed] == [G2]


def test_from_in_the_query(client):
    rows = bindings(select(client, f"SELECT * FROM <{G2}> WHERE {{ ?s a ?t }}"))
    assert len(rows) == 1 + len(DRIVERS[8:])


def test_protocol_dataset_overrides_from(client):
    response = client.get("/sparql", query_string={"query": f"SELECT * FROM <{G2}> WHERE {{ ?s a ?t }}",
                                                   "default-graph-uri": G1})
    assert len(bindings(response)) == 1 + len(DRIVERS[:8])


def test_post_form_with_graph_parameters_in_the_body(client):
    response = client.post("/sparql", data={"query": "SELECT * { ?s a ?t }", "default-graph-uri": G2})
    assert len(bindings(response)) == 1 + len(DRIVERS[8:])


@pytest.mark.parametrize("parameters", [
    {"query": "SELECT * {{ ?s ?p ?o }}", "default-graph-uri": "{url}"},
    {"query": "SELECT * {{ ?s ?p ?o }}", "named-graph-uri": "{url}"},
    {"query": "SELECT * FROM <{url}> {{ ?s ?p ?o }}"},
    {"query": "SELECT * FROM NAMED <{url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
    {"query": "PREFIX remote: <{url}> SELECT * FROM remote: FROM NAMED remote: {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"},
])
def test_graphs_not_in_the_store_are_empty_and_never_fetched(client, remote, parameters):
    """As in Oxigraph and the W3C protocol tests: an unknown graph IRI names an empty graph."""
    url = remote_url(remote)
    query = {name: value.format(url=url) for name, value in parameters.items()}
    assert bindings(client.get("/sparql", query_string=query)) == []
    time.sleep(0.2)
    assert remote.requests == []


def test_a_known_and_an_unknown_default_graph_merge_to_the_known_one(client):
    response = client.get("/sparql", query_string=[("query", "SELECT * { ?s a ?t }"), ("default-graph-uri", G2),
                                                   ("default-graph-uri", "http://example.org/none")])
    assert len(bindings(response)) == 1 + len(DRIVERS[8:])


def test_relative_iris_resolve_against_the_endpoint(client):
    response = client.get("/sparql", query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.data
    assert response.data.decode().strip() == (
        '<http://localhost/s> <http://localhost/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    rows = bindings(select(client, "SELECT (<x> AS ?x) (<../y> AS ?y) {}"))
    assert (rows[0]["x"]["value"], rows[0]["y"]["value"]) == ("http://localhost/x", "http://localhost/y")
    rows = bindings(select(client, "BASE <http://example.org/a/> SELECT (<x> AS ?x) {}"))
    assert rows[0]["x"]["value"] == "http://example.org/a/x"
    # each declaration resolves against the base in force where it stands (a store server that takes one
    # BASE only, first, gets the prologue rewritten to mean the same)
    rows = bindings(select(client, "PREFIX a: <x/> BASE <http://example.org/a/> PREFIX b: <y#> "
                                   "SELECT (a:one AS ?one) (b:two AS ?two) (<z> AS ?z) {}"))
    assert [rows[0][name]["value"] for name in ("one", "two", "z")] == [
        "http://localhost/x/one", "http://example.org/a/y#two", "http://example.org/a/z"]


# ---- bad requests: 4xx with a clear message, never 200 or 500 ------------------------------------

def test_syntax_error_is_400_with_the_position(client):
    response = select(client, "SELECT ?s WHERE { ?s ?p }")
    assert response.status_code == 400
    assert b"syntax error" in response.data and b"1:" in response.data


FORM_TYPE = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("make_request", [
    lambda c: c.get("/sparql?query=SELECT%20(%22caf%E9%22%20AS%20?x)%20%7B%7D"),
    lambda c: c.get("/sparql?query=ASK%20%7B%7D&default-graph-uri=http://x/%FF"),
    lambda c: c.post("/sparql", data=b"query=SELECT+%28%22caf%FF%22+AS+%3Fx%29+%7B%7D", content_type=FORM_TYPE),
    lambda c: c.post("/sparql", data=b"query=SELECT+*+%7B%7D\xff", content_type=FORM_TYPE),
    lambda c: c.post("/sparql?format=%E9", data=b"ASK {}", content_type="application/sparql-query"),
], ids=["get-percent-e9", "get-graph-percent-ff", "form-percent-ff", "form-raw-ff", "query-body-url-percent-e9"])
def test_parameters_that_are_not_utf8_are_400_naming_the_problem(client, make_request):
    response = make_request(client)
    assert response.status_code == 400, response.data
    assert b"not valid UTF-8" in response.data and b"no query parameter" not in response.data


def test_utf8_parameters_are_decoded(client):
    response = client.get("/sparql?query=SELECT%20(%22caf%C3%A9%22%20AS%20?x)%20%7B%7D")
    assert [row["x"]["value"] for row in bindings(response)] == ["café"]
    response = client.post("/sparql", data="query=SELECT+(%22caf%C3%A9+%2B%22+AS+?x)+{}".encode(),
                           content_type=FORM_TYPE)
    assert [row["x"]["value"] for row in bindings(response)] == ["café +"]


@pytest.mark.parametrize("make_request, status, words", [
    (lambda c: c.get("/sparql", query_string=[("query", "ASK {}"), ("query", "ASK {}")]), 400, b"2 query parameters"),
    (lambda c: c.post("/sparql", data=b"query=ASK+%7B%7D&query=ASK+%7B%7D",
                      content_type="application/x-www-form-urlencoded"), 400, b"2 query parameters"),
    (lambda c: c.post("/sparql?query=ASK%20%7B%7D", data={"query": "ASK {}"}), 400, b"both in the URL and"),
    (lambda c: c.post("/sparql?query=ASK%20%7B%7D", data=b"ASK {}", content_type="application/sparql-query"),
     400, b"both in the URL and"),
    (lambda c: c.post("/sparql", data=b"ASK {}"), 415, b"needs a Content-Type"),
    (lambda c: c.post("/sparql", data=b"ASK {}", content_type="text/plain"), 415, b"text/plain is not accepted"),
    (lambda c: c.post("/sparql", data=b"ASK {}", content_type="application/json"), 415, b"not accepted"),
    (lambda c: c.post("/sparql", data="ASK { ?s ?p \"é\" }".encode("latin-1"),
                      content_type="application/sparql-query"), 400, b"not valid UTF-8"),
    (lambda c: c.post("/sparql", data=b"ASK {}", content_type="application/sparql-query; charset=latin-1"),
     415, b"must be UTF-8"),
    (lambda c: c.post("/sparql", data={"format": "json"}), 400, b"no query parameter"),
    (lambda c: c.post("/sparql", data=b"query=ASK+%7B%7D", content_type=FORM_TYPE + "; charset=iso-8859-1"),
     415, b"must be UTF-8"),
    (lambda c: c.get("/sparql", query_string={"default-graph-uri": G1}), 400, b"no query parameter"),
    (lambda c: c.get("/sparql", query_string={"query": "   "}), 400, b"empty"),
    (lambda c: c.post("/sparql", data=b"", content_type="application/sparql-query"), 400, b"empty"),
    (lambda c: c.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"}),
     400, b"not an absolute IRI"),
])
def test_malformed_requests(client, make_request, status, words):
    response = make_request(client)
    assert response.status_code == status, response.data
    assert words in response.data


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(client, method):
    response = client.open("/sparql", method=method, data=b"ASK {}")
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("make_request", [
    lambda c: c.get("/sparql", query_string={"update": "INSERT DATA { <a:b> <a:b> <a:b> }"}),
    lambda c: c.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:b> <a:b> }"}),
    lambda c: c.post("/sparql", data=b"INSERT DATA { <a:b> <a:b> <a:b> }", content_type="application/sparql-update"),
    lambda c: c.post("/sparql", data={"query": "INSERT DATA { <a:b> <a:b> <a:b> }"}),
    lambda c: c.post("/sparql", data=b"DELETE WHERE { ?s ?p ?o }", content_type="application/sparql-query"),
    lambda c: c.get("/sparql", query_string={"query": "CLEAR ALL"}),
    lambda c: c.get("/sparql", query_string={"query": "DROP GRAPH <" + G1 + ">"}),
])
def test_updates_are_refused_and_change_nothing(client, make_request):
    response = make_request(client)
    assert response.status_code == 403
    assert b"read-only" in response.data
    assert len(bindings(select(client, "SELECT * { ?s ?p ?o }"))) == TRIPLES


def test_no_acceptable_format_is_406(client):
    assert select(client, CONSTRUCT, headers={"Accept": "text/csv"}).status_code == 406
    assert select(client, "SELECT * {}", headers={"Accept": "text/turtle"}).status_code == 406
    assert client.get("/sparql", query_string={"query": "ASK {}", "format": "ttl"}).status_code == 406
    assert client.get("/sparql", query_string={"query": "ASK {}", "format": "pdf"}).status_code == 406


# ---- SERVICE and LOAD never reach out unless the operator allows it ------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    """A 'remote' SPARQL endpoint on 127.0.0.1 that records every request and answers one row."""

    def _answer(self):
        self.server.requests.append((self.command, self.path))
        body = json.dumps({"head": {"vars": ["remote"]},
                           "results": {"bindings": [{"remote": {"type": "literal", "value": "hello"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", JSON_RESULTS)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()

    def log_message(self, *args):
        pass


@pytest.fixture
def remote():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def remote_url(server):
    return f"http://127.0.0.1:{server.server_address[1]}/sparql"


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ ?x a ?t OPTIONAL {{ service <{url}> {{ ?x ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    # SPARQL 1.2 syntax that rdflib's parser does not know: caught by the fallback scan
    "SELECT * WHERE {{ ?s ?p ?o . FILTER(isTRIPLE(<<( ?s ?p ?o )>>)) SERVICE <{url}> {{ ?a ?b ?c }} }}",
])
def test_service_is_refused_without_contacting_the_remote(client, remote, template):
    response = select(client, template.format(url=remote_url(remote)))
    assert response.status_code == 400
    assert b"SERVICE" in response.data and b"ALLOW_REMOTE_SERVICE" in response.data
    time.sleep(0.2)
    assert remote.requests == []


def test_load_is_refused_without_contacting_the_remote(client, remote):
    response = client.post("/sparql", data=f"LOAD <{remote_url(remote)}>".encode(),
                           content_type="application/sparql-update")
    assert response.status_code == 403
    response = client.post("/sparql", data={"query": f"LOAD <{remote_url(remote)}> INTO GRAPH <{G1}>"})
    assert response.status_code == 403
    time.sleep(0.2)
    assert remote.requests == []


@pytest.mark.parametrize("query", [
    '# SERVICE <http://example.org/> { }\nSELECT * WHERE { ?s ?p ?o }',
    'SELECT * WHERE { ?s ?p ?o FILTER(?o != "SERVICE <http://example.org/sparql> { ?a ?b ?c }") }',
    "SELECT * WHERE { ?s ?p ?o FILTER(?o != '''service''') }",
    'PREFIX ex: <http://example.org/SERVICE/> SELECT ?service WHERE { ?service ?p ex:SERVICE }',
    'SELECT * WHERE { ?s ?p ?o . FILTER(isTRIPLE(<<( ?s ?p ?o )>>) || "SERVICE" = ?o) } # SERVICE',
])
def test_the_word_service_elsewhere_is_not_refused(client, query):
    response = select(client, query)
    if "isTRIPLE" in query and client.application.config["STORE_URL"] and "/sparql" in client.application.config["STORE_URL"]:
        # Virtuoso (whose endpoint is /sparql) has no SPARQL 1.2 triple terms: it refuses the query itself
        assert response.status_code == 400 and b"store server refused the query" in response.data
        return
    assert response.status_code == 200


def test_service_runs_when_the_operator_allows_it(small_store, remote):
    app = make_app(small_store, ALLOW_REMOTE_SERVICE=True)
    try:
        response = select(app.test_client(), f"SELECT ?remote WHERE {{ SERVICE <{remote_url(remote)}> {{ ?s ?p ?remote }} }}")
        assert [row["remote"]["value"] for row in bindings(response)] == ["hello"]
        assert len(remote.requests) == 1
    finally:
        close_pool(app)


# ---- bounds: time and size -----------------------------------------------------------------------

def _worker_pids(app):
    return {worker.process.pid for worker in list(app.extensions["racegraph.query_pool"]._idle.queue)}


def test_a_query_past_the_timeout_is_stopped_and_its_worker_replaced(small_store):
    app = make_app(small_store, QUERY_TIMEOUT=1)
    try:
        client = app.test_client()
        assert select(client, "ASK { ?s ?p ?o }").status_code == 200  # the pool is up
        before = _worker_pids(app)
        response = select(client, CROSS_JOIN)
        assert response.status_code == 503
        assert b"QUERY_TIMEOUT" in response.data and response.headers["Retry-After"]
        after = _worker_pids(app)
        assert after and not (before & after)
        for pid in before:  # the overrunning worker is gone, not left computing
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert len(bindings(select(client, "SELECT * { ?s ?p ?o }"))) == TRIPLES
    finally:
        close_pool(app)


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_a_query_past_the_timeout_on_a_store_server_is_503(small_store, small_store_servers, kind):
    """The store server is asked to stop too (Virtuoso's `timeout`, Oxigraph's --timeout-s), and racegraph
    stops reading at QUERY_TIMEOUT whatever the server does."""
    app = make_app(small_store, QUERY_TIMEOUT=1, **small_store_servers(kind))
    client = app.test_client()
    assert select(client, "ASK { ?s ?p ?o }").status_code == 200
    started = time.monotonic()
    response = select(client, CROSS_JOIN)
    assert response.status_code == 503, response.data
    assert b"QUERY_TIMEOUT" in response.data and response.headers["Retry-After"]
    assert time.monotonic() - started < 10
    assert len(bindings(select(client, "SELECT * { ?s ?p ?o }"))) == TRIPLES


def test_worker_start_up_does_not_count_against_the_query_timeout(small_store, tmp_path, monkeypatch):
    """A worker that takes longer than QUERY_TIMEOUT to start still answers the first query in time."""
    slow_start = tmp_path / "slow-start"
    slow_start.mkdir()
    # imported by every new interpreter that has this folder on its path, so the worker starts 2 s late
    (slow_start / "sitecustomize.py").write_text("import time\ntime.sleep(2)\n")
    monkeypatch.setenv("PYTHONPATH", str(slow_start))
    app = make_app(small_store, QUERY_TIMEOUT=1)
    try:
        assert app.extensions["racegraph.query_pool"] is None  # a test app starts workers on its first query
        assert len(bindings(select(app.test_client(), "SELECT * { ?s ?p ?o }"))) == TRIPLES
    finally:
        close_pool(app)


def test_a_serving_app_starts_its_query_workers_before_the_first_request(small_store):
    app = create_app({"STORE": str(small_store), "QUERY_WORKERS": 2})
    try:
        pool = app.extensions["racegraph.query_pool"]
        assert pool is not None
        workers = list(pool._idle.queue)
        assert len(workers) == 2 and all(worker.process.poll() is None for worker in workers)
        assert len(bindings(select(app.test_client(), "SELECT * { ?s ?p ?o }"))) == TRIPLES
    finally:
        close_pool(app)


def test_a_failing_service_call_found_while_reading_results_is_502(small_store):
    """pyoxigraph runs SERVICE lazily, while results are read; the failure still gets its own answer."""
    app = make_app(small_store, ALLOW_REMOTE_SERVICE=True)
    with socket.socket() as sock:  # a port nothing listens on: the SERVICE call is refused
        sock.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    try:
        client = app.test_client()
        for query in (f"SELECT * WHERE {{ SERVICE <{nobody}> {{ ?s ?p ?o }} }}",
                      f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{nobody}> {{ ?s ?p ?o }} }}",
                      f"ASK {{ SERVICE <{nobody}> {{ ?s ?p ?o }} }}"):
            response = select(client, query)
            assert response.status_code == 502, (query, response.data)
            assert b"SERVICE call failed" in response.data
        assert select(client, "ASK {}").status_code == 200  # the worker survived
    finally:
        close_pool(app)


@pytest.fixture(scope="module", params=STORE_KINDS)
def capped(request, small_store, small_store_servers):
    application = make_app(small_store, MAX_RESULT_ROWS=5, **small_store_servers(request.param))
    yield application.test_client()
    close_pool(application)


def test_select_is_truncated_and_says_so(capped):
    response = select(capped, "SELECT * { ?s ?p ?o }")
    assert len(bindings(response)) == 5
    assert response.headers["X-Racegraph-Truncated"] == "true"
    assert response.headers["X-SPARQL-MaxRows"] == "5"
    csv = select(capped, "SELECT * { ?s ?p ?o }", headers={"Accept": "text/csv"})
    assert len(csv.data.decode().strip().splitlines()) == 1 + 5


def test_construct_is_truncated_and_says_so(capped):
    response = select(capped, "CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": "application/n-triples"})
    assert len(response.data.decode().strip().splitlines()) == 5
    assert response.headers["X-Racegraph-Truncated"] == "true"


def test_a_result_within_the_cap_is_not_marked(capped):
    response = select(capped, "SELECT * { ?s ?p ?o } LIMIT 5")
    assert len(bindings(response)) == 5
    assert "X-Racegraph-Truncated" not in response.headers


# ---- the service description and the editor -----------------------------------------------------

@pytest.mark.parametrize("accept, fmt, media, rdflib_format", [
    (None, None, "text/turtle", "turtle"), ("text/turtle", None, "text/turtle", "turtle"),
    ("*/*", None, "text/turtle", "turtle"),
    ("application/rdf+xml", None, "application/rdf+xml", "xml"),
    ("application/ld+json", None, "application/ld+json", "json-ld"),
    ("application/n-triples", None, "application/n-triples", "nt"),
    ("application/trig", None, "application/trig", "trig"),
    (None, "nt", "application/n-triples", "nt"), ("text/html", "turtle", "text/turtle", "turtle"),
    (None, "json", "application/ld+json", "json-ld"), (None, "xml", "application/rdf+xml", "xml"),
])
def test_service_description(client, accept, fmt, media, rdflib_format):
    """As a CONSTRUCT answer is negotiated: the same media types and `format=` names (one table of them)."""
    response = client.get("/sparql", query_string={"format": fmt} if fmt else {},
                          headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media
    graph = Graph().parse(data=response.data, format=rdflib_format)
    endpoint = URIRef("http://localhost/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert {str(name) for name in graph.objects(None, SD.name)} == {G1, G2}
    assert len(set(graph.objects(endpoint, SD.resultFormat))) == 10


def test_the_service_description_refuses_what_it_cannot_write_with_406(client):
    response = client.get("/sparql", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_browsers_get_the_query_editor(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.data.decode()
    assert "sparql/yasgui.min.js" in page and "sparql/editor.js" in page
    for title in ("Results table of a race", "A driver&#39;s career", "Wins by chassis manufacturer"):
        assert title in page
    assert "PREFIX rgid: &lt;http://127.0.0.1:5000/id/&gt;" in page or "PREFIX rgid:" in page
    for name in ("yasgui.min.js", "yasgui.min.css", "editor.js", "LICENSE-yasgui.txt"):
        asset = client.get(f"/static/sparql/{name}")
        assert asset.status_code == 200, name
        asset.close()


# ---- CORS and errors -----------------------------------------------------------------------------

def test_cors_preflight_and_simple_requests(client):
    response = client.options("/sparql", headers={"Origin": "http://elsewhere.example",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    response = select(client, "ASK {}", headers={"Origin": "http://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Racegraph-Truncated" in response.headers["Access-Control-Expose-Headers"]
    assert select(client, "ASK {", headers={"Origin": "http://x"}).headers["Access-Control-Allow-Origin"] == "*"


def test_errors_in_the_form_the_client_prefers(client):
    as_json = select(client, "ASK {", headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and as_json.json["status"] == 400 and "syntax" in as_json.json["error"]
    as_html = select(client, "ASK {", headers={"Accept": "text/html,*/*;q=0.8"})
    assert as_html.mimetype == "text/html" and b"400" in as_html.data and b"<html" in as_html.data
    as_text = select(client, "ASK {", headers={"Accept": "application/sparql-results+json"})
    assert as_text.mimetype == "text/plain" and as_text.data.startswith(b"400 Bad Request: SPARQL syntax error")


def test_missing_store_is_503(tmp_path):
    app = make_app(tmp_path / "nothing-here")
    response = select(app.test_client(), "ASK {}")
    assert response.status_code == 503 and b"racegraph build" in response.data
    response = app.test_client().get("/sparql")
    assert response.status_code == 503
    close_pool(app)


def test_an_idle_worker_killed_before_use_does_not_fail_the_next_query(small_store):
    """Issue #8: killing idle workers used to make the next query a 500 (BrokenPipeError) although it
    never started; it now goes to a fresh worker and succeeds."""
    app = make_app(small_store)
    app.testing = False  # let Flask's own 500 handling (and our handler) run instead of raising
    try:
        client = app.test_client()
        assert select(client, "ASK {}").status_code == 200
        pool = app.extensions["racegraph.query_pool"]
        for worker in list(pool._idle.queue):
            worker.process.kill()
            worker.process.wait()
        assert select(client, "ASK {}").status_code == 200
        assert select(client, "ASK {}").status_code == 200
    finally:
        close_pool(app)


# ---- the example queries of docs/queries run on the built seed and return rows ------------------

@pytest.mark.parametrize("path", sorted(EXAMPLE_QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_example_queries_return_rows(built_store, path):
    app = create_app({"TESTING": True, "STORE": str(built_store), "QUERY_WORKERS": 1})
    try:
        response = app.test_client().post("/sparql", data=path.read_bytes(), content_type="application/sparql-query")
        assert len(bindings(response)) > 0
    finally:
        close_pool(app)
