"""The API's lists (Ergast's grammar): events, drivers, teams, chassis, engines, circuits and results,
chosen by filters that combine (`/api/drivers?team=x&year=2004`, `/api/drivers/<id>/results?position=1`).

Each list is one SPARQL query for a page of IRIs (LIMIT/OFFSET in the query, so a page costs a page
whatever the size of the graph), one COUNT for the total, then one query for the fields of that page.
Filters name things by their slug (`team=audi-sport-japan-team-goh`) or give a value (`year=2003`,
`position=1`, `status=DNF`). Every result row has the shape of an entry of `racegraph results`, plus
the event it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.results import events_of, read_entries
from graph.store import StoreOutdatedError
from graph.uris import ONTOLOGY_NS
from server import describe
from server.db import get_build_info
from server.pages.queries import Reader, per_build

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")


class FilterError(ValueError):
    """A query parameter the API cannot use; the message names it and says what was expected."""


@dataclass(frozen=True)
class Filter:
    name: str
    constrains: str  # "event" (the race) or "entry" (the car's result)
    pattern: str  # a graph pattern over ?event / ?entry, with {value} for the value's SPARQL term
    kind: str | None = None  # the IRI kind when the value is a slug (`id/<kind>/<slug>`)
    value: re.Pattern | None = None  # the shape of a literal value
    expected: str = "a slug (a-z, 0-9 and '-')"

    def term(self, raw: str, base: str) -> str:
        if self.kind is not None:
            if not SLUG.fullmatch(raw):
                raise FilterError(f"{self.name}={raw!r}: expected {self.expected}")
            return describe.iri_ref(f"{base}id/{self.kind}/{raw}")
        if not self.value.fullmatch(raw):
            raise FilterError(f"{self.name}={raw!r}: expected {self.expected}")
        return raw if raw.isdigit() else f'"{raw}"'


FILTERS = {f.name: f for f in (
    Filter("year", "event", "?event rg:date ?_yearDate . FILTER(YEAR(?_yearDate) = {value})",
           value=re.compile(r"[0-9]{4}"), expected="a year of four digits"),
    Filter("series", "event", "?event rg:series {value} .", kind="series"),
    Filter("circuit", "event", "?event rg:circuit {value} .", kind="circuit"),
    Filter("event", "event", "VALUES ?event {{ {value} }}", kind="event"),
    Filter("driver", "entry", "?entry rg:driver {value} .", kind="driver"),
    Filter("team", "entry", "?entry rg:team {value} .", kind="team"),
    Filter("chassis", "entry", "?entry rg:chassis {value} .", kind="chassis"),
    Filter("engine", "entry", "?entry rg:engine {value} .", kind="engine"),
    Filter("class", "entry", "?entry rg:raceClass {value} .", kind="class"),
    Filter("position", "entry", "?entry rg:position ?_position . FILTER(?_position = {value})",
           value=re.compile(r"[1-9][0-9]{0,4}"), expected="a finishing position from 1"),
    Filter("status", "entry", "?entry rg:status/rg:statusCode {value} .",
           value=re.compile(r"[A-Z]{2,4}"), expected="a status code such as DNF, NC, DNS, DSQ"),
)}


@dataclass(frozen=True)
class Kind:
    """One list of the API: its things, how they reach races and entries, and its order."""

    name: str  # the list, `drivers`; also the key of the items in the answer
    segment: str  # the IRI kind, `driver`; also the filter that picks one of them
    rdf_class: str
    var: str  # the variable of the listed things in the patterns below
    to_event: str  # joins ?var to ?event, for filters on the race
    to_entry: str  # joins ?var to ?entry and ?event, for filters on the car's result
    order: str = ""  # a pattern binding the sort keys
    order_by: str = "?thing"
    shown: str = ""  # a pattern every listed thing matches (a result row has a place in its table)


def _via_entry(predicate: str) -> str:
    return f"?entry rg:{predicate} ?thing ; rg:event ?event ."


KINDS = {kind.name: kind for kind in (
    Kind("events", "event", "RaceEvent", "event", "", "?entry rg:event ?event .",
         "OPTIONAL { ?event rg:date ?_date }", "?_date ?event"),
    Kind("drivers", "driver", "Driver", "thing", _via_entry("driver"), _via_entry("driver")),
    Kind("teams", "team", "Team", "thing", _via_entry("team"), _via_entry("team")),
    Kind("chassis", "chassis", "Chassis", "thing", _via_entry("chassis"), _via_entry("chassis")),
    Kind("engines", "engine", "Engine", "thing", _via_entry("engine"), _via_entry("engine")),
    Kind("circuits", "circuit", "Circuit", "thing", "?event rg:circuit ?thing .",
         "?event rg:circuit ?thing . ?entry rg:event ?event ."),
    Kind("results", "entry", "Entry", "entry", "?entry rg:event ?event .", "?entry rg:event ?event .",
         "OPTIONAL { ?event rg:date ?_date }", "?_date ?event ?_order", "?entry rg:event ?event ; rg:tableOrder ?_order ."),
)}
THING_KINDS = tuple(name for name in KINDS if name != "results")


@dataclass(frozen=True)
class Page:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def parse_page(args) -> Page:
    """`limit` (1 to MAX_LIMIT, default DEFAULT_LIMIT) and `offset` (from 0) of the query string."""
    def number(name: str, default: int, low: int, high: int) -> int:
        raw = args.get(name)
        if raw is None:
            return default
        if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
            raise FilterError(f"{name}={raw!r}: expected a whole number from {low} to {high}")
        return int(raw)
    return Page(number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT), number("offset", 0, 0, 10**9))


def parse_filters(args, base: str, fixed: dict[str, str] | None = None) -> list[tuple[Filter, str]]:
    """The filters of the query string (plus `fixed` ones from the path) as (filter, SPARQL term)."""
    chosen = []
    for name in args:
        if name in ("limit", "offset"):
            continue
        if name not in FILTERS:
            raise FilterError(f"unknown parameter {name!r}; the filters are {', '.join(FILTERS)}, "
                              "and limit and offset page the list")
        values = args.getlist(name)
        if len(values) != 1:
            raise FilterError(f"{name} given {len(values)} times; give each filter once")
        chosen.append((FILTERS[name], FILTERS[name].term(values[0], base)))
    for name, slug in (fixed or {}).items():
        chosen.append((FILTERS[name], FILTERS[name].term(slug, base)))
    return chosen


def _joins(kind: Kind, filters: list[tuple[Filter, str]]) -> str:
    """The filters' graph pattern, then the join from them to the listed things. Oxigraph joins in about the
    written order, so the most selective patterns lead (a driver's wins: 20 ms instead of 270 ms on a
    389-race graph)."""
    # filters naming a thing (a driver, a race) before those on a value (a position): far fewer rows match them
    ordered = sorted(filters, key=lambda pair: pair[0].kind is None)
    parts = [flt.pattern.format(value=term) for flt, term in ordered]
    levels = {flt.constrains for flt, _ in filters}
    if "entry" in levels:
        parts.append(kind.to_entry)
    elif "event" in levels:
        parts.append(kind.to_event)
    return "\n  ".join(part for part in parts if part)


def _where(kind: Kind, filters: list[tuple[Filter, str]]) -> str:
    """The list's graph pattern: the filters, the joins, then the class."""
    return f"{_joins(kind, filters)}\n  ?{kind.var} a rg:{kind.rdf_class} ."


def select_page(reader: Reader, kind: Kind, filters: list[tuple[Filter, str]], page: Page) -> tuple[list[str], int]:
    """The IRIs of one page of the list, in the list's order, and how many the whole list holds.

    Each form reads about as many rows as it shows, whatever the size of the graph:
    - results filtered by nothing or by the race alone: the races are listed in order, the page falls on a few
      of them (known from each race's entry count, counted once per build), and only their entries are read;
    - things (drivers, teams, …) unfiltered: the class's members, sorted (as many as the class has: far fewer
      than the entries), with the total from the build's statistics (graph.statistics);
    - things filtered by what they took part in, and results filtered by the car (driver, position, …): the
      filters bound the rows, which are joined filters first and sorted. A broad filter on things (every
      driver of a year) still reads every entry it matches (FILTER EXISTS per thing was tried: Oxigraph
      evaluates it without the thing bound, 10 s).
    """
    if kind.name == "results" and all(flt.constrains == "event" for flt, _ in filters):
        return _results_by_race(reader, filters, page)
    if kind.name == "results":
        return _sorted_page(reader, kind, filters, page)
    return _things_page(reader, kind, filters, page)


def _sorted_page(reader: Reader, kind: Kind, filters: list[tuple[Filter, str]], page: Page) -> tuple[list[str], int]:
    """A page of the things (or result rows) matched through the filters, sorted. The class test of a thing
    comes after DISTINCT: joined inside, Oxigraph starts from the class and walks every entry of every driver
    (the drivers of a year: 4.2 s instead of 0.1 s on the 1M-quad graph)."""
    var = f"?{kind.var}"
    keys = " ".join(dict.fromkeys(re.findall(r"\?\w+", kind.order_by)))
    if var not in keys.split():
        keys = f"{var} {keys}"
    order_by = kind.order_by.replace("?thing", var)
    if kind.name == "results":  # entries: the class test is cheap where it is
        where, after = _where(kind, filters), ""
    else:
        where, after = _joins(kind, filters), f"{var} a rg:{kind.rdf_class} ."
    matched = f"SELECT DISTINCT {keys} WHERE {{\n  {where}\n  {kind.shown}\n  {kind.order}\n}}"
    text = f"SELECT {keys} WHERE {{ {{ {matched} }} {after} }} ORDER BY {order_by} LIMIT {page.limit} OFFSET {page.offset}"
    iris = list(dict.fromkeys(row[kind.var].value for row in reader.query(text)))
    counted = f"SELECT DISTINCT {var} WHERE {{\n  {where}\n  {kind.shown}\n}}"
    total = reader.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {counted} }} {after} }}")
    return iris, total


def _things_page(reader: Reader, kind: Kind, filters: list[tuple[Filter, str]], page: Page) -> tuple[list[str], int]:
    """A page of the things of the kind: unfiltered, read straight from the class with its total from the
    build's statistics; filtered, through the matching entries (filters first) with a COUNT."""
    if filters:
        return _sorted_page(reader, kind, filters, page)
    var = f"?{kind.var}"
    text = (f"SELECT {var} WHERE {{ {var} a rg:{kind.rdf_class} . {kind.order} }} "
            f"ORDER BY {kind.order_by.replace('?thing', var)} LIMIT {page.limit} OFFSET {page.offset}")
    iris = [row[kind.var].value for row in reader.query(text)]
    total = class_size(kind.rdf_class)
    if total is None:
        total = reader.count(f"SELECT (COUNT({var}) AS ?n) WHERE {{ {var} a rg:{kind.rdf_class} }}")
    return iris, total


def class_size(rdf_class: str) -> int | None:
    """How many things of the rg: class the build counted (its VoID class partition); None for a build
    made before the statistics were kept."""
    try:
        partitions = get_build_info().statistics["class_partitions"]
    except StoreOutdatedError:
        return None
    return dict(partitions).get(ONTOLOGY_NS + rdf_class, 0)


def _results_by_race(reader: Reader, filters: list[tuple[Filter, str]], page: Page) -> tuple[list[str], int]:
    """A page of result rows in race order (date, race IRI, table order), read from the races it falls on."""
    counts = per_build(("api-entries-by-race",), lambda: _entries_by_race(reader))
    where = "\n  ".join(flt.pattern.format(value=term) for flt, term in filters)
    races = [row["event"].value for row in reader.query(
        f"SELECT ?event WHERE {{ {where} ?event a rg:RaceEvent . OPTIONAL {{ ?event rg:date ?date }} }} "
        "ORDER BY ?date ?event")]
    sizes = [counts.get(race, 0) for race in races]
    total = sum(sizes)
    chosen, skip, before = [], 0, 0
    for race, size in zip(races, sizes):
        if before + size > page.offset and before < page.offset + page.limit:
            if not chosen:
                skip = page.offset - before
            chosen.append(race)
        before += size
    if not chosen:
        return [], total
    ranked = " ".join(f"({describe.iri_ref(race)} {rank})" for rank, race in enumerate(chosen))
    rows = reader.query(f"SELECT ?entry WHERE {{ VALUES (?event ?rank) {{ {ranked} }} "
                        "?entry rg:event ?event ; rg:tableOrder ?order . } "
                        f"ORDER BY ?rank ?order ?entry LIMIT {page.limit} OFFSET {skip}")
    return [row["entry"].value for row in rows], total


def _entries_by_race(reader: Reader) -> dict[str, int]:
    """race IRI -> how many result rows (entries with a table order) it has."""
    rows = reader.query("SELECT ?event (COUNT(DISTINCT ?entry) AS ?n) WHERE { ?entry rg:event ?event ; "
                        "rg:tableOrder ?order . } GROUP BY ?event")
    return {row["event"].value: int(row["n"].value) for row in rows}


def exists(reader: Reader, kind: Kind, iri: str) -> bool:
    return bool(reader.query(f"ASK {{ ?this a rg:{kind.rdf_class} }}", this=iri))


# --- the fields of a page of things ----------------------------------------------------------------

def slug_of(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def key_of(iri: str, base: str) -> str:
    """`driver/tom-kristensen` for a thing, `entry/<event>/<no>` for an entry: its IRI after `id/`."""
    return iri[len(base) + len("id/"):]


def links(kind: Kind, iri: str, base: str) -> dict:
    key = key_of(iri, base)
    found = {"uri": iri, "page": f"/page/{key}", "data": f"/data/{key}.ttl"}
    if kind.name != "results":
        found["self"] = f"/api/{kind.name}/{slug_of(iri)}"
        found["results"] = f"/api/{kind.name}/{slug_of(iri)}/results"
    return found


def _ref(iri: str, names: dict[str, str]) -> dict:
    return {"id": slug_of(iri), "name": names.get(iri) or slug_of(iri), "uri": iri}


def _values(iris: list[str]) -> str:
    return " ".join(describe.iri_ref(iri) for iri in iris)


def _grouped(rows, key: str, value: str) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for row in rows:
        found = grouped.setdefault(row[key].value, [])
        if row[value] is not None and row[value].value not in found:
            found.append(row[value].value)
    return grouped


def items(reader: Reader, kind: Kind, iris: list[str]) -> list[dict]:
    """The API's form of each thing (or result row) in `iris`, in that order."""
    if not iris:
        return []
    if kind.name == "results":
        return result_rows(reader, iris)
    if kind.name == "events":
        return _events(reader, iris)
    extra = {
        "drivers": ("?code", "OPTIONAL { ?thing rg:nationality/rg:alpha3 ?code }"),
        "teams": ("?code", "OPTIONAL { ?thing rg:nationality/rg:alpha3 ?code }"),
        "chassis": ("?maker", "OPTIONAL { ?thing rg:manufacturer ?maker }"),
        "engines": ("?maker", "OPTIONAL { ?thing rg:manufacturer ?maker }"),
        "circuits": ("?code ?locality", "OPTIONAL { ?thing rg:country/rg:alpha3 ?code } "
                                        "OPTIONAL { ?thing rg:locality ?locality }"),
    }[kind.name]
    rows = list(reader.query(f"SELECT ?thing {extra[0]} WHERE {{ VALUES ?thing {{ {_values(iris)} }} {extra[1]} }}"))
    makers = {row["maker"].value for row in rows if "maker" in extra[0] and row["maker"] is not None}
    names = reader.labels(set(iris) | makers)
    found = []
    for iri in iris:
        mine = [row for row in rows if row["thing"].value == iri]
        item = {"id": slug_of(iri), "name": names.get(iri) or slug_of(iri)}
        if kind.name in ("drivers", "teams"):
            item["nationalities"] = sorted({row["code"].value for row in mine if row["code"] is not None})
        elif kind.name in ("chassis", "engines"):
            maker = next((row["maker"].value for row in mine if row["maker"] is not None), None)
            item["manufacturer"] = _ref(maker, names) if maker else None
        else:
            item["locality"] = next((row["locality"].value for row in mine if row["locality"] is not None), None)
            item["country"] = next((row["code"].value for row in mine if row["code"] is not None), None)
        item["links"] = links(kind, iri, reader.base)
        found.append(item)
    return found


def _events(reader: Reader, iris: list[str]) -> list[dict]:
    rows = list(reader.query(
        f"SELECT ?event ?date ?circuit ?series WHERE {{ VALUES ?event {{ {_values(iris)} }} "
        "OPTIONAL { ?event rg:date ?date } OPTIONAL { ?event rg:circuit ?circuit } "
        "OPTIONAL { ?event rg:series ?series } }"))
    dates, circuits, series = (_grouped(rows, "event", name) for name in ("date", "circuit", "series"))
    names = reader.labels(set(iris) | {c for cs in circuits.values() for c in cs} | {s for ss in series.values() for s in ss})
    kind = KINDS["events"]
    return [{
        "id": slug_of(iri), "title": names.get(iri) or slug_of(iri),
        "date": (dates.get(iri) or [None])[0],
        "circuit": _ref(circuits[iri][0], names) if circuits.get(iri) else None,
        "series": [_ref(one, names) for one in sorted(series.get(iri, []))],
        "links": links(kind, iri, reader.base),
    } for iri in iris]


def result_rows(reader: Reader, entries: list[str]) -> list[dict]:
    """Each entry as `racegraph results` prints it (graph.results), with its `id`, its `event` and its `links`."""
    rows = read_entries(reader.store, entries)
    events = events_of(reader.store, rows)
    kind = KINDS["results"]
    found = []
    for row in rows:
        event = events.get(row.event)
        found.append({
            "id": key_of(row.iri, reader.base)[len("entry/"):],
            "event": {"id": slug_of(row.event), "title": event.title if event else slug_of(row.event),
                      "date": event.date if event else None, "uri": row.event},
            **row.results_json(),
            "links": links(kind, row.iri, reader.base),
        })
    return found
