"""The JSON API, in Ergast's grammar: lists of events, drivers, teams, chassis, engines, circuits and
results, filtered by combinable parameters, paged by `limit`/`offset`, as JSON or CSV.

    /api/<list>[.csv]?<filter>=<value>&limit=&offset=      e.g. /api/events?year=2004&series=...
    /api/<list>/<id>                                       one thing
    /api/<list>/<id>/<list>[.csv]                          e.g. /api/drivers/<id>/results?position=1
    /api/events/<id>/results                               exactly what `racegraph results <event>` prints
    /api/openapi.json                                      the OpenAPI 3 description of all of it

The data functions live in server.api_lists, the two output forms in server.api_formats. Errors
under /api/ are JSON (server.errors).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from graph.results import UnknownEventError, event_results
from server import api_formats, iris, negotiation
from server.api_lists import KINDS, THING_KINDS, FilterError, Kind, exists, items, parse_filters, parse_page, select_page
from server.openapi import openapi_document
from server.pages.queries import current_reader

bp = Blueprint("api", __name__, url_prefix="/api")

_LISTS = "any(" + ", ".join(KINDS) + ")"
_THINGS = "any(" + ", ".join(THING_KINDS) + ")"
_SUFFIXES = "any(json, csv)"


def _listing(kind: Kind, suffix: str | None, fixed: dict[str, str] | None = None) -> Response:
    reader = current_reader("en")
    fmt = api_formats.requested_format(suffix)
    try:
        page = parse_page(request.args)
        filters = parse_filters(request.args, reader.base, fixed)
    except FilterError as error:
        abort(400, str(error))

    def make() -> Response:
        found, total = select_page(reader, kind, filters, page)
        return api_formats.list_response(kind.name, items(reader, kind, found), page, total, fmt)

    # a list depends on the build, the path, the format and the query string alone: kept once made
    return negotiation.answer(make, tag_parts=(fmt, request.query_string.decode("ascii", "replace")))


def _list_view(kind: Kind):
    def view(suffix: str | None = None):
        return _listing(kind, suffix)
    return view


for _kind in KINDS.values():
    _view = _list_view(_kind)
    bp.add_url_rule(f"/{_kind.name}", endpoint=_kind.name, view_func=_view)
    bp.add_url_rule(f"/{_kind.name}.<{_SUFFIXES}:suffix>", endpoint=_kind.name, view_func=_view)


def _thing_iri(kind: Kind, slug: str, rest: str = "") -> str:
    """The IRI of `/api/<kind>/<slug>...`, or 404 when no such thing of that kind exists."""
    reader = current_reader("en")
    iri = iris.requested_iri(reader.base, f"id/{kind.segment}/{slug}",
                             lambda key: f"/api/{kind.name}/{key.rsplit('/', 1)[1]}{rest}")
    if not exists(reader, kind, iri):
        abort(404, f"no {kind.segment} {slug!r}; see /api/{kind.name}")
    return iri


@bp.route(f"/<{_THINGS}:kinds>/<slug>")
def thing(kinds: str, slug: str):
    kind = KINDS[kinds]
    iri = _thing_iri(kind, slug)
    return negotiation.answer(lambda: negotiation.json_document(items(current_reader("en"), kind, [iri])[0]),
                              tag_parts=("json",), vary=())


@bp.route(f"/<{_THINGS}:kinds>/<slug>/<{_LISTS}:listing>")
@bp.route(f"/<{_THINGS}:kinds>/<slug>/<{_LISTS}:listing>.<{_SUFFIXES}:suffix>")
def related(kinds: str, slug: str, listing: str, suffix: str | None = None):
    kind = KINDS[kinds]
    if kinds == "events" and listing == "results" and suffix is None and api_formats.requested_format(None) == "json":
        if request.args:  # the fixed form of `racegraph results` has nothing to filter or page
            abort(400, f"/api/events/{slug}/results is the whole race as `racegraph results` prints it; to filter "
                       f"or page its rows, ask /api/results?event={slug}&... (or this URL as CSV)")
        return event_results_view(slug)
    _thing_iri(kind, slug, f"/{listing}" + (f".{suffix}" if suffix else ""))
    return _listing(KINDS[listing], suffix, fixed={kind.segment: slug})


def event_results_view(slug: str) -> Response:
    """The event's results in the very form `racegraph results <event>` prints: a list of one race."""
    reader = current_reader("en")
    iri = iris.requested_iri(reader.base, f"id/event/{slug}", lambda key: f"/api/events/{key.rsplit('/', 1)[1]}/results")

    def make() -> Response:
        try:
            response = negotiation.json_document(event_results(reader.store, [iri]))
        except UnknownEventError:
            abort(404, f"no event {slug!r}; see /api/events")
        response.headers["Link"] = f'</api/events/{slug}/results.csv>; rel="alternate"; type="text/csv"'
        return response

    # kept once made (server.response_cache): a race's table costs two queries of a hundred-odd rows each
    # (about 3x the SPARQL results query alone), its copy a dictionary look-up
    return negotiation.answer(make, tag_parts=("json",))


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of the API (server.openapi)."""
    response = negotiation.json_document(openapi_document())
    return negotiation.finish(response, tag_parts=("openapi",), vary=())
