"""GET /sparql?query=… from a browser: the results as an HTML table (as DBpedia's endpoint does), shareable
by URL; SPARQL clients asking for data still get data."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
QUERY = ("SELECT ?name ?laps WHERE { ?entry rg:driver ?d ; rg:laps ?laps . ?d rdfs:label ?name } "
         "ORDER BY DESC(?laps) ?name LIMIT 5")


def cells(html: str) -> list[list[str]]:
    table = re.search(r'<table class="sparql-results">.*?</table>', html, re.S).group(0)
    body = table.split("<tbody>", 1)[1]
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_browser_gets_the_same_rows_as_json(live_server):
    endpoint = live_server + "sparql"
    page = requests.get(endpoint, params={"query": QUERY}, headers={"Accept": BROWSER}, timeout=60)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    data = requests.get(endpoint, params={"query": QUERY}, headers={"Accept": "application/sparql-results+json"},
                        timeout=60).json()
    expected = [[str(i), b["name"]["value"] + "@en", b["laps"]["value"] + "xsd:integer"]
                for i, b in enumerate(data["results"]["bindings"], 1)]
    assert cells(page.text) == expected
    assert '<th scope="col">?name</th><th scope="col">?laps</th>' in page.text


def test_results_page_is_shareable_and_offers_downloads(client):
    response = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": BROWSER})
    html = response.get_data(as_text=True)
    share = unescape(re.search(r'<a href="([^"]+)" rel="bookmark">', html).group(1))
    assert parse_qs(urlsplit(share).query)["query"] == [QUERY]
    again = client.get(share, headers={"Accept": BROWSER}).get_data(as_text=True)
    assert cells(again) == cells(html)
    downloads = re.findall(r'<a href="(/sparql\?[^"]+format=(json|xml|csv|tsv))">', html)
    assert [fmt for _, fmt in downloads] == ["json", "xml", "csv", "tsv"]
    as_json = client.get(unescape(downloads[0][0]))
    assert len(json.loads(as_json.data)["results"]["bindings"]) == 5
    assert "<textarea" in html and QUERY in unescape(html)  # edit and run again, without JavaScript


def test_format_html_explicitly_and_graphs_and_ask(client):
    describe = client.get("/sparql", query_string={"query": "DESCRIBE <http://127.0.0.1:5000/id/chassis/audi-r8>",
                                                   "format": "html"})
    html = describe.get_data(as_text=True)
    assert describe.mimetype == "text/html"
    rows = cells(html)
    assert ["rgid:chassis/audi-r8", "rdfs:label", "Audi R8@en"] in [row[1:] for row in rows]
    assert '<a href="/page/chassis/audi-r8"' in html  # our IRIs link to their pages
    ask = client.get("/sparql", query_string={"query": "ASK { ?s a rg:Driver }"}, headers={"Accept": BROWSER})
    assert 'data-boolean="true"' in ask.get_data(as_text=True)


def test_clients_that_ask_for_data_get_data(client):
    for accept in ("*/*", "application/sparql-results+json", "text/html;q=0.1, application/json"):
        response = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": accept})
        assert response.mimetype in ("application/sparql-results+json", "application/json"), accept
    posted = client.post("/sparql", data={"query": QUERY}, headers={"Accept": BROWSER})
    assert posted.mimetype != "text/html"


def test_results_are_escaped(client):
    query = 'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) }'
    html = client.get("/sparql", query_string={"query": query}, headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_bad_query_from_a_browser_is_an_html_400(client):
    response = client.get("/sparql", query_string={"query": "SELEC nothing"}, headers={"Accept": BROWSER})
    assert response.status_code == 400 and response.mimetype == "text/html"
