"""One data function per kind of page, each returning a plain dict (Datasette style): the views render it
as HTML or JSON, and the JSON API reshapes the same dict, so a driver's career is read in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from flask import abort, request

from graph.metadata import DUMP_NAMES, query_prefixes
from graph.results import list_events
from graph.text import fold
from server import describe, iris
from server.db import get_build_info
from server.negotiation import FORMATS, RDF_FORMATS
from server.pages.queries import (Paging, Reader, country_flags, entries_section, entry_rows, facts, first_iri,
                                  first_literal, ordered_entries, outgoing, per_build, related_section, text_in,
                                  types_of)
from server.pages import charts, stats
from server.pages.browse import KINDS
from server.pages.format import date_text, literal_text
from server.pages.words import UI

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA_DESCRIPTION = "https://schema.org/description"
DCTERMS = "http://purl.org/dc/terms/"
SEARCH_PAGE_SIZE = 50
RESULTS_CHARTED = 60  # the latest results of a driver drawn in the results-over-time chart (more are unreadable)

# the RDF documents offered on every page, as (suffix, name people know it by, media type)
DOCUMENTS = tuple((fmt.name, fmt.label, fmt.media_type) for fmt in map(FORMATS.get, RDF_FORMATS))


_PREFIXED = re.compile(r"(?<![\w<:/#])([A-Za-z][\w-]*):")  # the prefix of a prefixed name (not of an <IRI>)


def editor_link(reader: Reader, query: str) -> str:
    """The query page with `query` in its editor (the editor reads the `#query=` fragment), with a PREFIX
    line for each predeclared prefix it uses, so the query also runs where they are not predeclared."""
    named = set(_PREFIXED.findall(query))
    used = [f"PREFIX {name}: <{namespace}>\n" for name, namespace in sorted(query_prefixes(reader.base).items())
            if name in named]
    return "/sparql#query=" + quote("".join(used) + ("\n" if used else "") + query, safe="")


def linked_data(reader: Reader, iri: str, query: str | None = None) -> dict:
    """What every page offers a linked-data user: the IRI, its RDF documents, a query that opens it."""
    local = iris.local_href(iri, reader.base) or ""
    path = local.removeprefix("/page/")
    documents = [{"suffix": suffix, "name": name, "type": media, "href": f"/data/{path}.{suffix}"}
                 for suffix, name, media in DOCUMENTS] if path else []
    return {"uri": iri, "documents": documents,
            "sparql": editor_link(reader, query or f"DESCRIBE <{iri}>"), "json": local + ".json" if path else None}


def breadcrumbs(reader: Reader, iri: str, title: str) -> list[dict]:
    """Home › the kind's index › (the race, for an entry or a role) › this thing."""
    words = UI[reader.lang]
    trail = [{"label": words["home"], "href": "/"}]
    key = iri[len(reader.base):] if iri.startswith(reader.base) else ""
    parts = key.split("/")
    if len(parts) >= 3 and parts[0] == "id":
        segment = parts[1]
        if segment in KINDS:
            trail.append({"label": words[KINDS[segment].heading], "href": f"/page/{segment}"})
        elif segment == "entry":
            event = reader.base + "id/event/" + parts[2]
            trail.append({"label": words["events"], "href": "/page/event"})
            trail.append(reader.link(event, reader.labels([event])))
            if len(parts) > 4:  # a role: id/entry/<event>/<no>/driver/1
                entry = reader.base + "/".join(parts[:4])
                trail.append(reader.link(entry, {entry: f"#{parts[3]}"}))
    trail.append({"label": title, "href": None})
    return trail


def thing_base(reader: Reader, iri: str, kind: str, template: str, paging: Paging) -> tuple[dict, dict]:
    """What every thing's page has (title, types, all facts with incoming links one page at a time),
    and the thing's own values by predicate for the caller to read more from."""
    values = outgoing(reader, iri)
    type_iris = sorted(types_of(reader, iri))
    names = reader.labels(type_iris)
    all_facts = facts(reader, iri, values, paging)
    summary = [group for group in all_facts["properties"] if group["property"]["iri"].startswith(reader.ns)
               and group["property"]["iri"] != reader.ns + "nationality"] if kind != "resource" else []
    data = {
        "iri": iri, "kind": kind, "template": template,
        "title": text_in(values, RDFS_LABEL, reader.lang) or iris.local_name(iri),
        "types": [reader.link(t, names) for t in type_iris],
        "facts": all_facts,
        "summary": summary,
        "sections": [],
    }
    data["breadcrumbs"] = breadcrumbs(reader, iri, data["title"])
    data["linked_data"] = linked_data(reader, iri)
    size = describe.graph_size(reader.store, iri)
    if size is not None:  # a named graph: say what it holds
        data["named_graph"] = {"triples": size, "contents": describe.graph_contents(iri, reader.base)}
    return data, values


def event_data(reader: Reader, iri: str, paging: Paging) -> dict:
    rg = reader.ns
    data, values = thing_base(reader, iri, "event", "event.html", paging)
    refs = {name: first_iri(values, rg + name) for name in ("circuit", "organiser", "series", "polePosition",
                                                              "fastestLap")}
    sources = [v.value for v in values.get(rg + "sourceArticle", []) if isinstance(v, ox.NamedNode)]
    names = reader.labels([i for i in refs.values() if i] + sources)
    rows = entry_rows(reader, "?entry rg:event ?this .", iri)  # one race's table: shown whole
    by_entry = {row["entry"]["iri"]: row for row in rows}
    sort = requested_results_sort()
    circuit = None
    if refs["circuit"]:
        circuit_values = outgoing(reader, refs["circuit"])
        country = first_iri(circuit_values, rg + "country")
        country_names = reader.labels([country]) if country else {}
        circuit = {**reader.link(refs["circuit"], names),
                   "locality": (first_literal(circuit_values, rg + "locality") or ox.Literal("")).value,
                   "country": reader.link(country, country_names) if country else None,
                   "flag": country_flags(reader, [country]).get(country, {}).get("flag", "") if country else ""}

    def number(name):
        literal = first_literal(values, rg + name)
        return literal_text(literal) if literal is not None else None

    descriptions = {value.language: value.value for value in values.get(SCHEMA_DESCRIPTION, [])
                    if isinstance(value, ox.Literal) and value.language in ("en", "es")}
    pole = by_entry.get(refs["polePosition"]) if refs["polePosition"] else None
    fastest = by_entry.get(refs["fastestLap"]) if refs["fastestLap"] else None
    data.update({
        "date": number("date"),
        "circuit": circuit,
        "organiser": reader.link(refs["organiser"], names) if refs["organiser"] else None,
        "series": reader.link(refs["series"], names) if refs["series"] else None,
        "pole": pole, "pole_time": number("poleLapTime"),
        "fastest": fastest, "fastest_time": number("fastestLapTime"),
        "distance": number("raceDistance"), "speed": number("averageSpeed"),
        "lap_length": number("lapLength"), "threshold": number("classificationThreshold"),
        "descriptions": descriptions,
        "sources": [reader.link(s, names) for s in sorted(sources)],
        "results": sort_results(rows, sort),
        "results_sort": sort,
        "statistics": stats.event_statistics(reader, iri),
    })
    words = UI[reader.lang]
    charted = [row for row in rows if row["laps"] is not None]
    data["laps_chart"] = {
        "svg": charts.render(charts.event_laps(charted, words["chart_laps_title"], words["chart_laps_desc"],
                                               words["car"], words["laps"])) if charted else None,
        "columns": [words["car"], words["class"], words["laps"]],
        "rows": [[f"#{row['no']}", row["class"]["label"] if row["class"] else "", row["laps"]] for row in charted],
    }
    data["jsonld"] = {
        "@context": "https://schema.org", "@type": "SportsEvent", "@id": iri, "name": data["title"],
        "url": reader.page_url(iri), "startDate": data["date"],
        "description": descriptions.get(reader.lang) or descriptions.get("en"),
        "location": {"@type": "Place", "name": circuit["label"], "address": circuit["locality"]} if circuit else None,
        "organizer": {"@type": "Organization", "name": data["organiser"]["label"]} if data["organiser"] else None,
        "competitor": [
            {"@type": "SportsTeam", "name": " / ".join(team["label"] for team in row["teams"]) or f"#{row['no']}",
             "athlete": [{"@type": "Person", "name": driver["label"], "@id": driver["iri"]} for driver in row["drivers"]]}
            for row in rows
        ],
    }
    return data


# a race's results table sorted by one column (`?sort=no`, `?sort=-laps`); "result" is the official order
RESULT_SORTS = {
    "result": lambda row: row["order"],
    "class": lambda row: ((row["class"] or {}).get("label", "").casefold(), row["order"]),
    "no": lambda row: (int(row["no"]) if row["no"].isdigit() else 10**9, row["no"]),
    "laps": lambda row: (row["laps"] if row["laps"] is not None else -1, -row["order"]),
    "teams": lambda row: (" ".join(t["label"] for t in row["teams"]).casefold(), row["order"]),
    "drivers": lambda row: (" ".join(d["label"] for d in row["drivers"]).casefold(), row["order"]),
    "chassis": lambda row: ((row["chassis"] or {}).get("label", "").casefold(), row["order"]),
    "engine": lambda row: ((row["engine"] or {}).get("label", "").casefold(), row["order"]),
    "tyre": lambda row: ((row["tyre"] or {}).get("label", "").casefold(), row["order"]),
}


def requested_results_sort() -> str:
    """The `?sort=` of a results table: a column, `-` before it for descending; 400 for anything else."""
    sort = request.args.get("sort", "result")
    if sort.lstrip("-") not in RESULT_SORTS:
        abort(400, f"sort={sort!r}: expected one of {', '.join(RESULT_SORTS)}, with '-' before it for descending")
    return sort


def sort_results(rows: list[dict], sort: str) -> list[dict]:
    return sorted(rows, key=RESULT_SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))


def nationality_links(reader: Reader, values: dict[str, list]) -> list[dict]:
    countries = sorted(v.value for v in values.get(reader.ns + "nationality", []) if isinstance(v, ox.NamedNode))
    names = reader.labels(countries)
    flags = country_flags(reader, countries)
    return [{**reader.link(c, names), **flags.get(c, {"flag": "", "code": ""})} for c in countries]


def driver_data(reader: Reader, iri: str, paging: Paging) -> dict:
    """A driver and one page of their career; also what /api/drivers/<slug> answers, reshaped."""
    data, values = thing_base(reader, iri, "driver", "entity.html", paging)
    data["nationalities"] = nationality_links(reader, values)
    career = entries_section(reader, "career", CAREER, iri,
                             ["event", "date", "no", "class", "teams", "team_mates", "chassis", "result"], paging)
    data["sections"].append(career)
    data["statistics"] = stats.driver_statistics(reader, iri)
    data["results_chart"] = results_chart(reader, iri)
    data["linked_data"] = linked_data(reader, iri, career_query(iri))
    data["jsonld"] = {"@context": "https://schema.org", "@type": "Person", "@id": iri, "name": data["title"],
                      "url": reader.page_url(iri),
                      "nationality": [{"@type": "Country", "name": c["label"]} for c in data["nationalities"]],
                      "performerIn": [{"@type": "SportsEvent", "name": row["event"]["label"], "startDate": row["date"]}
                                      for row in career["rows"]]}
    return data


_CAREER = """SELECT ?date ?event ?no ?class ?position ?status ?laps WHERE {{
  ?entry rg:driver <{iri}> ; rg:event ?e ; rg:carNumber ?no ; rg:raceClass/rdfs:label ?class .
  ?e rdfs:label ?event ; rg:date ?date .
  OPTIONAL {{ ?entry rg:position ?position }}
  OPTIONAL {{ ?entry rg:status/rg:statusCode ?status }}
  OPTIONAL {{ ?entry rg:laps ?laps }}
  FILTER(LANG(?event) = "en")
}} ORDER BY ?date
"""


def career_query(iri: str) -> str:
    return _CAREER.format(iri=iri)


CAREER = "?entry rg:driver ?this ."


def career_entries(reader: Reader, iri: str) -> list[str]:
    """The driver's entries in race order, read once a build (the career table pages through the same list)."""
    return per_build(("entries", CAREER, iri), lambda: ordered_entries(reader, CAREER, iri))


def results_chart(reader: Reader, iri: str) -> dict:
    """The driver's latest RESULTS_CHARTED results by date: the chart and its table."""
    latest = career_entries(reader, iri)[-RESULTS_CHARTED:]
    place = {entry: index for index, entry in enumerate(latest)}
    rows = sorted(reader.query(f"""SELECT ?entry ?date ?event ?pos ?code WHERE {{
        VALUES ?entry {{ {" ".join(map(describe.iri_ref, latest))} }}
        ?entry rg:event ?event . OPTIONAL {{ ?event rg:date ?date }}
        OPTIONAL {{ ?entry rg:position ?pos }}
        OPTIONAL {{ ?entry rg:status/rg:statusCode ?code }} }}""") if latest else [],
                  key=lambda row: place[row["entry"].value])
    names = reader.labels({row["event"].value for row in rows})
    points = [{"event": reader.link(row["event"].value, names),
               "date": row["date"].value if row["date"] is not None else None,
               "x": date_text(row["date"].value if row["date"] is not None else None, reader.lang)
               or names.get(row["event"].value, ""),
               "position": int(row["pos"].value) if row["pos"] is not None else None,
               "status": row["code"].value if row["code"] is not None else None} for row in rows]
    words = UI[reader.lang]
    spec = charts.driver_results(points, words["chart_results_title"], words["chart_results_desc"],
                                 words["position"], words["date"], words["position"])
    return {"svg": charts.render(spec) if any(p["position"] for p in points) else None, "points": points,
            "columns": [words["date"], words["event"], words["position"]],
            "rows": [[point["x"], point["event"]["label"], point["position"] or point["status"]] for point in points]}


def team_data(reader: Reader, iri: str, paging: Paging) -> dict:
    data, values = thing_base(reader, iri, "team", "entity.html", paging)
    data["nationalities"] = nationality_links(reader, values)
    entries = entries_section(reader, "entries", "?entry rg:team ?this .", iri,
                              ["event", "date", "no", "class", "drivers", "chassis", "engine", "result"], paging)
    data["sections"].append(entries)
    data["statistics"] = stats.maker_statistics(reader, "?entry rg:team ?this .", iri)
    data["jsonld"] = {"@context": "https://schema.org", "@type": "SportsTeam", "@id": iri, "name": data["title"],
                      "url": reader.page_url(iri),
                      "athlete": sorted({d["label"] for row in entries["rows"] for d in row["drivers"]})}
    return data


@dataclass(frozen=True)
class Related:
    """A section of links to the things ?x matching `pattern` (a graph pattern over ?x and ?this)."""

    heading: str
    pattern: str

    def read(self, reader: Reader, iri: str, paging: Paging) -> dict:
        return related_section(reader, self.heading, self.pattern, iri, paging)


@dataclass(frozen=True)
class Entries:
    """A section with a table of the entries matching `pattern` (a graph pattern over ?entry and ?this)."""

    heading: str
    pattern: str
    columns: tuple[str, ...]

    def read(self, reader: Reader, iri: str, paging: Paging) -> dict:
        return entries_section(reader, self.heading, self.pattern, iri, list(self.columns), paging)


def sections_page(kind: str, *sections: Related | Entries, statistics: str | None = None):
    """The data function of a page made of the thing's facts and the given sections (empty ones left out);
    with `statistics` (a graph pattern over ?entry and ?this), the entries' record too."""
    def data_function(reader: Reader, iri: str, paging: Paging) -> dict:
        data, _ = thing_base(reader, iri, kind, "entity.html", paging)
        data["sections"] = [found for found in (section.read(reader, iri, paging) for section in sections)
                            if found["total"]]
        if statistics:
            data["statistics"] = stats.maker_statistics(reader, statistics, iri)
        return data
    return data_function


RACE_COLUMNS = ("event", "date", "no", "class", "teams", "drivers", "chassis", "result")

chassis_data = sections_page("chassis", Entries("entries", "?entry rg:chassis ?this .", (
    "event", "date", "no", "class", "teams", "drivers", "engine", "result")), statistics="?entry rg:chassis ?this .")
engine_data = sections_page("engine", Entries("entries", "?entry rg:engine ?this .", RACE_COLUMNS),
                            statistics="?entry rg:engine ?this .")
class_data = sections_page("class", Entries("entries", "?entry rg:raceClass ?this .", (
    "event", "result", "no", "teams", "drivers", "chassis", "engine", "laps")))
# Property paths rather than UNIONs of patterns below: Oxigraph plans a UNION without the bound ?this
# and scans every entry (seconds on a million triples), while it follows a path from ?this.
manufacturer_data = sections_page(
    "manufacturer",
    Related("chassis", "?x a rg:Chassis ; rg:manufacturer ?this"),
    Related("engine", "?x a rg:Engine ; rg:manufacturer|rg:tuner ?this"),
    Entries("entries", "?entry (rg:chassis|rg:engine)/rg:manufacturer|rg:tyre ?this .", (
        "event", "no", "class", "teams", "chassis", "engine", "tyre", "result")),
    statistics="?entry (rg:chassis|rg:engine)/rg:manufacturer|rg:tyre ?this .")
circuit_data = sections_page(
    "circuit",
    Related("events", "?x a rg:RaceEvent ; rg:circuit ?this"),
    Entries("entries", "?entry rg:event/rg:circuit ?this .", RACE_COLUMNS))
_country_sections = sections_page(
    "country",
    Related("drivers", "?x a rg:Driver ; rg:nationality ?this"),
    Related("teams", "?x a rg:Team ; rg:nationality ?this"),
    Related("circuit", "?x a rg:Circuit ; rg:country ?this"),
    # the entries in which a driver or a team raced under this flag (the flag of that row of the table)
    Entries("entries", "?entry (rg:driverRole|rg:entrantRole)/rg:enteredNationality ?this .", RACE_COLUMNS))


def country_data(reader: Reader, iri: str, paging: Paging) -> dict:
    data = _country_sections(reader, iri, paging)
    codes = country_flags(reader, [iri]).get(iri, {})
    data["flag"], data["code"] = codes.get("flag", ""), codes.get("code", "")
    return data


_ROLE = """SELECT ?entry ?who ?order ?no ?event ?count WHERE {
  ?entry ?link ?this . ?this ?target ?who ; rg:listOrder ?order .
  VALUES (?link ?target) { (rg:driverRole rg:roleDriver) (rg:entrantRole rg:roleTeam) }
  OPTIONAL { ?entry rg:carNumber ?no } OPTIONAL { ?entry rg:event ?event }
  { SELECT (COUNT(?other) AS ?count) WHERE { ?entry2 ?link2 ?this . ?entry2 ?link2 ?other .
      VALUES ?link2 { rg:driverRole rg:entrantRole } } }
} LIMIT 1"""


def role_data(reader: Reader, iri: str, paging: Paging) -> dict:
    """A driver's or entrant's place in one car's entry: said in a sentence, as the label cannot."""
    data, _ = thing_base(reader, iri, "role", "entity.html", paging)
    row = next(iter(reader.query(_ROLE, this=iri)), None)
    if row is not None:
        kinds = {t[len(reader.ns):] for t in types_of(reader, iri) if t.startswith(reader.ns)}
        names = reader.labels([row["who"].value, row["event"].value] if row["event"] is not None else [row["who"].value])
        words = UI[reader.lang]
        data["role"] = words["role_summary"].format(
            who=names.get(row["who"].value, ""), kind=words["role_driver" if "DriverRole" in kinds else "role_team"],
            order=row["order"].value, count=row["count"].value, no=row["no"].value if row["no"] is not None else "?",
            event=names.get(row["event"].value, "") if row["event"] is not None else "")
    return data


def resource_data(reader: Reader, iri: str, paging: Paging) -> dict:
    data, _ = thing_base(reader, iri, "resource", "entity.html", paging)
    return data


DATA_FUNCTIONS = {
    "RaceEvent": event_data, "Driver": driver_data, "Team": team_data, "Chassis": chassis_data,
    "Engine": engine_data, "Manufacturer": manufacturer_data, "TyreManufacturer": manufacturer_data,
    "RaceClass": class_data, "Circuit": circuit_data, "Country": country_data,
    "DriverRole": role_data, "EntrantRole": role_data,
}


def thing_data(reader: Reader, iri: str, paging: Paging) -> dict:
    """The page data of any thing, by its rg: type; anything else gets the generic page."""
    kinds = {t[len(reader.ns):] for t in types_of(reader, iri) if t.startswith(reader.ns)}
    function = next((function for kind, function in DATA_FUNCTIONS.items() if kind in kinds), resource_data)
    data = function(reader, iri, paging)
    data.setdefault("jsonld", {"@context": "https://schema.org", "@type": "Thing", "@id": iri,
                               "name": data["title"], "url": reader.page_url(iri)})
    return data


# --- listings --------------------------------------------------------------------------------------

def event_listing(reader: Reader, paging: Paging) -> dict:
    """One page of the events by date, each with its circuit; for the home page and /api/events."""
    events = list_events(reader.store)
    shown = events[(paging.number - 1) * paging.size:paging.number * paging.size]
    circuits = {}
    if shown:
        values = " ".join(describe.iri_ref(event["uri"]) for event in shown)
        for row in reader.query(f"SELECT ?e ?c WHERE {{ VALUES ?e {{ {values} }} ?e rg:circuit ?c }}"):
            circuits.setdefault(row["e"].value, row["c"].value)
    names = reader.labels({event["uri"] for event in shown} | set(circuits.values()))
    listed = [{**reader.link(event["uri"], names), "date": event["date"],
               "circuit": reader.link(circuits[event["uri"]], names) if event["uri"] in circuits else None}
              for event in shown]
    return {"events": listed, **paging.describe(len(events))}


# the build's counts (build.json) -> the index that lists them, and the word for them
KINDS_OF_COUNTS = {"events": "event", "drivers": "driver", "teams": "team", "chassis": "chassis",
                   "engines": "engine", "manufacturers": "manufacturer", "classes": "class", "circuits": "circuit",
                   "countries": "country"}
COUNTED = {**{count: KINDS[kind].heading for count, kind in KINDS_OF_COUNTS.items()},
           "entries": "entries", "triples": "triples", "quads": "quads"}


def home_data(reader: Reader, paging: Paging) -> dict:
    info = get_build_info()
    dataset = reader.base + "id/dataset"
    values = outgoing(reader, dataset)
    title = text_in(values, DCTERMS + "title", reader.lang) or "racegraph"
    description = text_in(values, DCTERMS + "description", reader.lang) or ""
    licence = first_iri(values, DCTERMS + "license")
    words = UI[reader.lang]
    counts = [{"key": key, "count": count, "label": words.get(COUNTED.get(key) or "", key),
               "href": f"/page/{KINDS_OF_COUNTS[key]}" if key in KINDS_OF_COUNTS else None}
              for key, count in info.data.get("counts", {}).items()]
    return {
        "title": title, "description": description,
        "counts": counts, "listing": event_listing(reader, paging),
        "built_at": info.data.get("built_at"), "license": licence or "", "dumps": list(DUMP_NAMES),
        "linked_data": linked_data(reader, dataset),
        "jsonld": {"@context": "https://schema.org", "@type": "Dataset", "@id": dataset, "name": title,
                   "description": description, "url": reader.base, "license": licence},
    }


def search_index(reader: Reader) -> list[dict]:
    """Every thing people browse, with its types, labels and every spelling folded for matching: read from
    the store once a build (per server process), so a search is a scan of memory, not of the store."""
    def read() -> list[dict]:
        types = " ".join(describe.iri_ref(reader.ns + name) for name in iris.BROWSED_CLASSES)
        # any spelling finds a thing (skos:altLabel holds the ones it does not prefer); it is shown by its label
        # the kind of label is a plain string: engines disagree on how a bound boolean comes back
        rows = reader.query(f"SELECT DISTINCT ?s ?label ?type ?kind WHERE {{ VALUES ?type {{ {types} }} "
                            f'?s a ?type . {{ ?s rdfs:label ?label BIND("preferred" AS ?kind) }} UNION '
                            f'{{ ?s skos:altLabel ?label BIND("alternative" AS ?kind) }} '
                            f'FILTER(STRSTARTS(STR(?s), "{reader.base}id/")) }}')
        things: dict[str, dict] = {}
        for row in rows:
            thing = things.setdefault(row["s"].value, {"iri": row["s"].value, "types": set(), "labels": [],
                                                       "folded": set()})
            thing["types"].add(row["type"].value)
            if row["kind"].value == "preferred":
                thing["labels"].append(row["label"])
            thing["folded"].add(fold(row["label"].value))
        return list(things.values())
    return per_build(("search index",), read)


def search_data(reader: Reader, q: str, paging: Paging) -> dict:
    """Things people browse whose label (any spelling) contains every word of `q`, ignoring case and
    accents; one page."""
    words = fold(q).split()
    hits = [thing for thing in search_index(reader)
            if words and any(all(word in folded for word in words) for folded in thing["folded"])]
    type_names = reader.labels({t for thing in hits for t in thing["types"]})
    results = sorted(({"iri": thing["iri"], "label": describe.pick(thing["labels"], reader.lang),
                       "href": iris.href(thing["iri"], reader.base),
                       "types": sorted(type_names.get(t) or iris.local_name(t) for t in thing["types"])}
                      for thing in hits), key=lambda r: (r["types"], fold(r["label"] or ""), r["iri"]))
    shown = results[(paging.number - 1) * paging.size:paging.number * paging.size]
    return {"q": q, "results": shown, "title": q, **paging.describe(len(results))}
