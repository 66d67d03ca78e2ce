"""Statistics of a driver, a team or a maker, and of one race, computed by SPARQL over the store.

Each figure says whether it is `derived`: worked out by racegraph (class winners and distances come from
the derived graphs; rates and margins are arithmetic on stated facts) rather than stated by an article.
Every statistics block also carries the query that computed it, for the "query this" link.
"""

from __future__ import annotations

from decimal import Decimal

from server.pages.queries import Reader, per_build

# one row per entry matching {pattern} (over ?entry and ?this); each figure a SUM of 0/1 per entry, so
# an entry that lacks a position or laps counts as 0 instead of making the aggregate an error
_RECORD = """
SELECT (COUNT(?entry) AS ?entries) (SUM(?started) AS ?starts) (SUM(?won) AS ?wins)
       (SUM(?class_won) AS ?class_wins) (SUM(?podium) AS ?podiums) (SUM(?classified) AS ?finishes)
       (MIN(?pos) AS ?best) (SUM(?lap_count) AS ?laps) (SUM(?km) AS ?distance)
WHERE {{
  {{ SELECT DISTINCT ?entry WHERE {{ {pattern} }} }}
  OPTIONAL {{ ?entry rg:position ?pos }}
  OPTIONAL {{ ?entry rg:laps ?l }}
  OPTIONAL {{ ?entry rg:distanceCovered ?d }}
  OPTIONAL {{ ?entry rg:status/rg:statusCode ?code }}
  BIND(IF(BOUND(?code) && ?code IN ("DNS", "DNA"), 0, 1) AS ?started)
  BIND(IF(BOUND(?pos) && ?pos = 1, 1, 0) AS ?won)  # BOUND first: Virtuoso takes unbound <= 3 as true
  BIND(IF(BOUND(?pos) && ?pos <= 3, 1, 0) AS ?podium)
  BIND(IF(BOUND(?pos), 1, 0) AS ?classified)
  BIND(IF(EXISTS {{ ?event rg:classWinner ?entry }}, 1, 0) AS ?class_won)
  BIND(COALESCE(?l, 0) AS ?lap_count)
  BIND(COALESCE(?d, 0.0) AS ?km)
}}
"""

_TEAM_MATES = """
SELECT ?mate (COUNT(DISTINCT ?entry) AS ?shared) WHERE {{
  ?entry rg:driver ?this , ?mate . FILTER(?mate != ?this)
}} GROUP BY ?mate ORDER BY DESC(?shared) ?mate LIMIT {limit}
"""
_TEAM_MATE_COUNT = "SELECT (COUNT(DISTINCT ?mate) AS ?n) WHERE { ?entry rg:driver ?this , ?mate . FILTER(?mate != ?this) }"
TEAM_MATES_SHOWN = 50

_BY_CLASS = """
SELECT ?class (COUNT(DISTINCT ?entry) AS ?entries) (COUNT(DISTINCT ?finisher) AS ?finishers) WHERE {
  ?entry rg:event ?this ; rg:raceClass ?class .
  OPTIONAL { ?entry rg:position ?pos BIND(?entry AS ?finisher) }
} GROUP BY ?class ORDER BY DESC(?entries) ?class
"""

_MARGIN = """
SELECT ?winner_laps ?second_laps WHERE {
  ?first rg:event ?this ; rg:position 1 ; rg:laps ?winner_laps .
  ?second rg:event ?this ; rg:position 2 ; rg:laps ?second_laps .
} LIMIT 1
"""

_CLASS_WINS_BY_MAKER = """
SELECT ?maker ?class (COUNT(DISTINCT ?entry) AS ?wins) WHERE {
  ?event rg:classWinner ?entry .
  ?entry rg:chassis/rg:manufacturer ?maker ; rg:raceClass ?class .
} GROUP BY ?maker ?class ORDER BY ?maker ?class
"""


def _number(term) -> int | Decimal | None:
    if term is None:
        return None
    text = term.value
    return Decimal(text) if "." in text or "e" in text.lower() else int(text)


def figure(key: str, value, *, derived: bool = False, unit: str | None = None) -> dict:
    return {"key": key, "value": value, "derived": derived, "unit": unit}


def record(reader: Reader, pattern: str, iri: str) -> dict:
    """The counts over the entries matching `pattern` (a graph pattern over ?entry and ?this)."""
    text = _RECORD.format(pattern=pattern)
    # every page of the thing's lists, in every language, shows the same figures: read them once a build
    row = per_build(("record", pattern, iri), lambda: next(iter(reader.query(text, this=iri))))
    values = {name: _number(row[name]) for name in
              ("entries", "starts", "wins", "class_wins", "podiums", "finishes", "best", "laps", "distance")}
    values = {name: (0 if value is None and name != "best" else value) for name, value in values.items()}
    return {**values, "query": text.replace("?this", f"<{iri}>")}


def finishing_rate(values: dict) -> Decimal | None:
    """Classified finishes over starts, as a percentage with one decimal; None before any start."""
    if not values["starts"]:
        return None
    return (Decimal(values["finishes"]) * 100 / Decimal(values["starts"])).quantize(Decimal("0.1"))


def driver_statistics(reader: Reader, iri: str) -> dict:
    values = record(reader, "?entry rg:driver ?this .", iri)
    mates = per_build(("team mates", iri), lambda: [(row["mate"].value, int(row["shared"].value)) for row in
                                                    reader.query(_TEAM_MATES.format(limit=TEAM_MATES_SHOWN), this=iri)])
    names = reader.labels([mate for mate, _ in mates])
    distance = values["distance"]
    return {
        "figures": [
            figure("starts", values["starts"]),
            figure("wins", values["wins"]),
            figure("class_wins", values["class_wins"], derived=True),
            figure("podiums", values["podiums"]),
            figure("best_result", values["best"]),
            figure("laps_completed", values["laps"]),
            figure("distance_completed", distance.quantize(Decimal("0.01")) if isinstance(distance, Decimal)
                   else distance, derived=True, unit="km"),
        ],
        "team_mates": [{**reader.link(mate, names), "shared": shared} for mate, shared in mates],
        "team_mate_total": per_build(("team mate total", iri), lambda: reader.count(_TEAM_MATE_COUNT, this=iri)),
        "query": values["query"],
    }


def maker_statistics(reader: Reader, pattern: str, iri: str) -> dict:
    """Entries, wins, class wins and finishing rate: for a team, chassis, engine or manufacturer."""
    values = record(reader, pattern, iri)
    return {
        "figures": [
            figure("entries", values["entries"]),
            figure("wins", values["wins"]),
            figure("class_wins", values["class_wins"], derived=True),
            figure("finishing_rate", finishing_rate(values), derived=True, unit="%"),
        ],
        "query": values["query"],
    }


def event_statistics(reader: Reader, iri: str) -> dict:
    """Finishers by class and the winner's margin in laps over the runner-up."""
    rows = list(reader.query(_BY_CLASS, this=iri))
    names = reader.labels([row["class"].value for row in rows])
    by_class = [{**reader.link(row["class"].value, names), "entries": int(row["entries"].value),
                 "finishers": int(row["finishers"].value)} for row in rows]
    margin_row = next(iter(reader.query(_MARGIN, this=iri)), None)
    margin = (int(margin_row["winner_laps"].value) - int(margin_row["second_laps"].value)) if margin_row else None
    return {
        "by_class": by_class,
        "figures": [figure("finishers", sum(row["finishers"] for row in by_class)),
                    figure("winners_margin", margin, derived=True, unit="laps")],
        "query": _BY_CLASS.replace("?this", f"<{iri}>"),
    }


def class_wins_by_maker(reader: Reader) -> dict:
    """Class wins of each chassis maker, by class, over the whole dataset (a few rows per race)."""
    rows = [(row["maker"].value, row["class"].value, int(row["wins"].value))
            for row in reader.query(_CLASS_WINS_BY_MAKER)]
    names = reader.labels({maker for maker, _, _ in rows} | {cls for _, cls, _ in rows})
    makers = sorted({maker for maker, _, _ in rows}, key=lambda m: (names.get(m) or m).casefold())
    classes = sorted({cls for _, cls, _ in rows}, key=lambda c: (names.get(c) or c).casefold())
    wins = {(maker, cls): count for maker, cls, count in rows}
    return {
        "makers": [reader.link(m, names) for m in makers],
        "classes": [reader.link(c, names) for c in classes],
        "wins": [[wins.get((m, c), 0) for c in classes] for m in makers],  # a row per maker, a column per class
        "query": _CLASS_WINS_BY_MAKER,
    }
