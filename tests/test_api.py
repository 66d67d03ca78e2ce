"""The JSON API in Ergast's grammar: lists with combinable filters, limit/offset paging done in SPARQL,
CSV for every list, one thing, and an event's results exactly as `racegraph results` prints them.

Most tests run on a two-race build (the bundled 2003 Le Mans article plus the 2004 Nürburgring
fixture), so filters by year, circuit and driver have something to tell apart.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.paths import BUNDLED_ARTICLES
from graph.uris import DEFAULT_BASE

EVENT_SLUG = "2003-1000-km-of-le-mans"
NURBURGRING = "2004-1000-km-of-nurburgring"
FIXTURES = Path(__file__).parent / "fixtures" / "articles"


@pytest.fixture(scope="module")
def two_races(tmp_path_factory) -> Path:
    from graph.build import build_graph

    out = tmp_path_factory.mktemp("two-races") / "graph"
    outcome = build_graph([BUNDLED_ARTICLES, FIXTURES], out, base_uri=DEFAULT_BASE)
    assert outcome.conforms, outcome.summary()
    return out


@pytest.fixture
def api(two_races):
    from server import create_app

    return create_app({"TESTING": True, "STORE": str(two_races)}).test_client()


def cli_results(store: Path, *events: str) -> str:
    return subprocess.run([sys.executable, "-m", "graph.cli", "results", "--store", str(store), *events],
                          capture_output=True, text=True, check=True).stdout


def sparql_values(client, query: str, name: str) -> list[str]:
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row[name]["value"] for row in response.get_json()["results"]["bindings"]]


# --- an event's results and `racegraph results` ----------------------------------------------------

def test_event_results_are_byte_for_byte_what_racegraph_results_prints(client, built_store):
    response = client.get(f"/api/events/{EVENT_SLUG}/results")
    assert response.status_code == 200 and response.mimetype == "application/json"
    printed = cli_results(built_store, "2003 1000 km of Le Mans")
    assert response.get_data(as_text=True) == printed
    data = response.get_json()
    assert isinstance(data, list) and len(data) == 1
    race = data[0]
    assert race["title"] == "2003 1000 km of Le Mans" and race["date"] == "2003-11-09"
    assert len(race["entries"]) == 37
    first = race["entries"][0]
    assert first["pos"] == "1" and first["no"] == "5" and first["class"] == "LMP900"
    assert first["teams"] == [["JPN", "Audi Sport Japan Team Goh"]]
    assert first["drivers"] == [["DNK", "Tom Kristensen"], ["JPN", "Seiji Ara"]]
    assert first["laps"] == 208


def test_event_results_by_uri_agree_with_the_cli_for_every_event(api, two_races):
    for slug in (EVENT_SLUG, NURBURGRING):
        body = api.get(f"/api/events/{slug}/results").get_data(as_text=True)
        assert body == cli_results(two_races, f"{DEFAULT_BASE}id/event/{slug}")


def test_result_rows_of_the_results_list_are_the_cli_entries(api, two_races):
    """/api/results?event=x holds each entry of `racegraph results` unchanged, plus id, event and links."""
    printed = json.loads(cli_results(two_races))
    for race in printed:
        slug = next(event["id"] for event in api.get("/api/events").get_json()["events"]
                    if event["title"] == race["title"])
        rows = api.get("/api/results", query_string={"event": slug, "limit": 1000}).get_json()["results"]
        stripped = [{key: value for key, value in row.items() if key not in ("id", "event", "links")} for row in rows]
        assert stripped == race["entries"]
        assert {row["event"]["id"] for row in rows} == {slug}


# --- lists, filters, paging ------------------------------------------------------------------------

def test_events_list(api):
    response = api.get("/api/events")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert (data["total"], data["limit"], data["offset"], data["next"], data["previous"]) == (2, 100, 0, None, None)
    event = data["events"][0]
    assert event["id"] == EVENT_SLUG and event["title"] == "2003 1000 km of Le Mans" and event["date"] == "2003-11-09"
    assert event["circuit"]["id"] == "bugatti-circuit" and event["circuit"]["name"] == "Bugatti Circuit"
    assert [series["id"] for series in event["series"]] == ["le-mans-endurance-series"]
    links = event["links"]
    assert links["uri"] == f"{DEFAULT_BASE}id/event/{EVENT_SLUG}"
    for key in ("page", "data", "self", "results"):
        assert api.get(links[key]).status_code == 200, key


@pytest.mark.parametrize(("query", "expected"), [
    ({"year": "2004"}, [NURBURGRING]),
    ({"year": "2003"}, [EVENT_SLUG]),
    ({"circuit": "nurburgring"}, [NURBURGRING]),
    ({"series": "le-mans-endurance-series"}, [EVENT_SLUG, NURBURGRING]),
    ({"series": "le-mans-endurance-series", "year": "2003"}, [EVENT_SLUG]),
    ({"driver": "tom-kristensen"}, [EVENT_SLUG, NURBURGRING]),
    ({"driver": "tom-kristensen", "circuit": "bugatti-circuit"}, [EVENT_SLUG]),
    ({"year": "1999"}, []),
])
def test_event_filters_combine(api, query, expected):
    data = api.get("/api/events", query_string=query).get_json()
    assert [event["id"] for event in data["events"]] == expected
    assert data["total"] == len(expected)


def test_a_drivers_wins_by_path_and_filter(api):
    """/api/drivers/<id>/results?position=1 is the driver's wins, the same as /api/results?driver=<id>&position=1,
    and the same entries SPARQL finds."""
    by_path = api.get("/api/drivers/tom-kristensen/results", query_string={"position": "1"}).get_json()
    by_filter = api.get("/api/results", query_string={"driver": "tom-kristensen", "position": "1"}).get_json()
    assert by_path["results"] == by_filter["results"]
    assert all(row["pos"] == "1" for row in by_path["results"])
    expected = sparql_values(api, f"""SELECT ?e WHERE {{ ?e rg:driver <{DEFAULT_BASE}id/driver/tom-kristensen> ;
                                      rg:position 1 ; rg:event/rg:date ?d }} ORDER BY ?d""", "e")
    assert [row["links"]["uri"] for row in by_path["results"]] == expected and len(expected) == 2
    all_results = api.get("/api/drivers/tom-kristensen/results").get_json()
    assert all_results["total"] >= by_path["total"]


def test_related_lists_follow_the_entries(api):
    drivers = api.get("/api/teams/audi-sport-japan-team-goh/drivers").get_json()
    assert [driver["id"] for driver in drivers["drivers"]] == ["seiji-ara", "tom-kristensen"]
    circuits = api.get("/api/drivers/tom-kristensen/circuits").get_json()
    assert [circuit["id"] for circuit in circuits["circuits"]] == ["bugatti-circuit", "nurburgring"]
    nurburgring = api.get("/api/circuits/nurburgring").get_json()
    assert nurburgring["country"] == "DEU" and nurburgring["locality"] == "Nürburg"
    dnf = api.get("/api/events/2003-1000-km-of-le-mans/results", query_string={"status": "DNF"},
                  headers={"Accept": "text/csv"})
    assert dnf.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(dnf.get_data(as_text=True))))
    assert rows and {row["pos"] for row in rows} == {"DNF"}
    narrowed = api.get("/api/events/2003-1000-km-of-le-mans/results", query_string={"status": "DNF"})
    assert narrowed.status_code == 400 and "/api/results?event=2003-1000-km-of-le-mans" in narrowed.get_json()["error"]


def test_every_kind_lists_the_things_of_its_class(api):
    classes = {"drivers": "Driver", "teams": "Team", "chassis": "Chassis", "engines": "Engine",
               "circuits": "Circuit", "events": "RaceEvent"}
    for kind, rdf_class in classes.items():
        data = api.get(f"/api/{kind}", query_string={"limit": 1000}).get_json()
        expected = sparql_values(api, f"SELECT ?x WHERE {{ ?x a rg:{rdf_class} }}", "x")
        assert data["total"] == len(expected) and sorted(item["links"]["uri"] for item in data[kind]) == sorted(expected)


def test_paging_walks_the_whole_list_once(api):
    everyone = api.get("/api/drivers", query_string={"limit": 1000}).get_json()
    assert everyone["total"] > 40 and everyone["next"] is None
    walked, url, pages = [], "/api/drivers?limit=40", 0
    while url:
        response = api.get(url)
        data = response.get_json()
        assert data["total"] == everyone["total"] and response.headers["X-Total-Count"] == str(everyone["total"])
        walked += [driver["id"] for driver in data["drivers"]]
        if data["next"]:
            assert f'<{data["next"]}>; rel="next"' in response.headers["Link"]
        url, pages = data["next"], pages + 1
    assert walked == [driver["id"] for driver in everyone["drivers"]]
    assert pages == -(-everyone["total"] // 40)
    second = api.get("/api/drivers?limit=40&offset=40").get_json()
    assert second["previous"].endswith("/api/drivers?limit=40")


@pytest.mark.parametrize("query", ["", "year=2004", "circuit=nurburgring"])
def test_results_pages_cross_races_in_race_order(api, two_races, query):
    """Result rows are read race by race (the page falls on the races it covers): walking pages whose edges
    fall inside a race gives every row once, races by date, each in its table's order."""
    printed = json.loads(cli_results(two_races))  # races by date, rows in table order
    events = {event["title"]: event for event in api.get("/api/events").get_json()["events"]}
    wanted = [race for race in printed
              if not query or (query == "year=2004" and race["date"].startswith("2004"))
              or (query.startswith("circuit=") and events[race["title"]]["circuit"]["id"] == query.split("=")[1])]
    expected = [(race["title"], entry["no"]) for race in wanted for entry in race["entries"]]
    assert expected
    walked, url = [], f"/api/results?{query}&limit=7"
    while url:
        data = api.get(url).get_json()
        assert data["total"] == len(expected)
        walked += [(row["event"]["title"], row["no"]) for row in data["results"]]
        url = data["next"]
    assert walked == expected
    beyond = api.get(f"/api/results?{query}&limit=7&offset={len(expected)}").get_json()
    assert beyond["results"] == [] and beyond["total"] == len(expected)


def test_every_list_comes_as_csv_by_suffix_or_accept(api):
    for kind in ("events", "drivers", "teams", "chassis", "engines", "circuits", "results"):
        by_suffix = api.get(f"/api/{kind}.csv", query_string={"limit": 5})
        by_accept = api.get(f"/api/{kind}", query_string={"limit": 5}, headers={"Accept": "text/csv"})
        assert by_suffix.mimetype == by_accept.mimetype == "text/csv"
        assert by_suffix.get_data() == by_accept.get_data()
        assert "Accept" in by_accept.headers["Vary"]
        rows = list(csv.DictReader(io.StringIO(by_suffix.get_data(as_text=True))))
        items = api.get(f"/api/{kind}", query_string={"limit": 5}).get_json()[kind]
        assert [row["id"] for row in rows] == [item["id"] for item in items]
        assert [row["uri"] for row in rows] == [item["links"]["uri"] for item in items]
        assert by_suffix.headers["X-Total-Count"] == str(api.get(f"/api/{kind}").get_json()["total"])


def test_csv_flattens_people_and_things(api):
    rows = list(csv.DictReader(io.StringIO(api.get(
        "/api/results.csv", query_string={"event": EVENT_SLUG, "limit": 1}).get_data(as_text=True))))
    assert rows == [{"id": f"{EVENT_SLUG}/5", "event_id": EVENT_SLUG, "event": "2003 1000 km of Le Mans",
                     "event_date": "2003-11-09", "pos": "1", "class": "LMP900", "no": "5",
                     "teams": "JPN Audi Sport Japan Team Goh", "drivers": "DNK Tom Kristensen; JPN Seiji Ara",
                     "chassis": "Audi R8", "engine": "Audi 3.6L Turbo V8", "tyre": "", "laps": "208",
                     "uri": f"{DEFAULT_BASE}id/entry/{EVENT_SLUG}/5"}]


@pytest.mark.parametrize(("path", "message"), [
    ("/api/drivers?colour=red", "unknown parameter 'colour'"),
    ("/api/events?year=03", "year='03': expected a year of four digits"),
    ("/api/results?position=first", "position='first'"),
    ("/api/drivers?team=Audi%20Sport", "team='Audi Sport'"),
    ("/api/drivers?limit=0", "limit='0'"),
    ("/api/drivers?limit=5000", "limit='5000'"),
    ("/api/drivers?offset=-1", "offset='-1'"),
    ("/api/drivers?year=2003&year=2004", "year given 2 times"),
])
def test_bad_parameters_are_json_400_naming_the_parameter(api, path, message):
    response = api.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert message in response.get_json()["error"]


# --- one thing -------------------------------------------------------------------------------------

def test_one_driver(api):
    response = api.get("/api/drivers/tom-kristensen")
    assert response.status_code == 200
    data = response.get_json()
    assert data["name"] == "Tom Kristensen" and data["nationalities"] == ["DNK"]
    assert data["links"]["results"] == "/api/drivers/tom-kristensen/results"


def test_unclassified_driver_has_a_status(client):
    race = client.get(f"/api/events/{EVENT_SLUG}/results").get_json()[0]
    entry = next(entry for entry in race["entries"] if not entry["pos"].isdigit())
    driver_name = entry["drivers"][0][1]
    found = client.get("/search.json", query_string={"q": driver_name}).get_json()["results"]
    driver = next(item for item in found if item["href"].startswith("/page/driver/"))
    slug = driver["href"].rsplit("/", 1)[1]
    results = client.get(f"/api/drivers/{slug}/results").get_json()["results"]
    assert results[0]["pos"] == entry["pos"]


def test_api_404s_are_json(client):
    for path in ("/api/events/no-such-race/results", "/api/drivers/nobody-at-all", "/api/drivers/nobody/results",
                 "/api/unknown-list"):
        for headers in ({}, {"Accept": "text/html"}):
            response = client.get(path, headers=headers)
            assert response.status_code == 404, path
            assert response.mimetype == "application/json"
            assert response.get_json()["status"] == 404
    # a team is not a driver
    assert client.get("/api/drivers/audi-sport-japan-team-goh").status_code == 404


def test_api_paths_outside_what_racegraph_mints_are_json_404(client):
    for path in ("/api/drivers/a%20b", "/api/drivers/a%3Eb", "/api/events/x%00y/results", "/api/events/%22/results"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404, path
        assert response.get_json()["status"] == 404


def test_api_non_ascii_slug_redirects_to_the_ascii_one(client):
    response = client.get("/api/drivers/st%C3%A9phane-sarrazin")
    assert response.status_code == 301 and response.headers["Location"].endswith("/api/drivers/stephane-sarrazin")
    response = client.get("/api/drivers/st%C3%A9phane-sarrazin/results?position=1")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/api/drivers/stephane-sarrazin/results?position=1")
