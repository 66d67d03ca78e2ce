"""The routes of the pages blueprint: home, search, the browse index of each kind (`/page/<kind>`) and one
page per thing (`/page/<kind>/<slug>`).

Each view asks a data function (server.pages.things, .browse) for a plain dict and renders it as HTML
(Jinja), as JSON (`.json` or `Accept: application/json`), or answers with the thing's RDF document
(`Accept: text/turtle` etc.). Labels follow the visitor's language: `?lang=en|es` (remembered in a
cookie), else the cookie, else `Accept-Language`.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Response, abort, render_template, request, url_for

from server import describe, iris, negotiation
from server.db import get_build_info
from server.linked_data import DOCUMENT_FORMATS, alternates, rdf_document
from server.pages import charts, stats
from server.pages.browse import BROWSE_PAGE_SIZE, KINDS, browse_data, requested_browse
from server.pages.format import date_text, number_text, script_json
from server.pages.queries import current_reader, per_build, requested_paging
from server.pages.things import SEARCH_PAGE_SIZE, editor_link, home_data, search_data, thing_data
from server.pages.words import LANGUAGE_NAMES, UI

bp = Blueprint("pages", __name__)

PAGE_FORMATS = DOCUMENT_FORMATS  # html, json, then the RDF formats
LISTING_FORMATS = ("html", "json")
BY_LANGUAGE = ("Accept", "Accept-Language", "Cookie")
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
KIND_SEGMENTS = "any(" + ", ".join(KINDS) + ")"


@bp.app_context_processor
def interface_words():
    lang = negotiation.preferred_language()
    wanted = negotiation.unsupported_language()
    notice = UI[lang]["lang_unsupported"].format(wanted=wanted, shown=LANGUAGE_NAMES[lang]) if wanted else None
    return {"ui": UI[lang], "lang": lang, "languages": LANGUAGE_NAMES, "language_notice": notice}


@bp.app_template_global()
def page_link(number: int) -> str:
    """This request's URL at page `number` of its lists, other parameters (q, lang) kept."""
    return url_for(request.endpoint, **(request.view_args or {}), **{**request.args.to_dict(), "page": number})


@bp.app_template_global()
def link_with(**changes) -> str:
    """This request's URL with some parameters changed (None removes one); a changed filter or order
    starts again at page 1."""
    args = {**request.args.to_dict(), **changes}
    if "page" not in changes:
        args.pop("page", None)
    return url_for(request.endpoint, **(request.view_args or {}),
                   **{name: value for name, value in args.items() if value is not None})


@bp.app_template_global()
def query_link(query: str) -> str:
    """The query editor with `query` filled in."""
    return editor_link(current_reader(), query)


@bp.app_template_filter("date_text")
def _date_text(iso: str | None, lang: str, style: str = "medium") -> str:
    return date_text(iso, lang, style)


@bp.app_template_filter("number_text")
def _number_text(value, lang: str) -> str:
    return number_text(value, lang)


@bp.after_app_request
def remember_language(response: Response) -> Response:
    """A visitor who picks a language with `?lang=` keeps it on the next pages (a cookie)."""
    wanted = request.args.get("lang")
    if wanted in negotiation.SUPPORTED_LANGUAGES and request.cookies.get(negotiation.LANGUAGE_COOKIE) != wanted:
        response.set_cookie(negotiation.LANGUAGE_COOKIE, wanted, max_age=LANGUAGE_COOKIE_AGE, samesite="Lax",
                            httponly=True)
    return response


def _plain(value):
    """Page data as JSON: charts' SVG left out (their numbers stay), decimals as numbers."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if key != "svg"}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def render(data: dict, template: str, fmt: negotiation.Format, lang: str) -> Response:
    if fmt.name == "json":
        return negotiation.json_document(_plain({key: value for key, value in data.items() if key != "template"}))
    jsonld = script_json({k: v for k, v in data.get("jsonld", {}).items() if v is not None})
    return Response(render_template(template, data=data, jsonld=jsonld, lang=lang), mimetype="text/html")


def _query_tag() -> str:
    """The request's parameters, for the ETag: every parameter selects a different page."""
    return request.query_string.decode("ascii", "replace")


@bp.route("/")
def home():
    fmt = negotiation.choose(LISTING_FORMATS)
    reader, paging = current_reader(), requested_paging()
    return negotiation.answer(lambda: render(home_data(reader, paging), "home.html", fmt, reader.lang),
                              tag_parts=(fmt.name, reader.lang, _query_tag()), vary=BY_LANGUAGE)


@bp.route(f"/page/<{KIND_SEGMENTS}:segment>")
def browse(segment: str):
    """The index of one kind: `/page/driver?letter=K&country=dnk&sort=-count&page=2`."""
    return _browse(segment, None)


@bp.route(f"/page/<{KIND_SEGMENTS}:segment>.json")
def browse_json(segment: str):
    return _browse(segment, "json")


def _browse(segment: str, suffix: str | None):
    fmt = negotiation.choose(LISTING_FORMATS, suffix)
    reader, paging = current_reader(), requested_paging(BROWSE_PAGE_SIZE)
    return negotiation.answer(lambda: _browse_page(reader, KINDS[segment], paging, fmt),
                              tag_parts=(fmt.name, reader.lang, _query_tag()), vary=BY_LANGUAGE)


def _browse_page(reader, kind, paging, fmt) -> Response:
    segment = kind.segment
    data = browse_data(reader, kind, requested_browse(kind, reader), paging)
    words = UI[reader.lang]
    data["title"] = words[kind.heading]
    data["breadcrumbs"] = [{"label": words["home"], "href": "/"}, {"label": data["title"], "href": None}]
    listing = f"SELECT ?thing ?name WHERE {{\n  ?thing a rg:{kind.cls} ; rdfs:label ?name .\n}}\nORDER BY ?name"
    data["linked_data"] = {"uri": reader.ns + kind.cls, "documents": [], "json": None,
                           "sparql": editor_link(reader, listing)}
    if segment == "manufacturer":
        wins = per_build(("class wins by maker", reader.lang), lambda: stats.class_wins_by_maker(reader))
        spec = charts.class_wins(wins["makers"], wins["classes"], wins["wins"], words["chart_class_wins_title"],
                                 words["chart_class_wins_desc"], words["manufacturer"], words["class_wins"])
        data["class_wins"] = {
            "svg": charts.render(spec) if wins["makers"] else None, "query": wins["query"],
            "columns": [words["manufacturer"], *(cls["label"] for cls in wins["classes"])],
            "rows": [[maker["label"], *counts] for maker, counts in zip(wins["makers"], wins["wins"])]}
    return render(data, "browse.html", fmt, reader.lang)


@bp.route("/search")
def search():
    return _search(None)


@bp.route("/search.json")
def search_json():
    return _search("json")


def _search(suffix: str | None):
    fmt = negotiation.choose(LISTING_FORMATS, suffix)
    reader, paging = current_reader(), requested_paging(SEARCH_PAGE_SIZE)
    q = request.args.get("q", "")[:200]
    return negotiation.answer(lambda: render(search_data(reader, q, paging), "search.html", fmt, reader.lang),
                              tag_parts=(fmt.name, reader.lang, _query_tag()), vary=BY_LANGUAGE)


@bp.route("/page/<path:rest>")
def page(rest: str):
    path, suffix = negotiation.split_suffix(rest, PAGE_FORMATS)
    iri = iris.requested_iri(get_build_info().base_uri, iris.key_of_page_path(path),
                             lambda fixed: "/page/" + iris.document_path(fixed) + (f".{suffix}" if suffix else ""))
    fmt = negotiation.choose(PAGE_FORMATS, suffix)
    if fmt.rdf_format is not None:
        return rdf_document(path, fmt)
    paging, lang = requested_paging(), negotiation.preferred_language()

    def make() -> Response:
        reader = current_reader(lang)
        if not describe.exists(reader.store, iri):
            abort(404, f"nothing is known about {iri}")
        data = thing_data(reader, iri, paging)
        return render(data, data["template"], fmt, reader.lang)

    return negotiation.answer(make, tag_parts=(fmt.name, lang, _query_tag()), alternates=alternates(path, fmt.name),
                              vary=BY_LANGUAGE)
