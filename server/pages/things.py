"""One data function per kind of page, each returning a plain dict (Datasette style): the views render it
as HTML or JSON, and the JSON API reshapes the same dict, so a driver's career is read in one place."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.metadata import DUMP_NAMES
from graph.results import list_events
from graph.text import fold
from server import describe, iris
from server.db import get_build_info
from server.pages.queries import (Paging, Reader, country_flags, entries_section, entry_rows, facts, first_iri,
                                  first_literal, outgoing, related_section, text_in, types_of)
from server.pages.format import literal_text

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA_DESCRIPTION = "https://schema.org/description"
DCTERMS = "http://purl.org/dc/terms/"
SEARCH_PAGE_SIZE = 50


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
    rows = entry_rows(reader, "?entry rg:event ?this .", iri, None)  # one race's table: shown whole
    by_entry = {row["entry"]["iri"]: row for row in rows}
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
        "results": rows,
    })
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


def nationality_links(reader: Reader, values: dict[str, list]) -> list[dict]:
    countries = sorted(v.value for v in values.get(reader.ns + "nationality", []) if isinstance(v, ox.NamedNode))
    names = reader.labels(countries)
    flags = country_flags(reader, countries)
    return [{**reader.link(c, names), **flags.get(c, {"flag": "", "code": ""})} for c in countries]


def driver_data(reader: Reader, iri: str, paging: Paging) -> dict:
    """A driver and one page of their career; also what /api/drivers/<slug> answers, reshaped."""
    data, values = thing_base(reader, iri, "driver", "entity.html", paging)
    data["nationalities"] = nationality_links(reader, values)
    career = entries_section(reader, "career", "?entry rg:driver ?this .", iri,
                             ["event", "date", "no", "class", "teams", "drivers", "chassis", "result"], paging)
    data["sections"].append(career)
    data["jsonld"] = {"@context": "https://schema.org", "@type": "Person", "@id": iri, "name": data["title"],
                      "url": reader.page_url(iri),
                      "nationality": [{"@type": "Country", "name": c["label"]} for c in data["nationalities"]],
                      "performerIn": [{"@type": "SportsEvent", "name": row["event"]["label"], "startDate": row["date"]}
                                      for row in career["rows"]]}
    return data


def team_data(reader: Reader, iri: str, paging: Paging) -> dict:
    data, values = thing_base(reader, iri, "team", "entity.html", paging)
    data["nationalities"] = nationality_links(reader, values)
    entries = entries_section(reader, "entries", "?entry rg:team ?this .", iri,
                              ["event", "date", "no", "class", "drivers", "chassis", "engine", "result"], paging)
    data["sections"].append(entries)
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


def sections_page(kind: str, *sections: Related | Entries):
    """The data function of a page made of the thing's facts and the given sections (empty ones left out)."""
    def data_function(reader: Reader, iri: str, paging: Paging) -> dict:
        data, _ = thing_base(reader, iri, kind, "entity.html", paging)
        data["sections"] = [found for found in (section.read(reader, iri, paging) for section in sections)
                            if found["total"]]
        return data
    return data_function


RACE_COLUMNS = ("event", "date", "no", "class", "teams", "drivers", "chassis", "result")

chassis_data = sections_page("chassis", Entries("entries", "?entry rg:chassis ?this .", (
    "event", "date", "no", "class", "teams", "drivers", "engine", "result")))
engine_data = sections_page("engine", Entries("entries", "?entry rg:engine ?this .", RACE_COLUMNS))
class_data = sections_page("class", Entries("entries", "?entry rg:raceClass ?this .", (
    "event", "result", "no", "teams", "drivers", "chassis", "engine", "laps")))
# Property paths rather than UNIONs of patterns below: Oxigraph plans a UNION without the bound ?this
# and scans every entry (seconds on a million triples), while it follows a path from ?this.
manufacturer_data = sections_page(
    "manufacturer",
    Related("chassis", "?x a rg:Chassis ; rg:manufacturer ?this"),
    Related("engine", "?x a rg:Engine ; rg:manufacturer|rg:tuner ?this"),
    Entries("entries", "?entry (rg:chassis|rg:engine)/rg:manufacturer|rg:tyre ?this .", (
        "event", "no", "class", "teams", "chassis", "engine", "tyre", "result")))
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
    data["flag"] = country_flags(reader, [iri]).get(iri, {}).get("flag", "")
    return data


def resource_data(reader: Reader, iri: str, paging: Paging) -> dict:
    data, _ = thing_base(reader, iri, "resource", "entity.html", paging)
    return data


DATA_FUNCTIONS = {
    "RaceEvent": event_data, "Driver": driver_data, "Team": team_data, "Chassis": chassis_data,
    "Engine": engine_data, "Manufacturer": manufacturer_data, "TyreManufacturer": manufacturer_data,
    "RaceClass": class_data, "Circuit": circuit_data, "Country": country_data,
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


def home_data(reader: Reader, paging: Paging) -> dict:
    info = get_build_info()
    dataset = reader.base + "id/dataset"
    values = outgoing(reader, dataset)
    title = text_in(values, DCTERMS + "title", reader.lang) or "racegraph"
    description = text_in(values, DCTERMS + "description", reader.lang) or ""
    licence = first_iri(values, DCTERMS + "license")
    return {
        "title": title, "description": description,
        "counts": dict(info.data.get("counts", {})), "listing": event_listing(reader, paging),
        "built_at": info.data.get("built_at"), "license": licence or "", "dumps": list(DUMP_NAMES),
        "jsonld": {"@context": "https://schema.org", "@type": "Dataset", "@id": dataset, "name": title,
                   "description": description, "url": reader.base, "license": licence},
    }


def search_data(reader: Reader, q: str, paging: Paging) -> dict:
    """Things people browse whose label contains every word of `q`, ignoring case and accents; one page."""
    words = fold(q).split()
    found: dict[str, dict] = {}  # iri -> {"types": set of type IRIs, "labels": label literals}
    if words:
        types = " ".join(describe.iri_ref(reader.ns + name) for name in iris.BROWSED_CLASSES)
        rows = reader.query(f"SELECT DISTINCT ?s ?label ?type WHERE {{ VALUES ?type {{ {types} }} "
                            f'?s a ?type ; rdfs:label ?label FILTER(STRSTARTS(STR(?s), "{reader.base}id/")) }}')
        for row in rows:
            match = found.setdefault(row["s"].value, {"types": set(), "labels": [], "hit": False})
            match["types"].add(row["type"].value)
            match["labels"].append(row["label"])
            match["hit"] = match["hit"] or all(word in fold(row["label"].value) for word in words)
    type_names = reader.labels({t for match in found.values() for t in match["types"]})
    results = []
    for iri, match in found.items():
        if match["hit"]:
            label = describe.pick(match["labels"], reader.lang)
            results.append({"iri": iri, "label": label, "href": iris.href(iri, reader.base),
                            "types": sorted(type_names.get(t) or iris.local_name(t) for t in match["types"])})
    results.sort(key=lambda r: (r["types"], fold(r["label"]), r["iri"]))
    shown = results[(paging.number - 1) * paging.size:paging.number * paging.size]
    return {"q": q, "results": shown, "title": q, **paging.describe(len(results))}
