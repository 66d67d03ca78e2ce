"""The routes of the pages blueprint: home, search, and one page per thing (`/page/<kind>/<slug>`).

Each view asks a data function (server.pages.things) for a plain dict and renders it as HTML (Jinja),
as JSON (`.json` or `Accept: application/json`), or answers with the thing's RDF document
(`Accept: text/turtle` etc.). Labels follow the visitor's language (`Accept-Language`, `?lang=en|es`).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for

from server import describe, iris, negotiation
from server.db import get_build_info
from server.linked_data import DOCUMENT_FORMATS, alternates, rdf_document
from server.pages.format import script_json
from server.pages.queries import current_reader, requested_paging
from server.pages.things import SEARCH_PAGE_SIZE, home_data, search_data, thing_data
from server.pages.words import UI

bp = Blueprint("pages", __name__)

PAGE_FORMATS = DOCUMENT_FORMATS  # html, json, then the RDF formats
LISTING_FORMATS = ("html", "json")
BY_LANGUAGE = ("Accept", "Accept-Language")


@bp.app_context_processor
def interface_words():
    lang = negotiation.preferred_language()
    return {"ui": UI[lang], "lang": lang}


@bp.app_template_global()
def page_link(number: int) -> str:
    """This request's URL at page `number` of its lists, other parameters (q, lang) kept."""
    return url_for(request.endpoint, **(request.view_args or {}), **{**request.args.to_dict(), "page": number})


def render(data: dict, template: str, fmt: negotiation.Format, lang: str) -> Response:
    if fmt.name == "json":
        return negotiation.json_document({key: value for key, value in data.items() if key != "template"})
    jsonld = script_json({k: v for k, v in data.get("jsonld", {}).items() if v is not None})
    return Response(render_template(template, data=data, jsonld=jsonld, lang=lang), mimetype="text/html")


@bp.route("/")
def home():
    fmt = negotiation.choose(LISTING_FORMATS)
    reader, paging = current_reader(), requested_paging()
    response = render(home_data(reader, paging), "home.html", fmt, reader.lang)
    return negotiation.finish(response, tag_parts=(fmt.name, reader.lang, str(paging.number)), vary=BY_LANGUAGE)


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
    response = render(search_data(reader, q, paging), "search.html", fmt, reader.lang)
    return negotiation.finish(response, tag_parts=(fmt.name, reader.lang, q, str(paging.number)), vary=BY_LANGUAGE)


@bp.route("/page/<path:rest>")
def page(rest: str):
    path, suffix = negotiation.split_suffix(rest, PAGE_FORMATS)
    iri = iris.requested_iri(get_build_info().base_uri, iris.key_of_page_path(path),
                             lambda fixed: "/page/" + iris.document_path(fixed) + (f".{suffix}" if suffix else ""))
    fmt = negotiation.choose(PAGE_FORMATS, suffix)
    if fmt.rdf_format is not None:
        return rdf_document(path, fmt)
    paging, lang = requested_paging(), negotiation.preferred_language()
    tagged = {"tag_parts": (fmt.name, lang, str(paging.number)), "alternates": alternates(path, fmt.name),
              "vary": BY_LANGUAGE}
    current = negotiation.current_copy(**tagged)  # a build never changes: no need to render to compare
    if current is not None:
        return current
    reader = current_reader(lang)
    if not describe.exists(reader.store, iri):
        abort(404, f"nothing is known about {iri}")
    data = thing_data(reader, iri, paging)
    response = render(data, data["template"], fmt, reader.lang)
    return negotiation.finish(response, **tagged)
