"""racegraph as installed: package data, the working directory, and the commands run as a user runs them.

The commands run as real subprocesses of the installed `racegraph` script, from folders outside the
checkout. The wheel itself (built, installed into a fresh venv, used from an empty folder) is
exercised by .ci/wheel-smoke, which the `wheel`-marked test here runs too.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import requests

from conftest import REPO, free_port, wait_for_port
from graph.paths import BUNDLED_ARTICLES, ONTOLOGY_FILE, SHAPES_DIR, default_store_dir
from graph.uris import DEFAULT_BASE

RACEGRAPH = Path(sys.executable).with_name("racegraph")
DECOY = 'raise SystemExit("a decoy in the working directory was imported instead of racegraph")\n'
SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def run(*args, cwd: Path, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"RACEGRAPH_STORE", "PYTHONPATH"}}
    return subprocess.run([str(RACEGRAPH), *map(str, args)], cwd=cwd, env={**environment, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def package_folder_in_checkout(package: str) -> Path:
    mapped = SETUPTOOLS.get("package-dir", {})
    return REPO / mapped[package] if package in mapped else REPO.joinpath(*package.split("."))


# --- what the wheel carries -----------------------------------------------------------------------

def test_every_file_of_the_shipped_folders_is_package_data():
    """A folder of the packages missing from pyproject.toml, or a file no pattern matches, would be left
    out of the wheel (and setuptools warns); here it fails with the folder or file to add."""
    packages = SETUPTOOLS["packages"]
    patterns = SETUPTOOLS["package-data"]
    folders = {package_folder_in_checkout(p): p for p in packages}
    unlisted, unmatched = [], []
    for folder, package in folders.items():
        for path in sorted(folder.rglob("*")):
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            if path.is_dir():
                if path not in folders:
                    unlisted.append(str(path.relative_to(REPO)))
            elif path.parent == folder and path.suffix != ".py":
                if not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns.get(package, [])):
                    unmatched.append(str(path.relative_to(REPO)))
    assert not unlisted, f"folders to list in [tool.setuptools] packages: {unlisted}"
    assert not unmatched, f"files no [tool.setuptools.package-data] pattern ships: {unmatched}"


def test_data_is_read_through_the_packages():
    assert ONTOLOGY_FILE == package_folder_in_checkout("ontology") / "racegraph.ttl" and ONTOLOGY_FILE.is_file()
    assert SHAPES_DIR == package_folder_in_checkout("shapes") and sorted(SHAPES_DIR.glob("*.ttl"))
    assert BUNDLED_ARTICLES == package_folder_in_checkout("graph.bundled_articles") == REPO / "data" / "articles"
    assert sorted(p.name for p in BUNDLED_ARTICLES.glob("*.txt")) == [
        "2003-1000-km-of-le-mans.en.txt", "2003-1000-km-of-le-mans.es.txt"]


def test_a_checkout_that_is_not_installed_says_how_to_install(tmp_path):
    """The mapped data packages exist only once installed; a bare checkout on PYTHONPATH says so."""
    bare = subprocess.run([sys.executable, "-S", "-c", "import graph.paths"], cwd=tmp_path, capture_output=True,
                          text=True, env={"PYTHONPATH": str(REPO), "PATH": os.environ["PATH"]})
    assert bare.returncode == 1
    assert "RuntimeError: racegraph's data package graph.bundled_articles is missing" in bare.stderr
    assert "`pip install .`, or `make install`" in bare.stderr


def test_default_store_is_var_graph_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("RACEGRAPH_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_store_dir() == tmp_path / "var" / "graph"
    monkeypatch.setenv("RACEGRAPH_STORE", "")  # set but empty: as if unset
    assert default_store_dir() == tmp_path / "var" / "graph"
    monkeypatch.setenv("RACEGRAPH_STORE", str(tmp_path / "elsewhere"))
    assert default_store_dir() == tmp_path / "elsewhere"


# --- the commands, from a folder full of decoys ---------------------------------------------------

@pytest.fixture(scope="module")
def decoy_folder(tmp_path_factory) -> Path:
    """A working directory whose server.py, server/ and graph/ would stop any process that imported them."""
    folder = tmp_path_factory.mktemp("decoys")
    (folder / "server.py").write_text(DECOY)
    for package in ("server", "graph", "ontology", "shapes"):
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text(DECOY)
    return folder


@pytest.fixture(scope="module")
def build_here(decoy_folder) -> subprocess.CompletedProcess:
    """`racegraph build` with no options, run in the decoy folder."""
    result = run("build", cwd=decoy_folder)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def built_here(build_here, decoy_folder) -> Path:
    return decoy_folder / "var" / "graph"


@pytest.mark.live
def test_build_writes_var_graph_under_the_working_directory(built_here, decoy_folder):
    info = json.loads((built_here / "build.json").read_text(encoding="utf-8"))
    assert info["counts"]["events"] == 1 and info["counts"]["entries"] == 37
    assert not (REPO / "graph" / "var").exists() and not (Path(sys.prefix) / "var" / "graph").exists()


@pytest.mark.live
def test_validate_results_and_query_use_the_working_directory_store(built_here, decoy_folder):
    assert run("validate", cwd=decoy_folder).returncode == 0
    (event,) = json.loads(run("results", cwd=decoy_folder).stdout)
    assert len(event["entries"]) == 37
    count = run("query", "--format", "csv", "SELECT (COUNT(?e) AS ?n) WHERE { ?e a rg:Entry }", cwd=decoy_folder)
    assert count.stdout.split() == ["n", "37"], count.stderr


@pytest.mark.live
def test_query_workers_are_not_shadowed_by_the_working_directory(built_here, decoy_folder):
    """The server's query workers are fresh interpreters; started with the cwd first on sys.path (the
    default for `python -m`) they imported the decoys and every SPARQL query failed."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in {"RACEGRAPH_STORE", "PYTHONPATH"}}
    process = subprocess.Popen([str(RACEGRAPH), "serve", "--port", str(port)],
                               cwd=decoy_folder, env=environment, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process)
        answer = requests.get(f"http://127.0.0.1:{port}/sparql",
                              params={"query": "SELECT (COUNT(?e) AS ?n) WHERE { ?e a rg:Entry }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"][0]["n"]["value"] == "37"
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert "a decoy in the working directory was imported" not in errors


# --- found on the way -----------------------------------------------------------------------------

@pytest.mark.parametrize(("output_format", "expected"), [
    ("table", "true\n"), ("json", '{"head":{},"boolean":true}\n'), ("csv", "true\n"), ("tsv", "true\n")])
def test_query_ask_prints_its_answer_in_every_format(built_store, tmp_path, output_format, expected):
    """`racegraph query 'ASK {…}'` crashed with AttributeError in the default table format."""
    result = run("query", "--store", built_store, "--format", output_format, "ASK { ?e a rg:Entry }", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")
    result = run("query", "--store", built_store, "ASK { ?e a rg:NoSuchClass }", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "false\n")


def test_build_of_translations_alone_exits_2_and_writes_nothing(tmp_path):
    """A build with zero events used to "conform": every shape holds for an empty graph."""
    translation = BUNDLED_ARTICLES / "2003-1000-km-of-le-mans.es.txt"
    result = run("build", translation, "--out", tmp_path / "graph", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{translation}: a translation (es) needs its race article in the same build" in result.stderr
    assert "expected at least one race article" in result.stderr
    assert not (tmp_path / "graph").exists() and "conforms" not in result.stdout


@pytest.mark.live
def test_build_json_lists_every_warning_the_build_printed(build_here, built_here):
    """build.json listed no warnings while `racegraph build` printed the seed's threshold warning."""
    printed = [line.removeprefix("warning: ") for line in build_here.stderr.splitlines() if line.startswith("warning: ")]
    info = json.loads((built_here / "build.json").read_text(encoding="utf-8"))
    assert any("Car #4 is classified (position 29) but completed 144 laps" in w for w in printed)
    assert info["warnings"] == printed


def test_make_serve_mints_uris_at_its_own_host_and_port():
    """`make serve PORT=5101` built every URI at port 5000, so each link left the server."""
    dry_run = subprocess.run(["make", "-n", "serve", "PORT=5101", "STAMP=/dev/null"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout
    assert "racegraph build --base-uri http://127.0.0.1:5101/" in dry_run
    assert "racegraph serve --host 127.0.0.1 --port 5101" in dry_run


@pytest.mark.live
def test_serve_warns_when_the_graph_was_built_for_another_local_address(built_store, tmp_path):
    port = free_port()
    process = subprocess.Popen([str(RACEGRAPH), "serve", "--store", str(built_store), "--port", str(port)],
                               cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert (f"warning: the graph's URIs start with {DEFAULT_BASE} (its build's --base-uri), not "
            f"http://127.0.0.1:{port}/") in errors
    assert f"racegraph build --base-uri http://127.0.0.1:{port}/" in errors


# --- the wheel ------------------------------------------------------------------------------------

@pytest.mark.wheel
def test_the_wheel_works_from_an_empty_folder():
    """Build the wheel, install it into a fresh venv, and run every command from an empty folder."""
    result = subprocess.run(["bash", str(REPO / ".ci" / "wheel-smoke")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    assert re.search(r"^== wheel smoke \(\d+s\): passed$", result.stderr, re.M), result.stderr[-2000:]
