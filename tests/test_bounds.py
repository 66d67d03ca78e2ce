"""Request and answer bounds at /sparql: body size, query length, nesting, answer bytes, huge values.

Each bound answers a clean 4xx, or a cut answer signalled in headers, never a 500 nor a dead worker.
Real query workers on a real read-only store, through Flask's test client.
"""

from __future__ import annotations

import json
import logging

import pyoxigraph as ox
import pytest

from graph.store import load_nquads, write_build_info
from server import create_app

pytestmark = pytest.mark.security

BASE = "http://127.0.0.1:5000/"
GRAPH = BASE + "graph/article/one"
ROWS = 200
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bounds") / "build"
    folder.mkdir()
    quads = "".join(f'<{BASE}id/thing/{n}> <{BASE}ontology#label> "thing number {n} {"x" * 40}" <{GRAPH}> .\n'
                    for n in range(ROWS))
    load_nquads(folder, quads.encode())
    write_build_info(folder, {"base_uri": BASE})
    return folder


@pytest.fixture(scope="module")
def app(store):
    application = create_app({"TESTING": True, "STORE": str(store), "QUERY_WORKERS": 1,
                              "MAX_RESULT_BYTES": 4000, "MAX_QUERY_LENGTH": 5000, "MAX_CONTENT_LENGTH": 20000})
    yield application
    pool = application.extensions.get("racegraph.query_pool")
    if pool is not None:
        pool.close()


@pytest.fixture
def client(app):
    return app.test_client()


def _worker_pids(app):
    return {worker.process.pid for worker in list(app.extensions["racegraph.query_pool"]._idle.queue)}


# ---- request size ------------------------------------------------------------------------------

def test_a_body_over_max_content_length_is_413(client):
    query = "SELECT * {} #" + "x" * 30000
    response = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
    assert response.status_code == 413
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 413


def test_a_query_over_max_query_length_is_414_in_a_url_and_413_in_a_body(client):
    query = "SELECT * {} #" + "x" * 6000
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 414
    assert b"MAX_QUERY_LENGTH" in response.data
    for response in (client.post("/sparql", data={"query": query}),
                     client.post("/sparql", data=query.encode(), content_type="application/sparql-query")):
        assert response.status_code == 413
        assert b"MAX_QUERY_LENGTH" in response.data


# ---- nesting: refused before the engine's parser can overflow its stack --------------------------

DEEP = {
    "40 nested braces": "SELECT * {" + "{" * 40 + "}" * 40 + "}",
    "1,000 nested parentheses": "SELECT * { FILTER(" + "(" * 1000 + "1" + ")" * 1000 + ")}",
    "2,000 nested OPTIONAL": "SELECT * {" + "OPTIONAL {" * 2000 + "}" * 2001,
    "20,000 negations": "SELECT * { FILTER(" + "!" * 20000 + "true)}",
    "5,000 semicolons in one group": "SELECT * { ?s ?p ?o" + " ; ?p ?o" * 5000 + "}",
    "3,000 MINUS in one group": "SELECT * {" + "MINUS {} " * 3000 + "}",
    "nested triple terms": "SELECT * { ?s ?p " + "<<( ?s ?p " * 40 + "?o" + " )>>" * 40 + "}",
}


@pytest.mark.parametrize("query", DEEP.values(), ids=DEEP.keys())
def test_deep_or_long_nesting_is_400_without_touching_a_worker(store, query, caplog):
    app = create_app({"TESTING": True, "STORE": str(store), "QUERY_WORKERS": 1})
    try:
        client = app.test_client()
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
        before = _worker_pids(app)
        with caplog.at_level(logging.DEBUG):
            response = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
        assert response.status_code == 400, response.data[:300]
        assert b"MAX_QUERY_DEPTH" in response.data
        assert len(response.data) < 1000  # the message does not echo the query
        assert not any(query[:60] in record.getMessage() for record in caplog.records)
        assert _worker_pids(app) == before  # no worker crashed or was replaced
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    finally:
        app.extensions["racegraph.query_pool"].close()


def test_the_depth_limit_is_a_setting(store):
    app = create_app({"TESTING": True, "STORE": str(store), "QUERY_WORKERS": 1, "MAX_QUERY_DEPTH": 60})
    try:
        response = app.test_client().get("/sparql", query_string={"query": DEEP["40 nested braces"]})
        assert response.status_code == 200
    finally:
        app.extensions["racegraph.query_pool"].close()


# ---- the answer's bytes --------------------------------------------------------------------------

@pytest.mark.parametrize("accept, parse_format", [
    (JSON_RESULTS, ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_a_select_past_max_result_bytes_is_cut_at_a_row_and_signalled(client, accept, parse_format):
    response = client.get("/sparql", query_string={"query": "SELECT ?s ?l { ?s ?p ?l }"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert len(response.data) <= 4000
    assert response.headers["X-Racegraph-Truncated"] == "true"
    assert response.headers["X-Racegraph-MaxBytes"] == "4000"
    rows = list(ox.parse_query_results(response.data, format=parse_format))  # still a whole document
    assert 0 < len(rows) < ROWS


def test_a_construct_past_max_result_bytes_is_cut_and_signalled(client):
    response = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(response.data) <= 4000 and response.headers["X-Racegraph-Truncated"] == "true"
    triples = list(ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES))
    assert 0 < len(triples) < ROWS


def test_an_answer_within_the_caps_is_not_marked(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?s { ?s ?p ?o } LIMIT 3"})
    assert len(json.loads(response.data)["results"]["bindings"]) == 3
    assert "X-Racegraph-Truncated" not in response.headers


def _doubling(times: int) -> str:
    binds = " ".join(f"BIND(CONCAT(?v{n}, ?v{n}) AS ?v{n + 1})" for n in range(times))
    return f'SELECT ?v{times} {{ BIND("{"x" * 1024}" AS ?v0) {binds} }}'


def test_a_string_built_by_doubling_is_a_cut_answer_not_a_500(client):
    response = client.get("/sparql", query_string={"query": _doubling(15)})  # one 32 MiB value
    assert response.status_code == 200
    assert response.headers["X-Racegraph-Truncated"] == "true"
    assert json.loads(response.data)["results"]["bindings"] == []


def test_a_value_over_16_mib_is_answered_whole_when_the_byte_cap_allows_it(store):
    """pyoxigraph writes the answer straight from the engine's solutions: no reader with a buffer limit in
    between (rows once passed through its SPARQL JSON reader, which refuses a value past 16 MiB)."""
    app = create_app({"TESTING": True, "STORE": str(store), "QUERY_WORKERS": 1, "MAX_RESULT_BYTES": 100_000_000})
    try:
        response = app.test_client().get("/sparql", query_string={"query": _doubling(15)},
                                         headers={"Accept": "application/sparql-results+xml"})
        assert response.status_code == 200
        assert "X-Racegraph-Truncated" not in response.headers
        [row] = list(ox.parse_query_results(response.data, format=ox.QueryResultsFormat.XML))
        assert len(row["v15"].value) == 1024 * 2 ** 15
    finally:
        app.extensions["racegraph.query_pool"].close()
