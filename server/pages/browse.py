"""Browse indexes: `/page/driver`, `/page/team`, … one page of the things of a kind at a time.

Each index is read with two small queries and a count: the page of things (chosen, sorted and cut with
ORDER BY / LIMIT / OFFSET in SPARQL, so no more rows come back than are shown), then the extra column
of only those things. Each thing's entry count is counted once per build (entry_counts). Filters: `letter=` (the first letter of the name, accents
ignored) and `country=` (an alpha-3 slug such as `dnk`); order: `sort=` one of the kind's sort keys, one
pair (ascending, descending) per column of the table, whose headers are the sort links.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from flask import abort, request

from server import describe
from server.pages.queries import Paging, Reader, country_flags, per_build

BROWSE_PAGE_SIZE = 50
LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + ("#",)  # '#': names that start with anything else


@dataclass(frozen=True)
class Kind:
    """One browsable kind: its URL segment, rg: class, and how its index reads its extra column."""

    segment: str  # /page/<segment>, also the `id/<segment>/` of its IRIs
    cls: str  # rg: class name
    heading: str  # UI word for the plural
    column: str | None = None  # UI word of the extra column
    column_path: str | None = None  # property path from ?x to the extra column's value (an IRI or a literal)
    country_path: str | None = None  # property path from ?x to a country, when the kind can be filtered by one
    count_word: str = "entries"  # UI word of the count column
    count_pattern: str = ""  # a graph pattern over ?x and ?n_of: each ?n_of counted once
    default_sort: str = "name"


KINDS: dict[str, Kind] = {kind.segment: kind for kind in (
    Kind("event", "RaceEvent", "events", "circuit", "rg:circuit", "rg:circuit/rg:country",
         "entries", "?n_of rg:event ?x", default_sort="-date"),
    Kind("driver", "Driver", "drivers_plural", "nationality", "rg:nationality", "rg:nationality",
         "entries", "?n_of rg:driver ?x"),
    Kind("team", "Team", "teams_plural", "nationality", "rg:nationality", "rg:nationality",
         "entries", "?n_of rg:team ?x"),
    Kind("chassis", "Chassis", "chassis_plural", "manufacturer", "rg:manufacturer", None,
         "entries", "?n_of rg:chassis ?x"),
    Kind("engine", "Engine", "engines", "manufacturer", "rg:manufacturer", None,
         "entries", "?n_of rg:engine ?x"),
    Kind("manufacturer", "Manufacturer", "manufacturers", None, None, None,
         "entries", "?n_of (rg:chassis|rg:engine)/(rg:manufacturer|rg:tuner)|rg:tyre ?x"),
    Kind("class", "RaceClass", "classes_plural", None, None, None, "entries", "?n_of rg:raceClass ?x"),
    Kind("circuit", "Circuit", "circuits", "country", "rg:country", "rg:country",
         "events", "?n_of rg:circuit ?x"),
    Kind("country", "Country", "countries", "code", "rg:alpha3", None,
         "drivers_plural", "?n_of rg:nationality ?x . ?n_of a rg:Driver"),
)}


def sorts_of(kind: Kind) -> tuple[str, ...]:
    """The `sort=` values a kind's index accepts, one pair per column; a leading '-' is descending."""
    keys = ("name", "-name") + (("column", "-column") if kind.column_path else ()) + ("-count", "count")
    return (("-date", "date") + keys) if kind.segment == "event" else keys


@lru_cache(maxsize=64)
def letter_initials(letter: str) -> tuple[str, ...]:
    """The lower-case initials that file a name under `letter` (`E`: e, é, è, ê, …); for '#', every
    initial that files under some letter A–Z (the filter then keeps the names that start otherwise)."""
    letters = [letter.lower()] if letter != "#" else [chr(c) for c in range(ord("a"), ord("z") + 1)]
    initials = set(letters)
    for code in range(0xC0, 0x250):  # Latin-1 Supplement and Latin Extended-A/B
        char = chr(code).lower()
        if unicodedata.normalize("NFKD", char)[0] in letters:
            initials.add(char)
    return tuple(sorted(initials))


@dataclass(frozen=True)
class BrowseRequest:
    kind: Kind
    letter: str | None
    country: str | None  # country IRI
    sort: str

    def filters(self) -> str:
        """The graph patterns and FILTERs that narrow the kind's things."""
        parts = []
        if self.letter:  # by the initial (bound in _NAMED) in a list: REGEX per row is slow in Oxigraph
            listed = ", ".join(f'"{char}"' for char in letter_initials(self.letter))
            parts.append(f"FILTER({'!' if self.letter == '#' else ''}(?initial IN ({listed})))")
        if self.country:
            parts.append(f"?x {self.kind.country_path} {describe.iri_ref(self.country)} .")
        return "\n  ".join(parts)


def requested_browse(kind: Kind, reader: Reader) -> BrowseRequest:
    """The filters and order of this request; anything unknown is 400 naming what is expected."""
    letter = request.args.get("letter") or None
    if letter is not None and letter not in LETTERS:
        abort(400, f"letter={letter!r}: expected one of A–Z or #")
    country = request.args.get("country") or None
    if country is not None:
        if kind.country_path is None:
            abort(400, f"the {kind.segment} index cannot be filtered by country")
        if not re.fullmatch(r"[a-z]{3}", country):
            abort(400, f"country={country!r}: expected an ISO 3166-1 alpha-3 code in lower case, such as dnk")
        country = reader.base + "id/country/" + country
    sort = request.args.get("sort") or kind.default_sort
    if sort not in sorts_of(kind):
        abort(400, f"sort={sort!r}: expected one of {', '.join(sorts_of(kind))}")
    return BrowseRequest(kind, letter, country, sort)


# the thing's name in the visitor's language, else English, else untagged (one row per thing)
_NAMED = """
  ?x a rg:{cls} .
  OPTIONAL {{ ?x rdfs:label ?in_lang FILTER(LANG(?in_lang) = "{lang}") }}
  OPTIONAL {{ ?x rdfs:label ?in_en FILTER(LANG(?in_en) = "en") }}
  OPTIONAL {{ ?x rdfs:label ?plain FILTER(LANG(?plain) = "") }}
  BIND(COALESCE(?in_lang, ?in_en, ?plain, STR(?x)) AS ?name)
  BIND(LCASE(SUBSTR(STR(?name), 1, 1)) AS ?initial)
"""


# names sort as people expect (Élan with the Es, Ángel among the As): the initial's accent is folded for the
# key. Only the initial, by IN lists: REGEX/REPLACE per row cost Oxigraph ~0.5 ms a row, IN next to nothing.
_INITIAL_FOLDS = (("a", "àáâãäåā"), ("c", "çćč"), ("e", "èéêëēě"), ("i", "ìíîïī"), ("n", "ñń"), ("o", "òóôõöøō"),
                  ("s", "šś"), ("u", "ùúûüū"), ("y", "ýÿ"), ("z", "žź"))


def _name_key() -> str:
    initial = "?initial"
    for letter, accented in reversed(_INITIAL_FOLDS):
        listed = ", ".join(f'"{char}"' for char in accented)
        initial = f'IF(?initial IN ({listed}), "{letter}", {initial})'
    return f"CONCAT({initial}, LCASE(STR(?name)))"


def _order(browse: BrowseRequest, reader: Reader) -> tuple[str, str]:
    """(extra SELECT pattern, ORDER BY) for the request's sort; every order ends with the IRI, so it is total
    and pages never overlap."""
    descending = browse.sort.startswith("-")
    key = browse.sort.lstrip("-")
    direction = "DESC" if descending else "ASC"
    if key == "date":
        return "OPTIONAL { ?x rg:date ?date }", f"{direction}(?date) {_name_key()} ?x"
    if key == "count":  # the counts of the build, given to the query as a table: the sort stays in SPARQL
        counts = " ".join(f"({describe.iri_ref(x)} {n})" for x, n in entry_counts(reader, browse.kind).items())
        return (f"OPTIONAL {{ VALUES (?x ?count) {{ {counts} }} }}",
                f"{direction}(COALESCE(?count, 0)) {_name_key()} ?x")
    if key == "column":  # likewise the column's sort key of every thing, once per build and language
        keys = " ".join(f"({describe.iri_ref(x)} {ox.Literal(shown)})" for x, shown in column_keys(reader, browse.kind).items())
        return f"OPTIONAL {{ VALUES (?x ?column) {{ {keys} }} }}", f"{direction}(?column) {_name_key()} ?x"
    return "", f"{direction}({_name_key()}) ?x"


# the extra column's value as the index shows it: a linked thing by its name in the visitor's language (else
# English, else untagged), a literal (a country's code) as is; the first in that order when a thing has two
# (a driver of two nationalities). Things without a value sort first, ascending.
_COLUMN_KEYS = """
  SELECT ?x (MIN(?shown) AS ?column) WHERE {{
    ?x a rg:{cls} ; {path} ?v .
    OPTIONAL {{ ?v rdfs:label ?v_lang FILTER(LANG(?v_lang) = "{lang}") }}
    OPTIONAL {{ ?v rdfs:label ?v_en FILTER(LANG(?v_en) = "en") }}
    OPTIONAL {{ ?v rdfs:label ?v_plain FILTER(LANG(?v_plain) = "") }}
    BIND(LCASE(COALESCE(?v_lang, ?v_en, ?v_plain, STR(?v))) AS ?shown)
  }} GROUP BY ?x
"""


def column_keys(reader: Reader, kind: Kind) -> dict[str, str]:
    """thing IRI -> the sort key of its extra column, for every thing of the kind that has a value there; read
    once per build, app and language (on the 1M-quad graph reading them per page cost the event index 90 ms)."""
    def read() -> dict[str, str]:
        rows = reader.query(_COLUMN_KEYS.format(cls=kind.cls, path=kind.column_path, lang=reader.lang))
        return {row["x"].value: row["column"].value for row in rows}
    return per_build(("column-keys", kind.segment, reader.lang), read)


def browse_data(reader: Reader, kind: Kind, browse: BrowseRequest, paging: Paging) -> dict:
    """One page of the kind's index with its filters, sorts and total."""
    named = _NAMED.format(cls=kind.cls, lang=reader.lang)
    extra, order = _order(browse, reader)
    page_query = (f"SELECT ?x ?name WHERE {{ {named} {browse.filters()} {extra} }} "
                  f"ORDER BY {order} {paging.limit}")
    shown = [(row["x"].value, row["name"].value) for row in reader.query(page_query)]
    total = per_build(("total", kind.segment, browse.letter, browse.country, reader.lang), lambda: reader.count(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {named} {browse.filters()} }}"))
    rows = _rows(reader, kind, shown)
    return {
        "kind": kind.segment, "heading": kind.heading, "column": kind.column, "count_word": kind.count_word,
        "rows": rows, "letter": browse.letter, "sort": browse.sort, "sorts": sorts_of(kind),
        "country": _country_choice(reader, kind, browse), "letters": list(LETTERS),
        "countries": per_build(("countries", kind.segment, reader.lang), lambda: _countries(reader, kind))
        if kind.country_path else [],
        **paging.describe(total),
    }


def _rows(reader: Reader, kind: Kind, shown: list[tuple[str, str]]) -> list[dict]:
    """The shown things with their extra column, date (events) and count, in the order given."""
    if not shown:
        return []
    values = " ".join(describe.iri_ref(x) for x, _ in shown)
    extra: dict[str, list] = {}
    if kind.column_path:
        for row in reader.query(f"SELECT ?x ?v WHERE {{ VALUES ?x {{ {values} }} ?x {kind.column_path} ?v }}"):
            extra.setdefault(row["x"].value, []).append(row["v"])
    dates = {}
    if kind.segment == "event":
        dates = {row["x"].value: row["d"].value
                 for row in reader.query(f"SELECT ?x ?d WHERE {{ VALUES ?x {{ {values} }} ?x rg:date ?d }}")}
    counts = entry_counts(reader, kind)
    linked = {term.value for terms in extra.values() for term in terms if isinstance(term, ox.NamedNode)}
    names = reader.labels(linked | {x for x, _ in shown})
    codes = country_flags(reader, linked) if kind.column in ("nationality", "country") else {}
    rows = []
    for x, name in shown:
        cells = []
        for term in sorted(extra.get(x, []), key=lambda t: t.value):
            if isinstance(term, ox.Literal):  # a country's code
                cells.append({"text": term.value})
            else:
                cells.append({**reader.link(term.value, names), "code": codes.get(term.value, {}).get("code", "")})
        rows.append({**reader.link(x, {x: names.get(x) or name}), "extra": cells, "date": dates.get(x),
                     "count": counts.get(x, 0)})
    return rows


def entry_counts(reader: Reader, kind: Kind) -> dict[str, int]:
    """thing IRI -> its count (entries, events or drivers), for every thing of the kind that has one; counted
    once per build and app (one pass over the entries) instead of per page (the counts of 50 drivers cost
    60 ms on the 1M-quad graph, sorting 33 manufacturers by theirs 600 ms)."""
    def count() -> dict[str, int]:
        rows = reader.query(f"SELECT ?x (COUNT(DISTINCT ?n_of) AS ?n) WHERE {{ ?x a rg:{kind.cls} . "
                            f"{kind.count_pattern} }} GROUP BY ?x")
        return {row["x"].value: int(row["n"].value) for row in rows}
    return per_build(("entry-counts", kind.segment), count)


def _countries(reader: Reader, kind: Kind) -> list[dict]:
    """The countries the kind's things can be filtered by (those that occur), by name."""
    found = [row["c"].value for row in reader.query(
        f"SELECT DISTINCT ?c WHERE {{ ?x a rg:{kind.cls} ; {kind.country_path} ?c }}")]
    names = reader.labels(found)
    links = [{**reader.link(c, names), "slug": c.rsplit("/", 1)[-1]} for c in found]
    return sorted(links, key=lambda link: link["label"].casefold())


def _country_choice(reader: Reader, kind: Kind, browse: BrowseRequest) -> dict | None:
    if not browse.country:
        return None
    names = reader.labels([browse.country])
    return {**reader.link(browse.country, names), "slug": browse.country.rsplit("/", 1)[-1]}
