"""The JSON API: events, an event's results (exactly what `racegraph results` prints), a driver's career."""

from __future__ import annotations

import json
import subprocess
import sys

EVENT_SLUG = "2003-1000-km-of-le-mans"


def test_events_list(client):
    response = client.get("/api/events")
    assert response.status_code == 200 and response.mimetype == "application/json"
    events = response.get_json()["events"]
    assert len(events) == 1
    event = events[0]
    assert event["id"] == EVENT_SLUG
    assert event["title"] == "2003 1000 km of Le Mans"
    assert event["date"] == "2003-11-09"
    assert event["circuit"]["id"] == "bugatti-circuit" and event["circuit"]["name"] == "Bugatti Circuit"
    links = event["links"]
    assert links["uri"] == f"http://127.0.0.1:5000/id/event/{EVENT_SLUG}"
    assert links["results"] == f"/api/events/{EVENT_SLUG}/results"
    for key in ("page", "data", "results"):
        assert client.get(links[key]).status_code == 200, key


def test_results_equal_the_cli_output(client, built_store):
    response = client.get(f"/api/events/{EVENT_SLUG}/results")
    assert response.status_code == 200 and response.mimetype == "application/json"
    printed = subprocess.run([sys.executable, "-m", "graph.cli", "results", "--store", str(built_store),
                              "2003 1000 km of Le Mans"], capture_output=True, text=True, check=True).stdout
    assert response.get_json() == json.loads(printed)[0]
    data = response.get_json()
    assert data["title"] == "2003 1000 km of Le Mans" and data["date"] == "2003-11-09"
    assert len(data["entries"]) == 37
    first = data["entries"][0]
    assert first["pos"] == "1" and first["no"] == "5" and first["class"] == "LMP900"
    assert first["teams"] == [["JPN", "Audi Sport Japan Team Goh"]]
    assert first["drivers"] == [["DNK", "Tom Kristensen"], ["JPN", "Seiji Ara"]]
    assert first["laps"] == 208


def test_driver_with_career(client):
    response = client.get("/api/drivers/tom-kristensen")
    assert response.status_code == 200
    data = response.get_json()
    assert data["name"] == "Tom Kristensen"
    assert data["nationalities"] == ["DNK"]
    assert len(data["career"]) == 1
    row = data["career"][0]
    assert row["event"]["id"] == EVENT_SLUG and row["event"]["title"] == "2003 1000 km of Le Mans"
    assert (row["date"], row["no"], row["class"], row["pos"]) == ("2003-11-09", "5", "LMP900", "1")
    assert row["teams"] == [["JPN", "Audi Sport Japan Team Goh"]]
    assert ["JPN", "Seiji Ara"] in row["drivers"]


def test_unclassified_driver_has_a_status(client):
    results = client.get(f"/api/events/{EVENT_SLUG}/results").get_json()
    unclassified = [entry for entry in results["entries"] if not entry["pos"].isdigit()]
    assert unclassified
    entry = unclassified[0]
    driver_name = entry["drivers"][0][1]
    found = client.get("/search.json", query_string={"q": driver_name}).get_json()["results"]
    driver = next(item for item in found if item["href"].startswith("/page/driver/"))
    slug = driver["href"].rsplit("/", 1)[1]
    career = client.get(f"/api/drivers/{slug}").get_json()["career"]
    assert career[0]["pos"] == entry["pos"]


def test_api_404s_are_json(client):
    for path in ("/api/events/no-such-race/results", "/api/drivers/nobody-at-all"):
        for headers in ({}, {"Accept": "text/html"}):
            response = client.get(path, headers=headers)
            assert response.status_code == 404
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
