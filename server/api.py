"""The JSON API (in the spirit of Ergast): events, an event's results, a driver with career.

`/api/events/<slug>/results` answers exactly what `racegraph results` prints for that event.
Errors are JSON too (the app-wide handler prefers JSON for this blueprint).
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask import Blueprint, Response, abort, jsonify
from werkzeug.exceptions import HTTPException

from graph.results import UnknownEventError, event_results
from server import describe, negotiation
from server.db import get_build_info, get_store

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException):
    """Errors of API views are JSON whatever the Accept header (same shape as the app-wide handler)."""
    response = jsonify({"error": error.description or error.name, "status": error.code})
    response.status_code = error.code or 500
    return response

_PREFIXES = "PREFIX rg: <{ns}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"

_EVENTS = """
SELECT DISTINCT ?event ?date ?circuit WHERE {{
  ?event a rg:RaceEvent .
  OPTIONAL {{ ?event rg:date ?date }}
  OPTIONAL {{ ?event rg:circuit ?circuit }}
}} ORDER BY ?date ?event
"""

_CAREER = """
SELECT DISTINCT ?entry ?event ?date ?no ?class ?pos ?code ?order WHERE {{
  ?entry rg:driver ?this ; rg:event ?event ; rg:carNumber ?no ; rg:tableOrder ?order .
  OPTIONAL {{ ?event rg:date ?date }}
  OPTIONAL {{ ?entry rg:raceClass ?class }}
  OPTIONAL {{ ?entry rg:position ?pos }}
  OPTIONAL {{ ?entry rg:status/rg:statusCode ?code }}
}} ORDER BY ?date ?event ?order
"""

_CAREER_ROLES = """
SELECT DISTINCT ?entry ?kind ?order ?who ?credited ?alpha3 WHERE {{
  ?entry rg:driver ?this .
  {{ ?entry rg:entrantRole ?role . ?role rg:roleTeam ?who . BIND("teams" AS ?kind) }}
  UNION
  {{ ?entry rg:driverRole ?role . ?role rg:roleDriver ?who . BIND("drivers" AS ?kind) }}
  ?role rg:listOrder ?order .
  OPTIONAL {{ ?role rg:creditedAs ?credited }}
  OPTIONAL {{ ?role rg:enteredNationality/rg:alpha3 ?alpha3 }}
}} ORDER BY ?entry ?kind ?order
"""


def _json(data, status: int = 200) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, indent=2) + "\n", status=status,
                        mimetype="application/json")
    return negotiation.finish(response, tag_parts=("json",), vary=())


def _query(text: str, **bindings):
    ns = get_build_info().ontology_namespace
    iris = {name: value.value for name, value in bindings.items()}
    return get_store().query(_PREFIXES.format(ns=ns) + describe.bind_iris(text.format(), **iris))


def _slug_of(iri: str, kind: str) -> str:
    return iri[len(get_build_info().base_uri + "id/" + kind + "/"):]


def _english(iris) -> dict[str, str]:
    return describe.labels(get_store(), iris, "en")


def _links(kind: str, slug: str) -> dict:
    base = get_build_info().base_uri
    links = {"uri": f"{base}id/{kind}/{slug}", "page": f"/page/{kind}/{slug}", "data": f"/data/{kind}/{slug}.ttl"}
    if kind == "event":
        links["results"] = f"/api/events/{slug}/results"
    if kind == "driver":
        links["self"] = f"/api/drivers/{slug}"
    return links


@bp.route("/events")
def events():
    rows = list(_query(_EVENTS))
    names = _english({row["event"].value for row in rows} | {row["circuit"].value for row in rows if row["circuit"]})
    listed = []
    for row in rows:
        slug = _slug_of(row["event"].value, "event")
        circuit = None
        if row["circuit"] is not None:
            circuit_iri = row["circuit"].value
            circuit = {"id": _slug_of(circuit_iri, "circuit"), "name": names.get(circuit_iri, ""),
                       "links": _links("circuit", _slug_of(circuit_iri, "circuit"))}
        listed.append({"id": slug, "title": names.get(row["event"].value, slug),
                       "date": row["date"].value if row["date"] is not None else None,
                       "circuit": circuit, "links": _links("event", slug)})
    return _json({"events": listed})


@bp.route("/events/<slug>/results")
def results(slug: str):
    info = get_build_info()
    try:
        found = event_results(get_store(), info.base_uri, [f"{info.base_uri}id/event/{slug}"])
    except UnknownEventError:
        abort(404, f"no event {slug!r}; see /api/events")
    return _json(found[0])


@bp.route("/drivers/<slug>")
def driver(slug: str):
    info = get_build_info()
    iri = f"{info.base_uri}id/driver/{slug}"
    this = ox.NamedNode(iri)
    is_driver = get_store().query(f"ASK {{ ?this a <{info.ontology_namespace}Driver> }}",
                                  substitutions={ox.Variable("this"): this})
    if not is_driver:
        abort(404, f"no driver {slug!r}")
    nationalities = sorted(row["a3"].value for row in _query(
        "SELECT DISTINCT ?a3 WHERE {{ ?this rg:nationality/rg:alpha3 ?a3 }}", this=this))
    roles: dict[tuple[str, str], list[list[str]]] = {}
    for row in _query(_CAREER_ROLES, this=this):
        name = row["credited"].value if row["credited"] is not None else ""
        code = row["alpha3"].value if row["alpha3"] is not None else ""
        roles.setdefault((row["entry"].value, row["kind"].value), []).append([code, name])
    rows = list(_query(_CAREER, this=this))
    names = _english({iri} | {row["event"].value for row in rows} | {row["class"].value for row in rows if row["class"]})
    career, seen = [], set()
    for row in rows:
        entry = row["entry"].value
        if entry in seen:
            continue
        seen.add(entry)
        event_slug = _slug_of(row["event"].value, "event")
        career.append({
            "event": {"id": event_slug, "title": names.get(row["event"].value, event_slug),
                      "links": _links("event", event_slug)},
            "date": row["date"].value if row["date"] is not None else None,
            "no": row["no"].value,
            "class": names.get(row["class"].value, "") if row["class"] is not None else None,
            "pos": row["pos"].value if row["pos"] is not None else (row["code"].value if row["code"] else None),
            "teams": roles.get((entry, "teams"), []),
            "drivers": roles.get((entry, "drivers"), []),
        })
    return _json({"id": slug, "name": names.get(iri, slug), "nationalities": nationalities,
                  "links": _links("driver", slug), "career": career})
