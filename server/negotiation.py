"""Choosing a representation: by file suffix when the URL has one, else by the Accept header.

Shared by the linked-data documents, the HTML pages, the ontology and VoID. Every view offers a list
of format names (`html`, `json`, `ttl`, `nt`, `rdf`, `jsonld`); the first one is the default for a
request without an Accept header. Document responses get `Vary`, `Link: rel="alternate"`, an
`ETag` and `Last-Modified` from the build time, and answer 304 to a matching conditional request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from flask import Response, current_app, request
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import http_date

from server import response_cache
from server.db import get_build_info


@dataclass(frozen=True)
class Format:
    name: str  # also the URL suffix
    media_type: str
    rdf_format: ox.RdfFormat | None  # pyoxigraph's serialiser for RDF formats, None otherwise
    aliases: tuple[str, ...] = ()
    label: str = ""  # the name people know it by (the pages' links to their documents)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("html", "text/html", None, ("application/xhtml+xml",), "HTML"),
    Format("json", "application/json", None, (), "JSON"),
    Format("ttl", "text/turtle", ox.RdfFormat.TURTLE, ("application/x-turtle",), "Turtle"),
    Format("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, (), "N-Triples"),
    Format("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML, (), "RDF/XML"),
    Format("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, (), "JSON-LD"),
)}

RDF_FORMATS = ("ttl", "nt", "rdf", "jsonld")
SUPPORTED_LANGUAGES = ("en", "es")


def split_suffix(path: str, offered: tuple[str, ...] | list[str]) -> tuple[str, str | None]:
    """('event/x', 'ttl') for 'event/x.ttl' when ttl is offered; (path, None) when there is no such suffix."""
    stem, dot, suffix = path.rpartition(".")
    if dot and suffix in offered and stem:
        return stem, suffix
    return path, None


def choose(offered: tuple[str, ...] | list[str], suffix: str | None = None) -> Format:
    """The format asked for by suffix, else the best Accept match among `offered` (q-values honoured).

    No Accept header (or `*/*` alone) gets the first offered format; nothing acceptable is 406.
    """
    if suffix is not None:
        return FORMATS[suffix]
    accept = request.accept_mimetypes
    if not accept:
        return FORMATS[offered[0]]
    candidates: list[tuple[str, str]] = []
    for name in offered:
        fmt = FORMATS[name]
        candidates.append((fmt.media_type, name))
        candidates.extend((alias, name) for alias in fmt.aliases)
    best = accept.best_match([media for media, _ in candidates])
    if best is None:
        wanted = ", ".join(FORMATS[name].media_type for name in offered)
        raise NotAcceptable(f"this resource is available as {wanted}")
    return FORMATS[dict(candidates)[best]]


def json_document(data) -> Response:
    """A JSON representation (pages, the ontology, the API): UTF-8 text as is, indented for people reading it."""
    return Response(json.dumps(data, ensure_ascii=False, indent=2) + "\n", mimetype="application/json")


LANGUAGE_COOKIE = "lang"  # set by the pages when a visitor picks a language with ?lang=


def preferred_language() -> str:
    """`?lang=` when it names a supported language, else the visitor's earlier choice (the `lang` cookie),
    else the best Accept-Language match, else English."""
    for wanted in (request.args.get("lang", ""), request.cookies.get(LANGUAGE_COOKIE, "")):
        if wanted in SUPPORTED_LANGUAGES:
            return wanted
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES, default="en") or "en"


def unsupported_language() -> str | None:
    """The `?lang=` of the request when it names a language racegraph does not speak, else None."""
    wanted = request.args.get("lang")
    return wanted if wanted is not None and wanted not in SUPPORTED_LANGUAGES else None


def build_time() -> dt.datetime | None:
    built = get_build_info().data.get("built_at")
    if not built:
        return None
    return dt.datetime.fromisoformat(built)


def entity_tag(*parts: str) -> str:
    """A strong ETag for a representation: the build (its id and time) plus whatever selects the
    representation, so every ETag changes when the server moves to a new build."""
    info = get_build_info()
    digest = hashlib.sha256()
    for part in (info.data.get("build_id", ""), info.data.get("built_at", ""), info.base_uri, *parts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def link_header(alternates: list[tuple[str, Format]]) -> str:
    return ", ".join(f'<{href}>; rel="alternate"; type="{fmt.media_type}"' for href, fmt in alternates)


def current_copy(*, tag_parts: tuple[str, ...], alternates: list[tuple[str, Format]] = (),
                 vary: tuple[str, ...] = ("Accept",)) -> Response | None:
    """The 304 for a conditional request whose copy is current, decided before any work; else None.

    A build never changes, so the tag `finish` would give the full answer is known before it is made.
    """
    if not (request.if_none_match or request.if_modified_since):
        return None
    response = finish(Response(status=200), tag_parts=tag_parts, alternates=alternates, vary=vary)
    return response if response.status_code == 304 else None


def finish(response: Response, *, tag_parts: tuple[str, ...], alternates: list[tuple[str, Format]] = (),
           vary: tuple[str, ...] = ("Accept",)) -> Response:
    """Add Vary, Link, ETag, Last-Modified and Cache-Control, then answer 304 when the client's copy is current."""
    for header in vary:
        response.vary.add(header)
    if alternates:
        response.headers["Link"] = link_header(list(alternates))
    response.set_etag(entity_tag(request.path, *tag_parts))
    # A build never changes, so caches may keep an answer; they revalidate by ETag after CACHE_MAX_AGE,
    # which is how a new build reaches them. Written as text: werkzeug's CacheControl object writes
    # the header again on each attribute set, a tenth of a cached light answer's time.
    response.headers["Cache-Control"] = f"public, max-age={int(current_app.config['CACHE_MAX_AGE'])}"
    modified = _http_date(get_build_info().data.get("built_at") or "")
    if modified:
        response.headers["Last-Modified"] = modified
    if any(name in request.environ for name in _CONDITIONAL_HEADERS):
        return response.make_conditional(request)
    return response


# what can turn an answer into 304 or 412 (werkzeug's make_conditional reads nothing else here)
_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


@lru_cache(maxsize=8)
def _http_date(built_at: str) -> str:
    """Last-Modified for a build's time (written once per build, not once per request)."""
    return http_date(dt.datetime.fromisoformat(built_at)) if built_at else ""


def answer(make: Callable[[], Response], *, tag_parts: tuple[str, ...], alternates: list[tuple[str, Format]] = (),
           vary: tuple[str, ...] = ("Accept",)) -> Response:
    """The representation `tag_parts` select: 304 when the client's copy is current, else this process's
    kept copy (server.response_cache), else made by `make()`, finished and kept.

    Only for answers that depend on nothing but the build and what `tag_parts` and the path name.
    """
    tagged = {"tag_parts": tag_parts, "alternates": alternates, "vary": vary}
    current = current_copy(**tagged)
    if current is not None:
        return current
    cache = response_cache.get_cache()
    tag, build = entity_tag(request.path, *tag_parts), get_build_info().data.get("build_id", "")
    kept = cache.get(build, tag) if cache is not None else None
    if kept is not None:
        return kept.response()
    response = finish(make(), **tagged)
    if cache is not None:
        cache.keep(build, tag, response)
    return response
