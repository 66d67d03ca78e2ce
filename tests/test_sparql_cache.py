"""Caching at /sparql: ETags and 304 on GET, and answers remembered per server process and build.

Real query workers on a real read-only store, through Flask's test client. That a 304 or a remembered
answer needs no query worker is shown by stopping the app's workers first: anything that needed one
would wait for it and answer 503.
"""

from __future__ import annotations

import json

import pytest

from graph.store import load_nquads, write_build_info
from server import create_app
from server.answer_cache import ENTRY_OVERHEAD, AnswerCache

BASE = "http://127.0.0.1:5000/"
GRAPH = BASE + "graph/article/one"
QUERY = "SELECT ?s ?l { ?s ?p ?l } ORDER BY ?s"
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache") / "build"
    folder.mkdir()
    quads = "".join(f'<{BASE}id/thing/{n}> <{BASE}ontology#label> "thing {n}" <{GRAPH}> .\n' for n in range(5))
    load_nquads(folder, quads.encode())
    write_build_info(folder, {"base_uri": BASE, "build_id": "cache-test"})
    return folder


def _app(store, **settings):
    return create_app({"TESTING": True, "STORE": str(store), "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 2, **settings})


def _stop_workers(app) -> None:
    app.extensions["racegraph.query_pool"].close()


def test_a_get_answer_has_an_etag_and_a_current_copy_gets_304_without_a_worker(store):
    app = _app(store)
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": JSON_RESULTS})
    assert first.status_code == 200 and first.headers["ETag"]
    assert "max-age=" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    assert "Accept" in first.headers["Vary"]
    _stop_workers(app)
    again = client.get("/sparql", query_string={"query": QUERY},
                       headers={"Accept": JSON_RESULTS, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert again.data == b""
    # the workers are really gone: a query this process has not answered yet waits for one, then 503
    other = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON_RESULTS})
    assert other.status_code == 503


def test_a_repeated_query_is_answered_from_memory_with_the_same_body(store):
    app = _app(store)
    client = app.test_client()
    first = client.post("/sparql", data={"query": QUERY}, headers={"Accept": JSON_RESULTS})
    assert first.status_code == 200 and "ETag" not in first.headers  # a POST is not cacheable by HTTP
    _stop_workers(app)
    again = client.post("/sparql", data={"query": QUERY}, headers={"Accept": JSON_RESULTS})
    assert again.status_code == 200 and again.data == first.data
    assert len(json.loads(again.data)["results"]["bindings"]) == 5
    # another format of the same query is another answer: not remembered, so it needs a worker
    xml = client.post("/sparql", data={"query": QUERY}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.status_code == 503


def test_with_the_cache_off_a_repeated_query_needs_a_worker(store):
    app = _app(store, QUERY_CACHE_BYTES=0)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": QUERY}).status_code == 200
    _stop_workers(app)
    assert client.get("/sparql", query_string={"query": QUERY}).status_code == 503


def test_the_etag_follows_the_query_the_format_and_the_dataset(store):
    app = _app(store)
    client = app.test_client()

    def tag(query=QUERY, accept=JSON_RESULTS, **parameters):
        response = client.get("/sparql", query_string={"query": query, **parameters}, headers={"Accept": accept})
        assert response.status_code == 200
        return response.headers["ETag"]

    tags = {tag(), tag(accept="text/csv"), tag(query=QUERY + " LIMIT 2"), tag(**{"default-graph-uri": GRAPH})}
    assert len(tags) == 4
    assert tag() == tag()
    _stop_workers(app)


def test_a_query_that_may_call_another_endpoint_is_neither_tagged_nor_remembered(store):
    # the prefix holds the letters of SERVICE, so the gate cannot rule a remote call out
    query = "PREFIX servicex: <http://example.org/> SELECT ?a { BIND(servicex:a AS ?a) }"
    app = _app(store, ALLOW_REMOTE_SERVICE=True)
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": query})
    assert first.status_code == 200 and "ETag" not in first.headers
    _stop_workers(app)
    assert client.get("/sparql", query_string={"query": query}).status_code == 503


def test_the_cache_keeps_within_its_bytes_and_forgets_everything_on_a_new_build():
    cache = AnswerCache(3 * (100 + ENTRY_OVERHEAD))
    answer = {"kind": "ok", "body": b"x" * 100}
    for key in "abc":
        cache.put("build-1", key, answer, 100)
    assert cache.get("build-1", "a") is answer  # now the most recently used
    cache.put("build-1", "d", answer, 100)  # over the bound: the least recently used (b) goes
    assert cache.get("build-1", "b") is None and cache.get("build-1", "a") is answer
    assert cache.size <= cache.max_bytes
    assert cache.get("build-2", "a") is None  # another build: nothing known
    cache.put("build-2", "e", answer, 100)
    assert cache.get("build-1", "a") is None and cache.size == 100 + ENTRY_OVERHEAD
    cache.put("build-2", "huge", {"kind": "ok", "body": b"x" * cache.max_bytes}, cache.max_bytes)  # larger than the whole cache
    assert cache.get("build-2", "huge") is None and cache.get("build-2", "e") is answer


def test_a_new_build_changes_the_etag_and_forgets_the_remembered_answers(tmp_path):
    folder = tmp_path / "build"
    folder.mkdir()
    load_nquads(folder, f'<{BASE}id/thing/1> <{BASE}ontology#label> "one" <{GRAPH}> .\n'.encode())
    write_build_info(folder, {"base_uri": BASE, "build_id": "first"})
    app = _app(folder)
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": QUERY})
    assert first.status_code == 200
    # a new build.json in the same folder, as a web host of a remote store (STORE_URL) gets it
    write_build_info(folder, {"base_uri": BASE, "build_id": "second"})
    _stop_workers(app)
    again = client.get("/sparql", query_string={"query": QUERY}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 503  # neither the old ETag nor the remembered answer holds: a worker is needed
