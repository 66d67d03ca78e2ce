"""`racegraph publish` into real SPARQL servers (Oxigraph's, Virtuoso), `serve --store-url`, and the remote
store's own guarantees. The page, API, linked-data and endpoint suites run on these servers too (the
`store_kind` fixture in conftest.py and `app` in test_sparql_protocol.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from SPARQLWrapper import JSON, SPARQLWrapper

from conftest import free_port, wait_for_port
from graph.cli import cli
from graph.remote_store import RemoteStore, duration_text, with_substitutions, without_dataset_clauses
from graph.store import open_store
from graph.uris import DEFAULT_BASE

SERVERS = ("oxigraph", "virtuoso")


def contents(store) -> set[tuple]:
    """Every quad as text; quads with a blank node are counted, as their labels are the store's own."""
    quads = list(store.quads_for_pattern(None, None, None))
    blank = [q for q in quads if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]
    return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in quads
            if q not in blank} | {("quads with blank nodes", len(blank))}


def store_contents(server) -> set[tuple]:
    """What racegraph's graphs hold on the server (the merge as the default graph, whatever its name there)."""
    return contents(RemoteStore(server.query_url, default_graph=server.default_graph,
                                graph_prefix=DEFAULT_BASE + "graph/"))


def embedded_contents(built_store) -> set[tuple]:
    return contents(open_store(built_store))


def publish(built_store, server, *extra):
    return CliRunner().invoke(cli, ["publish", "--store", str(built_store), *server.publish_arguments(), *extra])


@pytest.mark.parametrize("kind", SERVERS)
def test_publishing_twice_leaves_the_same_store_as_the_build(request, built_store, published_stores, kind):
    published_stores(kind)  # the session's first publication
    server = request.getfixturevalue(f"{kind}_server")
    first = store_contents(server)
    result = publish(built_store, server)
    assert result.exit_code == 0, result.output
    assert store_contents(server) == first == embedded_contents(built_store)
    assert "graphs published: 6/6" in result.stderr  # progress: five named graphs, then the merge
    assert "published 5 named graphs and their merge" in result.stdout


@pytest.mark.parametrize("kind", SERVERS)
def test_publish_deletes_graphs_a_new_build_no_longer_has(request, built_store, published_stores, kind):
    published_stores(kind)
    server = request.getfixturevalue(f"{kind}_server")
    stale = DEFAULT_BASE + "graph/article/a-race-since-removed-en"
    auth = requests.auth.HTTPDigestAuth(*server.auth) if server.auth else None
    put = requests.put(server.graph_store_url, params={"graph": stale}, auth=auth, timeout=60,
                       data=b"<http://example.org/s> <http://example.org/p> \"o\" .\n",
                       headers={"Content-Type": "application/n-triples"})
    assert put.status_code in (200, 201, 204), put.text
    result = publish(built_store, server)
    assert result.exit_code == 0, result.output
    assert f"deleted stale graph <{stale}>" in result.stderr
    assert store_contents(server) == embedded_contents(built_store)


def test_a_refused_write_stops_publish_with_the_servers_answer(built_store, virtuoso_server):
    """Virtuoso refuses anonymous Graph Store writes: publish says which graph, the status, and what to do."""
    arguments = ["--to", virtuoso_server.query_url, "--graph-store", virtuoso_server.graph_store_url,
                 "--default-graph", virtuoso_server.default_graph]
    result = CliRunner().invoke(cli, ["publish", "--store", str(built_store), *arguments])
    assert result.exit_code == 2
    assert "refused PUT <" + DEFAULT_BASE + "graph/" in result.stderr
    assert "401" in result.stderr and "--auth" in result.stderr


def test_an_unreachable_graph_store_is_a_clear_error(built_store):
    nowhere = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(cli, ["publish", "--store", str(built_store), "--to", nowhere + "/query",
                                      "--graph-store", nowhere + "/store"])
    assert result.exit_code == 2
    assert "error:" in result.stderr and nowhere in result.stderr and "Traceback" not in result.output


def test_only_a_conforming_build_is_published(built_store, tmp_path, oxigraph_server):
    folder = tmp_path / "graph"
    shutil.copytree(built_store, folder)
    info = json.loads((folder / "build.json").read_text())
    (folder / "build.json").write_text(json.dumps({**info, "conforms": False}))
    result = CliRunner().invoke(cli, ["publish", "--store", str(folder), *oxigraph_server.publish_arguments()])
    assert result.exit_code == 2 and "does not conform" in result.stderr


# --- serving from a store server ---------------------------------------------------------------------

@pytest.mark.live
@pytest.mark.parametrize("kind", SERVERS)
def test_serve_store_url_answers_like_the_embedded_store(request, built_store, live_server, published_stores, kind):
    """`racegraph serve --store-url` (with RACEGRAPH_STORE_DEFAULT_GRAPH) against a live embedded server:
    the same API answer and the same SPARQL answer through SPARQLWrapper."""
    settings = published_stores(kind)
    port = free_port()
    env = dict(os.environ, RACEGRAPH_STORE_URL=settings["STORE_URL"])
    if settings["STORE_DEFAULT_GRAPH"]:
        env["RACEGRAPH_STORE_DEFAULT_GRAPH"] = settings["STORE_DEFAULT_GRAPH"]
    process = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--store", str(built_store),
                                "--host", "127.0.0.1", "--port", str(port)], env=env)
    try:
        wait_for_port(port, process)
        remote = f"http://127.0.0.1:{port}/"
        path = "api/events/2003-1000-km-of-le-mans/results"
        assert requests.get(remote + path, timeout=60).json() == requests.get(live_server + path, timeout=60).json()

        def rows(endpoint):
            client = SPARQLWrapper(endpoint + "sparql")
            client.setQuery("SELECT ?name WHERE { ?d a rg:Driver ; rdfs:label ?name } ORDER BY ?name")
            client.setReturnFormat(JSON)
            return [row["name"] for row in client.queryAndConvert()["results"]["bindings"]]

        assert rows(remote) == rows(live_server) and len(rows(remote)) > 50
    finally:
        process.terminate()
        process.wait(10)


def test_an_unreachable_store_server_is_503_on_pages_and_502_on_sparql(built_store):
    from server import create_app

    app = create_app({"TESTING": True, "STORE": str(built_store),
                      "STORE_URL": f"http://127.0.0.1:{free_port()}/query"})
    client = app.test_client()
    page = client.get("/page/driver/tom-kristensen")
    assert page.status_code == 503 and b"cannot be reached" in page.data
    assert client.get("/api/events").get_json()["status"] == 503
    sparql = client.get("/sparql", query_string={"query": "ASK {}"})
    assert sparql.status_code == 502 and b"store server failed" in sparql.data


def test_virtuoso_pragmas_never_reach_the_server(built_store, published_stores):
    """`DEFINE get:soft` would make Virtuoso fetch the FROM graph from the web: pyoxigraph's parser refuses
    it first, as a syntax error, exactly as the embedded store does."""
    from server import create_app

    client = create_app({"TESTING": True, "STORE": str(built_store), **published_stores("virtuoso")}).test_client()
    response = client.get("/sparql", query_string={
        "query": 'DEFINE get:soft "replace" SELECT * FROM <http://example.org/x.ttl> WHERE { ?s ?p ?o }'})
    assert response.status_code == 400 and b"syntax error" in response.data


# --- the query text sent to a server -------------------------------------------------------------------

def test_substitutions_become_values_in_the_outermost_group():
    bound = with_substitutions('SELECT ?x WHERE { ?x ?p "WHERE {" }', {ox.Variable("x"): ox.NamedNode("http://e/x")})
    assert bound == 'SELECT ?x WHERE { VALUES (?x) { (<http://e/x>) }  ?x ?p "WHERE {" }'
    construct = with_substitutions("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                   {ox.Variable("s"): ox.Literal("a", language="en")})
    assert construct.startswith('CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { ("a"@en) }')
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://e/p"), ox.Literal("WHERE {")))
    assert [row["x"] for row in store.query(bound)] == [ox.NamedNode("http://e/x")]


def test_dataset_clauses_are_dropped_but_not_from_strings_or_iris():
    text = 'PREFIX ex: <http://e/> SELECT * FROM <http://e/a> FROM NAMED ex:b WHERE { ?s <http://e/from> "FROM <z>" }'
    assert without_dataset_clauses(text) == ('PREFIX ex: <http://e/> SELECT *     WHERE '
                                             '{ ?s <http://e/from> "FROM <z>" }')


@pytest.mark.parametrize("seconds, text", [("87.775", "PT1M27.775S"), ("0", "PT0S"), ("90000", "P1DT1H"),
                                           ("-61", "-PT1M1S"), ("3600.5", "PT1H0.5S")])
def test_virtuoso_durations_in_seconds_get_their_duration_form(seconds, text):
    assert duration_text(Decimal(seconds)) == text
    assert ox.Literal(text, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#duration")).value == text


# a few seconds on the bundled graph: long enough to hold its turn, short enough to end on the server
SLOW = "SELECT (COUNT(*) AS ?n) { ?a a ?c . ?d ?e ?f }"


def _remote_app(built_store, published_stores, **settings):
    from server import create_app

    app = create_app({"TESTING": True, "STORE": str(built_store), **published_stores("oxigraph"), **settings})
    app.testing = False  # the error handler answers, as in production
    return app


def _ask(client, query: str, address: str):
    return client.get("/sparql", query_string={"query": query}, environ_base={"REMOTE_ADDR": address},
                      headers={"Accept": "application/sparql-results+json"})


def _held_turns(app) -> int:
    runner = app.extensions["racegraph.query_pool"]
    return 0 if runner is None else runner._gate.admitted


def test_a_remote_store_gets_no_more_than_its_share_of_queries(built_store, published_stores):
    """The embedded store's admission holds with STORE_URL: QUERY_WORKERS at the store server, QUERY_QUEUE
    waiting for a turn, and past that 503 at once; past a client's share, 429."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    app = _remote_app(built_store, published_stores, QUERY_WORKERS=1, QUERY_QUEUE=1, MAX_QUERIES_PER_CLIENT=1,
                      QUERY_CACHE_BYTES=0)
    client = app.test_client()
    assert _ask(client, "ASK {}", "10.0.0.1").status_code == 200

    def held(count: int) -> bool:
        deadline = time.monotonic() + 30
        while _held_turns(app) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return _held_turns(app) == count

    with ThreadPoolExecutor(2) as running:
        slow = running.submit(_ask, client, SLOW, "10.0.0.1")
        assert held(1)
        assert _ask(client, "ASK {}", "10.0.0.1").status_code == 429  # the slow one is this client's share
        waiting = running.submit(_ask, client, "ASK {}", "10.0.0.2")  # waits for the turn
        assert held(2)
        refused = _ask(client, "ASK {}", "10.0.0.3")
        assert not slow.done() and not waiting.done()  # refused while the turn and the queue were taken
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
        assert slow.result(120).status_code == 200
        assert waiting.result(120).status_code == 200
    assert _held_turns(app) == 0
