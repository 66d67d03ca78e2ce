"""The API's two forms of a list: JSON with `total`, `limit`, `offset` and `next`/`previous` links, or CSV.

A CSV row is the JSON item flattened: a linked thing `{"id", "name"}` becomes the columns `<key>_id`
and `<key>`, a list of `[code, name]` pairs becomes `CODE Name; CODE Name`, a list of values is
joined with `; `, and `links` keeps only the thing's `uri`. Both forms carry `Link` headers
(rel="next", "prev", "first") and `X-Total-Count`, so a client pages either the same way.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from flask import Response, request

from server import negotiation
from server.api_lists import Page

CSV_MEDIA_TYPE = "text/csv"
LIST_FORMATS = ("json", "csv")

# the columns of each list's CSV, in order (the flattened JSON item has exactly these keys)
CSV_COLUMNS = {
    "events": ("id", "title", "date", "circuit_id", "circuit", "series_id", "series", "uri"),
    "drivers": ("id", "name", "nationalities", "uri"),
    "teams": ("id", "name", "nationalities", "uri"),
    "chassis": ("id", "name", "manufacturer_id", "manufacturer", "uri"),
    "engines": ("id", "name", "manufacturer_id", "manufacturer", "uri"),
    "circuits": ("id", "name", "locality", "country", "uri"),
    "results": ("id", "event_id", "event", "event_date", "pos", "class", "no", "teams", "drivers",
                "chassis", "engine", "tyre", "laps", "uri"),
}


def requested_format(suffix: str | None) -> str:
    """`json` or `csv`: by the `.csv`/`.json` suffix, else by Accept (JSON when nothing is said)."""
    if suffix is not None:
        return suffix
    if not request.accept_mimetypes:
        return "json"
    best = request.accept_mimetypes.best_match(["application/json", CSV_MEDIA_TYPE], default="application/json")
    return "csv" if best == CSV_MEDIA_TYPE else "json"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, list):
                parts.append(" ".join(str(x) for x in part))
            elif isinstance(part, dict):
                parts.append(str(part.get("name") or part.get("title") or part.get("id")))
            else:
                parts.append(str(part))
        return "; ".join(parts)
    return str(value)


def flatten(item: dict) -> dict[str, str]:
    """One JSON item as one CSV row (see the module's docstring); a column it lacks (the `_id` of a
    missing thing) is written empty."""
    row: dict[str, str] = {}
    for key, value in item.items():
        if key == "links":
            row["uri"] = value["uri"]
        elif isinstance(value, dict):
            row[f"{key}_id"] = value["id"]
            for field, inner in value.items():
                if field in ("name", "title"):
                    row[key] = _text(inner)
                elif field not in ("id", "uri"):
                    row[f"{key}_{field}"] = _text(inner)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            row[f"{key}_id"] = "; ".join(part["id"] for part in value)
            row[key] = _text(value)
        else:
            row[key] = _text(value)
    return row


def page_url(offset: int) -> str:
    """This request's URL with `offset` changed (absolute, on the host the client asked)."""
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "offset"]
    if offset:
        args.append(("offset", str(offset)))
    query = urlencode(args)
    return request.base_url + ("?" + query if query else "")


def paging_links(page: Page, total: int) -> dict[str, str | None]:
    following = page.offset + page.limit
    return {
        "next": page_url(following) if following < total else None,
        "previous": page_url(max(0, page.offset - page.limit)) if page.offset > 0 else None,
        "first": page_url(0),
    }


def list_response(name: str, items: list[dict], page: Page, total: int, fmt: str) -> Response:
    """The list `name` as JSON or CSV, with paging links in the body (JSON) and in `Link` (both);
    the caller finishes it (negotiation.answer: ETag, caching, 304)."""
    found = paging_links(page, total)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS[name], restval="", extrasaction="raise",
                                lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(flatten(item) for item in items)
        response = Response(buffer.getvalue(), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8; header=present")
    else:
        response = negotiation.json_document({
            "total": total, "limit": page.limit, "offset": page.offset,
            "next": found["next"], "previous": found["previous"], name: items})
    relations = {"next": "next", "previous": "prev", "first": "first"}
    response.headers["Link"] = ", ".join(f'<{url}>; rel="{relations[key]}"' for key, url in found.items() if url)
    response.headers["X-Total-Count"] = str(total)
    return response
