"""Which serialisation a SPARQL client gets: by `format=` or by `Accept`, one choice per result kind.

A query's result kind (solutions/boolean vs. a graph) is only known once the query is parsed, which
happens in a query worker; so the request negotiates both choices up front and the worker uses the
one that applies. `None` for a kind means the client accepts nothing we can write for it (406).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

# name -> (pyoxigraph QueryResultsFormat attribute, media types we answer to, the first is sent)
RESULTS_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "json": ("JSON", ("application/sparql-results+json", "application/json")),
    "xml": ("XML", ("application/sparql-results+xml",)),
    "csv": ("CSV", ("text/csv",)),
    "tsv": ("TSV", ("text/tab-separated-values",)),
}

# name -> (pyoxigraph RdfFormat attribute, media types we answer to, the first is sent)
GRAPH_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "turtle": ("TURTLE", ("text/turtle", "application/x-turtle")),
    "ntriples": ("N_TRIPLES", ("application/n-triples", "text/plain")),
    "rdfxml": ("RDF_XML", ("application/rdf+xml", "application/xml", "text/xml")),
    "jsonld": ("JSON_LD", ("application/ld+json", "application/json")),
    "nquads": ("N_QUADS", ("application/n-quads",)),
    "trig": ("TRIG", ("application/trig",)),
}

# the `format=` parameter: short names (as other endpoints spell them) -> (results choice, graph choice)
FORMAT_PARAMETER: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "srj": ("json", None),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "ttl": (None, "turtle"),
    "turtle": (None, "turtle"),
    "nt": (None, "ntriples"),
    "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"),
    "rdf": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "nq": (None, "nquads"),
    "nquads": (None, "nquads"),
    "n-quads": (None, "nquads"),
    "trig": (None, "trig"),
}

TEXT_TYPES = ("text/", "application/sparql-results+", "application/n-", "application/trig",
              "application/ld+json", "application/rdf+xml", "application/json", "application/xml")


@dataclass(frozen=True)
class Choice:
    """The serialisations chosen for each result kind; names from RESULTS_FORMATS / GRAPH_FORMATS."""

    results: str | None
    graph: str | None


def media_type(kind: str, name: str) -> str:
    """The Content-Type sent for a chosen format (with charset for text formats)."""
    table = RESULTS_FORMATS if kind == "results" else GRAPH_FORMATS
    media = table[name][1][0]
    return media + "; charset=utf-8" if media.startswith(TEXT_TYPES) else media


def _best(accept: MIMEAccept, table: dict[str, tuple[str, tuple[str, ...]]]) -> str | None:
    offered = [media for _, medias in table.values() for media in medias]
    best = accept.best_match(offered)
    if best is None:
        return None
    return next(name for name, (_, medias) in table.items() if best in medias)


def negotiate(accept: MIMEAccept, format_parameter: str | None) -> Choice:
    """The choice for a request. `format=` wins over Accept; it may also be a full media type."""
    return _negotiate(accept.to_header(), format_parameter)


@lru_cache(maxsize=256)  # clients send a handful of distinct Accept headers; matching them is werkzeug's slowest part
def _negotiate(accept_header: str, format_parameter: str | None) -> Choice:
    accept = parse_accept_header(accept_header, MIMEAccept)
    if format_parameter:
        wanted = format_parameter.strip().lower()
        if wanted in FORMAT_PARAMETER:
            return Choice(*FORMAT_PARAMETER[wanted])
        explicit = MIMEAccept([(wanted, 1)])
        return Choice(_best(explicit, RESULTS_FORMATS), _best(explicit, GRAPH_FORMATS))
    if not accept:  # no Accept header at all: the defaults
        return Choice("json", "turtle")
    return Choice(_best(accept, RESULTS_FORMATS), _best(accept, GRAPH_FORMATS))


def all_media_types() -> list[str]:
    """Every media type we can answer a query with (for error negotiation and the service description)."""
    return [m for table in (RESULTS_FORMATS, GRAPH_FORMATS) for _, medias in table.values() for m in medias]
