"""`racegraph results`: each race's table as JSON, read back from the store with SPARQL.

Strings come from the event's own article graph, so they are exactly as that article wrote them.
"""

from __future__ import annotations

import pyoxigraph

from graph.uris import ONTOLOGY_NS

_PREFIXES = f"""
PREFIX rg: <{ONTOLOGY_NS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

_EVENTS = _PREFIXES + """SELECT ?event ?title ?date ?graph WHERE {
  GRAPH ?graph { ?event a rg:RaceEvent ; rdfs:label ?title ; rg:date ?date . }
  FILTER(LANGMATCHES(LANG(?title), "en"))
} ORDER BY ?date ?title
"""

_ENTRIES = _PREFIXES + """SELECT ?graph ?event ?entry ?order ?pos ?code ?class ?no ?chassis ?engine ?tyre ?laps WHERE {
  GRAPH ?graph {
    ?entry rg:event ?event ; rg:tableOrder ?order ; rg:carNumber ?no ;
           rg:raceClass/rdfs:label ?class ;
           rg:chassis/rg:nameAsWritten ?chassis ; rg:engine/rg:nameAsWritten ?engine .
    OPTIONAL { ?entry rg:position ?pos }
    OPTIONAL { ?entry rg:status/rg:statusCode ?code }
    OPTIONAL { ?entry rg:tyre/rg:tyreLetter ?tyre }
    OPTIONAL { ?entry rg:laps ?laps }
  }
} ORDER BY ?order
"""

_ROLES = _PREFIXES + """SELECT ?graph ?event ?entry ?kind ?order ?code ?name WHERE {
  GRAPH ?graph {
    ?entry rg:event ?event .
    { ?entry rg:entrantRole ?role . BIND("teams" AS ?kind) }
    UNION
    { ?entry rg:driverRole ?role . BIND("drivers" AS ?kind) }
    ?role rg:listOrder ?order ; rg:creditedAs ?name ; rg:enteredNationality/rg:alpha3 ?code .
  }
} ORDER BY ?entry ?kind ?order
"""


class UnknownEventError(LookupError):
    def __init__(self, wanted: str):
        self.wanted = wanted
        super().__init__(f"no event with the URI or English title {wanted!r}")


def list_events(store: pyoxigraph.Store) -> list[dict]:
    """[{uri, title, date, graph}] of every race event, by date."""
    rows = store.query(_EVENTS)
    return [{"uri": row["event"].value, "title": row["title"].value, "date": row["date"].value,
             "graph": row["graph"]} for row in rows]


def event_results(store: pyoxigraph.Store, events: list[str] | None = None) -> list[dict]:
    """The results JSON of the chosen events (URIs or exact English titles), or of all events."""
    known = list_events(store)
    if events:
        chosen = []
        for wanted in events:
            match = [event for event in known if wanted in (event["uri"], event["title"])]
            if not match:
                raise UnknownEventError(wanted)
            chosen.append(match[0])
    else:
        chosen = known
    return [_results_of(store, event) for event in chosen]


def _results_of(store: pyoxigraph.Store, event: dict) -> dict:
    bindings = {pyoxigraph.Variable("event"): pyoxigraph.NamedNode(event["uri"]),
                pyoxigraph.Variable("graph"): event["graph"]}
    roles: dict[tuple[str, str], list[list[str]]] = {}
    for row in store.query(_ROLES, substitutions=bindings):
        roles.setdefault((row["entry"].value, row["kind"].value), []).append([row["code"].value, row["name"].value])
    entries = []
    for row in store.query(_ENTRIES, substitutions=bindings):
        entry = row["entry"].value
        entries.append({
            "pos": row["pos"].value if row["pos"] is not None else row["code"].value,
            "class": row["class"].value,
            "no": row["no"].value,
            "teams": roles.get((entry, "teams"), []),
            "drivers": roles.get((entry, "drivers"), []),
            "chassis": row["chassis"].value,
            "engine": row["engine"].value,
            "tyre": row["tyre"].value if row["tyre"] is not None else "",
            "laps": int(row["laps"].value) if row["laps"] is not None else None,
        })
    return {"title": event["title"], "date": event["date"], "entries": entries}
