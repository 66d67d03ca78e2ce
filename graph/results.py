"""Race results read back from the store: the one module that reads entries with their roles.

`racegraph results`, `/api/events/<id>/results`, `/api/results` (and any page that wants a results
table) read entries here, in one of two forms:

- `read_event_entries(store, find_event(store, iri_or_title))`: one race's whole table, in table order;
- `read_entries(store, entry_iris)`: the given entries (one page of a filtered list), in the given order.

Both give `EntryRow`s (each with its `Role`s) and make two queries: the entries' own fields, then their
roles, looked up by (entry, graph). `EntryRow.results_json()` is a row as `racegraph results` prints it;
`events_of(store, rows)` gives the title and date of the rows' races. `store` is anything with pyoxigraph's
`Store.query` (the server passes its bounded store). Every pattern is read inside the
article graph that holds the entry, so the strings are the row's own words (rg:creditedAs,
rg:classAsWritten, rg:chassisAsWritten, rg:engineAsWritten) and never the labels of the shared
resources, which may prefer another article's spelling. The IRIs of the shared things (class, chassis,
engine, tyre, status, each driver and team, each role's country) come along, for pages that link them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import pyoxigraph

from graph.uris import ONTOLOGY_NS

_PREFIXES = f"""
PREFIX rg: <{ONTOLOGY_NS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

_EVENTS = _PREFIXES + """SELECT ?event ?title ?date ?graph WHERE {{
  {selection}
  GRAPH ?graph {{ ?event a rg:RaceEvent ; rdfs:label ?title ; rg:date ?date . }}
  FILTER(LANGMATCHES(LANG(?title), "en"))
}} ORDER BY ?date ?title
"""

# `{selection}` binds ?entry (VALUES) or nothing (?event and ?graph then come as substitutions). Each
# OPTIONAL repeats `?entry rg:event ?event`: a lone-triple OPTIONAL inside GRAPH ?graph is otherwise
# evaluated over every graph before the join (1 s instead of 10 ms for a page on a 389-race graph).
_FIELDS = _PREFIXES + """SELECT ?graph ?event ?entry ?order ?pos ?status ?code ?class ?classWritten ?no
       ?chassis ?chassisWritten ?engine ?engineWritten ?tyre ?tyreLetter ?laps WHERE {{
  {selection}
  GRAPH ?graph {{
    ?entry rg:event ?event ; rg:tableOrder ?order ; rg:carNumber ?no ;
           rg:raceClass ?class ; rg:classAsWritten ?classWritten ;
           rg:chassis ?chassis ; rg:chassisAsWritten ?chassisWritten ;
           rg:engine ?engine ; rg:engineAsWritten ?engineWritten .
    OPTIONAL {{ ?entry rg:event ?event ; rg:position ?pos }}
    OPTIONAL {{ ?entry rg:event ?event ; rg:status ?status . OPTIONAL {{ ?status rg:statusCode ?code }} }}
    OPTIONAL {{ ?entry rg:event ?event ; rg:tyre ?tyre . OPTIONAL {{ ?tyre rg:tyreLetter ?tyreLetter }} }}
    OPTIONAL {{ ?entry rg:event ?event ; rg:laps ?laps }}
  }}
}} {order}
"""

# the roles of entries already read, each inside the graph its row came from (?entry and ?graph given in pairs:
# both bound, every pattern is a direct index look-up)
_ROLES = _PREFIXES + """SELECT ?entry ?kind ?order ?who ?name ?country ?code WHERE {{
  VALUES (?entry ?graph) {{ {pairs} }}
  GRAPH ?graph {{
    {{ ?entry rg:entrantRole ?role . ?role rg:roleTeam ?who . BIND("teams" AS ?kind) }}
    UNION
    {{ ?entry rg:driverRole ?role . ?role rg:roleDriver ?who . BIND("drivers" AS ?kind) }}
    ?role rg:listOrder ?order ; rg:creditedAs ?name ; rg:enteredNationality ?country .
    ?country rg:alpha3 ?code .
  }}
}}
"""


# class winners are derived (graph/derived/...): read from the merge, apart from the rows' own graphs (Virtuoso
# finds none when this joins the GRAPH ?graph pattern above)
_WINNERS = _PREFIXES + """SELECT ?entry WHERE {{ VALUES ?entry {{ {entries} }} ?event rg:classWinner ?entry }}"""


class UnknownEventError(LookupError):
    def __init__(self, wanted: str):
        self.wanted = wanted
        super().__init__(f"no event with the URI or English title {wanted!r}")


@dataclass(frozen=True)
class Event:
    iri: str
    title: str  # the English label, as the event's article writes it
    date: str  # xsd:date lexical form
    graph: str  # the IRI of the event's article graph


@dataclass(frozen=True)
class Role:
    """A driver or an entrant in one row of a results table."""

    name: str  # rg:creditedAs: the name as this row wrote it
    nationality: str  # the alpha-3 code of the nationality entered for this row
    iri: str  # the driver or team
    country: str  # the IRI of the entered nationality


@dataclass(frozen=True)
class EntryRow:
    """One row of a results table: the row's own words, and the IRIs of the things it names."""

    iri: str
    event: str  # IRI of the race
    graph: str  # IRI of the article graph the row was read from
    order: int  # rg:tableOrder, the row's place in the article's table
    number: str
    position: str | None  # the classified position (lexical form), None for an unclassified car
    status: str | None  # IRI of the status, e.g. did not finish
    status_code: str | None  # DNF, NC, DSQ, …
    race_class: str  # IRI
    class_as_written: str
    chassis: str  # IRI
    chassis_as_written: str
    engine: str  # IRI
    engine_as_written: str
    tyre: str | None  # IRI of the tyre maker
    tyre_letter: str | None
    laps: int | None
    class_winner: bool
    teams: tuple[Role, ...]  # in the order the row lists them
    drivers: tuple[Role, ...]

    def results_json(self) -> dict:
        """The row as `racegraph results` prints it (also the core of an /api/results row)."""
        return {
            "pos": self.position if self.position is not None else self.status_code,
            "class": self.class_as_written,
            "no": self.number,
            "teams": [[role.nationality, role.name] for role in self.teams],
            "drivers": [[role.nationality, role.name] for role in self.drivers],
            "chassis": self.chassis_as_written,
            "engine": self.engine_as_written,
            "tyre": self.tyre_letter or "",
            "laps": self.laps,
        }


def _value(term) -> str | None:
    return term.value if term is not None else None


def _iri_list(iris: Iterable[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


def list_events(store: pyoxigraph.Store) -> list[dict]:
    """[{uri, title, date, graph}] of every race event, by date then title (graph: a pyoxigraph NamedNode)."""
    return [{"uri": event.iri, "title": event.title, "date": event.date, "graph": pyoxigraph.NamedNode(event.graph)}
            for event in _events(store, "")]


def _events(store: pyoxigraph.Store, selection: str, bindings: dict | None = None) -> list[Event]:
    rows = store.query(_EVENTS.format(selection=selection), substitutions=bindings or {})
    return [Event(row["event"].value, row["title"].value, row["date"].value, row["graph"].value) for row in rows]


def find_event(store: pyoxigraph.Store, wanted: str) -> Event:
    """The event whose IRI or exact English title is `wanted` (looked up directly, not by listing them all);
    UnknownEventError when there is none."""
    found: list[Event] = []
    if "://" in wanted:
        try:
            found = _events(store, "", {pyoxigraph.Variable("event"): pyoxigraph.NamedNode(wanted)})
        except ValueError:  # not an IRI pyoxigraph accepts: it can only be a title
            found = []
    if not found:
        found = _events(store, "", {pyoxigraph.Variable("title"): pyoxigraph.Literal(wanted, language="en")})
    if not found:
        raise UnknownEventError(wanted)
    return found[0]


def events_of(store: pyoxigraph.Store, rows: Iterable[EntryRow]) -> dict[str, Event]:
    """event IRI -> Event, for the races of the given rows, each read from the graph its rows came from."""
    pairs = " ".join(dict.fromkeys(f"(<{row.event}> <{row.graph}>)" for row in rows))
    if not pairs:
        return {}
    return {event.iri: event for event in _events(store, f"VALUES (?event ?graph) {{ {pairs} }}")}


def read_event_entries(store: pyoxigraph.Store, event: Event) -> list[EntryRow]:
    """Every row of one race's results table, read from the race's own article graph, in table order."""
    bindings = {pyoxigraph.Variable("event"): pyoxigraph.NamedNode(event.iri),
                pyoxigraph.Variable("graph"): pyoxigraph.NamedNode(event.graph)}
    return _read(store, "", bindings, order="ORDER BY ?order")


def read_entries(store: pyoxigraph.Store, entry_iris: Sequence[str]) -> list[EntryRow]:
    """The rows of the given entries (any races), in the order given; an IRI that is not an entry with a
    results-table row of its own is left out. Meant for a page of entries: two queries read them all."""
    listed = _iri_list(dict.fromkeys(entry_iris))
    if not listed:
        return []
    rows = {row.iri: row for row in _read(store, f"VALUES ?entry {{ {listed} }}", {}, order="")}
    return [rows[iri] for iri in dict.fromkeys(entry_iris) if iri in rows]


def _read(store: pyoxigraph.Store, selection: str, bindings: dict, *, order: str) -> list[EntryRow]:
    """The rows chosen by `selection` (a VALUES of entries) or by `bindings` (?event and ?graph), then their roles
    from the graph each row came from. An entry stated by two article graphs is read from the first."""
    fields: dict[str, dict] = {}
    for row in store.query(_FIELDS.format(selection=selection, order=order), substitutions=bindings):
        fields.setdefault(row["entry"].value, row)
    ordered_roles: dict[tuple[str, str], list[tuple[int, Role]]] = {}
    winners: set[str] = set()
    if fields:
        winners = {row["entry"].value for row in store.query(_WINNERS.format(entries=_iri_list(fields)))}
        pairs = " ".join(f"(<{entry}> <{row['graph'].value}>)" for entry, row in fields.items())
        for row in store.query(_ROLES.format(pairs=pairs)):
            ordered_roles.setdefault((row["entry"].value, row["kind"].value), []).append(
                (int(row["order"].value), Role(row["name"].value, row["code"].value, row["who"].value,
                                               row["country"].value)))
    # sorted here, not by ORDER BY: a page's few roles sort faster in Python than in the query

    def roles(entry: str, kind: str) -> tuple[Role, ...]:
        return tuple(role for _, role in sorted(ordered_roles.get((entry, kind), ()), key=lambda pair: pair[0]))

    return [EntryRow(
        iri=entry, event=row["event"].value, graph=row["graph"].value, order=int(row["order"].value),
        number=row["no"].value, position=_value(row["pos"]), status=_value(row["status"]),
        status_code=_value(row["code"]), race_class=row["class"].value,
        class_as_written=row["classWritten"].value, chassis=row["chassis"].value,
        chassis_as_written=row["chassisWritten"].value, engine=row["engine"].value,
        engine_as_written=row["engineWritten"].value, tyre=_value(row["tyre"]),
        tyre_letter=_value(row["tyreLetter"]), laps=int(row["laps"].value) if row["laps"] is not None else None,
        class_winner=entry in winners, teams=roles(entry, "teams"), drivers=roles(entry, "drivers"),
    ) for entry, row in fields.items()]


def event_results(store: pyoxigraph.Store, events: list[str] | None = None) -> list[dict]:
    """The results JSON of the chosen events (URIs or exact English titles), or of all events by date:
    what `racegraph results` prints and `/api/events/<id>/results` answers."""
    chosen = [find_event(store, wanted) for wanted in events] if events else _events(store, "")
    return [race_json(event, read_event_entries(store, event)) for event in chosen]


def race_json(event: Event, rows: list[EntryRow]) -> dict:
    return {"title": event.title, "date": event.date, "entries": [row.results_json() for row in rows]}
