"""The answers a server process keeps (server.response_cache): given again whole and unchanged, never with
another visitor's cookie, never across builds, and not at all when turned off."""

from __future__ import annotations

import pytest

from graph.build import build_graph
from graph.paths import BUNDLED_ARTICLES
from graph.uris import DEFAULT_BASE
from server import create_app
from server.query_runner import close_pools
from server.response_cache import EXTENSION

KEPT_PATHS = ["/page/driver/tom-kristensen", "/page/driver/tom-kristensen.json", "/data/driver/tom-kristensen.ttl",
              "/page/event", "/", "/search?q=kristensen", "/.well-known/void.ttl", "/ontology",
              "/api/drivers?limit=5", "/api/drivers.csv?limit=5", "/api/drivers/tom-kristensen/results?position=1",
              "/api/events/2003-1000-km-of-le-mans/results",
              "/fragments?subject=http%3A%2F%2F127.0.0.1%3A5000%2Fid%2Fdriver%2Ftom-kristensen",
              "/fragments.html?predicate=http%3A%2F%2Fwww.w3.org%2F2000%2F01%2Frdf-schema%23label"]


@pytest.fixture
def embedded_app(built_store):
    application = create_app({"TESTING": True, "STORE": str(built_store)})
    yield application
    close_pools(application)


@pytest.mark.parametrize("path", KEPT_PATHS)
def test_kept_answer_is_the_answer_made(embedded_app, path):
    client = embedded_app.test_client()
    cache = embedded_app.extensions[EXTENSION]
    first = client.get(path)
    assert first.status_code == 200
    held_after_first = cache.held
    assert held_after_first >= 1
    second = client.get(path)
    assert cache.held == held_after_first  # given from the cache, not made and kept again
    assert second.data == first.data
    for header in ("Content-Type", "ETag", "Vary", "Cache-Control", "Last-Modified", "Link"):
        assert second.headers.get(header) == first.headers.get(header), header


def test_api_list_formats_and_pages_are_kept_apart(embedded_app):
    client = embedded_app.test_client()
    first = client.get("/api/drivers?limit=2")
    second = client.get("/api/drivers?limit=2&offset=2")
    csv = client.get("/api/drivers?limit=2", headers={"Accept": "text/csv"})
    assert first.json["drivers"] != second.json["drivers"] and first.json["total"] == second.json["total"]
    assert csv.mimetype == "text/csv" and first.mimetype == "application/json"
    assert len({first.headers["ETag"], second.headers["ETag"], csv.headers["ETag"]}) == 3
    assert client.get("/api/drivers?limit=2").data == first.data


def test_each_representation_is_kept_apart(embedded_app):
    client = embedded_app.test_client()
    english = client.get("/page/driver/tom-kristensen", headers={"Accept-Language": "en"})
    spanish = client.get("/page/driver/tom-kristensen", headers={"Accept-Language": "es"})
    turtle = client.get("/page/driver/tom-kristensen", headers={"Accept": "text/turtle"})
    assert 'lang="en"' in english.get_data(as_text=True)
    assert 'lang="es"' in spanish.get_data(as_text=True)
    assert turtle.mimetype == "text/turtle"
    assert len({english.headers["ETag"], spanish.headers["ETag"], turtle.headers["ETag"]}) == 3
    again = client.get("/page/driver/tom-kristensen", headers={"Accept-Language": "es"})
    assert again.data == spanish.data


def test_kept_answer_carries_no_other_visitors_cookie(embedded_app):
    chooser = embedded_app.test_client()
    chosen = chooser.get("/page/driver/tom-kristensen?lang=es")
    assert "lang=es" in chosen.headers.get("Set-Cookie", "")
    already_chosen = embedded_app.test_client()
    already_chosen.set_cookie("lang", "es")
    kept = already_chosen.get("/page/driver/tom-kristensen?lang=es")
    assert kept.data == chosen.data
    assert "Set-Cookie" not in kept.headers  # the first visitor's cookie was not kept with the page


def test_unsupported_language_notice_is_not_given_to_others(embedded_app):
    client = embedded_app.test_client()
    noticed = client.get("/ontology?lang=fr").get_data(as_text=True)
    plain = client.get("/ontology").get_data(as_text=True)
    assert "fr" in noticed and noticed != plain


def test_errors_are_not_kept(embedded_app):
    client = embedded_app.test_client()
    assert client.get("/page/driver/nobody-at-all").status_code == 404
    assert embedded_app.extensions[EXTENSION].held == 0


def test_new_build_is_never_answered_from_the_old_ones_copies(tmp_path):
    """A build swapped in under a running app: its pages are made anew (every tag names the build)."""
    folder = tmp_path / "graph"
    assert build_graph([BUNDLED_ARTICLES], folder, base_uri=DEFAULT_BASE).conforms
    application = create_app({"TESTING": True, "STORE": str(folder)})
    try:
        client = application.test_client()
        before = client.get("/page/event")
        assert before.status_code == 200
        assert build_graph([BUNDLED_ARTICLES], folder, base_uri=DEFAULT_BASE).conforms
        after = client.get("/page/event")
        assert after.status_code == 200
        assert after.headers["ETag"] != before.headers["ETag"]
        assert application.extensions[EXTENSION].held == 1  # the new build's copy; the old build's are gone
    finally:
        close_pools(application)


def test_turned_off_keeps_nothing(built_store):
    application = create_app({"TESTING": True, "STORE": str(built_store), "RESPONSE_CACHE_BYTES": 0})
    try:
        client = application.test_client()
        assert client.get("/page/driver/tom-kristensen").status_code == 200
        assert application.extensions[EXTENSION] is None
    finally:
        close_pools(application)
