"""HTML pages for people: event results, driver career, language, search, escaping, every link resolving."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from graph.store import load_nquads, write_build_info

EVENT_SLUG = "2003-1000-km-of-le-mans"
EVENT_PAGE = f"/page/event/{EVENT_SLUG}"


class PageParser(HTMLParser):
    """Collects the rows of results tables, every link, the JSON-LD blocks and the <title>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self.jsonld: list[str] = []
        self.title = ""
        self._row = self._cell = self._link = None
        self._in_results = self._in_title = self._in_jsonld = False
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "results" in (attrs.get("class") or "").split():
            self._in_results = True
        elif tag == "tr" and self._in_results:
            self._row = {"classes": (attrs.get("class") or "").split(), "cells": []}
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "a" and attrs.get("href"):
            self._link = [attrs["href"], ""]
        elif tag == "title":
            self._in_title = True
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_jsonld = True
            self.jsonld.append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_results = False
        elif tag == "tr" and self._row is not None:
            if self._row["cells"]:
                self.rows.append(self._row)
            self._row = None
        elif tag == "td" and self._cell is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1].strip()))
            self._link = None
        elif tag == "title":
            self._in_title = False
        elif tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._link is not None:
            self._link[1] += data
        if self._in_title:
            self.title += data
        if self._in_jsonld:
            self.jsonld[-1] += data


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture(scope="module")
def seed_results(built_store):
    import pyoxigraph

    from graph.results import event_results

    store = pyoxigraph.Store.read_only(str(built_store / "store"))
    return event_results(store)[0]


# --- event page ---------------------------------------------------------------------------------

def test_event_page_shows_all_rows_in_order_with_class_winners(client, seed_results):
    response = client.get(EVENT_PAGE)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = parse(response)
    rows = page.rows
    assert len(rows) == 37
    columns = ["pos", "class", "no", "team", "drivers", "chassis", "engine", "tyre", "laps"]
    table = [dict(zip(columns, row["cells"])) for row in rows]
    expected = seed_results["entries"]
    assert [row["no"] for row in table] == [entry["no"] for entry in expected]
    for row, entry in zip(table, expected):
        assert row["pos"].replace("★", "").strip() == entry["pos"]
        assert row["class"] == entry["class"]
        assert row["chassis"] == entry["chassis"]
        assert row["laps"] == (str(entry["laps"]) if entry["laps"] is not None else "–")
        for code, name in entry["drivers"]:
            assert f"{code} {name}" in row["drivers"]
        for code, name in entry["teams"]:
            assert f"{code} {name}" in row["team"]
    # class winners: the best classified entry of each class, computed here from the table itself
    winners = {}
    for entry in expected:
        if entry["pos"].isdigit():
            winners.setdefault(entry["class"], entry["no"])
    marked = [row["cells"][2] for row in rows if "class-winner" in row["classes"]]
    assert sorted(marked) == sorted(winners.values())
    assert all("★" in row["cells"][0] for row in rows if "class-winner" in row["classes"])
    assert table[0]["no"] == "5" and "class-winner" in rows[0]["classes"]


def test_event_page_facts(client):
    html = client.get(EVENT_PAGE).get_data(as_text=True)
    page = parse(client.get(EVENT_PAGE))
    link_texts = {text for _, text in page.links}
    assert {"Bugatti Circuit", "Automobile Club de l'Ouest", "Le Mans Endurance Series", "France"} <= link_texts
    assert "1:27.775" in html  # pole lap time
    assert "869.44 km" in html or "869.44" in html  # race distance
    assert "144.952" in html  # average speed
    assert "4.18" in html  # derived lap length
    assert "The 2003 1000 km of Le Mans was a one-off sports car event" in html
    assert "Los 1000 km de Le Mans de 2003 fueron un evento" in html
    # every value is linked by its label, never by a raw URI
    assert not [text for _, text in page.links if text.startswith("http")]


def test_event_page_embeds_schema_org(client):
    page = parse(client.get(EVENT_PAGE))
    assert len(page.jsonld) == 1
    data = json.loads(page.jsonld[0])
    assert data["@type"] == "SportsEvent"
    assert data["name"] == "2003 1000 km of Le Mans"
    assert data["startDate"] == "2003-11-09"
    assert data["location"]["name"] == "Bugatti Circuit"
    assert len(data["competitor"]) == 37
    assert {"@type": "Person", "name": "Tom Kristensen",
            "@id": "http://127.0.0.1:5000/id/driver/tom-kristensen"} in data["competitor"][0]["athlete"]


def test_page_as_json_by_suffix_and_accept(client):
    by_suffix = client.get(EVENT_PAGE + ".json")
    by_accept = client.get(EVENT_PAGE, headers={"Accept": "application/json"})
    for response in (by_suffix, by_accept):
        assert response.mimetype == "application/json"
        data = response.get_json()
        assert data["title"] == "2003 1000 km of Le Mans"
        assert len(data["results"]) == 37
    turtle = client.get(EVENT_PAGE, headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"


# --- driver and other pages ---------------------------------------------------------------------

def test_driver_page_lists_career(client):
    response = client.get("/page/driver/tom-kristensen")
    assert response.status_code == 200
    page = parse(response)
    assert page.title.startswith("Tom Kristensen")
    assert len(page.rows) == 1
    event, date, number, race_class, team, co_drivers, chassis, position = page.rows[0]["cells"]
    assert (event, date, number, race_class, chassis, position) == (
        "2003 1000 km of Le Mans", "9 Nov 2003", "5", "LMP900", "Audi R8", "1 ★")
    assert "Audi Sport Japan Team Goh" in team
    assert "Seiji Ara" in co_drivers and "Tom Kristensen" not in co_drivers
    assert (EVENT_PAGE, "2003 1000 km of Le Mans") in page.links
    assert ("/page/country/dnk", "Denmark") in page.links
    data = json.loads(page.jsonld[0])
    assert data["@type"] == "Person" and data["name"] == "Tom Kristensen"


def test_every_link_on_the_event_page_resolves(client):
    page = parse(client.get(EVENT_PAGE))
    local = sorted({href.split("#")[0].split("?")[0] for href, _ in page.links if href.startswith("/")})
    assert any(href.startswith("/page/team/") for href in local)
    assert any(href.startswith("/page/entry/") for href in local)
    for href in local:
        response = client.get(href, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert response.status_code == 200, href
        if href.startswith("/page/"):
            inner = parse(response)
            assert not [text for _, text in inner.links if text.startswith("http://127.0.0.1")], href


@pytest.mark.parametrize("path, expected", [
    ("/page/team/audi-sport-japan-team-goh", ["Tom Kristensen", "2003 1000 km of Le Mans", "Japan"]),
    ("/page/chassis/audi-r8", ["Audi Sport Japan Team Goh", "Audi"]),
    ("/page/engine/audi-3-6l-turbo-v8", ["Audi R8", "Tom Kristensen"]),
    ("/page/manufacturer/audi", ["Audi R8", "Audi 3.6L Turbo V8"]),
    ("/page/class/lmp900", ["Audi R8", "Pescarolo Sport"]),
    ("/page/circuit/bugatti-circuit", ["2003 1000 km of Le Mans", "France"]),
    ("/page/country/dnk", ["Tom Kristensen"]),
    ("/page/status/nc", ["Not classified"]),
    ("/page/organisation/automobile-club-de-l-ouest", ["2003 1000 km of Le Mans"]),
])
def test_related_pages(client, path, expected):
    response = client.get(path)
    assert response.status_code == 200
    texts = {text for _, text in parse(response).links} | {response.get_data(as_text=True)}
    for wanted in expected:
        assert any(wanted in text for text in texts), (path, wanted)


# --- language -----------------------------------------------------------------------------------

def test_spanish_labels_with_accept_language(client):
    response = client.get(EVENT_PAGE, headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    html = response.get_data(as_text=True)
    page = parse(response)
    assert '<html lang="es">' in html
    assert page.title.startswith("1000 km de Le Mans de 2003")
    assert "No clasificado" in html  # status label
    assert "Resultados" in html
    assert "Accept-Language" in response.headers["Vary"]
    english = client.get(EVENT_PAGE + "?lang=en", headers={"Accept-Language": "es"})
    assert parse(english).title.startswith("2003 1000 km of Le Mans")
    spanish = client.get("/page/country/dnk?lang=es")
    assert "Dinamarca" in parse(spanish).title
    client.delete_cookie("lang")  # ?lang=es is remembered; here Accept-Language alone should decide
    assert client.get(EVENT_PAGE, headers={"Accept-Language": "es"}).headers["ETag"] != \
        client.get(EVENT_PAGE, headers={"Accept-Language": "en"}).headers["ETag"]


# --- home and search ----------------------------------------------------------------------------

def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response)
    html = response.get_data(as_text=True)
    assert (EVENT_PAGE, "2003 1000 km of Le Mans") in page.links
    assert ("/page/circuit/bugatti-circuit", "Bugatti Circuit") in page.links
    assert "2003-11-09" in html
    assert 'action="/search"' in html
    assert ">98<" in html  # drivers count


@pytest.mark.parametrize("query, expected", [
    ("stephane", {"Stéphane Sarrazin", "Stéphane Ortelli", "Stéphane Daoudi"}),
    ("SÉBASTIEN bourdais", {"Sébastien Bourdais"}),
    ("kristensen", {"Tom Kristensen"}),
    ("audi", {"Audi Sport Japan Team Goh", "Audi R8", "Audi"}),
    ("bugatti", {"Bugatti Circuit"}),
    ("le mans 1000", {"2003 1000 km of Le Mans"}),
    ("lmp900", {"LMP900"}),
])
def test_search_by_name(client, query, expected):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    found = {text for href, text in parse(response).links if href.startswith("/page/")}
    assert expected <= found
    data = client.get("/search", query_string={"q": query}, headers={"Accept": "application/json"}).get_json()
    assert expected <= {item["label"] for item in data["results"]}


def test_search_finds_nothing_politely(client):
    response = client.get("/search?q=zzzzzz")
    assert response.status_code == 200
    assert "zzzzzz" in response.get_data(as_text=True)


# --- long lists come a page at a time ----------------------------------------------------------

def test_entry_tables_come_a_page_at_a_time_with_links(client, monkeypatch):
    from server.pages import queries

    whole = client.get("/page/class/lmp900.json").get_json()["sections"][0]
    assert whole["pages"] == 1 and whole["total"] == len(whole["rows"]) > 4
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    seen = []
    for number in range(1, whole["total"] // 2 + 2):
        section = client.get(f"/page/class/lmp900.json?page={number}").get_json()["sections"][0]
        assert section["page"] == number and section["pages"] == -(-whole["total"] // 2)
        assert len(section["rows"]) <= 2
        seen += [row["entry"]["iri"] for row in section["rows"]]
    assert seen == [row["entry"]["iri"] for row in whole["rows"]]
    page = parse(client.get("/page/class/lmp900?page=2&lang=es"))
    hrefs = [href for href, _ in page.links]
    assert "/page/class/lmp900?page=1&lang=es" in hrefs and "/page/class/lmp900?page=3&lang=es" in hrefs


def test_incoming_links_come_a_page_at_a_time(client, monkeypatch):
    from server.pages import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 3)
    facts = client.get("/page/class/lmp900.json").get_json()["facts"]
    assert sum(len(group["values"]) for group in facts["incoming"]) <= 3
    assert facts["incoming_paging"]["total"] > 3


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "%C2%B2"])
def test_a_page_number_that_is_not_one_is_400(client, page):
    assert client.get(f"/page/class/lmp900?page={page}").status_code == 400


def test_search_results_are_capped_and_paginated(client):
    first = client.get("/search.json?q=a").get_json()
    assert len(first["results"]) == 50 and first["total"] > 50 and first["pages"] > 1
    second = client.get("/search.json?q=a&page=2").get_json()
    assert second["results"] and not {r["iri"] for r in second["results"]} & {r["iri"] for r in first["results"]}
    assert ("/search?q=a&page=2", "Next →") in parse(client.get("/search?q=a")).links


def test_circuit_and_country_pages_list_their_entries(client, seed_results):
    circuit = client.get("/page/circuit/bugatti-circuit.json").get_json()
    entries = next(s for s in circuit["sections"] if s["heading"] == "entries")
    assert entries["total"] == len(seed_results["entries"])
    country = client.get("/page/country/dnk.json").get_json()
    entries = next(s for s in country["sections"] if s["heading"] == "entries")
    flagged = [entry for entry in seed_results["entries"]
               if any(code == "DNK" for code, _ in entry["drivers"] + entry["teams"])]
    assert entries["total"] == len(flagged) > 0
    assert any(d["label"] == "Tom Kristensen" for row in entries["rows"] for d in row["drivers"])
    html = client.get("/page/country/dnk").get_data(as_text=True)
    assert 'class="results"' in html


def test_the_api_results_of_a_driver_are_the_driver_page_career(client):
    page = client.get("/page/driver/tom-kristensen.json?lang=en").get_json()
    api = client.get("/api/drivers/tom-kristensen/results").get_json()
    career = page["sections"][0]
    assert [row["event"]["title"] for row in api["results"]] == [row["event"]["label"] for row in career["rows"]]
    assert [row["no"] for row in api["results"]] == [row["no"] for row in career["rows"]]
    assert api["total"] == career["total"]


# --- escaping, on a hand-made store with another base ---------------------------------------------

HOSTILE = '<script>alert("x")</script>'
HOSTILE_TRIG = """
@prefix rg: <https://w3id.org/racegraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/rg/graph/article/hostile> {
  <http://example.org/rg/id/event/hostile-race> a rg:RaceEvent ;
      rdfs:label "Race </script><script>alert(1)</script>"@en ;
      rg:date "2004-01-01"^^xsd:date ;
      schema:description "A & B <b>bold</b> </script>"@en .
  <http://example.org/rg/id/entry/hostile-race/1> a rg:Entry ; rg:event <http://example.org/rg/id/event/hostile-race> ;
      rg:tableOrder 1 ; rg:carNumber "1<i>" ; rg:position 1 ;
      rg:raceClass <http://example.org/rg/id/class/x> ; rg:classAsWritten "<b>X</b>" ;
      rg:chassis <http://example.org/rg/id/chassis/x> ; rg:chassisAsWritten "<i>chassis</i>" ;
      rg:engine <http://example.org/rg/id/engine/x> ; rg:engineAsWritten "<u>engine</u>" ;
      rg:driver <http://example.org/rg/id/driver/evil> ; rg:driverRole <http://example.org/rg/id/entry/hostile-race/1/driver/1> ;
      rdfs:label "#1"@en .
  <http://example.org/rg/id/entry/hostile-race/1/driver/1> a rg:DriverRole ; rg:listOrder 1 ;
      rg:roleDriver <http://example.org/rg/id/driver/evil> ; rg:creditedAs "<script>alert(\\"x\\")</script>" ;
      rg:enteredNationality <http://example.org/rg/id/country/xss> .
  <http://example.org/rg/id/country/xss> a rg:Country ; rg:alpha3 "<s>" ; rdfs:label "<em>land</em>"@en .
  <http://example.org/rg/id/driver/evil> a rg:Driver ; rdfs:label "<script>alert(\\"x\\")</script>"@en .
}
"""


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    from rdflib import Dataset

    from server import create_app

    folder = tmp_path_factory.mktemp("hostile")
    dataset = Dataset()
    dataset.parse(data=HOSTILE_TRIG, format="trig")
    load_nquads(folder, dataset.serialize(format="nquads", encoding="utf-8"))
    write_build_info(folder, {"base_uri": "http://example.org/rg/", "built_at": "2026-01-01T00:00:00+00:00",
                              "counts": {"drivers": 1}})
    return create_app({"TESTING": True, "STORE": str(folder)}).test_client()


def test_labels_are_escaped_everywhere(hostile_client):
    for path in ("/page/driver/evil", "/page/event/hostile-race", "/", "/search?q=script",
                 "/search?q=%3Cscript%3Ealert(1)%3C/script%3E"):
        response = hostile_client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "<b>bold" not in html and "1<i>" not in html, path
        page = parse(response)
        for block in page.jsonld:
            assert "</script" not in block.lower()
            json.loads(block)
    event = hostile_client.get("/page/event/hostile-race").get_data(as_text=True)
    assert "&lt;script&gt;alert" in event
    data = json.loads(parse(hostile_client.get("/page/event/hostile-race")).jsonld[0])
    assert data["name"] == "Race </script><script>alert(1)</script>"


def test_paths_map_to_iris_under_the_builds_base(hostile_client):
    """The graph's base is http://example.org/rg/; the app maps local paths under it, whatever the Host."""
    response = hostile_client.get("/id/driver/evil")
    assert response.status_code == 303 and response.headers["Location"] == "/page/driver/evil"
    page = parse(hostile_client.get("/page/event/hostile-race"))
    assert ("/page/driver/evil", HOSTILE) in page.links
    turtle = hostile_client.get("/data/driver/evil.ttl").get_data(as_text=True)
    assert "http://example.org/rg/id/driver/evil" in turtle or "rgid:" in turtle
