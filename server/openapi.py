"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.

The paths and their parameters are generated from the lists and filters the API really has
(server.api_lists), so they cannot drift apart; the schemas of the answers are written out here, strict
(no property that is not described), and a test validates live answers against them.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from server.api_formats import CSV_COLUMNS
from server.api_lists import DEFAULT_LIMIT, FILTERS, KINDS, MAX_LIMIT, THING_KINDS

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_CODES = {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{3}$"}}
_PEOPLE = {"type": "array", "description": "[country code, name as the article wrote it], in the article's order",
           "items": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}],
                     "minItems": 2, "maxItems": 2}}


def _object(properties: dict, description: str = "") -> dict:
    found = {"type": "object", "properties": properties, "required": list(properties),
             "additionalProperties": False}
    if description:
        found["description"] = description
    return found


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


ENTRY_FIELDS = {
    "pos": {"type": ["string", "null"], "description": "finishing position, or the status code (DNF, NC...)"},
    "class": _STRING, "no": _STRING, "teams": _PEOPLE, "drivers": _PEOPLE, "chassis": _STRING, "engine": _STRING,
    "tyre": {"type": "string", "description": "the tyre maker's letter, or empty"},
    "laps": {"type": ["integer", "null"]},
}

SCHEMAS = {
    "Error": _object({"error": _STRING, "status": {"type": "integer"}}),
    "Thing": _object({"id": _STRING, "name": _STRING, "uri": {"type": "string", "format": "uri"}},
                     "a thing linked from an item"),
    "Links": {"type": "object", "required": ["uri", "page", "data"], "additionalProperties": False,
              "properties": {"uri": {"type": "string", "format": "uri", "description": "the thing's IRI"},
                             "page": {"type": "string", "description": "its HTML page"},
                             "data": {"type": "string", "description": "its RDF (Turtle) document"},
                             "self": {"type": "string", "description": "this item in the API"},
                             "results": {"type": "string", "description": "its results in the API"}}},
    "Event": _object({"id": _STRING, "title": _STRING, "date": {"type": ["string", "null"], "format": "date"},
                      "circuit": {"oneOf": [_ref("Thing"), {"type": "null"}]},
                      "series": {"type": "array", "items": _ref("Thing")}, "links": _ref("Links")}),
    "Driver": _object({"id": _STRING, "name": _STRING, "nationalities": _CODES, "links": _ref("Links")}),
    "Team": _object({"id": _STRING, "name": _STRING, "nationalities": _CODES, "links": _ref("Links")}),
    "Chassis": _object({"id": _STRING, "name": _STRING, "manufacturer": {"oneOf": [_ref("Thing"), {"type": "null"}]},
                        "links": _ref("Links")}),
    "Engine": _object({"id": _STRING, "name": _STRING, "manufacturer": {"oneOf": [_ref("Thing"), {"type": "null"}]},
                       "links": _ref("Links")}),
    "Circuit": _object({"id": _STRING, "name": _STRING, "locality": _NULLABLE_STRING,
                        "country": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$"}, "links": _ref("Links")}),
    "Result": _object({"id": {"type": "string", "description": "<event id>/<car number>"},
                       "event": _object({"id": _STRING, "title": _STRING, "date": _NULLABLE_STRING,
                                         "uri": {"type": "string", "format": "uri"}}),
                       **ENTRY_FIELDS, "links": _ref("Links")},
                      "one car's result: an entry of `racegraph results`, with its id, event and links"),
    "Race": _object({"title": _STRING, "date": {"type": "string", "format": "date"},
                     "entries": {"type": "array", "items": _object(ENTRY_FIELDS)}},
                    "a race as `racegraph results` prints it"),
}
ITEM_SCHEMAS = {"events": "Event", "drivers": "Driver", "teams": "Team", "chassis": "Chassis",
                "engines": "Engine", "circuits": "Circuit", "results": "Result"}


def _page_schema(name: str) -> dict:
    nullable_url = {"type": ["string", "null"], "format": "uri"}
    return _object({"total": {"type": "integer", "minimum": 0}, "limit": {"type": "integer"},
                    "offset": {"type": "integer"}, "next": nullable_url, "previous": nullable_url,
                    name: {"type": "array", "items": _ref(ITEM_SCHEMAS[name])}},
                   f"a page of {name}; follow `next` for the rest")


def _parameters() -> list[dict]:
    found = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                      "default": DEFAULT_LIMIT}, "description": "items a page"},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0},
         "description": "items to skip"},
    ]
    for flt in FILTERS.values():
        schema = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"} if flt.kind else \
            {"type": "string", "pattern": f"^{flt.value.pattern}$"}
        what = f"only {'races' if flt.constrains == 'event' else 'cars'} with this {flt.name}"
        found.append({"name": flt.name, "in": "query", "schema": schema,
                      "description": f"{what}: {flt.expected}"})
    return found


_ERRORS = {status: {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
           for status, text in (("400", "a parameter the API cannot use; the error names it"),
                                ("404", "no such thing"))}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}}
_CSV = {"text/csv": {"schema": {"type": "string"}}}


def _list_operation(name: str, summary: str, with_id: bool, csv_only: bool) -> dict:
    content = dict(_CSV) if csv_only else {"application/json": {"schema": _ref(f"{ITEM_SCHEMAS[name]}Page")}, **_CSV}
    return {"get": {
        "summary": summary + (" as CSV (columns: " + ", ".join(CSV_COLUMNS[name]) + ")" if csv_only else ""),
        "parameters": ([_ID] if with_id else []) + _parameters(),
        "responses": {"200": {"description": f"a page of {name}", "content": content}, **_ERRORS}}}


def openapi_document() -> dict:
    try:
        release = version("racegraph")
    except PackageNotFoundError:  # running from a source tree that was never installed
        release = "0"
    paths: dict = {}
    for name in KINDS:
        summary = f"{name}, filtered and paged"
        paths[f"/{name}"] = _list_operation(name, summary, False, False)
        paths[f"/{name}.csv"] = _list_operation(name, summary, False, True)
    for kinds in THING_KINDS:
        singular = KINDS[kinds].segment
        paths[f"/{kinds}/{{id}}"] = {"get": {
            "summary": f"one {singular}", "parameters": [_ID],
            "responses": {"200": {"description": f"the {singular}",
                                  "content": {"application/json": {"schema": _ref(ITEM_SCHEMAS[kinds])}}},
                          "404": _ERRORS["404"]}}}
        for name in KINDS:
            summary = f"the {name} of one {singular}, filtered and paged"
            paths[f"/{kinds}/{{id}}/{name}"] = _list_operation(name, summary, True, False)
            paths[f"/{kinds}/{{id}}/{name}.csv"] = _list_operation(name, summary, True, True)
    paths["/events/{id}/results"] = {"get": {
        "summary": "the race's results exactly as `racegraph results <event>` prints them (a list of one race); "
                   "as CSV (Accept: text/csv) the race's result rows, filtered and paged",
        "parameters": [_ID] + _parameters(),
        "responses": {"200": {"description": "the race", "content": {
            "application/json": {"schema": {"type": "array", "items": _ref("Race"), "minItems": 1, "maxItems": 1}},
            **_CSV}}, **_ERRORS}}}
    paths["/openapi.json"] = {"get": {"summary": "this description", "responses": {"200": {
        "description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    schemas = dict(SCHEMAS)
    for name, item in ITEM_SCHEMAS.items():
        schemas[f"{item}Page"] = _page_schema(name)
    return {
        "openapi": "3.1.0",
        "info": {"title": "racegraph API", "version": release, "license": {"name": "MIT", "identifier": "MIT"},
                 "description": "Race results as linked data, in Ergast's grammar: lists of events, drivers, "
                                "teams, chassis, engines, circuits and results; filters combine; `limit` and "
                                "`offset` page every list (`total`, `next`, `previous`, and `Link` headers); "
                                "every list also as CSV (`.csv` or `Accept: text/csv`)."},
        "servers": [{"url": "/api"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
