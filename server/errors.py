"""The app's one error handler: every HTTP error answered in the form the client prefers.

JSON `{"error": ..., "status": ...}` to clients that prefer JSON and on the whole JSON API; plain text to clients that prefer
text/plain and to SPARQL clients (which ask for result or RDF media types and show the body as is);
an HTML page to browsers. A missing or unreachable store is 503. Any other exception stays a 500: Flask logs it
and this handler only renders the 500 page, it never turns a bug into a client error.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from graph.remote_store import RemoteStoreError
from graph.store import StoreMissingError
from server.sparql_formats import all_media_types

API_PREFIX = "/api/"  # where every answer, errors included, is JSON

# headers of an HTTPException worth keeping on our own response (Allow on 405, Retry-After on 503...)
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Location")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(StoreMissingError, handle_store_missing)
    app.register_error_handler(RemoteStoreError, handle_store_missing)


def handle_store_missing(error: StoreMissingError | RemoteStoreError) -> Response:
    """The build folder has no store, or the store server (STORE_URL) is down or too slow: 503."""
    current_app.logger.error("store unavailable: %s", error)
    return handle_http_error(ServiceUnavailable(str(error)))


def preferred_error_type() -> str:
    """text/plain, application/json or text/html: JSON for the JSON API whatever it asks, else by Accept."""
    if request.path.startswith(API_PREFIX):
        return "application/json"
    offered = ["text/plain", *_sparql_types(), "application/json", "text/html"]
    best = request.accept_mimetypes.best_match(offered, default="text/plain")
    if best in ("application/json", "text/html"):
        return best
    return "text/plain"


def _sparql_types() -> list[str]:
    return [m for m in all_media_types() if m not in ("application/json", "text/plain")]


def handle_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    message = error.description or error.name
    kind = preferred_error_type()
    if kind == "application/json":
        response = jsonify({"error": message, "status": status})
    elif kind == "text/html":
        response = Response(render_template("error.html", status=status, title=error.name, message=message),
                            mimetype="text/html")
    else:
        response = Response(f"{status} {error.name}: {message}\n", mimetype="text/plain")
    response.status_code = status
    for name, value in error.get_headers():
        if name in KEPT_HEADERS:
            response.headers[name] = value
    response.vary.add("Accept")
    return response
