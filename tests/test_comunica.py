"""Comunica (@comunica/query-sparql 4, the reference Linked Data Fragments client) queries a live
racegraph server through its Triple Pattern Fragments (`/fragments`, found by following the Hydra
controls) and through its SPARQL endpoint; both answers must equal the endpoint's own answers.

Needs Node.js; the npm packages come from tests/js/package-lock.json (`npm ci`, which .ci/run does and
this module does too when they are missing). Skipped only where there is no `node` at all.

tests/js/package.json overrides sparqljson-parse to 2.2.0: Comunica 4.5 hands its rdf-data-factory 1.x
to sparqljson-parse 3.x, which passes `{language, direction}` where 1.x expects a string, so every
language tag read from a SPARQL endpoint's JSON results was lost (this test caught it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import requests

from graph.uris import DEFAULT_BASE, ONTOLOGY_NS

pytestmark = pytest.mark.live

JS = Path(__file__).parent / "js"
RG = ONTOLOGY_NS
EVENT = DEFAULT_BASE + "id/event/2003-1000-km-of-le-mans"
DRIVER = DEFAULT_BASE + "id/driver/tom-kristensen"
XSD = "http://www.w3.org/2001/XMLSchema#"

QUERIES = {
    "cars of a race (join over many fragments)": f"""
        SELECT ?entry ?no ?laps WHERE {{ ?entry <{RG}event> <{EVENT}> ; <{RG}carNumber> ?no ; <{RG}laps> ?laps }}""",
    "a driver's races": f"""
        SELECT ?event ?date WHERE {{ ?entry <{RG}driver> <{DRIVER}> ; <{RG}event> ?event . ?event <{RG}date> ?date }}""",
    "labels in two languages": f"""
        SELECT ?label WHERE {{ <{EVENT}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}""",
    "a typed literal as the object": f"""
        SELECT ?entry WHERE {{ ?entry <{RG}laps> "208"^^<{XSD}integer> }}""",
    "an optional part": f"""
        SELECT ?no ?pos WHERE {{ ?entry <{RG}event> <{EVENT}> ; <{RG}carNumber> ?no .
                               OPTIONAL {{ ?entry <{RG}position> ?pos }} }}""",
    "every label (many pages of one fragment)": """
        SELECT ?thing ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }""",
    "a filter": f"""
        SELECT ?entry ?laps WHERE {{ ?entry <{RG}laps> ?laps FILTER(?laps > 200) }}""",
}


@pytest.fixture(scope="module")
def comunica() -> Path:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: the Comunica tests need `node`")
    if not (JS / "node_modules" / "@comunica" / "query-sparql").is_dir():
        npm = shutil.which("npm")
        assert npm, "node is here but npm is not: install npm (Debian: apt-get install npm) so tests/js can be set up"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=600)
    return JS / "run-queries.mjs"


def run_comunica(script: Path, tmp_path: Path, source: dict, queries: list[str]) -> list[list[dict]]:
    jobs = tmp_path / "jobs.json"
    jobs.write_text(json.dumps([{"source": source, "query": query} for query in queries]))
    done = subprocess.run(["node", str(script), str(jobs)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def normalised(term: dict) -> tuple:
    """A SPARQL JSON term or Comunica's as one comparable tuple (xsd:string written or not is the same)."""
    kind = {"typed-literal": "literal"}.get(term["type"], term["type"])
    datatype = term.get("datatype")
    if datatype == XSD + "string":
        datatype = None
    return (kind, term["value"], (term.get("xml:lang") or term.get("language") or "").lower(), datatype or "")


def as_multiset(rows: list[dict]) -> Counter:
    return Counter(tuple(sorted((name, normalised(term)) for name, term in row.items())) for row in rows)


def endpoint_answers(root: str, query: str) -> list[dict]:
    response = requests.get(root + "sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=60)
    response.raise_for_status()
    return response.json()["results"]["bindings"]


@pytest.fixture(scope="module")
def expected(live_server) -> dict[str, Counter]:
    found = {name: as_multiset(endpoint_answers(live_server, query)) for name, query in QUERIES.items()}
    assert all(found.values()), "every query must have answers, or agreeing proves nothing"
    assert sum(found["every label (many pages of one fragment)"].values()) > 100  # more than a page
    return found


def test_comunica_over_triple_pattern_fragments_agrees_with_the_endpoint(comunica, live_server, expected, tmp_path):
    answers = run_comunica(comunica, tmp_path, {"value": live_server + "fragments"}, list(QUERIES.values()))
    for name, rows in zip(QUERIES, answers):
        assert as_multiset(rows) == expected[name], name


def test_comunica_over_the_sparql_endpoint_agrees_with_the_endpoint(comunica, live_server, expected, tmp_path):
    answers = run_comunica(comunica, tmp_path, {"type": "sparql", "value": live_server + "sparql"},
                           list(QUERIES.values()))
    for name, rows in zip(QUERIES, answers):
        assert as_multiset(rows) == expected[name], name
