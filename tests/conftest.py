"""Shared fixtures: a real build of the bundled articles, the Flask app on it, and a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.paths import BUNDLED_ARTICLES
from graph.uris import DEFAULT_BASE

REPO = Path(__file__).resolve().parent.parent  # the checkout: for tools run from it (vocabgen, gunicorn)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The bundled articles built once per test session with the default base URI."""
    from graph.build import build_graph

    out = tmp_path_factory.mktemp("build") / "graph"
    outcome = build_graph([BUNDLED_ARTICLES], out, base_uri=DEFAULT_BASE)
    assert outcome.conforms, outcome.summary()
    return out


@pytest.fixture
def app(built_store):
    from server import create_app

    from server.query_runner import close_pools

    application = create_app({"TESTING": True, "STORE": str(built_store)})
    yield application
    close_pools(application)  # its query and store worker processes


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on 127.0.0.1:{port} within {timeout}s")


@pytest.fixture(scope="session")
def live_server(built_store):
    """A real `racegraph serve` on 127.0.0.1; yields its root URL (ending in '/')."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "graph.cli", "serve", "--store", str(built_store),
         "--host", "127.0.0.1", "--port", str(port)],
        env=env,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def parse_rdf(client, body: bytes, rdflib_format: str, *, dataset: bool = False):
    """An RDF document parsed with rdflib. A JSON-LD document names its @context by URL under the build's
    base (http://127.0.0.1:5000/context.jsonld), which no test serves at that address, so the context is
    read from `client` (a Flask test client) and put in its place."""
    import json

    from rdflib import Dataset, Graph

    target = Dataset() if dataset else Graph()
    if rdflib_format != "json-ld":
        return target.parse(data=body, format=rdflib_format)
    document = json.loads(body)
    assert document["@context"].endswith("/context.jsonld"), document["@context"]
    document["@context"] = client.get("/context.jsonld").get_json()["@context"]
    return target.parse(data=json.dumps(document), format="json-ld")
