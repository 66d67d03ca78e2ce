"""The JSON API (in the spirit of Ergast): events, an event's results, a driver with career.

`/api/events/<slug>/results` answers exactly what `racegraph results` prints for that event. The event
list and the driver come from the same data functions as the home page and the driver page, reshaped
into the API's documented form, in English. Long lists come a page at a time (`?page=N`). Errors are
JSON too (server.errors answers JSON for everything under /api/).
"""

from __future__ import annotations

from flask import Blueprint, abort

from graph.results import UnknownEventError, event_results
from server import iris, negotiation
from server.pages.queries import Reader, current_reader, requested_paging
from server.pages.things import driver_data, event_listing

bp = Blueprint("api", __name__, url_prefix="/api")


def _json(data):
    return negotiation.finish(negotiation.json_document(data), tag_parts=("json",), vary=())


def _slug_of(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def _links(kind: str, slug: str, reader: Reader) -> dict:
    links = {"uri": f"{reader.base}id/{kind}/{slug}", "page": f"/page/{kind}/{slug}",
             "data": f"/data/{kind}/{slug}.ttl"}
    if kind == "event":
        links["results"] = f"/api/events/{slug}/results"
    if kind == "driver":
        links["self"] = f"/api/drivers/{slug}"
    return links


def _paging_of(data: dict) -> dict:
    return {"page": data["page"], "pages": data["pages"], "total": data["total"]}


@bp.route("/events")
def events():
    reader = current_reader("en")
    listing = event_listing(reader, requested_paging())
    listed = []
    for event in listing["events"]:
        slug, circuit = _slug_of(event["iri"]), event["circuit"]
        listed.append({
            "id": slug, "title": event["label"], "date": event["date"],
            "circuit": {"id": _slug_of(circuit["iri"]), "name": circuit["label"],
                        "links": _links("circuit", _slug_of(circuit["iri"]), reader)} if circuit else None,
            "links": _links("event", slug, reader)})
    return _json({"events": listed, **_paging_of(listing)})


@bp.route("/events/<slug>/results")
def results(slug: str):
    reader = current_reader("en")
    iri = iris.requested_iri(reader.base, f"id/event/{slug}", lambda key: f"/api/events/{_slug_of(key)}/results")
    try:
        found = event_results(reader.store, [iri])
    except UnknownEventError:
        abort(404, f"no event {slug!r}; see /api/events")
    return _json(found[0])


@bp.route("/drivers/<slug>")
def driver(slug: str):
    reader = current_reader("en")
    iri = iris.requested_iri(reader.base, f"id/driver/{slug}", lambda key: f"/api/drivers/{_slug_of(key)}")
    if not bool(reader.query("ASK { ?this a rg:Driver }", this=iri)):
        abort(404, f"no driver {slug!r}")
    data = driver_data(reader, iri, requested_paging())
    career = data["sections"][0]

    def people(row: dict, kind: str) -> list[list[str]]:
        return [[person["code"], person["credited_as"]] for person in row[kind]]

    return _json({
        "id": _slug_of(iri), "name": data["title"],
        "nationalities": sorted(country["code"] for country in data["nationalities"]),
        "links": _links("driver", _slug_of(iri), reader),
        "career": [{
            "event": {"id": _slug_of(row["event"]["iri"]), "title": row["event"]["label"],
                      "links": _links("event", _slug_of(row["event"]["iri"]), reader)},
            "date": row["date"], "no": row["no"],
            "class": row["class"]["label"] if row["class"] else None,
            "pos": str(row["position"]) if row["position"] is not None else row["status_code"],
            "teams": people(row, "teams"), "drivers": people(row, "drivers"),
        } for row in career["rows"]],
        **_paging_of(career),
    })

