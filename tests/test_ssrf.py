"""The SERVICE gate against a live server: every bypass attempt, three ways of sending it, zero connections.

A real TCP listener on 127.0.0.1 stands in for the endpoint an attacker wants the server to call. It
counts every connection accepted and answers each with an empty SPARQL JSON result. With
ALLOW_REMOTE_SERVICE off (the default) no case may reach it, whatever the answer; with it on, each
case marked `reaches` really does, which shows the case is a working SERVICE call and not a query
the engine would refuse on its own.

Run alone with `pytest -m security`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from conftest import free_port, wait_for_port

pytestmark = [pytest.mark.security, pytest.mark.live]

EMPTY_RESULTS = b'{"head": {"vars": []}, "results": {"bindings": [{}]}}'


class Listener:
    """A TCP server that counts connections and answers any request with an empty result set."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    @staticmethod
    def _answer(conn):
        with conn:
            conn.settimeout(5)
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(EMPTY_RESULTS), EMPTY_RESULTS))
            except OSError:
                pass

    def count(self) -> int:
        time.sleep(0.1)  # a connection made just before the answer is accepted within this
        with self._lock:
            return self.connections

    def close(self):
        self.sock.close()


# (name, query template, whether the engine really makes the call when SERVICE is allowed)
# {url}: the listener as an IRI; {base}: the listener's root, for prefixes
CASES = [
    ("plain", "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", True),
    ("glued prefix SERVICE:x", "PREFIX : <{base}> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}", True),
    ("glued prefix service:x", "PREFIX : <{base}> SELECT * {{ service:x {{ ?s ?p ?o }} }}", True),
    ("glued prefix SERVICEx:t", "PREFIX x: <{base}> SELECT * {{ SERVICEx:t {{ ?s ?p ?o }} }}", True),
    ("prefix named service", "PREFIX service: <{base}> SELECT * {{ SERVICE service:x {{ ?s ?p ?o }} }}", True),
    ("glued keyword and SILENT", "SELECT * {{ SERVICESILENT<{url}>{{}} }}", True),
    ("no space before the IRI", "SELECT * {{ SERVICE<{url}>{{}} }}", True),
    ("1.2 triple term", "PREFIX : <{base}> SELECT * {{ BIND(<<( :a :b :c )>> AS ?t) SERVICE:x {{ ?s ?p ?o }} }}", True),
    ("1.2 VERSION", 'VERSION "1.2" PREFIX : <{base}> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}', True),
    ("1.2 directional literal", 'PREFIX : <{base}> SELECT ("x"@en--ltr AS ?l) {{ SERVICE:x {{ }} }}', True),
    ("1.2 LATERAL", "PREFIX x: <{base}> SELECT * {{ BIND(1 AS ?n) LATERAL {{ SERVICEx:t {{ }} }} }}", True),
    ("mixed case", "SELECT * {{ SeRvIcE <{url}> {{ }} }}", True),
    ("lower case", "select * {{ service <{url}> {{ }} }}", True),
    ("comment between", "SELECT * {{ SERVICE # a comment\n <{url}> {{ }} }}", True),
    ("comment glued", "SELECT * {{ SERVICE#c\r<{url}>{{ }} }}", True),
    ("comment holding a brace and quote", "SELECT * {{ # }} \" '\n SERVICE <{url}> {{ }} }}", True),
    ("string holding #", 'SELECT * {{ BIND("#" AS ?a) SERVICE <{url}> {{ }} }}', True),
    ("string holding <", "SELECT * {{ BIND('<' AS ?a) SERVICE <{url}> {{ }} }}", True),
    ("string holding quotes", "SELECT * {{ BIND(\"\\\"'\" AS ?a) SERVICE <{url}> {{ }} }}", True),
    ("long string holding quotes", "SELECT * {{ BIND('''a''b\"c''' AS ?a) SERVICE <{url}> {{ }} }}", True),
    ("escaped quote in a string", 'SELECT * {{ BIND("\\u0022" AS ?q) SERVICE <{url}> {{ }} }}', True),
    ("escaped keyword", "SELECT * {{ \\u0053ERVICE <{url}> {{ }} }}", False),
    ("long escaped keyword", "SELECT * {{ \\U00000053ERVICE <{url}> {{ }} }}", False),
    ("escape in the IRI", "SELECT * {{ SERVICE <{url_escaped}> {{ }} }}", True),
    ("comparison posing as an IRI", "SELECT * {{ BIND(1 AS ?a) FILTER(?a<=?a)SERVICE:x#>\n{{ }} }}", False),
    ("SILENT", "SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}", True),
    # the engine evaluates SERVICE ?e before a join binds ?e ("unbound"), but not under LATERAL
    ("variable bound by BIND", "SELECT * {{ BIND(<{url}> AS ?e) SERVICE ?e {{ }} }}", False),
    ("variable bound by VALUES", "SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ }} }}", False),
    ("variable bound by BIND, LATERAL", "SELECT * {{ BIND(<{url}> AS ?e) LATERAL {{ SERVICE ?e {{ }} }} }}", True),
    ("variable bound by VALUES, LATERAL", "SELECT * {{ VALUES ?e {{ <{url}> }} LATERAL {{ SERVICE ?e {{ }} }} }}", True),
    ("in OPTIONAL", "SELECT * {{ BIND(1 AS ?x) OPTIONAL {{ SERVICE <{url}> {{ }} }} }}", True),
    ("in MINUS", "SELECT * {{ BIND(1 AS ?x) MINUS {{ SERVICE <{url}> {{ BIND(1 AS ?x) }} }} }}", True),
    ("in EXISTS", "SELECT * {{ FILTER EXISTS {{ SERVICE <{url}> {{ }} }} }}", True),
    ("in NOT EXISTS", "SELECT * {{ FILTER NOT EXISTS {{ SERVICE <{url}> {{ }} }} }}", True),
    ("in UNION", "SELECT * {{ {{ }} UNION {{ SERVICE <{url}> {{ }} }} }}", True),
    ("in a subquery", "SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ }} }} }} }}", True),
    ("in GRAPH", "SELECT * {{ GRAPH ?g {{ ?s ?p ?o }} SERVICE <{url}> {{ }} }}", True),
    ("CONSTRUCT", "CONSTRUCT {{ <a> <b> <c> }} WHERE {{ SERVICE <{url}> {{ }} }}", True),
    ("ASK", "ASK {{ SERVICE <{url}> {{ }} }}", True),
    ("DESCRIBE", "DESCRIBE <a> WHERE {{ SERVICE <{url}> {{ }} }}", True),
]


def _query(template: str, listener: Listener) -> str:
    url = f"http://127.0.0.1:{listener.port}/sparql"
    return template.format(url=url, base=f"http://127.0.0.1:{listener.port}/",
                           url_escaped=url.replace("sparql", "\\u0073parql"))


def _send(endpoint: str, how: str, query: str) -> requests.Response:
    headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
    if how == "GET":
        return requests.get(endpoint, params={"query": query}, headers=headers, timeout=30)
    if how == "form-POST":
        return requests.post(endpoint, data={"query": query}, headers=headers, timeout=30)
    return requests.post(endpoint, data=query.encode(), timeout=30,
                         headers={**headers, "Content-Type": "application/sparql-query"})


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


def _serve(store, **environment):
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", **environment)
    process = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--store", str(store),
                                "--host", "127.0.0.1", "--port", str(port)], env=env)
    wait_for_port(port, process)
    return process, f"http://127.0.0.1:{port}/sparql"


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def allowing_endpoint(built_store):
    process, endpoint = _serve(built_store, RACEGRAPH_ALLOW_REMOTE_SERVICE="true")
    yield endpoint
    _stop(process)


@pytest.mark.parametrize("how", ["GET", "form-POST", "direct-POST"])
@pytest.mark.parametrize("name, template, reaches", CASES, ids=[case[0] for case in CASES])
def test_service_bypass_attempts_never_connect(live_server, listener, name, template, reaches, how):
    before = listener.count()
    response = _send(live_server + "sparql", how, _query(template, listener))
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text and "ALLOW_REMOTE_SERVICE" in response.text
    assert listener.count() == before, f"{name} ({how}) made the server connect out"


@pytest.mark.parametrize("name, template", [case[:2] for case in CASES if case[2]],
                         ids=[case[0] for case in CASES if case[2]])
def test_each_bypass_attempt_is_a_real_service_call_when_allowed(allowing_endpoint, listener, name, template):
    before = listener.count()
    response = _send(allowing_endpoint, "GET", _query(template, listener))
    assert response.status_code == 200, response.text
    assert listener.count() > before, f"{name} did not call the listener even with SERVICE allowed"


def test_a_malformed_remote_answer_is_502(allowing_endpoint):
    """A remote endpoint that answers something other than SPARQL results is the remote's fault: 502."""
    with socket.socket() as garbage:
        garbage.bind(("127.0.0.1", 0))
        garbage.listen(4)
        port = garbage.getsockname()[1]

        def answer():
            conn, _ = garbage.accept()
            with conn:
                conn.recv(65536)
                body = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": '
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        response = _send(allowing_endpoint, "GET", f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/> {{ }} }}")
        thread.join(10)
    assert response.status_code == 502, response.text
    assert "SERVICE call failed" in response.text


@pytest.mark.parametrize("query", [
    '# SERVICE <http://example.org/> { }\nSELECT * WHERE { ?s ?p ?o }',
    'SELECT * WHERE { ?s ?p ?o FILTER(?o != "SERVICE <http://example.org/sparql> { ?a ?b ?c }") }',
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "PREFIX ex: <http://example.org/SERVICE/> SELECT * WHERE { ?s ?p ex:service } LIMIT 1",
    "SELECT * WHERE { ?s ?p <http://example.org/service#x> } LIMIT 1",
])
def test_the_word_service_where_it_cannot_be_the_keyword_is_accepted(live_server, query):
    assert _send(live_server + "sparql", "GET", query).status_code == 200


# the CLI calls the gate the server calls (graph/query_gate.py), which the cases above try whole; these are
# one of each way in, run as a user would run them
CLI_CASES = [case for case in CASES if case[0] in {"plain", "glued prefix SERVICE:x", "1.2 LATERAL", "comment glued",
                                                     "escape in the IRI", "SILENT", "in EXISTS", "CONSTRUCT"}]


@pytest.mark.parametrize("name, template, reaches", CLI_CASES, ids=[case[0] for case in CLI_CASES])
def test_the_cli_refuses_bypass_attempts_without_connecting(built_store, listener, name, template, reaches):
    """`racegraph query` meets the same gate as the server: exit 2, a message, and no connection made."""
    before = listener.count()
    done = subprocess.run([sys.executable, "-m", "graph.cli", "query", "--store", str(built_store),
                           _query(template, listener)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "SERVICE" in done.stderr
    assert listener.count() == before, f"{name} made `racegraph query` connect out"


def test_the_cli_calls_the_service_when_the_operator_allows_it(built_store, listener):
    before = listener.count()
    done = subprocess.run([sys.executable, "-m", "graph.cli", "query", "--store", str(built_store),
                           "--allow-remote-service", _query(CASES[0][1], listener)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert listener.count() > before
