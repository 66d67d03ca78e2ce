"""Browse indexes (/page/<kind>): paging, filters, order, the home page's links to them, breadcrumbs."""

from __future__ import annotations

import json
import re
import unicodedata

import pyoxigraph
import pytest

from server.pages.browse import BROWSE_PAGE_SIZE, KINDS

RG = "https://w3id.org/racegraph/ontology#"


@pytest.fixture(scope="module")
def store(built_store):
    return pyoxigraph.Store.read_only(str(built_store / "store"))


def query(store, text):
    return list(store.query(text))


def folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """The documented order: the initial's accent folded, then the lower-cased name as written."""
    return folded(text[:1]) + text.casefold()


def index(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.data)


def test_home_counts_link_to_every_index_and_agree_with_it(client, built_store):
    html = client.get("/").get_data(as_text=True)
    counts = json.loads((built_store / "build.json").read_text())["counts"]
    for count_key, segment in (("events", "event"), ("drivers", "driver"), ("teams", "team"), ("chassis", "chassis"),
                               ("engines", "engine"), ("manufacturers", "manufacturer"), ("classes", "class"),
                               ("circuits", "circuit"), ("countries", "country")):
        assert f'href="/page/{segment}"' in html, segment
        assert index(client, f"/page/{segment}.json")["total"] == counts[count_key], segment


def test_driver_index_is_paged_in_sparql_and_covers_every_driver_once(client, store):
    everyone = {row["d"].value for row in query(store, f"SELECT ?d WHERE {{ ?d a <{RG}Driver> }}")}
    first, second = index(client, "/page/driver.json"), index(client, "/page/driver.json?page=2")
    assert first["total"] == second["total"] == len(everyone) == 98
    assert len(first["rows"]) == BROWSE_PAGE_SIZE and len(second["rows"]) == 98 - BROWSE_PAGE_SIZE
    shown = [row["iri"] for row in first["rows"] + second["rows"]]
    assert len(shown) == len(set(shown)) and set(shown) == everyone
    names = [name_key(row["label"]) for row in first["rows"] + second["rows"]]
    assert names == sorted(names)  # the initial's accent folded: Élan among the Es
    assert index(client, "/page/driver.json?page=3")["rows"] == []


def test_filter_by_letter_ignores_accents(client, store):
    found = index(client, "/page/driver.json?letter=S")
    labels = [row["label"] for row in found["rows"]]
    expected = sorted((row["l"].value for row in query(store, f'SELECT ?l WHERE {{ ?d a <{RG}Driver> ; '
                                                              f'<http://www.w3.org/2000/01/rdf-schema#label> ?l }}')
                       if folded(row["l"].value).startswith("s")), key=name_key)
    assert labels == expected and "Sébastien Bourdais" in labels
    assert found["total"] == len(expected)
    manufacturers = index(client, "/page/manufacturer.json?letter=E")
    assert "Élan" in [row["label"] for row in manufacturers["rows"]]


def test_filter_by_country(client, store):
    french = index(client, "/page/driver.json?country=fra")
    expected = {row["d"].value for row in query(
        store, f"SELECT ?d WHERE {{ ?d a <{RG}Driver> ; <{RG}nationality> <http://127.0.0.1:5000/id/country/fra> }}")}
    assert {row["iri"] for row in french["rows"]} == expected and french["total"] == len(expected) > 5
    assert all(cell["code"] == "FRA" for row in french["rows"] for cell in row["extra"])
    assert {"label": "France", "slug": "fra"}.items() <= french["country"].items()
    both = index(client, "/page/driver.json?country=fra&letter=S")
    assert {row["label"] for row in both["rows"]} == {"Sébastien Bourdais", "Stéphane Sarrazin", "Stéphane Ortelli",
                                                     "Stéphane Daoudi", "Sylvain Noël", "Sébastian Dumez"} & \
        {row["label"] for row in french["rows"]}


def test_sort_by_entry_count(client, store):
    ranked = index(client, "/page/manufacturer.json?sort=-count")["rows"]
    counts = [row["count"] for row in ranked]
    assert counts == sorted(counts, reverse=True)
    porsche = query(store, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e (<{RG}chassis>|<{RG}engine>)/"
                           f"(<{RG}manufacturer>|<{RG}tuner>)|<{RG}tyre> <http://127.0.0.1:5000/id/manufacturer/porsche> }}")
    assert ranked[0]["label"] == "Porsche" and ranked[0]["count"] == int(porsche[0]["n"].value)
    ascending = index(client, "/page/manufacturer.json?sort=count")["rows"]
    assert [row["count"] for row in ascending] == sorted(counts)
    reversed_names = [row["label"] for row in index(client, "/page/team.json?sort=-name")["rows"]]
    assert [name_key(name) for name in reversed_names] == sorted(map(name_key, reversed_names), reverse=True)


@pytest.mark.parametrize(("segment", "sorts"), [
    ("driver", ("column", "-column")), ("team", ("column", "-column")), ("chassis", ("column", "-column")),
    ("country", ("column", "-column")), ("engine", ("-count", "column")),
])
def test_each_column_sorts_the_whole_index_stably_across_pages(client, segment, sorts):
    """Sorted by the extra column (a nationality or maker by its name, a country's code), ties by name; walking
    the pages shows every thing once, in that order."""
    for sort in sorts:
        first = index(client, f"/page/{segment}.json?sort={sort}&lang=en")
        rows = list(first["rows"])
        for number in range(2, first["pages"] + 1):
            rows += index(client, f"/page/{segment}.json?sort={sort}&lang=en&page={number}")["rows"]
        assert len(rows) == first["total"] == len({row["iri"] for row in rows}), (segment, sort)
        if "count" in sort:
            keys = [row["count"] for row in rows]
        else:
            keys = [min((cell.get("label") or cell.get("text")).casefold() for cell in row["extra"])
                    if row["extra"] else "" for row in rows]
        assert keys == sorted(keys, reverse=sort.startswith("-")), (segment, sort)


def test_every_column_header_is_a_sort_link_marked_with_aria_sort(client):
    html = client.get("/page/driver?sort=column&lang=en").get_data(as_text=True)
    headers = re.findall(r'<th scope="col"([^>]*)>\s*<a href="([^"]+)"[^>]*>([^<]+)', html)
    assert [(href, word.strip()) for _, href, word in headers] == [
        ("/page/driver?sort=name&amp;lang=en", "Name"), ("/page/driver?sort=-column&amp;lang=en", "Nationality"),
        ("/page/driver?sort=-count&amp;lang=en", "Entries")]
    assert [attrs.strip() for attrs, _, _ in headers] == ["", 'aria-sort="ascending"', 'class="num"']
    events = client.get("/page/event?lang=en").get_data(as_text=True)
    assert re.search(r'<th scope="col" class="col-date" aria-sort="descending">\s*<a href="/page/event\?[^"]*sort=date"', events)
    assert ">Circuit, A–Z</option>" in events


def test_event_index_newest_first_with_circuit(client):
    events = index(client, "/page/event.json")["rows"]
    assert [(row["label"], row["date"]) for row in events] == [("2003 1000 km of Le Mans", "2003-11-09")]
    assert events[0]["extra"][0]["label"] == "Bugatti Circuit" and events[0]["count"] == 37


@pytest.mark.parametrize("path, expected", [
    ("/page/driver?letter=AB", "letter='AB'"),
    ("/page/driver?sort=fastest", "sort='fastest'"),
    ("/page/driver?country=France", "alpha-3"),
    ("/page/chassis?country=fra", "cannot be filtered by country"),
    ("/page/driver?page=0", "page number"),
])
def test_bad_browse_parameters_are_400_naming_the_problem(client, path, expected):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 400 and expected in json.loads(response.data)["error"]


def test_every_index_renders_with_letters_filters_and_breadcrumbs(client):
    for segment, kind in KINDS.items():
        html = client.get(f"/page/{segment}?lang=en").get_data(as_text=True)
        assert re.search(r'<nav class="breadcrumbs"[^>]*><ol>\s*<li><a href="/">Home</a></li>', html), segment
        assert re.search(rf'href="/page/{segment}\?[^"]*letter=Q"', html), segment
        assert ('<select name="country">' in html) == (kind.country_path is not None), segment
        assert 'rel="alternate" type="application/json"' in html


def test_thing_pages_have_breadcrumbs_through_their_index(client):
    html = client.get("/page/driver/tom-kristensen?lang=en").get_data(as_text=True)
    trail = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail) == [("/", "Home"), ("/page/driver", "Drivers")]
    assert '<span aria-current="page">Tom Kristensen</span>' in trail
    role = client.get("/page/entry/2003-1000-km-of-le-mans/5/driver/1?lang=en").get_data(as_text=True)
    trail = re.search(r'<nav class="breadcrumbs".*?</nav>', role, re.S).group(0)
    assert [href for href, _ in re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail)] == [
        "/", "/page/event", "/page/event/2003-1000-km-of-le-mans", "/page/entry/2003-1000-km-of-le-mans/5"]
