"""The `racegraph` command line: the contract other tools rely on (output shapes and exit codes)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from graph.cli import cli
from graph.paths import BUNDLED_ARTICLES

SEED = BUNDLED_ARTICLES / "2003-1000-km-of-le-mans.en.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "articles"
TITLE = "2003 1000 km of Le Mans"


def invoke(runner, *args, input=None):
    return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes, to prove a failed build changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def table_lines(entry: dict) -> list[str]:
    """The two lines the article's table gives one car, rebuilt from the results JSON."""
    flagged = lambda pairs: " ".join(f"{code} {name}" for code, name in pairs)  # noqa: E731
    laps = "-" if entry["laps"] is None else str(entry["laps"])
    first = (f"| {entry['pos']} | {entry['class']} | {entry['no']} | {flagged(entry['teams'])} | "
             f"{flagged(entry['drivers'])} | {entry['chassis']} | {entry['tyre']} | {laps} |")
    return [first.replace("|  |", "| |"), f"| {entry['engine']} | | | | | | | |"]


def article_table_rows(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("| Engine | | | | | | | |") + 1
    return [line for line in lines[start:] if line.startswith("|")]


def test_results_reproduce_every_row_of_the_seed_table(runner, built_store):
    result = invoke(runner, "results", "--store", built_store)
    assert result.exit_code == 0
    (event,) = json.loads(result.output)
    assert (event["title"], event["date"]) == (TITLE, "2003-11-09")
    rebuilt = [line for entry in event["entries"] for line in table_lines(entry)]
    assert rebuilt == article_table_rows(SEED)
    assert len(event["entries"]) == 37


@pytest.fixture(scope="module")
def family_build(tmp_path_factory) -> Path:
    """The bundled articles and the test family (other year, three teams on a car, tyres, every status)."""
    from graph.build import build_graph

    out = tmp_path_factory.mktemp("family") / "graph"
    assert build_graph([BUNDLED_ARTICLES, FIXTURES], out).conforms
    return out


def test_results_reproduce_every_row_of_a_family_article(runner, family_build):
    article = FIXTURES / "2004-1000-km-of-nurburgring.en.txt"
    result = invoke(runner, "results", "--store", family_build, "2004 1000 km of Nürburgring")
    (event,) = json.loads(result.output)
    assert event["date"] == "2004-09-05"
    rebuilt = [line for entry in event["entries"] for line in table_lines(entry)]
    assert rebuilt == article_table_rows(article)


def test_results_field_types(runner, built_store):
    (event,) = json.loads(invoke(runner, "results", "--store", built_store).output)
    by_number = {entry["no"]: entry for entry in event["entries"]}
    assert by_number["5"]["laps"] == 208 and by_number["31"]["laps"] is None
    assert by_number["31"]["teams"] == [["GBR", "RJ Cole"], ["GBR", "Xero Competition"]]
    assert by_number["5"]["tyre"] == ""
    assert list(by_number["5"]) == ["pos", "class", "no", "teams", "drivers", "chassis", "engine", "tyre", "laps"]


def test_results_by_title_and_by_uri(runner, built_store):
    by_title = json.loads(invoke(runner, "results", "--store", built_store, TITLE).output)
    uri = "http://127.0.0.1:5000/id/event/2003-1000-km-of-le-mans"
    by_uri = json.loads(invoke(runner, "results", "--store", built_store, uri).output)
    assert by_title == by_uri and len(by_title) == 1


def test_results_unknown_event_exits_2(runner, built_store):
    result = invoke(runner, "results", "--store", built_store, "1999 Imaginary Race")
    assert result.exit_code == 2
    assert "no event with the URI or English title '1999 Imaginary Race'" in result.output


def test_commands_on_a_missing_store_exit_2(runner, tmp_path):
    for command in ("results", "validate"):
        result = invoke(runner, command, "--store", tmp_path / "nothing")
        assert result.exit_code == 2
        assert "run `racegraph build --out" in result.output


def test_query_formats(runner, built_store):
    text = "SELECT ?name WHERE { ?d a rg:Driver ; rdfs:label ?name } ORDER BY ?name LIMIT 3"
    as_json = json.loads(invoke(runner, "query", "--store", built_store, "--format", "json", text).output)
    names = [b["name"]["value"] for b in as_json["results"]["bindings"]]
    assert names == sorted(names) and len(names) == 3
    as_csv = list(csv.reader(io.StringIO(invoke(runner, "query", "--store", built_store, "--format", "csv", text).output)))
    assert as_csv[0] == ["name"] and [row[0] for row in as_csv[1:]] == names
    as_tsv = invoke(runner, "query", "--store", built_store, "--format", "tsv", text).output.splitlines()
    assert as_tsv[0] == "?name" and len(as_tsv) == 4
    table = invoke(runner, "query", "--store", built_store, text).output
    assert names[0] in table and "3 rows" in table


def test_query_from_file_and_stdin(runner, built_store, tmp_path):
    query_file = tmp_path / "count.rq"
    query_file.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?e a rg:Entry }", encoding="utf-8")
    from_file = json.loads(invoke(runner, "query", "--store", built_store, "--format", "json", f"@{query_file}").output)
    assert from_file["results"]["bindings"][0]["n"]["value"] == "37"
    from_stdin = invoke(runner, "query", "--store", built_store, "--format", "json", "-", input="ASK { ?e a rg:Entry }")
    assert json.loads(from_stdin.output)["boolean"] is True


def test_query_construct_prints_turtle(runner, built_store):
    result = invoke(runner, "query", "--store", built_store,
                    "CONSTRUCT { ?d rdfs:label ?n } WHERE { ?d a rg:Driver ; rdfs:label ?n } LIMIT 2")
    from rdflib import Graph
    assert len(Graph().parse(data=result.output, format="turtle")) == 2


def test_query_syntax_error_exits_2_with_position(runner, built_store):
    result = invoke(runner, "query", "--store", built_store, "SELECT ?x WHERE { ?x a rg:Entry")
    assert result.exit_code == 2
    assert "SPARQL syntax error" in result.output and "1:" in result.output


def test_validate_existing_build_conforms(runner, built_store):
    result = invoke(runner, "validate", "--store", built_store)
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output
    # the seed classifies car #4 below its own 75% rule: reported as a warning, not a violation
    assert "warning: " in result.output and "Car #4 is classified" in result.output
    assert "violation: " not in result.output


def test_every_command_has_help(runner):
    for command in ("build", "validate", "query", "results", "serve"):
        result = invoke(runner, command, "--help")
        assert result.exit_code == 0
        assert "--store" in result.output or "--out" in result.output


@pytest.fixture
def previous_build(tmp_path, built_store) -> Path:
    out = tmp_path / "graph"
    shutil.copytree(built_store, out)
    return out


@pytest.mark.parametrize("damage, message", [
    (lambda text: text.replace("| Audi R8 | | 208 |", "| Audi R8 | | lots |"), "expected laps as a whole number"),
    (lambda text: text.replace("| NC | GT | 48 |", "| RET | GT | 48 |"), "expected a position number"),
    (lambda text: text[: text.index("| Cosworth XD")], "cut short"),
    (lambda text: "", "found an empty file"),
])
def test_failed_build_exits_2_and_leaves_previous_build_intact(runner, tmp_path, previous_build, damage, message):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "race.en.txt").write_text(damage(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(previous_build)
    result = invoke(runner, "build", articles, "--out", previous_build)
    assert result.exit_code == 2
    assert f"{articles / 'race.en.txt'}:" in result.output and message in result.output
    assert snapshot(previous_build) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles", "graph"]


def test_binary_garbage_exits_2(runner, tmp_path):
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(bytes(range(256)))
    result = invoke(runner, "build", garbage, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "binary data" in result.output
    assert not (tmp_path / "out").exists()


def test_build_with_violations_exits_1_and_keeps_previous_build(runner, tmp_path, previous_build):
    articles = tmp_path / "articles"
    articles.mkdir()
    # two cars share number 5: the table parses, but the race rules forbid it
    text = SEED.read_text(encoding="utf-8").replace("| 2 | LMP900 | 2 |", "| 2 | LMP900 | 5 |")
    (articles / "race.en.txt").write_text(text, encoding="utf-8")
    before = snapshot(previous_build)
    result = invoke(runner, "build", articles, "--out", previous_build)
    assert result.exit_code == 1
    assert "violation" in result.output and "#5" in result.output
    assert snapshot(previous_build) == before
    assert (tmp_path / "graph.rejected" / "validation.ttl").is_file()


def test_build_family_articles_with_another_base(runner, tmp_path):
    out = tmp_path / "graph"
    result = invoke(runner, "build", BUNDLED_ARTICLES, FIXTURES, "--out", out, "--base-uri", "https://rg.example.org/")
    assert result.exit_code == 0, result.output
    info = json.loads((out / "build.json").read_text())
    assert info["base_uri"] == "https://rg.example.org/" and info["counts"]["events"] == 2
    assert {p.name for p in (out / "dumps").iterdir()} == {"racegraph.nt.gz", "racegraph.ttl.gz", "racegraph.trig.gz"}
    query = "SELECT ?e WHERE { ?e a rg:RaceEvent }"
    listed = invoke(runner, "query", "--store", out, "--format", "csv", query).output
    assert "https://rg.example.org/id/event/2004-1000-km-of-nurburgring" in listed
    results = json.loads(invoke(runner, "results", "--store", out, "2004 1000 km of Nürburgring").output)
    assert [e["pos"] for e in results[0]["entries"]] == ["1", "2", "3", "4", "NC", "DSQ", "DNF", "DNS", "DNA"]
    assert results[0]["entries"][2]["drivers"][1] == ["DEU", "Jörg MÜLLER"]


def test_bad_base_uri_exits_2(runner, tmp_path):
    result = invoke(runner, "build", "--out", tmp_path / "g", "--base-uri", "https://no-slash.example.org")
    assert result.exit_code == 2 and "must end with '/'" in result.output


def test_default_graph_is_the_merge_not_a_bag_of_named_graphs(runner, family_build):
    """Both articles describe Tom Kristensen and the Audi R8: the default graph states each triple once."""
    def rows(query: str) -> list[dict]:
        output = invoke(runner, "query", "--store", family_build, "--format", "json", query).output
        return json.loads(output)["results"]["bindings"]

    assert len(rows("SELECT ?l WHERE { rgid:driver\\/tom-kristensen rdfs:label ?l }")) == 1
    total = rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]["value"]
    distinct = rows("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")[0]["n"]["value"]
    assert total == distinct
    info = json.loads((family_build / "build.json").read_text())
    assert info["counts"]["triples"] == int(total) < info["counts"]["quads"]


def test_readme_wins_by_manufacturer_counts_each_win_once(runner, family_build):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    query = readme.split("Class and overall wins by chassis manufacturer:\n\n```sparql\n")[1].split("```")[0]
    output = invoke(runner, "query", "--store", family_build, "--format", "json", query).output
    wins = {row["manufacturer"]["value"]: (row["classWins"]["value"], row["overallWins"]["value"])
            for row in json.loads(output)["results"]["bindings"]}
    # Audi R8: overall winner of the seed (car 5) and of the Nürburgring fixture (car 88)
    assert wins["Audi"] == ("2", "2")


@pytest.mark.parametrize("base", ["foo/", "http://ex.org/a b/", "ftp://ex.org/", "https://ex.org/?x=1/"])
def test_malformed_base_uri_exits_2_naming_it(runner, tmp_path, base):
    result = invoke(runner, "build", "--out", tmp_path / "g", "--base-uri", base)
    assert result.exit_code == 2 and "base URI" in result.output and repr(base) in result.output
    assert not (tmp_path / "g").exists()


def test_articles_that_spell_a_shared_driver_two_ways_make_one_driver(runner, tmp_path):
    """Spellings that fold together are one resource: the build conforms and reports the merge."""
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED, articles / "seed.en.txt")
    other = (FIXTURES / "2004-1000-km-of-nurburgring.en.txt").read_text(encoding="utf-8")
    (articles / "other.en.txt").write_text(other.replace("DNK Tom Kristensen", "DNK Tom KRISTENSEN"), encoding="utf-8")
    result = invoke(runner, "build", articles, "--out", tmp_path / "graph")
    assert result.exit_code == 0, result.output
    assert 'merged: "Tom KRISTENSEN" → driver/tom-kristensen (preferred "Tom Kristensen")' in result.output
    rows = json.loads(invoke(runner, "results", "--store", tmp_path / "graph").output)
    written = {event["title"]: [name for entry in event["entries"] for _, name in entry["drivers"] if "KRIST" in name.upper()]
               for event in rows}
    assert written == {TITLE: ["Tom Kristensen"], "2004 1000 km of Nürburgring": ["Tom KRISTENSEN"]}


def test_articles_that_put_a_shared_circuit_in_two_places_fail_validation(runner, tmp_path, previous_build):
    """Each event is validated with its own graphs; what two articles say of one circuit is checked merged."""
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED, articles / "seed.en.txt")
    other = (FIXTURES / "2004-1000-km-of-nurburgring.en.txt").read_text(encoding="utf-8")
    (articles / "other.en.txt").write_text(
        other.replace("at the Nürburgring near Nürburg, Germany", "at the Bugatti Circuit near Arnage, France"),
        encoding="utf-8")
    before = snapshot(previous_build)
    result = invoke(runner, "build", articles, "--out", previous_build)
    assert result.exit_code == 1
    assert "violation: http://127.0.0.1:5000/id/circuit/bugatti-circuit:" in result.output
    assert snapshot(previous_build) == before


def test_query_failing_while_reading_results_exits_2(runner, built_store):
    """pyoxigraph evaluates lazily: a SERVICE to a closed port on 127.0.0.1 fails only when rows are read."""
    from conftest import free_port

    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> {{ ?s ?p ?o }} }}"
    result = invoke(runner, "query", "--store", built_store, "--format", "json", "--allow-remote-service", query)
    assert result.exit_code == 2
    assert "query failed" in result.output


@pytest.mark.parametrize("query, expected", [
    ("PREFIX : <http://127.0.0.1:9/> SELECT * { SERVICE:x { ?s ?p ?o } }", "SERVICE (federated query) is disabled"),
    ("INSERT DATA { <a> <b> <c> }", "read-only"),
    ("SELECT * {" + "{" * 40 + "}" * 40 + "}", "MAX_QUERY_DEPTH"),
])
def test_query_meets_the_same_gate_as_the_server(runner, built_store, query, expected):
    result = invoke(runner, "query", "--store", built_store, query)
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_query_resolves_relative_iris_against_the_base_uri(runner, built_store):
    result = invoke(runner, "query", "--store", built_store, "--format", "csv", "SELECT (<id/x> AS ?x) {}")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "http://127.0.0.1:5000/id/x"


def test_validate_of_a_store_with_no_event_exits_2_rather_than_conforming(runner, tmp_path):
    from graph.statistics import count_statistics
    from graph.store import load_nquads, write_build_info

    folder = tmp_path / "empty"
    folder.mkdir()
    store = load_nquads(folder, b"")
    write_build_info(folder, {"base_uri": "http://127.0.0.1:5000/",
                              "statistics": count_statistics(store, base_uri="http://127.0.0.1:5000/")})
    del store
    result = invoke(runner, "validate", "--store", folder)
    assert result.exit_code == 2 and "holds no race event" in result.output
