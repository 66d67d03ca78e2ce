"""The HTML view of a Triple Pattern Fragment (`/fragments.html`, or `/fragments` asked by a browser): the
search form with subject, predicate and object, the page's triples with each term a link to the fragment
that fixes it in its place, the counts, paging controls, and links to the same fragment as RDF.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import render_template, request

from graph.metadata import query_prefixes
from server.fragment_pattern import POSITIONS, TriplePattern
from server.sparql_html import _term_cell  # the SPARQL results page's cells: prefixed name, local page link

RDF_VIEWS = (("TriG", "trig"), ("Turtle", "ttl"), ("N-Triples", "nt"), ("N-Quads", "nq"), ("JSON-LD", "jsonld"))


def pattern_value(term: ox.NamedNode | ox.Literal) -> str:
    """The term as a TPF client writes it in the query string: an IRI bare, a literal in N-Triples form."""
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _fragment_of(position: str, term) -> str | None:
    """This view's URL for the fragment that fixes `term` at `position` (None for a blank node)."""
    if not isinstance(term, ox.NamedNode | ox.Literal):
        return None
    return f"{request.path}?{urlencode({position: pattern_value(term)})}"


def page_data(fragment, pattern: TriplePattern, base: str, page_url: Callable[[str, int], str], page_size: int) -> dict:
    """What the template shows: the form's values, the triples as cells, the counts and the controls.
    `page_url(path, number)` is this request's URL on `path` at page `number`."""
    prefixes = sorted(query_prefixes(base).items(), key=lambda pair: -len(pair[1]))  # longest namespace first
    rows = []
    for triple in fragment.data:
        terms = (triple.subject, triple.predicate, triple.object)
        rows.append([{**_term_cell(term, base, prefixes), "fragment": _fragment_of(position, term)}
                     for position, term in zip(POSITIONS, terms)])
    here = request.path
    shown_before = (fragment.page - 1) * page_size
    return {
        "form": {position: request.args.get(position, "") for position in POSITIONS},
        "where": pattern.where(),
        "rows": rows,
        "page": fragment.page,
        "total": fragment.total,
        "shown_from": shown_before + 1 if fragment.data else 0,
        "shown_to": shown_before + len(fragment.data),
        "pages": max(1, -(-fragment.total // page_size)),
        "first": page_url(here, 1),
        "previous": page_url(here, fragment.page - 1) if fragment.page > 1 else None,
        "next": page_url(here, fragment.page + 1) if fragment.more else None,
        "rdf_views": [(name, page_url(f"/fragments.{suffix}", fragment.page)) for name, suffix in RDF_VIEWS],
    }


def render(fragment, pattern: TriplePattern, base: str, page_url: Callable[[str, int], str], page_size: int,
           lang: str) -> str:
    data = page_data(fragment, pattern, base, page_url, page_size)
    return render_template("fragments.html", data=data, lang=lang)
