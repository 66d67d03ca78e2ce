"""CORS on every response: the data is public and read-only, and linked-data clients in browsers
(Comunica, YASGUI) query the endpoint and dereference IRIs, documents, the ontology, VoID, dumps and
the JSON API from other origins. Flask answers the preflight OPTIONS itself; this adds the headers."""

from __future__ import annotations

from flask import Flask, Response, request

# headers a script may read: the SPARQL limits, and what a linked-data client needs to follow documents
EXPOSED_HEADERS = ("X-SPARQL-MaxRows, X-Racegraph-MaxBytes, X-Racegraph-Truncated, Retry-After, Link, Location, ETag, Last-Modified, "
                   "Content-Disposition")


def init_app(app: Flask) -> None:
    app.after_request(allow_cross_origin)


def allow_cross_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type")
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
