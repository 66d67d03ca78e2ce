"""SPARQL results as an HTML page, for a browser's GET /sparql?query=… (as DBpedia's endpoint answers).

A browser names text/html in Accept and no result format; `format=html` asks for the page explicitly.
The query runs like any other (same worker, limits and gate) with JSON results (SELECT, ASK) or
N-Triples (CONSTRUCT, DESCRIBE), which are read back here into rows for the template. The page's URL
is the query's URL, so a results page is shared by sharing its address.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Request, Response, render_template, url_for

from graph.metadata import query_prefixes
from server import iris, negotiation
from server.db import get_build_info
from server.pages.things import editor_link
from server.pages.queries import current_reader
from server.sparql_formats import Choice, all_media_types

HTML_CHOICE = Choice("json", "ntriples")  # what the worker writes for a page; the page is made from it
RESULT_DOWNLOADS = ("json", "xml", "csv", "tsv")
GRAPH_DOWNLOADS = ("ttl", "nt", "rdf", "jsonld")


def wants_html(request: Request, format_parameter: str | None) -> bool:
    """True for `format=html`, and for a GET without `format=` whose Accept names text/html and prefers it to
    every result format (a browser; `*/*` alone is not enough, so curl and SPARQL clients get data)."""
    if format_parameter:
        return format_parameter.strip().lower() in ("html", "text/html")
    if request.method != "GET":
        return False
    accept = request.accept_mimetypes
    if not any(value == "text/html" for value, _ in accept):
        return False
    return accept.best_match(["text/html", *all_media_types()]) == "text/html"


def results_page(reply: dict, query: str, max_rows: int) -> Response:
    """The page of one query's results, from the worker's reply in HTML_CHOICE."""
    base = get_build_info().base_uri
    prefixes = sorted(query_prefixes(base).items(), key=lambda pair: -len(pair[1]))  # longest namespace first
    body = reply["body"]
    if reply["media_type"].startswith("application/sparql-results+json"):
        document = json.loads(body)
        if "boolean" in document:
            table = {"kind": "boolean", "boolean": bool(document["boolean"]), "columns": [], "rows": []}
        else:
            columns = document["head"].get("vars", [])
            rows = [[_json_cell(binding.get(name), base, prefixes) for name in columns]
                    for binding in document["results"]["bindings"]]
            table = {"kind": "rows", "columns": columns, "rows": rows}
        downloads = RESULT_DOWNLOADS
    else:
        triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        rows = [[_term_cell(t.subject, base, prefixes), _term_cell(t.predicate, base, prefixes),
                 _term_cell(t.object, base, prefixes)] for t in triples]
        table = {"kind": "triples", "columns": ["subject", "predicate", "object"], "rows": rows}
        downloads = GRAPH_DOWNLOADS
    endpoint = url_for("sparql.endpoint")
    lang = negotiation.preferred_language()
    page = render_template(
        "sparql-results.html", query=query, table=table, truncated=bool(reply["truncated"]), max_rows=max_rows,
        editor=editor_link(current_reader(lang), query),
        share=endpoint + "?" + urlencode({"query": query}),
        downloads=[(name, endpoint + "?" + urlencode({"query": query, "format": name})) for name in downloads],
        lang=lang)
    response = Response(page, mimetype="text/html")
    if reply["truncated"]:
        response.headers["X-SPARQL-MaxRows"] = str(max_rows)
    return response


def _short(iri: str, prefixes) -> str:
    for name, namespace in prefixes:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{name}:{iri[len(namespace):]}"
    return iri


def _iri_cell(iri: str, base: str, prefixes) -> dict:
    return {"kind": "iri", "text": _short(iri, prefixes), "iri": iri, "href": iris.href(iri, base)}


def _json_cell(binding: dict | None, base: str, prefixes) -> dict | None:
    if binding is None:
        return None
    if binding["type"] == "uri":
        return _iri_cell(binding["value"], base, prefixes)
    if binding["type"] == "bnode":
        return {"kind": "bnode", "text": "_:" + binding["value"]}
    datatype = binding.get("datatype")
    return {"kind": "literal", "text": binding["value"], "lang": binding.get("xml:lang"),
            "datatype": _short(datatype, prefixes) if datatype else None}


def _term_cell(term, base: str, prefixes) -> dict:
    if isinstance(term, ox.NamedNode):
        return _iri_cell(term.value, base, prefixes)
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "text": "_:" + term.value}
    datatype = term.datatype.value if term.datatype is not None and not term.language else None
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    return {"kind": "literal", "text": term.value, "lang": term.language,
            "datatype": _short(datatype, prefixes) if datatype else None}
