"""Articles as many hands write them (tests/fixtures/variants): spellings of one thing become one
resource with every spelling kept, each row keeps its own words, cars entered but not driven parse,
flags that differ between races are kept, and the curation file decides what spelling cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from graph.build import build_graph
from graph.cli import cli
from graph.curation import CurationError, name_key, parse_curation, read_curation
from graph.names import preference
from graph.paths import BUNDLED_ARTICLES
from graph.uris import DEFAULT_BASE, ONTOLOGY_NS

VARIANTS = Path(__file__).parent / "fixtures" / "variants"
CURATION = VARIANTS / "curation.toml"
ARTICLES = sorted(VARIANTS.glob("*.txt"))
ID = DEFAULT_BASE + "id/"


def table_lines(entry: dict) -> list[str]:
    """The two lines the article's table gives one car, rebuilt from the results JSON."""
    flagged = lambda pairs: " ".join(f"{code} {name}" for code, name in pairs)  # noqa: E731
    laps = "-" if entry["laps"] is None else str(entry["laps"])
    cells = [entry["pos"], entry["class"], entry["no"], flagged(entry["teams"]), flagged(entry["drivers"]),
             entry["chassis"], entry["tyre"], laps]
    return ["| " + " | ".join(cell if cell else "" for cell in cells).replace("|  |", "| |") + " |",
            f"| {entry['engine']} | | | | | | | |"]


def article_table_rows(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("| Engine | | | | | | | |") + 1
    return [line for line in lines[start:] if line.startswith("|")]


@pytest.fixture(scope="module")
def variants_build(tmp_path_factory):
    """The seed and both variant articles, with the fixtures' curation file, through the real CLI."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("variants") / "graph"
    result = CliRunner().invoke(cli, ["build", str(BUNDLED_ARTICLES), str(VARIANTS), "--curation", str(CURATION),
                                      "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def results(variants_build):
    from click.testing import CliRunner

    out, _ = variants_build
    output = CliRunner().invoke(cli, ["results", "--store", str(out)], catch_exceptions=False).output
    return {event["title"]: event for event in json.loads(output)}


@pytest.fixture(scope="module")
def store(variants_build):
    from graph.store import open_store

    return open_store(variants_build[0])


def ask(store, query: str) -> list:
    prefixes = (f"PREFIX rg: <{ONTOLOGY_NS}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
    return list(store.query(prefixes + query))


def labels_of(store, uri: str) -> tuple[list[str], list[str]]:
    """(English rdfs:labels, skos:altLabels) of a thing in the merged default graph."""
    preferred = sorted(row["l"].value for row in ask(store, f"SELECT ?l WHERE {{ <{uri}> rdfs:label ?l }}"))
    alternatives = sorted(row["l"].value for row in ask(store, f"SELECT ?l WHERE {{ <{uri}> skos:altLabel ?l }}"))
    return preferred, alternatives


# ---------------------------------------------------------------- the tables, row for row

@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_results_reproduce_every_row_of_a_variant_article(results, path):
    title = path.read_text(encoding="utf-8").splitlines()[0].strip("= ")
    event = results[title]
    assert len(event["entries"]) >= 50
    rebuilt = [line for entry in event["entries"] for line in table_lines(entry)]
    assert rebuilt == article_table_rows(path)


def test_seed_still_reproduced_with_the_variants_built_beside_it(results):
    seed = BUNDLED_ARTICLES / "2003-1000-km-of-le-mans.en.txt"
    event = results["2003 1000 km of Le Mans"]
    assert [line for entry in event["entries"] for line in table_lines(entry)] == article_table_rows(seed)
    assert len(event["entries"]) == 37


def test_cars_entered_but_not_driven_have_no_drivers(results):
    by_number = {entry["no"]: entry for entry in results["2005 24 Hours of Le Mans"]["entries"]}
    assert (by_number["99"]["pos"], by_number["99"]["drivers"], by_number["99"]["tyre"]) == ("DNA", [], "")
    assert (by_number["15"]["pos"], by_number["15"]["drivers"]) == ("DNS", [])
    assert by_number["71"]["drivers"] == [["GBR", "Paul Whight"], ["GBR", "Mike Hezemans"]]


# ---------------------------------------------------------------- one URI, every spelling

@pytest.mark.parametrize("kind, key, preferred, others", [
    ("driver", "olivier-thevenin", "Olivier Thévenin", ["Olivier Thevenin"]),
    ("driver", "jorg-muller", "Jörg Müller", ["Jörg MÜLLER"]),
    ("chassis", "ferrari-550-gts-maranello", "Ferrari 550-GTS Maranello", ["Ferrari 550 GTS Maranello"]),
    ("chassis", "porsche-911-gt3-rs", "Porsche 911 GT3-RS", ["Porsche 911 GT3 RS"]),
    ("engine", "willman-jpx-3-4l-v6", "Willman (JPX) 3.4L V6", ["Willman JPX 3.4L V6"]),
    ("engine", "ford-elan-6l8-6-0l-v8", "Ford (Élan) 6L8 6.0L V8", ["Ford Élan 6L8 6.0L V8"]),
    # two rows each (the seed writes "PK Sport Ltd." too): the tie goes to the spelling read first, the seed's
    ("team", "pk-sport", "PK Sport Ltd.", ["PK Sport", "PK Sport Ltd"]),
    ("team", "racing-for-holland", "Racing for Holland", ["Racing for Holland B.V."]),
])
def test_spellings_of_one_thing_are_one_resource_with_alternative_labels(store, kind, key, preferred, others):
    assert labels_of(store, f"{ID}{kind}/{key}") == ([preferred], others)
    # no other resource of the kind carries any of these spellings
    spellings = " ".join(json.dumps(s) for s in [preferred, *others])
    holders = ask(store, f"SELECT DISTINCT ?s WHERE {{ VALUES ?n {{ {spellings} }} "
                         f"?s rdfs:label|skos:altLabel ?l FILTER(STR(?l) = ?n) }}")
    assert [row["s"].value for row in holders] == [f"{ID}{kind}/{key}"]


def test_each_role_and_entry_keeps_its_own_spelling(store):
    rows = ask(store, "SELECT ?no ?credited ?chassis WHERE { ?entry rg:carNumber ?no ; rg:driverRole ?role ; "
                      "rg:chassisAsWritten ?chassis . ?role rg:roleDriver <%sdriver/olivier-thevenin> ; "
                      "rg:creditedAs ?credited . ?entry rg:event/rdfs:label \"2005 24 Hours of Le Mans\"@en }" % ID)
    assert sorted((r["no"].value, r["credited"].value, r["chassis"].value) for r in rows) == [
        ("12", "Olivier Thévenin", "DBA 03S"), ("50", "Olivier Thevenin", "Saleen S7-R")]


def test_merges_are_reported_on_the_command_line_and_in_build_json(variants_build):
    out, output = variants_build
    line = 'merged: "Olivier Thevenin" → driver/olivier-thevenin (preferred "Olivier Thévenin")'
    assert line in output.splitlines()
    info = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert line in info["merges"]
    assert 'merged: "PK Sport" → team/pk-sport (preferred "PK Sport Ltd.")' in info["merges"]
    assert info["conforms"] is True


# ---------------------------------------------------------------- facts that differ between races

def test_driver_under_two_flags_keeps_each_flag_on_its_row(store, results):
    ortelli = f"{ID}driver/stephane-ortelli"
    nationalities = sorted(r["c"].value for r in ask(store, f"SELECT ?c WHERE {{ <{ortelli}> rg:nationality/rg:alpha3 ?c }}"))
    assert nationalities == ["FRA", "MCO"]
    flags = {title: next(code for entry in event["entries"] for code, name in entry["drivers"] if name == "Stéphane Ortelli")
             for title, event in results.items() if title.endswith("Le Mans") and "24 Hours" in title}
    assert flags == {"2005 24 Hours of Le Mans": "MCO", "2006 24 Hours of Le Mans": "FRA"}


def test_renamed_team_is_one_team_with_both_names(store):
    assert labels_of(store, f"{ID}team/team-oreca") == (["Team Oreca"], ["Oreca Matmut"])
    credited = sorted(r["n"].value for r in ask(
        store, f"SELECT ?n WHERE {{ ?role rg:roleTeam <{ID}team/team-oreca> ; rg:creditedAs ?n }}"))
    assert credited == ["Oreca Matmut", "Team Oreca", "Team Oreca"]
    assert not ask(store, f"SELECT ?p WHERE {{ <{ID}team/oreca-matmut> ?p ?o }}")


# ---------------------------------------------------------------- curation

def test_curation_splits_one_name_into_two_people(store):
    briton, american = f"{ID}driver/john-smith", f"{ID}driver/john-smith-usa"
    assert labels_of(store, briton) == (["John Smith"], [])
    assert labels_of(store, american) == (["John Smith (American driver)"], ["John Smith"])
    raced = sorted((r["d"].value, r["title"].value, r["no"].value) for r in ask(
        store, "SELECT ?d ?title ?no WHERE { ?e rg:driver ?d ; rg:carNumber ?no ; rg:event/rdfs:label ?title "
               f"VALUES ?d {{ <{briton}> <{american}> }} }}"))
    assert raced == [(briton, "2005 24 Hours of Le Mans", "95"), (american, "2006 24 Hours of Le Mans", "95")]


def test_curation_rules_used_and_unused_are_reported(variants_build):
    out, output = variants_build
    info = json.loads((out / "build.json").read_text(encoding="utf-8"))["curation"]
    assert info["file"] == str(CURATION)
    assert [rule.split(":")[0] for rule in info["used"]] == ["same #1", "distinct #1 case 1", "label #1"]
    assert info["unused"] == ['same #2: team "Veloqx Motorsport" = "Audi Sport UK Team Veloqx"']
    assert 'curation: unused same #2: team "Veloqx Motorsport" = "Audi Sport UK Team Veloqx"' in output
    assert 'merged: "Keiichi TSUCHIYA" → driver/keiichi-tsuchiya (preferred "Keiichi Tsuchiya")' in output


def test_without_curation_the_same_articles_still_conform(tmp_path):
    outcome = build_graph([VARIANTS], tmp_path / "g")
    assert outcome.conforms, outcome.summary()
    assert outcome.curation["used"] == [] and outcome.curation["unused"] == []
    assert 'merged: "Oreca Matmut" → team/team-oreca (preferred "Team Oreca")' not in map(str, outcome.merges)


@pytest.mark.parametrize("text, message", [
    ('[[same]]\nkind = "pilot"\nnames = ["a", "b"]', "expected kind = one of driver"),
    ('[[same]]\nkind = "team"\nnames = ["a"]', "expected names = [two or more spellings]"),
    ('[[distinct]]\nkind = "driver"\nname = "A B"\n[[distinct.as]]\nid = "Not A Slug"\nevent = "E"', "expected id = a URI slug"),
    ('[[distinct]]\nkind = "driver"\nname = "A B"', "expected one [[distinct.as]] table or more"),
    ('[[label]]\nkind = "team"\nname = "X"', "[[label]] #1: expected name"),
    ('[[merge]]\nkind = "team"', "expected only [[same]], [[distinct]] and [[label]] rules, found 'merge'"),
    ("[[same]\n", "expected TOML, found a syntax error"),
])
def test_unusable_curation_file_is_an_error_naming_it(tmp_path, text, message):
    path = tmp_path / "curation.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CurationError) as error:
        read_curation(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_unusable_curation_file_exits_2_and_writes_nothing(tmp_path):
    from click.testing import CliRunner

    bad = tmp_path / "curation.toml"
    bad.write_text('[[same]]\nkind = "team"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(VARIANTS), "--curation", str(bad), "--out", str(tmp_path / "g")])
    assert result.exit_code == 2 and f"error: {bad}: [[same]] #1" in result.output
    assert not (tmp_path / "g").exists()


# ---------------------------------------------------------------- the rules themselves

def test_keys_fold_accents_capitals_hyphens_tuner_parentheses_and_legal_suffixes():
    assert name_key("driver", "Olivier Thévenin") == name_key("driver", "Olivier THEVENIN")
    assert name_key("chassis", "Porsche 911 GT3-RS") == name_key("chassis", "Porsche 911 GT3 RS")
    assert name_key("engine", "Willman (JPX) 3.4L V6") == name_key("engine", "Willman JPX 3.4L V6")
    assert name_key("team", "PK Sport Ltd.") == name_key("team", "PK Sport") == "pk-sport"
    assert name_key("team", "Vitaphone Racing Team GmbH") == "vitaphone-racing-team"
    assert name_key("team", "Ltd") == "ltd"  # a suffix alone is a name
    assert name_key("driver", "Jan Ltd") == "jan-ltd"  # only teams have legal suffixes


def test_preferred_spelling_rule():
    def best(*spellings):
        return max((preference(w, c, i), w) for i, (w, c) in enumerate(spellings))[1]

    assert best(("Olivier Thevenin", 3), ("Olivier Thévenin", 2)) == "Olivier Thevenin"  # most rows first
    assert best(("Olivier Thevenin", 1), ("Olivier Thévenin", 1)) == "Olivier Thévenin"  # then accents
    assert best(("JÖRG MÜLLER", 1), ("Jörg Müller", 1)) == "Jörg Müller"  # then mixed case
    assert best(("Jörg MÜLLER", 1), ("Jörg Müller", 1)) == "Jörg Müller"  # then fewer words in capitals
    assert best(("Porsche 911 GT3 RS", 1), ("Porsche 911 GT3-RS", 1)) == "Porsche 911 GT3 RS"  # then first read


def test_label_override_by_any_spelling_of_a_merged_key():
    curation = parse_curation({"same": [{"kind": "team", "names": ["Team Oreca", "Oreca Matmut"]}],
                               "label": [{"kind": "team", "name": "Oreca Matmut", "label": "Oreca"}]})
    assert curation.resolve("team", "ORECA MATMUT") == ("team-oreca", ("same #1",))
    assert curation.preferred("team", "team-oreca") == {"en": ("Oreca", "label #1")}


def test_distinct_case_without_cars_matches_every_car_of_its_event():
    curation = parse_curation({"distinct": [{"kind": "driver", "name": "John Smith", "as": [
        {"id": "john-smith-2", "event": "E2"}]}]})
    assert curation.resolve("driver", "John SMITH", event="E2", car="7") == ("john-smith-2", ("distinct #1 case 1",))
    assert curation.resolve("driver", "John Smith", event="E1", car="7") == ("john-smith", ())


# ---------------------------------------------------------------- the pages

@pytest.fixture(scope="module")
def client(variants_build):
    from server import create_app

    return create_app({"TESTING": True, "STORE": str(variants_build[0])}).test_client()


def test_event_page_prints_each_rows_own_spelling(client):
    page = client.get("/page/event/2005-24-hours-of-le-mans").get_data(as_text=True)
    for written in ("Ferrari 550-GTS Maranello", "Ferrari 550 GTS Maranello", "Olivier Thevenin",
                    "Olivier Thévenin", "Jörg MÜLLER", "Willman JPX 3.4L V6", "Willman (JPX) 3.4L V6",
                    "PK Sport Ltd.", "Racing for Holland B.V."):
        assert f">{written}<" in page, written


def test_search_finds_a_thing_by_any_of_its_spellings(client):
    for query in ("Thevenin", "Thévenin", "MÜLLER", "Oreca Matmut", "Racing for Holland B.V."):
        found = client.get("/search.json", query_string={"q": query}).get_json()["results"]
        assert found, query
    (oreca,) = client.get("/search.json", query_string={"q": "Oreca Matmut"}).get_json()["results"]
    assert (oreca["iri"], oreca["label"]) == (f"{ID}team/team-oreca", "Team Oreca")


def test_rdf_document_of_a_merged_driver_lists_every_spelling(client):
    from rdflib import Graph

    data = client.get("/data/driver/olivier-thevenin.ttl").get_data(as_text=True)
    graph = Graph().parse(data=data, format="turtle")
    driver = URIRef(f"{ID}driver/olivier-thevenin")
    assert set(graph.objects(driver, RDFS.label)) == {Literal("Olivier Thévenin", lang="en")}
    assert set(graph.objects(driver, SKOS.altLabel)) == {Literal("Olivier Thevenin", lang="en")}


def test_a_team_uri_with_its_legal_suffix_redirects_to_the_team(client):
    """The seed's PK Sport Ltd. was id/team/pk-sport-ltd before teams were keyed without the suffix."""
    for path, target in (("/id/team/pk-sport-ltd", "/id/team/pk-sport"),
                         ("/page/team/racing-for-holland-b-v", "/page/team/racing-for-holland")):
        response = client.get(path)
        assert (response.status_code, response.headers["Location"]) == (301, target)
    assert client.get("/page/team/pk-sport").status_code == 200
