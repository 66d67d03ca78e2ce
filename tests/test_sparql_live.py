"""The SPARQL endpoint over real HTTP: `racegraph serve` (Flask's threaded server) and gunicorn.

SPARQLWrapper is the client, as a third-party SPARQL tool would be; `requests` checks CORS and the
service description. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys

import pytest
import requests
from rdflib import Graph, Namespace
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import REPO, free_port, wait_for_port

pytestmark = pytest.mark.live

RG = "https://w3id.org/racegraph/ontology#"
PREFIXES = f"PREFIX rg: <{RG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
ENTRIES = PREFIXES + "SELECT ?entry ?number WHERE { ?entry a rg:Entry ; rg:carNumber ?number } ORDER BY ?entry"
WINNER = "<http://127.0.0.1:5000/id/entry/2003-1000-km-of-le-mans/5>"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def wrapper(live_server, query, return_format, method=None, request_method=None):
    sparql = SPARQLWrapper(live_server + "sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    if method:
        sparql.setMethod(method)
    if request_method:
        sparql.setRequestMethod(request_method)
    return sparql.query()


def test_select_json(live_server):
    result = wrapper(live_server, ENTRIES, JSON).convert()
    rows = result["results"]["bindings"]
    assert len(rows) == 37
    assert {"entry", "number"} == set(result["head"]["vars"])


def test_select_xml(live_server):
    document = wrapper(live_server, ENTRIES, XML).convert()
    assert len(document.getElementsByTagName("result")) == 37


@pytest.mark.parametrize("return_format, delimiter", [(CSV, ","), (TSV, "\t")])
def test_select_csv_and_tsv(live_server, return_format, delimiter):
    body = wrapper(live_server, ENTRIES, return_format).convert().decode()
    rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    assert len(rows) == 1 + 37


def test_ask(live_server):
    assert wrapper(live_server, PREFIXES + f"ASK {{ {WINNER} rg:position 1 }}", JSON).convert()["boolean"] is True
    assert wrapper(live_server, PREFIXES + f"ASK {{ {WINNER} rg:position 2 }}", JSON).convert()["boolean"] is False


def test_construct_turtle(live_server):
    query = PREFIXES + f"CONSTRUCT {{ ?e rg:carNumber ?n }} WHERE {{ ?e a rg:Entry ; rg:carNumber ?n }}"
    body = wrapper(live_server, query, TURTLE).convert()
    assert b"@prefix rg:" in body
    assert len(Graph().parse(data=body, format="turtle")) == 37


@pytest.mark.parametrize("return_format", [TURTLE, JSONLD])
def test_describe(live_server, return_format):
    result = wrapper(live_server, f"DESCRIBE {WINNER}", return_format).convert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert len(graph) > 10


@pytest.mark.parametrize("request_method", [None, POSTDIRECTLY])  # form-encoded, then the query as the body
def test_post_both_ways(live_server, request_method):
    result = wrapper(live_server, ENTRIES, JSON, method=POST, request_method=request_method).convert()
    assert len(result["results"]["bindings"]) == 37


def test_concurrent_queries_on_the_threaded_server(live_server):
    """More simultaneous queries than query workers: they queue for a worker and all succeed."""
    from concurrent.futures import ThreadPoolExecutor

    def run(_):
        return len(wrapper(live_server, ENTRIES, JSON).convert()["results"]["bindings"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(run, range(16))) == [37] * 16


def test_a_bad_query_reaches_the_client_as_400(live_server):
    with pytest.raises(QueryBadFormed) as raised:
        wrapper(live_server, "SELECT ?s WHERE { ?s ?p }", JSON)
    assert "syntax error" in str(raised.value)


def test_cors_preflight(live_server):
    response = requests.options(live_server + "sparql", timeout=10, headers={
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    response = requests.post(live_server + "sparql", data={"query": "ASK {}"}, timeout=10,
                             headers={"Origin": "http://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_service_description(live_server):
    response = requests.get(live_server + "sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    endpoint = next(graph.subjects(SD.endpoint, None))
    assert str(endpoint) == live_server + "sparql"
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert "http://127.0.0.1:5000/graph/article/2003-1000-km-of-le-mans-en" in names
    page = requests.get(live_server + "sparql", headers={"Accept": "text/html"}, timeout=10)
    assert page.headers["Content-Type"].startswith("text/html") and "yasgui" in page.text


@pytest.mark.skipif(shutil.which("gunicorn") is None and not os.path.exists(
    os.path.join(os.path.dirname(sys.executable), "gunicorn")), reason="gunicorn is not installed")
def test_under_gunicorn_with_several_workers(built_store):
    port = free_port()
    env = dict(os.environ, RACEGRAPH_STORE=str(built_store), PYTHONPATH=str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
         "server:create_app()"], env=env, cwd=REPO)
    try:
        wait_for_port(port, process)
        endpoint = f"http://127.0.0.1:{port}/"
        for _ in range(4):  # more requests than workers, so both gunicorn workers answer some
            result = wrapper(endpoint, ENTRIES, JSON).convert()
            assert len(result["results"]["bindings"]) == 37
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_common_prefixes_are_predeclared(live_server):
    """As on DBpedia, rdfs:, xsd:, schema:, rgid: … need no PREFIX line; rg: follows the build's base."""
    endpoint = SPARQLWrapper(live_server + "sparql")
    endpoint.setQuery("""
        PREFIX rg: <https://w3id.org/racegraph/ontology#>
        SELECT ?name WHERE { ?d a rg:Driver ; rdfs:label ?name } ORDER BY ?name LIMIT 5""")
    endpoint.setReturnFormat(JSON)
    names = [row["name"]["value"] for row in endpoint.queryAndConvert()["results"]["bindings"]]
    assert len(names) == 5 and names == sorted(names)
    endpoint.setQuery("ASK { rgid:driver/tom-kristensen a rg:Driver ; schema:name ?n }".replace(
        "rgid:driver/tom-kristensen", "<http://127.0.0.1:5000/id/driver/tom-kristensen>"))
    assert endpoint.queryAndConvert()["boolean"] is True


def test_a_query_prefix_overrides_a_predeclared_one(live_server):
    endpoint = SPARQLWrapper(live_server + "sparql")
    endpoint.setQuery("PREFIX rdfs: <http://example.org/not-rdfs#> ASK { ?s rdfs:label ?o }")
    endpoint.setReturnFormat(JSON)
    assert endpoint.queryAndConvert()["boolean"] is False
