"""What the pages' data functions share: a Reader on the store for one visitor, paging, and the
queries for a thing's facts, the entries it took part in, and the things related to it.

Every list that grows with the graph (entries, incoming links, related things, search results) is
read one page at a time (`?page=N`), so no page costs more than a page's worth of rows whatever the
size of the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from flask import abort, current_app, request

from graph.metadata import query_prefixes
from graph.results import Role, read_entries
from graph.uris import ONTOLOGY_NS
from server import describe, iris, negotiation
from server.db import get_build_info, get_store
from server.pages.format import flag, literal_text
from server.pages.words import UI

# the unit of each rg: number (the ontology's comments say it in words), shown after the value
UNITS = {"raceDistance": "unit_km", "lapLength": "unit_km", "distanceCovered": "unit_km", "averageSpeed": "unit_kmh",
         "laps": "unit_laps", "displacement": "unit_litre"}

PAGE_SIZE = 100  # rows of an entries table, incoming links or related things per page
OUTGOING_LIMIT = 1000  # a thing's own facts shown on its page; only the dataset itself has more


@dataclass(frozen=True)
class Paging:
    number: int = 1  # from 1
    size: int = PAGE_SIZE

    @property
    def limit(self) -> str:
        return f"LIMIT {self.size} OFFSET {(self.number - 1) * self.size}"

    def describe(self, total: int) -> dict:
        """What a page shows about where it is: this page, how many pages, how many items in all."""
        return {"page": self.number, "pages": max(1, -(-total // self.size)), "total": total}


def requested_paging(size: int | None = None) -> Paging:
    """The `?page=N` of the request (1 when absent), `size` (else PAGE_SIZE) items a page; anything but a
    whole number from 1 is 400."""
    raw = request.args.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        abort(400, f"page={raw!r}: expected a page number from 1")
    return Paging(int(raw), size or PAGE_SIZE)


@dataclass(frozen=True)
class Reader:
    """The store as one visitor's page reads it: under the build's base URI, in the visitor's language."""

    store: ox.Store
    base: str
    ns: str  # the ontology namespace (rg:)
    lang: str

    def query(self, text: str, **iris_by_variable: str):
        """Run `text`, with rg:, rdfs:, schema:... predeclared and each `?name` given bound to its IRI."""
        return self.store.query(describe.bind_iris(text, **iris_by_variable), prefixes=query_prefixes(self.base))

    def count(self, text: str, **iris_by_variable: str) -> int:
        return int(next(iter(self.query(text, **iris_by_variable)))["n"].value)

    def labels(self, iris_to_name) -> dict[str, str]:
        return describe.labels(self.store, iris_to_name, self.lang)

    def link(self, iri: str, names: dict[str, str]) -> dict:
        return {"iri": iri, "label": names.get(iri) or iris.local_name(iri), "href": iris.href(iri, self.base)}

    def page_url(self, iri: str) -> str:
        """The absolute public URL of a thing's page, under the build's base."""
        local = iris.local_href(iri, self.base)
        return self.base + local.lstrip("/") if local else iri


BUILD_CACHE_SIZE = 4096  # figures kept per app and build: dataset-wide ones, and per thing its ordered entries and record


def per_build(key: tuple, compute):
    """`compute()`, remembered for this app and this build: for figures over a whole kind or the whole
    dataset, which only a new build changes. Keyed by the build's time, so a swapped-in build (served
    without a restart) is never answered from the previous one's figures."""
    cache = current_app.extensions.setdefault("racegraph.page_cache", {})
    full_key = (get_build_info().data.get("built_at"), *key)
    if full_key not in cache:
        if len(cache) >= BUILD_CACHE_SIZE:
            cache.clear()  # rare: many filters of many kinds; starting afresh bounds the memory
        cache[full_key] = compute()
    return cache[full_key]


def current_reader(lang: str | None = None) -> Reader:
    """A Reader for this request, in `lang` or else the visitor's language."""
    info = get_build_info()
    return Reader(get_store(), info.base_uri, ONTOLOGY_NS, lang or negotiation.preferred_language())


# --- a thing's own values ------------------------------------------------------------------------

def outgoing(reader: Reader, iri: str) -> dict[str, list]:
    """predicate IRI -> its objects (pyoxigraph terms), for the thing's own triples."""
    values: dict[str, list] = {}
    # in order here rather than by ORDER BY, which cost 340 ms for the dataset's thousand triples; the
    # default graph holds each triple once, so no DISTINCT either
    rows = reader.query(f"SELECT ?p ?o WHERE {{ ?this ?p ?o }} LIMIT {OUTGOING_LIMIT}", this=iri)
    for row in sorted(rows, key=lambda row: (row["p"].value, _term_order(row["o"]))):
        values.setdefault(row["p"].value, []).append(row["o"])
    return values


def _term_order(term) -> tuple:
    """Blank nodes, then IRIs, then literals (as SPARQL orders them), each by its text."""
    if isinstance(term, ox.Literal):
        return 2, term.value, term.language or "", term.datatype.value
    return (1 if isinstance(term, ox.NamedNode) else 0), term.value, "", ""


def types_of(reader: Reader, iri: str) -> set[str]:
    return {row["t"].value for row in reader.query("SELECT DISTINCT ?t WHERE { ?this a ?t }", this=iri)}


def first_iri(values: dict[str, list], predicate: str) -> str | None:
    return next((value.value for value in values.get(predicate, []) if isinstance(value, ox.NamedNode)), None)


def first_literal(values: dict[str, list], predicate: str) -> ox.Literal | None:
    return next((value for value in values.get(predicate, []) if isinstance(value, ox.Literal)), None)


def text_in(values: dict[str, list], predicate: str, lang: str) -> str | None:
    return describe.pick([v for v in values.get(predicate, []) if isinstance(v, ox.Literal)], lang)


def country_flags(reader: Reader, countries) -> dict[str, dict]:
    """country IRI -> {"flag": emoji, "code": alpha-3}."""
    countries = sorted(set(countries))
    if not countries:
        return {}
    values = " ".join(describe.iri_ref(country) for country in countries)
    rows = reader.query(f"SELECT DISTINCT ?c ?a2 ?a3 WHERE {{ VALUES ?c {{ {values} }} "
                        "OPTIONAL { ?c rg:alpha2 ?a2 } OPTIONAL { ?c rg:alpha3 ?a3 } }")
    return {row["c"].value: {"flag": flag(row["a2"].value if row["a2"] is not None else None),
                             "code": row["a3"].value if row["a3"] is not None else ""} for row in rows}


def facts(reader: Reader, iri: str, values: dict[str, list], paging: Paging) -> dict:
    """The thing's triples grouped by property, values as links or text; and one page of incoming links."""
    incoming, incoming_total = incoming_links(reader, iri, paging)
    named = set(values) | {row["p"].value for row in incoming}
    named |= {value.value for objects in values.values() for value in objects if isinstance(value, ox.NamedNode)}
    named |= {row["s"].value for row in incoming if isinstance(row["s"], ox.NamedNode)}
    names = reader.labels(named)

    def value_of(term) -> dict:
        if isinstance(term, ox.NamedNode):
            return reader.link(term.value, names)
        if isinstance(term, ox.Literal):
            return {"text": literal_text(term), "lang": term.language}
        return {"text": "(blank node)", "lang": None}

    def group(pairs) -> list[dict]:
        grouped: dict[str, dict] = {}
        for predicate, value in pairs:
            unit = UNITS.get(predicate[len(reader.ns):]) if predicate.startswith(reader.ns) else None
            if unit and "text" in value:
                value = {**value, "unit": UI[reader.lang][unit]}
            item = grouped.setdefault(predicate, {"property": reader.link(predicate, names), "values": []})
            if value not in item["values"]:
                item["values"].append(value)
        for item in grouped.values():
            item["values"].sort(key=lambda v: (v.get("label") or v.get("text") or "").casefold())
        return sorted(grouped.values(), key=lambda item: item["property"]["label"].casefold())

    return {
        "properties": group((predicate, value_of(term)) for predicate, terms in values.items() for term in terms),
        "incoming": group((row["p"].value, value_of(row["s"])) for row in incoming),
        "incoming_paging": paging.describe(incoming_total),
    }


def incoming_links(reader: Reader, iri: str, paging: Paging) -> tuple[list[dict], int]:
    """One page of the (?s, ?p) pointing at the thing, by property, and how many there are in all.

    Sorting every incoming link in the store (ORDER BY) took seconds for a class or a country of a
    million-quad graph, where counting them by property and reading one property's links in the
    store's own order takes milliseconds. That order is fixed for a build, so pages do not overlap;
    each page is sorted by label when shown. The default graph holds each triple once, so no DISTINCT.
    """
    counts = sorted((row["p"].value, int(row["n"].value)) for row in reader.query(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?this } GROUP BY ?p", this=iri))
    total = sum(count for _, count in counts)
    start, wanted, links = (paging.number - 1) * paging.size, paging.size, []
    for predicate, count in counts:
        if wanted == 0:
            break
        if start >= count:
            start -= count
            continue
        take = min(wanted, count - start)
        rows = reader.query(f"SELECT ?s WHERE {{ ?s ?p ?this }} LIMIT {take} OFFSET {start}", this=iri, p=predicate)
        links.extend({"s": row["s"], "p": ox.NamedNode(predicate)} for row in rows)
        wanted, start = wanted - take, 0
    return links, total


def related_section(reader: Reader, heading: str, pattern: str, iri: str, paging: Paging) -> dict:
    """A section of links to one page of the ?x matching `pattern` (a graph pattern over ?x and ?this)."""
    found = [row["x"].value for row in reader.query(
        f"SELECT DISTINCT ?x WHERE {{ {pattern} }} ORDER BY ?x {paging.limit}", this=iri)]
    total = reader.count(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}", this=iri)
    names = reader.labels(found)
    links = sorted((reader.link(x, names) for x in found), key=lambda link: link["label"].casefold())
    return {"heading": heading, "links": links, **paging.describe(total)}


# --- entries -------------------------------------------------------------------------------------

# which entries match, and where each stands: its race and its row in that race's table
_ENTRY_KEYS = """
SELECT ?entry ?event ?order WHERE {{
  {{ SELECT DISTINCT ?entry WHERE {{ {pattern} }} }}
  ?entry rg:event ?event ; rg:tableOrder ?order .
}}
"""

def event_dates(reader: Reader) -> dict[str, str]:
    """event IRI -> its date (ISO), for the whole build: a few hundred rows, read once per build."""
    def read() -> dict[str, str]:
        return {row["event"].value: row["date"].value if row["date"] is not None else ""
                for row in reader.query("SELECT ?event ?date WHERE { ?event a rg:RaceEvent . "
                                        "OPTIONAL { ?event rg:date ?date } }")}
    return per_build(("event dates",), read)


def ordered_entries(reader: Reader, pattern: str, iri: str) -> list[str]:
    """The entries matching `pattern` (over ?entry and ?this) in race order: by the race's date, then the race,
    then the row of its table.

    The store is asked only which entries match and where they stand; the ordering is done here, because
    Oxigraph's ORDER BY over thousands of joined rows (a class, a maker, a country) took a second or more.
    """
    dates = event_dates(reader)
    keys = sorted((dates.get(row["event"].value, ""), row["event"].value, int(row["order"].value), row["entry"].value)
                  for row in reader.query(_ENTRY_KEYS.format(pattern=pattern), this=iri))
    return list(dict.fromkeys(key[-1] for key in keys))

def entries_section(reader: Reader, heading: str, pattern: str, iri: str, columns: list[str],
                    paging: Paging) -> dict:
    """A section with one page of the entries matching `pattern` (a graph pattern over ?entry and ?this)."""
    matching = per_build(("entries", pattern, iri), lambda: ordered_entries(reader, pattern, iri))
    shown = matching[(paging.number - 1) * paging.size:paging.number * paging.size]
    return {"heading": heading, "rows": entry_rows_of(reader, shown), "columns": columns,
            **paging.describe(len(matching))}


def entry_rows(reader: Reader, pattern: str, iri: str) -> list[dict]:
    """Result rows of all the entries matching `pattern`, in race order: for a single race's table, which is
    as long as the race had cars (longer lists are read a page at a time by entries_section)."""
    return entry_rows_of(reader, ordered_entries(reader, pattern, iri))


def entry_rows_of(reader: Reader, entries: list[str]) -> list[dict]:
    """The result rows of `entries`, in that order, as the pages show them: each thing a link, named as
    that row of the table wrote it (graph.results reads the rows for the pages, the API and the CLI alike)."""
    rows = read_entries(reader.store, entries)
    people = [role for row in rows for role in (*row.teams, *row.drivers)]
    named = {iri for row in rows for iri in (row.iri, row.event, row.status, row.race_class, row.chassis,
                                            row.engine, row.tyre) if iri}
    countries = {role.country for role in people}
    names = reader.labels(named | countries | {role.iri for role in people})
    flags = country_flags(reader, countries)
    dates = event_dates(reader)

    def link(iri: str | None, written: str | None = None) -> dict | None:
        """A link to the thing, shown as this row wrote it (the thing's own label may prefer another spelling)."""
        if iri is None:
            return None
        found = reader.link(iri, names)
        if written is not None:
            found["label"] = written
        return found

    def person(role: Role) -> dict:
        shown = link(role.iri, role.name)  # as this row wrote it; the thing's page has its preferred label
        return {**shown, "credited_as": role.name, "country": link(role.country),
                "flag": flags.get(role.country, {}).get("flag", ""), "code": role.nationality}

    result = []
    for row in rows:
        status = link(row.status)
        result.append({
            "entry": link(row.iri),
            "event": link(row.event),
            "date": dates.get(row.event) or None,
            "order": row.order,
            "position": int(row.position) if row.position is not None else None,
            "status": status,
            "status_code": row.status_code or (status["label"] if status else None),
            "class": link(row.race_class, row.class_as_written),
            "no": row.number,
            "teams": [person(role) for role in row.teams],
            "drivers": [person(role) for role in row.drivers],
            "chassis": link(row.chassis, row.chassis_as_written),
            "engine": link(row.engine, row.engine_as_written),
            "tyre": link(row.tyre),
            "laps": row.laps,
            "class_winner": row.class_winner,
        })
    return result
