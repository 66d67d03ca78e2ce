"""The SPARQL 1.1 Protocol endpoint at /sparql (queries only; the store is read-only).

GET or POST a query and get results in the negotiated format; GET without a query and get the
service description (RDF) or, in a browser, the query editor. The work is done elsewhere:
sparql_protocol reads the request, sparql_formats negotiates, query_runner runs it bounded.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import NotAcceptable, ServiceUnavailable, default_exceptions

from graph.query_gate import QueryRefused, check_query
from server import db, negotiation, query_runner, service_description, sparql_formats, sparql_html
from server.answer_cache import AnswerCache
from server.query_worker import Job
from server.sparql_formats import negotiate
from server.sparql_protocol import read_operation

bp = Blueprint("sparql", __name__)
ANSWER_CACHE = "racegraph.answer_cache"
HTML_VARY = ("Accept", "Accept-Language", "Cookie")  # the results page follows the visitor's language


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    operation = read_operation(request)
    if operation is None:
        return _service_description()
    as_html = sparql_html.wants_html(request, operation.format)  # a browser: results as an HTML table
    choice = sparql_html.HTML_CHOICE if as_html else negotiate(request.accept_mimetypes, operation.format)
    config = current_app.config
    max_rows = int(config["MAX_RESULT_ROWS"])
    allow_remote, max_depth = bool(config["ALLOW_REMOTE_SERVICE"]), int(config["MAX_QUERY_DEPTH"])
    try:  # refused here, before a query worker is taken; the worker checks again before the engine runs
        facts = check_query(operation.query, allow_service=allow_remote, max_depth=max_depth)
    except QueryRefused as refusal:
        raise default_exceptions[refusal.status](str(refusal)) from None
    job = Job(operation.query, operation.default_graphs, operation.named_graphs, choice.results, choice.graph,
              max_rows, allow_remote, max_bytes=int(config["MAX_RESULT_BYTES"]), max_depth=max_depth,
              base_iri=url_for("sparql.endpoint", _external=True))
    # a build never changes, so an answer that reads only the build is the same until the next build;
    # one that may call another endpoint (SERVICE) is not
    tagged = _tagged(job, as_html) if request.method == "GET" and not facts.may_use_service else None
    if tagged is not None:
        current = negotiation.current_copy(**tagged)  # 304 before any work: no worker, no store
        if current is not None:
            return current
    reply = _answer(job, remember=not facts.may_use_service)
    if reply["kind"] == "refused":
        raise default_exceptions[reply["status"]](reply["message"])
    if reply["kind"] != "ok":  # the query's start only: the text may be megabytes
        raise query_runner.WorkerFailed(f"query worker failed on {_excerpt(operation.query)}:\n{reply['message']}")
    if as_html:
        response = sparql_html.results_page(reply, operation.query, max_rows)
    else:
        response = Response(reply["body"], content_type=reply["media_type"])
        if reply["truncated"]:  # cut by the row cap or by the byte cap: the headers name both caps
            response.headers["X-SPARQL-MaxRows"] = str(max_rows)
            response.headers["X-Racegraph-MaxBytes"] = str(job.max_bytes)
            response.headers["X-Racegraph-Truncated"] = "true"
    return negotiation.finish(response, **tagged) if tagged is not None else response


def _tagged(job: Job, as_html: bool) -> dict:
    """What selects a GET's answer, for its ETag (negotiation.entity_tag adds the build and the path)."""
    if as_html:  # the page is in the visitor's language
        chosen, vary = "html " + negotiation.preferred_language(), HTML_VARY
    else:
        chosen, vary = f"{job.results_format} {job.graph_format}", ("Accept",)
    return {"tag_parts": (chosen, str(job.max_rows), str(job.max_bytes), job.base_iri or "",
                          " ".join(job.default_graphs), " ".join(job.named_graphs), job.query),
            "vary": vary}


def _answer(job: Job, remember: bool) -> dict:
    """The query worker's reply to `job`, or the remembered reply to the same job on this build."""
    build = str(db.current_build_folder())
    # with STORE_URL a new build may come in the same folder (a new build.json): its id tells them apart
    info = db.get_build_info().data
    generation = build + "\0" + (info.get("build_id") or info.get("built_at", ""))
    cache = current_app.extensions[ANSWER_CACHE] if remember else None
    if cache is not None and (known := cache.get(generation, job)) is not None:
        return known
    timeout = float(current_app.config["QUERY_TIMEOUT"])
    try:
        reply = query_runner.get_pool().run(job, timeout, build=build, client=request.remote_addr)
    except query_runner.QueryTimeout as busy_or_slow:
        raise ServiceUnavailable(
            f"{busy_or_slow} {timeout:g} s (the QUERY_TIMEOUT setting) and was stopped; "
            "narrow the query or add a LIMIT", retry_after=int(timeout)) from None
    if cache is not None and reply["kind"] == "ok":
        cache.put(generation, job, reply, len(reply["body"]) + len(job.query))
    return reply


def _excerpt(query: str, length: int = 200) -> str:
    return repr(query[:length]) + (f" ... ({len(query)} characters)" if len(query) > length else "")


def _service_description():
    chosen = service_description.negotiate(request.accept_mimetypes, request.args.get("format"))
    if chosen is None:
        raise NotAcceptable("the service description is available as " + service_description.offered_media_types())
    if chosen == "html":
        return render_template("sparql.html", editor=service_description.editor_config())
    body = service_description.describe(chosen)
    return Response(body, content_type=sparql_formats.media_type("graph", chosen))


@bp.after_request
def vary_by_accept(response: Response) -> Response:
    """The result format follows Accept (CORS headers come from server.cross_origin, for every route)."""
    response.vary.add("Accept")
    return response


@bp.record_once
def _set_up(state) -> None:
    query_runner.init_app(state.app)
    size = int(state.app.config["QUERY_CACHE_BYTES"])
    state.app.extensions[ANSWER_CACHE] = AnswerCache(size) if size else None
