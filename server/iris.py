"""Between request paths and IRIs: which IRI a request names, and where a person reads about an IRI.

IRIs map to request paths by their position under the build's base URI (Pubby style), never from
the request's Host: `{base}id/driver/x` is described at `/page/driver/x` and `/data/driver/x.ttl`,
`{base}graph/article/x` at `/page/graph/article/x`. The vocabulary's fixed IRIs
(`https://w3id.org/racegraph/ontology#Driver`) are described by each deployment at `/ontology#Driver`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import abort, redirect, request

from graph.uris import ONTOLOGY_IRI, ONTOLOGY_NS, slug

# What racegraph mints after the base (docs/model.md): `id/` or `graph/`, then segments that are slugs
# (python-slugify output: a-z, 0-9 and '-'). Checking the shape first keeps anything else (`>`, a space,
# `%00`, which are not even valid in an IRI) away from the store: it cannot name one of our things.
MINTED_KEY = re.compile(r"(?:id|graph)(?:/[a-z0-9][a-z0-9-]*)+")

# the kinds of things people browse: in the sitemap and the search (not roles, entries or graphs)
BROWSED_CLASSES = ("RaceEvent", "Driver", "Team", "Chassis", "Engine", "Manufacturer", "RaceClass",
                   "Circuit", "Country")


def requested_iri(base: str, key: str, url_of: Callable[[str], str]) -> str:
    """The IRI a request names by `key` (`id/driver/x`, `graph/article/y`: the IRI relative to the base).

    A non-ASCII spelling of a slug (`st%C3%A9phane`) is answered 301 to `url_of(key with ASCII slugs)`;
    anything racegraph would never mint is answered 404. Every view that takes a thing from its URL
    comes through here.
    """
    if not key.isascii():
        try:
            fixed = "/".join(part if part.isascii() else slug(part) for part in key.split("/"))
        except ValueError:  # nothing to make a slug from
            abort(404, "racegraph names things with ASCII slugs; this one has none")
        target = url_of(fixed)
        if request.query_string:
            target += "?" + request.query_string.decode("ascii", "replace")
        abort(redirect(target, code=301))
    if not MINTED_KEY.fullmatch(key):
        abort(404, f"racegraph does not name anything {key!r}: its names are id/<kind>/<slug> and "
                   "graph/<kind>/<slug>, with slugs of a-z, 0-9 and '-'")
    return base + key


def key_of_page_path(rest: str) -> str:
    """The IRI key (relative to the base) of a `/page/<rest>` or `/data/<rest>` path."""
    return rest if rest.startswith("graph/") else "id/" + rest


def document_path(key: str) -> str:
    """`event/x` for `id/event/x`; `graph/article/x` for `graph/article/x`."""
    return key[3:] if key.startswith("id/") else key


def local_href(iri: str, base: str) -> str | None:
    """The local path where a person reads about `iri`, or None for an IRI outside this dataset."""
    if iri.startswith(ONTOLOGY_NS):
        return "/ontology#" + iri[len(ONTOLOGY_NS):]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if not iri.startswith(base):
        return None
    key = iri[len(base):]
    if key == "":
        return "/"
    if key.startswith(("id/", "graph/")):
        return "/page/" + document_path(key)
    if key in ("ontology", "sparql") or key.startswith("dumps/"):
        return "/" + key
    return None


def href(iri: str, base: str) -> str:
    """Where a link to `iri` should go: the local page, else the IRI itself."""
    return local_href(iri, base) or iri


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip("/"):
            tail = iri.rstrip("/").rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri
