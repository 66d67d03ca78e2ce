"""Shared fixtures: a real build of the bundled articles, the Flask app on it, and a live server."""

from __future__ import annotations

import contextlib
import os
import shutil
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


STORE_KINDS = ("embedded", "oxigraph", "virtuoso")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """Oxigraph's own SPARQL server on a free port, with an empty database."""
    from store_servers import start_oxigraph

    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """Virtuoso Open Source on free ports, with a fresh database (CI installs Debian's package)."""
    from store_servers import start_virtuoso, virtuoso_installed

    if not virtuoso_installed():
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is not installed; .ci/run installs Debian's virtuoso-opensource")
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def published_stores(request, built_store):
    """kind -> app settings of the bundled build in that store; servers start (and get the build) on first use."""
    from graph.publish import publish_build

    settings: dict[str, dict] = {"embedded": {}}

    def settings_for(kind: str) -> dict:
        if kind not in settings:
            server = request.getfixturevalue(f"{kind}_server")
            publish_build(built_store, graph_store=server.graph_store_url, query_endpoint=server.query_url,
                          default_graph=server.default_graph, auth=server.auth)
            settings[kind] = server.app_settings()
        return settings[kind]

    return settings_for


@pytest.fixture(params=STORE_KINDS)
def store_kind(request) -> str:
    """Each page, API and linked-data test runs on the embedded store and on each real SPARQL server."""
    return request.param


@pytest.fixture
def app(built_store, store_kind, published_stores):
    from server import create_app

    from server.query_runner import close_pools

    application = create_app({"TESTING": True, "STORE": str(built_store), **published_stores(store_kind)})
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@contextlib.contextmanager
def headless_chromium(profile: Path, *, window: str, extra: tuple[str, ...] = ()):
    """Debian's Chromium driven by Selenium, with a fresh profile and no background networking
    (this machine's closed network refuses it); quit and its profile removed on exit."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", f"--window-size={window}", *extra):
        options.add_argument(argument)
    profile.mkdir(parents=True, exist_ok=True)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
