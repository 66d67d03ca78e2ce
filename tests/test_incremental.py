"""`racegraph add` and `racegraph remove`: an updated build is the build a full build would make.

One module-wide scenario keeps the suite quick (three real builds in all): the bundled articles and
the fixture families (tests/fixtures) are built whole, and built without the 2006 variant article,
whose spellings change preferred labels in two other articles. Adding that article must give the
whole build, quad for quad; removing it again must give the build without it.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import free_port, wait_for_port
from graph.build import build_graph
from graph.cli import cli
from graph.paths import BUNDLED_ARTICLES
from graph.store import open_store
from graph.store_dir import builds_folder

FIXTURES = Path(__file__).parent / "fixtures"
CURATION = FIXTURES / "variants" / "curation.toml"
ADDED = "2006-24-hours-of-le-mans.en.txt"
ADDED_EVENT = "http://127.0.0.1:5000/id/event/2006-24-hours-of-le-mans"
# kept as they are in a full build; these three differ from build to build by nature
VARIABLE = {"build_id", "built_at", "update"}


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    """Every article in one folder, the order `racegraph build FOLDER` reads them in."""
    folder = tmp_path_factory.mktemp("articles") / "all"
    folder.mkdir()
    for source in [BUNDLED_ARTICLES, FIXTURES / "articles", FIXTURES / "variants", FIXTURES / "unmatched"]:
        for path in source.glob("*.txt"):
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def full_build(articles, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("full") / "graph"
    assert build_graph([articles], out, curation=CURATION).conforms
    return out


@pytest.fixture(scope="module")
def store_server(tmp_path_factory):
    """Oxigraph's SPARQL server, of this module alone (other modules' servers hold other builds)."""
    from store_servers import start_oxigraph

    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), free_port())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def partial_build(articles, store_server, tmp_path_factory) -> Path:
    """Every article but ADDED, built whole (the files in the order a folder build reads them) with
    `racegraph build --publish-to`, so the store server holds it too."""
    out = tmp_path_factory.mktemp("partial") / "graph"
    files = sorted(p for p in articles.glob("*.txt") if p.name != ADDED)
    result = invoke("build", *files, "--out", out, "--curation", CURATION,
                    "--publish-to", store_server.query_url, "--graph-store", store_server.graph_store_url)
    assert result.exit_code == 0, result.output
    assert "published " in result.output
    return out


def split_quads(quads) -> tuple[set[str], dict[str, Graph]]:
    """(quads without blank nodes as text, the quads with blank nodes as a Graph per graph name).

    The ontology's blank nodes (OWL lists) get new labels in every build, so they are compared up to
    renaming; every other quad is compared as it is."""
    plain, blank = set(), []
    for quad in quads:
        if any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object)):
            blank.append(quad)
        else:
            plain.add(str(quad))
    by_graph: dict[str, list] = {}
    for quad in blank:
        by_graph.setdefault(str(quad.graph_name), []).append(quad.triple)
    graphs = {name: Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
              for name, triples in by_graph.items()}
    return plain, graphs


def assert_same_quads(one, other) -> None:
    plain_one, blank_one = split_quads(one)
    plain_other, blank_other = split_quads(other)
    assert plain_one - plain_other == set() and plain_other - plain_one == set()
    assert blank_one.keys() == blank_other.keys()
    for name, graph in blank_one.items():
        assert isomorphic(graph, blank_other[name]), name


def build_info(folder: Path) -> dict:
    """build.json but what differs between any two builds."""
    info = json.loads((folder / "build.json").read_text(encoding="utf-8"))
    return {key: value for key, value in info.items() if key not in VARIABLE}


def assert_same_build(one: Path, other: Path) -> None:
    assert_same_quads(open_store(one).quads_for_pattern(None, None, None),
                      open_store(other).quads_for_pattern(None, None, None))
    assert build_info(one) == build_info(other)


def tree(build_dir: Path) -> dict:
    """Where the build link points and every byte under the builds folder: to prove nothing changed."""
    builds = builds_folder(build_dir)
    files = {str(p.relative_to(builds)): p.read_bytes() for p in sorted(builds.rglob("*")) if p.is_file()}
    return {"link": os.readlink(build_dir), "files": files}


@pytest.fixture(scope="module")
def partial_snapshot(partial_build, tmp_path_factory) -> Path:
    """A copy of the build without ADDED, to compare `remove` with."""
    copy = tmp_path_factory.mktemp("snapshot") / "graph"
    shutil.copytree(partial_build, copy, symlinks=False)
    return copy


@pytest.fixture(scope="module")
def added(partial_build, partial_snapshot, articles):
    result = invoke("add", articles / ADDED, "--store", partial_build)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.live
def test_add_under_a_live_server_switches_it_to_the_new_data(request, partial_build, partial_snapshot):
    """The first test of the module: the server is started on the build without ADDED, then the
    module's `add` runs under it."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--store", str(partial_build),
                                "--host", "127.0.0.1", "--port", str(port)])
    try:
        wait_for_port(port, process)
        root = f"http://127.0.0.1:{port}/"
        assert requests.get(root + "id/event/2006-24-hours-of-le-mans", timeout=30,
                            headers={"Accept": "application/n-triples"}).status_code == 404
        other = root + "id/event/2003-1000-km-of-le-mans"
        etag = requests.get(other, timeout=30, headers={"Accept": "application/n-triples"}).headers["ETag"]
        request.getfixturevalue("added")
        # the server moves to the new build between requests: the next request sees it
        back = requests.get(root + "id/event/2006-24-hours-of-le-mans", timeout=30,
                            headers={"Accept": "application/n-triples"})
        assert back.status_code == 200 and "2006 24 Hours of Le Mans" in back.text
        assert requests.get(other, timeout=30, headers={"Accept": "application/n-triples"}).headers["ETag"] != etag
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_add_of_one_article_gives_the_full_build_quad_for_quad(added, partial_build, full_build):
    assert_same_build(partial_build, full_build)
    with gzip.open(partial_build / "dumps" / "racegraph.nt.gz", "rt", encoding="utf-8") as dump:
        assert sum(1 for _ in dump) == build_info(partial_build)["statistics"]["triples"]  # dumps written anew



def update_state_files(folder: Path) -> dict[str, bytes]:
    root = folder / "update"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_update_state_is_the_same_when_events_are_built_in_worker_processes(articles, full_build, tmp_path):
    """Guards graph.pipeline's keep_record: each race's record (spellings, event, shape warnings) comes
    back from the pool's workers exactly as from the build's own process."""
    out = tmp_path / "graph"
    outcome = build_graph([articles], out, curation=CURATION, workers=2, batch_size=1)
    assert outcome.conforms and outcome.workers == 2
    assert update_state_files(out) == update_state_files(full_build)


def test_add_reconverts_only_the_articles_whose_labels_changed(added, partial_build):
    update = json.loads((partial_build / "build.json").read_text(encoding="utf-8"))["update"]
    assert update["added"] == [ADDED]
    # the 2006 table's spellings outnumber others for things the 2004 and 2005 articles name too;
    # the bundled 2003 race shares none of them, so it is neither converted nor validated again
    assert update["reconverted"] == ["2004-1000-km-of-nurburgring.en.txt", "2005-24-hours-of-le-mans.en.txt", ADDED]
    assert update["events_validated"] == 3
    assert "merged: " in added.output


def test_a_spelling_variant_changes_a_preferred_label_in_other_articles(added, partial_snapshot, partial_build):
    """Whatever label a thing had before the add, every article's graph now gives the new one only."""
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    before = {str(q.object) for q in open_store(partial_snapshot).quads_for_pattern(None, label, None)}
    after = {str(q.object) for q in open_store(partial_build).quads_for_pattern(None, label, None)}
    assert after - before  # new preferred labels appear ...
    assert before - after  # ... and some labels no article prefers any more are gone from every graph


def test_remove_of_an_unknown_event_exits_2_and_changes_nothing(added, partial_build):
    before = tree(partial_build)
    result = invoke("remove", "1901-gordon-bennett-cup", "--store", partial_build)
    assert result.exit_code == 2
    assert "no such event in this build: 1901-gordon-bennett-cup" in result.output
    assert tree(partial_build) == before


def test_add_to_a_build_without_update_state_exits_2(partial_snapshot, tmp_path):
    """A build written before builds kept their sources: `add` asks for one full build."""
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(partial_snapshot / "build.json", old / "build.json")
    shutil.copytree(partial_snapshot / "store", old / "store")
    result = invoke("add", FIXTURES / "variants" / ADDED, "--store", old)
    assert result.exit_code == 2
    assert "no update state" in result.output and f"racegraph build --out {old}" in result.output


def test_failed_add_of_an_unreadable_article_leaves_the_build_byte_identical(added, partial_build, tmp_path):
    bad = tmp_path / "2007-bad.en.txt"
    text = (BUNDLED_ARTICLES / "2003-1000-km-of-le-mans.en.txt").read_text(encoding="utf-8")
    bad.write_text(text.replace("| Audi R8 | | 208 |", "| Audi R8 | | lots |").replace("2003", "2007"),
                   encoding="utf-8")
    before = tree(partial_build)
    result = invoke("add", bad, "--store", partial_build)
    assert result.exit_code == 2
    assert f"{bad}:" in result.output and "expected laps as a whole number" in result.output
    assert tree(partial_build) == before


def test_add_of_a_second_article_for_one_event_exits_2_and_changes_nothing(added, partial_build, tmp_path):
    """As a full build of both would: one article per event (a new file name is not a replacement)."""
    copy = tmp_path / "le-mans-2006-again.en.txt"
    shutil.copy(FIXTURES / "variants" / ADDED, copy)
    before = tree(partial_build)
    result = invoke("add", copy, "--store", partial_build)
    assert result.exit_code == 2
    assert f"{copy}:1: expected one article per event" in result.output and ADDED in result.output
    assert tree(partial_build) == before


def test_add_that_violates_a_shared_resource_exits_1_and_changes_nothing(added, partial_build, tmp_path):
    """The new article alone conforms; what it says of a shared circuit contradicts the other articles."""
    other = tmp_path / "2009-1000-km-of-nurburgring.en.txt"
    text = (FIXTURES / "articles" / "2004-1000-km-of-nurburgring.en.txt").read_text(encoding="utf-8")
    other.write_text(text.replace("2004", "2009").replace("at the Nürburgring near Nürburg, Germany",
                                                          "at the Bugatti Circuit near Arnage, France"),
                     encoding="utf-8")
    before = tree(partial_build)
    result = invoke("add", other, "--store", partial_build)
    assert result.exit_code == 1, result.output
    assert "violation: http://127.0.0.1:5000/id/circuit/bugatti-circuit:" in result.output
    assert tree(partial_build) == before


def test_add_and_remove_publish_to_send_the_changed_graphs_to_a_real_oxigraph_server(
        partial_snapshot, store_server, tmp_path):
    """The server holds the build without ADDED (`build --publish-to`); a copy of that build is updated
    with `--publish-to`, and the server must then hold what the updated build holds."""
    store = tmp_path / "store"
    shutil.copytree(partial_snapshot, store)  # the build without ADDED, with a build history of its own
    assert_same_quads(served_quads(store_server), open_store(store).quads_for_pattern(None, None, None))
    where = ["--publish-to", store_server.query_url, "--graph-store", store_server.graph_store_url]
    result = invoke("add", FIXTURES / "variants" / ADDED, "--store", store, *where)
    assert result.exit_code == 0, result.output
    update = json.loads((store / "build.json").read_text(encoding="utf-8"))["update"]
    assert f"published {len(update['changed_graphs'])} changed graphs" in result.output
    assert len(update["changed_graphs"]) < sum(1 for _ in open_store(store).named_graphs())
    assert_same_quads(served_quads(store_server), open_store(store).quads_for_pattern(None, None, None))
    result = invoke("remove", "2006-24-hours-of-le-mans", "--store", store, *where)
    assert result.exit_code == 0, result.output
    assert "deleted 2" in result.output  # its article graph and its derived graph
    assert_same_quads(served_quads(store_server), open_store(store).quads_for_pattern(None, None, None))


def test_query_store_url_asks_the_store_server(partial_snapshot, store_server):
    """`racegraph query --store-url` answers from the server; the folder gives only build.json."""
    text = "SELECT ?title WHERE { ?e a rg:RaceEvent ; rdfs:label ?title FILTER(LANG(?title) = 'en') } ORDER BY ?title"
    local = invoke("query", "--store", partial_snapshot, "--format", "csv", text)
    remote = invoke("query", "--store", partial_snapshot, "--store-url", store_server.query_url, "--format", "csv", text)
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert remote.output == local.output and "2005 24 Hours of Le Mans" in remote.output
    stopped = invoke("query", "--store", partial_snapshot, "--store-url", f"http://127.0.0.1:{free_port()}/query", text)
    assert stopped.exit_code == 2 and "error:" in stopped.output


def test_remove_gives_the_build_without_that_article(added, partial_build, partial_snapshot):
    """The last test of the module: it takes ADDED out again, by its event IRI, keeping the dumps."""
    before = json.loads((partial_build / "build.json").read_text(encoding="utf-8"))
    dumps = {path.name: path.read_bytes() for path in (partial_build / "dumps").iterdir()}
    result = invoke("remove", ADDED_EVENT, "--store", partial_build, "--defer-dumps")
    assert result.exit_code == 0, result.output
    assert {path.name: path.read_bytes() for path in (partial_build / "dumps").iterdir()} == dumps
    after = json.loads((partial_build / "build.json").read_text(encoding="utf-8"))
    assert after["update"]["dumps_of_build"] == before["build_id"] != after["build_id"]
    assert_same_build(partial_build, partial_snapshot)


def served_quads(server) -> list:
    """Everything the Oxigraph server holds, default graph included (GET on its Graph Store)."""
    answer = requests.get(server.graph_store_url, headers={"Accept": "application/n-quads"}, timeout=60)
    answer.raise_for_status()
    return list(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS))
