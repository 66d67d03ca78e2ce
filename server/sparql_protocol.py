"""Reading a SPARQL 1.1 Protocol query operation out of a Flask request, refusing malformed ones."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from flask import Request, current_app
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import BadRequest, Forbidden, RequestEntityTooLarge, RequestURITooLarge, UnsupportedMediaType

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
PROTOCOL_PARAMETERS = ("query", "default-graph-uri", "named-graph-uri", "update", "using-graph-uri",
                       "using-named-graph-uri")
READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only"


@dataclass(frozen=True)
class Operation:
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format: str | None


def read_operation(request: Request) -> Operation | None:
    """The query operation of a GET or POST, or None for a GET that asks no query (the service description)."""
    args = decode_parameters(request.query_string, "the URL's query string")
    if request.method == "POST":
        return _read_post(request, args)
    if "update" in args:
        raise Forbidden(READ_ONLY)
    if not any(name in args for name in PROTOCOL_PARAMETERS):
        return None
    return _operation(_within_length(_single_query(args.getlist("query"), "the URL"), RequestURITooLarge,
                                     "POST it instead of a GET"), args, args)


def decode_parameters(raw: bytes, where: str) -> MultiDict:
    """The name=value pairs of a query string or form body, decoded strictly as UTF-8.

    werkzeug keeps an undecodable `%E9` as the text `%E9`, which would run a different query than the
    client sent; the protocol says parameters are UTF-8, so anything else is refused here.
    """
    pairs = []
    for field in raw.split(b"&"):
        if not field:
            continue
        name, _, value = field.partition(b"=")
        try:
            pairs.append((_form_decode(name), _form_decode(value)))
        except UnicodeDecodeError:
            shown = _form_decode(name, errors="replace")
            raise BadRequest(f"{where} is not valid UTF-8 (in the {shown!r} parameter): percent-encode the "
                             "UTF-8 bytes of each character") from None
    return MultiDict(pairs)


def _form_decode(raw: bytes, errors: str = "strict") -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", errors)


def _read_post(request: Request, args: MultiDict) -> Operation:
    content_type = request.mimetype
    if "update" in args:
        raise Forbidden(READ_ONLY)
    if content_type == FORM:
        _require_utf8(request, FORM)
        form = decode_parameters(request.get_data(cache=False), "the request body")
        if "update" in form:
            raise Forbidden(READ_ONLY)
        if "query" in args:
            raise BadRequest("the query is given both in the URL and in the request body; give it once")
        values = CombinedMultiDict([args, form])
        return _operation(_within_length(_single_query(form.getlist("query"), "the request body"),
                                         RequestEntityTooLarge), values, values)
    if content_type == QUERY_BODY:
        if "query" in args:
            raise BadRequest("the query is given both in the URL and in the request body; give it once")
        _require_utf8(request, QUERY_BODY)
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequest(f"the request body is not valid UTF-8 (byte {error.start})") from None
        return _operation(_within_length(_non_empty(text), RequestEntityTooLarge), args, args)
    if content_type == UPDATE_BODY:
        raise Forbidden(READ_ONLY)
    if not content_type:
        raise UnsupportedMediaType(f"a POST needs a Content-Type: {FORM} (query=...) or {QUERY_BODY} (the query)")
    raise UnsupportedMediaType(f"Content-Type {content_type} is not accepted here: use {FORM} (query=...) "
                               f"or {QUERY_BODY} (the query as the body)")


def _require_utf8(request: Request, content_type: str) -> None:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"a {content_type} body must be UTF-8, not {charset}")


def _single_query(values: list[str], where: str) -> str:
    if not values:
        raise BadRequest(f"no query parameter in {where}")
    if len(values) > 1:
        raise BadRequest(f"{len(values)} query parameters in {where}; give exactly one")
    return _non_empty(values[0])


def _within_length(text: str, too_long, advice: str = "") -> str:
    """The query, unless it is longer than MAX_QUERY_LENGTH (414 in a URL, 413 in a body)."""
    limit = int(current_app.config["MAX_QUERY_LENGTH"])
    if len(text) > limit:
        raise too_long(f"the query has {len(text)} characters; at most {limit} are accepted (the "
                       "MAX_QUERY_LENGTH setting)" + (f": {advice}" if advice else ""))
    return text


def _non_empty(text: str) -> str:
    if not text.strip():
        raise BadRequest("the query is empty")
    return text


def _operation(query: str, graph_source, format_source) -> Operation:
    return Operation(
        query,
        _iris(graph_source.getlist("default-graph-uri"), "default-graph-uri"),
        _iris(graph_source.getlist("named-graph-uri"), "named-graph-uri"),
        graph_source.get("format") or format_source.get("format"),
    )


def _iris(values: list[str], parameter: str) -> tuple[str, ...]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as error:
            raise BadRequest(f"{parameter} {value!r} is not an absolute IRI: {error}") from None
    return tuple(values)
