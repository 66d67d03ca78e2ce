"""The URI scheme (docs/model.md): every IRI racegraph mints is made here."""

from __future__ import annotations

from urllib.parse import urlsplit

import pyoxigraph
from rdflib import URIRef
from slugify import slugify

DEFAULT_BASE = "http://127.0.0.1:5000/"

# The vocabulary lives in fixed, persistent namespaces, independent of the base URI a
# deployment mints its instances under: a query written for one deployment works on all.
ONTOLOGY_IRI = "https://w3id.org/racegraph/ontology"
ONTOLOGY_NS = ONTOLOGY_IRI + "#"
SHAPES_NS = "https://w3id.org/racegraph/shapes#"


def slug(text: str) -> str:
    """ASCII, lower case, dash-joined; `Stéphane Sarrazin` -> `stephane-sarrazin`."""
    result = slugify(text, lowercase=True, separator="-")
    if not result:
        raise ValueError(f"cannot make a URI slug from {text!r}")
    return result


class BaseUriError(ValueError):
    """A base URI racegraph cannot mint under."""


def check_base_uri(base: str) -> str:
    """The base itself when it is an absolute http(s) IRI ending in '/', with no query or fragment."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BaseUriError(f"base URI must be an absolute http:// or https:// URI, found {base!r}")
    if parts.query or parts.fragment or not base.endswith("/"):
        raise BaseUriError(f"base URI must end with '/' and have no query or fragment, found {base!r}")
    try:
        pyoxigraph.NamedNode(base)
    except ValueError as error:
        raise BaseUriError(f"base URI is not a valid IRI ({error}): {base!r}") from None
    return base


class Minter:
    """Mints the IRIs of one base (the build's --base-uri)."""

    def __init__(self, base: str = DEFAULT_BASE):
        self.base = check_base_uri(base)

    def thing(self, kind: str, *parts: str) -> URIRef:
        return URIRef(self.base + "id/" + "/".join((kind, *parts)))

    def event(self, title: str) -> URIRef:
        return self.thing("event", slug(title))

    def entry(self, event_slug: str, car_key: str) -> URIRef:
        return self.thing("entry", event_slug, car_key)

    def named(self, kind: str, name: str) -> URIRef:
        return self.thing(kind, slug(name))

    def country(self, alpha3: str) -> URIRef:
        return self.thing("country", alpha3.lower())

    def status(self, code: str) -> URIRef:
        return self.thing("status", code.lower())

    def article_graph(self, stem: str) -> URIRef:
        return URIRef(self.base + "graph/article/" + slug(stem))

    def derived_graph(self, stem: str) -> URIRef:
        return URIRef(self.base + "graph/derived/" + slug(stem))

    @property
    def ontology_graph(self) -> URIRef:
        return URIRef(self.base + "graph/ontology")

    @property
    def metadata_graph(self) -> URIRef:
        return URIRef(self.base + "graph/metadata")

    @property
    def dataset(self) -> URIRef:
        return URIRef(self.base + "id/dataset")
