"""Language choice that persists, Babel dates, every UI word translated; the linked-data box on every page;
the content fixes (team-mates column, units, car-number wording, country codes instead of emoji flags)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
import requests

from graph.uris import DEFAULT_BASE
from server.pages.words import UI

EVENT = "/page/event/2003-1000-km-of-le-mans"
THINGS = ["event/2003-1000-km-of-le-mans", "driver/tom-kristensen", "team/audi-sport-japan-team-goh",
          "chassis/audi-r8", "engine/audi-3-6l-turbo-v8", "manufacturer/audi", "class/lmp900",
          "circuit/bugatti-circuit", "country/dnk", "entry/2003-1000-km-of-le-mans/5",
          "entry/2003-1000-km-of-le-mans/5/driver/1"]


def html_of(client, path, **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- language ----------------------------------------------------------------------------------------

def test_every_language_has_every_word():
    assert set(UI["en"]) == set(UI["es"])
    assert all(UI["es"][key] for key in UI["es"])


def test_language_choice_is_remembered_across_links(live_server):
    session = requests.Session()
    first = session.get(live_server + "?lang=es", timeout=30)
    assert '<html lang="es">' in first.text and session.cookies.get("lang") == "es"
    cookie = first.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    # the next page, reached by a plain link (no ?lang), is still in Spanish
    event = session.get(live_server + EVENT.lstrip("/"), timeout=30)
    assert '<html lang="es">' in event.text and "Resultados" in event.text
    assert "Cookie" in event.headers["Vary"]
    # Accept-Language does not override the visitor's own choice
    event = session.get(live_server + EVENT.lstrip("/"), headers={"Accept-Language": "en"}, timeout=30)
    assert '<html lang="es">' in event.text
    assert '<html lang="en">' in session.get(live_server + "?lang=en", timeout=30).text
    assert '<html lang="en">' in session.get(live_server + EVENT.lstrip("/"), timeout=30).text


def test_unsupported_language_says_so(client):
    html = html_of(client, EVENT + "?lang=fr")
    assert '<p class="notice" role="status">This site is not available in the language “fr”; it is shown in English.</p>' in html
    spanish = html_of(client, EVENT + "?lang=xx", **{"Accept-Language": "es"})
    assert "no está disponible en el idioma «xx»; se muestra en Español" in spanish
    assert "notice" not in html_of(client, EVENT + "?lang=en")


def test_dates_numbers_and_labels_per_language(client):
    spanish = html_of(client, EVENT + "?lang=es")
    assert '<time datetime="2003-11-09">9 de noviembre de 2003</time>' in spanish
    assert "869,44 km" in spanish and "144,952 km/h" in spanish  # Spanish decimal comma
    assert ">Francia</a>" in spanish  # the circuit's country, by its Spanish label in the graph
    english = html_of(client, EVENT + "?lang=en")
    assert '<time datetime="2003-11-09">9 November 2003</time>' in english and "869.44 km" in english
    drivers = html_of(client, "/page/driver?lang=es&country=dnk")
    assert ">Dinamarca</a>" in drivers and ">Pilotos" in drivers


def test_spanish_pages_carry_no_english_interface_words(client):
    for path in ("/", EVENT, "/page/driver/tom-kristensen", "/page/manufacturer", "/sparql"):
        html = html_of(client, path + "?lang=es", Accept="text/html")
        text = re.sub(r"<script.*?</script>|<style.*?</style>|<svg.*?</svg>", "", html, flags=re.S)
        for english in ("Statistics", "Results", "Drivers", "Home", "Search", "Examples", "Copy", "Sort by",
                        "Laps completed", "Team-mates", "Query this"):
            assert f">{english}<" not in text and f">{english} " not in text, (path, english)


# --- linked-data affordances -----------------------------------------------------------------------

@pytest.mark.parametrize("thing", THINGS)
def test_every_page_shows_its_uri_documents_and_a_query(client, thing):
    html = html_of(client, f"/page/{thing}?lang=en")
    iri = f"{DEFAULT_BASE}id/{thing}"
    box = re.search(r'<aside class="linked-data".*?</aside>', html, re.S).group(0)
    assert f"<code>{iri}</code>" in box
    assert f'<button type="button" class="copy" data-copy="{iri}"' in box
    for suffix, media in (("ttl", "text/turtle"), ("nt", "application/n-triples"), ("rdf", "application/rdf+xml"),
                          ("jsonld", "application/ld+json")):
        assert f'<a href="/data/{thing}.{suffix}" type="{media}">' in box
        assert f'<link rel="alternate" type="{media}" href="/data/{thing}.{suffix}"' in html
        document = client.get(f"/data/{thing}.{suffix}")
        assert document.status_code == 200 and document.mimetype == media
    query = unquote(re.search(r'<a class="query-this" href="/sparql#query=([^"]+)"', box).group(1))
    if thing.startswith("driver/"):
        assert "SELECT ?date ?event" in query and f"<{iri}>" in query
    else:
        assert query.endswith(f"DESCRIBE <{iri}>")


def test_career_query_link_runs_and_answers_the_career(client):
    html = html_of(client, "/page/driver/tom-kristensen")
    query = unquote(re.search(r'<a class="query-this" href="/sparql#query=([^"]+)"', html).group(1))
    assert query.startswith("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX rg: ")
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    rows = response.get_json()["results"]["bindings"]
    assert [(r["event"]["value"], r["no"]["value"], r["position"]["value"]) for r in rows] == [
        ("2003 1000 km of Le Mans", "5", "1")]


# --- content fixes ----------------------------------------------------------------------------------

def test_career_column_of_co_drivers_is_headed_team_mates(client):
    html = html_of(client, "/page/driver/tom-kristensen?lang=en")
    career = re.search(r'<section id="career">.*?</section>', html, re.S).group(0)
    assert '<th scope="col" class="col-team_mates">Team-mates</th>' in career
    cell = re.search(r'<td class="col-team_mates">(.*?)</td>', career, re.S).group(1)
    assert "Seiji Ara" in cell and "Tom Kristensen" not in cell


def test_roles_say_car_number_and_numbers_have_units(client):
    entry = html_of(client, "/page/entry/2003-1000-km-of-le-mans/5?lang=en")
    assert "Tom Kristensen (driver 1 in car #5)" in entry and "of 5)" not in entry
    assert "<span>869.44</span> km" in entry and "<span>208</span> laps" in entry
    role = html_of(client, "/page/entry/2003-1000-km-of-le-mans/5/driver/1?lang=en")
    assert "Tom Kristensen: driver 1 of 2 listed for car #5 in 2003 1000 km of Le Mans." in role


def test_countries_shown_as_codes_not_emoji_flags(client):
    for path in (EVENT, "/page/driver/tom-kristensen", "/page/country/dnk", "/page/driver"):
        html = html_of(client, path + "?lang=en")
        assert not re.search("[\U0001F1E6-\U0001F1FF]", html), path  # regional indicator letters
    assert '<abbr class="cc" title="Denmark">DNK</abbr>' in html_of(client, "/page/driver/tom-kristensen?lang=en")
