"""HTML pages for people: home, search, and one page per thing (`/page/<kind>/<slug>`).

Each page is one data function returning a plain dict; the view renders that dict as HTML (Jinja),
as JSON (`.json` or `Accept: application/json`), or answers with the thing's RDF document
(`Accept: text/turtle` etc.). Labels and descriptions follow the visitor's language
(`Accept-Language`, overridden by `?lang=en|es`) where the graph has them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup

from server import describe, negotiation
from server.db import get_build_info, get_store
from server.linked_data import DOCUMENT_FORMATS, alternates, ascii_redirect, rdf_document
from server.negotiation import FORMATS

bp = Blueprint("pages", __name__)

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCHEMA = "https://schema.org/"

# words of the interface itself; the data's own labels come from the graph
UI = {
    "en": {
        "home": "Home", "search": "Search", "search_placeholder": "Driver, team, event, chassis…",
        "events": "Events", "date": "Date", "circuit": "Circuit", "results": "Results", "pos": "Pos",
        "class": "Class", "no": "No.", "teams": "Team", "drivers": "Drivers", "chassis": "Chassis",
        "engine": "Engine", "tyre": "Tyre", "laps": "Laps", "event": "Event", "career": "Career",
        "organiser": "Organiser", "series": "Series", "pole": "Pole position", "pole_time": "Pole lap time",
        "distance": "Race distance", "speed": "Average speed", "lap_length": "Lap length (derived)",
        "threshold": "Classification threshold", "fastest_lap": "Fastest lap", "sources": "Sources",
        "description_en": "Description (English)", "description_es": "Description (Spanish)",
        "facts": "All facts", "incoming": "Linked from", "class_winner": "class winner",
        "nationality": "Nationality", "entries": "Entries", "no_results": "Nothing found for",
        "counts": "In this dataset", "related": "Related", "ontology": "Ontology", "api": "JSON API",
        "dumps": "Downloads", "classes": "Classes", "properties": "Properties", "domain": "Domain",
        "range": "Range", "alignments": "Alignments", "data": "Data", "language": "Language",
        "about": "racegraph publishes motor race results read from encyclopaedia articles as linked data.",
        "winner_note": "★ marks the winner of each class.", "type": "Type",
    },
    "es": {
        "home": "Inicio", "search": "Buscar", "search_placeholder": "Piloto, equipo, evento, chasis…",
        "events": "Eventos", "date": "Fecha", "circuit": "Circuito", "results": "Resultados", "pos": "Pos",
        "class": "Categoría", "no": "N.º", "teams": "Equipo", "drivers": "Pilotos", "chassis": "Chasis",
        "engine": "Motor", "tyre": "Neum.", "laps": "Vueltas", "event": "Evento", "career": "Trayectoria",
        "organiser": "Organizador", "series": "Serie", "pole": "Pole position", "pole_time": "Tiempo de la pole",
        "distance": "Distancia de carrera", "speed": "Velocidad media", "lap_length": "Longitud de vuelta (derivada)",
        "threshold": "Umbral de clasificación", "fastest_lap": "Vuelta rápida", "sources": "Fuentes",
        "description_en": "Descripción (inglés)", "description_es": "Descripción (español)",
        "facts": "Todos los datos", "incoming": "Enlazado desde", "class_winner": "ganador de categoría",
        "nationality": "Nacionalidad", "entries": "Inscripciones", "no_results": "Nada encontrado para",
        "counts": "En este conjunto de datos", "related": "Relacionado", "ontology": "Ontología",
        "api": "API JSON", "dumps": "Descargas", "classes": "Clases", "properties": "Propiedades",
        "domain": "Dominio", "range": "Rango", "alignments": "Alineaciones", "data": "Datos",
        "language": "Idioma",
        "about": "racegraph publica resultados de carreras de motor leídos de artículos enciclopédicos como datos enlazados.",
        "winner_note": "★ marca al ganador de cada categoría.", "type": "Tipo",
    },
}

PAGE_FORMATS = DOCUMENT_FORMATS  # html, json, then the RDF formats
LISTING_FORMATS = ("html", "json")


@bp.app_context_processor
def interface_words():
    lang = negotiation.preferred_language()
    return {"ui": UI[lang], "lang": lang}


@dataclass(frozen=True)
class Context:
    """What a data function needs: the store, the build's base URI and the visitor's language."""

    store: ox.Store
    base: str
    lang: str

    @property
    def ns(self) -> str:
        return self.base + "ontology#"

    def query(self, text: str, **bindings):
        prefixes = (f"PREFIX rg: <{self.ns}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                    f"PREFIX schema: <{SCHEMA}>\n")
        iris = {name: value.value if isinstance(value, ox.NamedNode) else value for name, value in bindings.items()}
        return self.store.query(prefixes + describe.bind_iris(text, **iris))

    def labels(self, iris) -> dict[str, str]:
        return describe.labels(self.store, iris, self.lang)

    def link(self, iri: str, names: dict[str, str]) -> dict:
        return {"iri": iri, "label": names.get(iri) or describe.local_name(iri), "href": describe.href(iri, self.base)}

    def page_url(self, iri: str) -> str:
        """The absolute public URL of a thing's page, under the build's base."""
        local = describe.local_href(iri, self.base)
        return self.base + local.lstrip("/") if local else iri


def current_context() -> Context:
    return Context(get_store(), get_build_info().base_uri, negotiation.preferred_language())


# --- formatting ----------------------------------------------------------------------------------

_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def lap_time(value: str) -> str:
    """`PT1M27.775S` -> `1:27.775`."""
    match = _DURATION.match(value)
    if not match:
        return value
    hours, minutes, seconds = (match.group(1) or "0"), (match.group(2) or "0"), (match.group(3) or "0")
    whole, _, fraction = seconds.partition(".")
    minutes_total = int(hours) * 60 + int(minutes)
    return f"{minutes_total}:{int(whole):02d}" + (f".{fraction}" if fraction else "")


def literal_text(literal: ox.Literal) -> str:
    if literal.datatype is not None and literal.datatype.value.endswith("#duration"):
        return lap_time(literal.value)
    return literal.value


def flag(alpha2: str | None) -> str:
    """The flag emoji of an ISO alpha-2 code (regional indicator letters)."""
    if not alpha2 or len(alpha2) != 2 or not alpha2.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in alpha2.upper())


def script_json(data) -> Markup:
    """JSON safe inside <script type="application/ld+json">: no `<`, `>` or `&` survive literally."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


# --- shared queries ------------------------------------------------------------------------------

def outgoing(ctx: Context, iri: str) -> dict[str, list]:
    """predicate IRI -> its objects (pyoxigraph terms), for the thing's own triples."""
    values: dict[str, list] = {}
    for row in ctx.query("SELECT DISTINCT ?p ?o WHERE { ?this ?p ?o }", this=ox.NamedNode(iri)):
        values.setdefault(row["p"].value, []).append(row["o"])
    return values


def types_of(ctx: Context, iri: str) -> set[str]:
    return {row["t"].value for row in ctx.query("SELECT DISTINCT ?t WHERE { ?this a ?t }", this=ox.NamedNode(iri))}


def first_iri(values: dict[str, list], predicate: str) -> str | None:
    for value in values.get(predicate, []):
        if isinstance(value, ox.NamedNode):
            return value.value
    return None


def first_literal(values: dict[str, list], predicate: str) -> ox.Literal | None:
    for value in values.get(predicate, []):
        if isinstance(value, ox.Literal):
            return value
    return None


def text_in(values: dict[str, list], predicate: str, lang: str) -> str | None:
    return describe.pick([v for v in values.get(predicate, []) if isinstance(v, ox.Literal)], lang)


def country_flags(ctx: Context, iris) -> dict[str, str]:
    iris = sorted(set(iris))
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris)
    rows = ctx.query(f"SELECT DISTINCT ?c ?a2 ?a3 WHERE {{ VALUES ?c {{ {values} }} "
                     "OPTIONAL { ?c rg:alpha2 ?a2 } OPTIONAL { ?c rg:alpha3 ?a3 } }")
    return {row["c"].value: {"flag": flag(row["a2"].value if row["a2"] is not None else None),
                             "code": row["a3"].value if row["a3"] is not None else ""} for row in rows}


_ENTRIES = """
SELECT DISTINCT ?entry ?event ?date ?order ?no ?pos ?status ?code ?class ?chassis ?engine ?tyre ?laps ?winner WHERE {{
  ?entry a rg:Entry ; rg:event ?event ; rg:tableOrder ?order ; rg:carNumber ?no .
  {pattern}
  OPTIONAL {{ ?event rg:date ?date }}
  OPTIONAL {{ ?entry rg:position ?pos }}
  OPTIONAL {{ ?entry rg:status ?status . OPTIONAL {{ ?status rg:statusCode ?code }} }}
  OPTIONAL {{ ?entry rg:raceClass ?class }}
  OPTIONAL {{ ?entry rg:chassis ?chassis }}
  OPTIONAL {{ ?entry rg:engine ?engine }}
  OPTIONAL {{ ?entry rg:tyre ?tyre }}
  OPTIONAL {{ ?entry rg:laps ?laps }}
  BIND(EXISTS {{ ?event rg:classWinner ?entry }} AS ?winner)
}} ORDER BY ?date ?event ?order
"""

_ROLES = """
SELECT DISTINCT ?entry ?kind ?order ?who ?credited ?country WHERE {{
  ?entry a rg:Entry .
  {pattern}
  {{ ?entry rg:entrantRole ?role . ?role rg:roleTeam ?who . BIND("teams" AS ?kind) }}
  UNION
  {{ ?entry rg:driverRole ?role . ?role rg:roleDriver ?who . BIND("drivers" AS ?kind) }}
  OPTIONAL {{ ?role rg:listOrder ?order }}
  OPTIONAL {{ ?role rg:creditedAs ?credited }}
  OPTIONAL {{ ?role rg:enteredNationality ?country }}
}} ORDER BY ?entry ?kind ?order
"""


def entry_rows(ctx: Context, pattern: str, this: str) -> list[dict]:
    """Result rows of the entries matching `pattern` (a graph pattern over ?entry and ?this)."""
    bound = {"this": ox.NamedNode(this)}
    rows = list(ctx.query(_ENTRIES.format(pattern=pattern), **bound))
    roles: dict[tuple[str, str], list[dict]] = {}
    role_rows = list(ctx.query(_ROLES.format(pattern=pattern), **bound))
    iris: set[str] = set()
    for row in rows:
        for name in ("entry", "event", "status", "class", "chassis", "engine", "tyre"):
            if row[name] is not None:
                iris.add(row[name].value)
    for row in role_rows:
        iris.add(row["who"].value)
        if row["country"] is not None:
            iris.add(row["country"].value)
    names = ctx.labels(iris)
    flags = country_flags(ctx, [row["country"].value for row in role_rows if row["country"] is not None])
    seen_roles: set[tuple[str, str, str]] = set()
    for row in role_rows:
        key = (row["entry"].value, row["kind"].value, row["who"].value)
        if key in seen_roles:
            continue
        seen_roles.add(key)
        person = ctx.link(row["who"].value, names)
        country = row["country"].value if row["country"] is not None else None
        person["country"] = ctx.link(country, names) if country else None
        person["flag"] = flags.get(country, {}).get("flag", "") if country else ""
        person["code"] = flags.get(country, {}).get("code", "") if country else ""
        person["credited_as"] = row["credited"].value if row["credited"] is not None else person["label"]
        roles.setdefault((row["entry"].value, row["kind"].value), []).append(person)

    def optional_link(term):
        return ctx.link(term.value, names) if term is not None else None

    result, seen = [], set()
    for row in rows:
        entry = row["entry"].value
        if entry in seen:
            continue
        seen.add(entry)
        status = optional_link(row["status"])
        result.append({
            "entry": ctx.link(entry, names),
            "event": ctx.link(row["event"].value, names),
            "date": row["date"].value if row["date"] is not None else None,
            "order": int(row["order"].value),
            "position": int(row["pos"].value) if row["pos"] is not None else None,
            "status": status,
            "status_code": row["code"].value if row["code"] is not None else (status["label"] if status else None),
            "class": optional_link(row["class"]),
            "no": row["no"].value,
            "teams": roles.get((entry, "teams"), []),
            "drivers": roles.get((entry, "drivers"), []),
            "chassis": optional_link(row["chassis"]),
            "engine": optional_link(row["engine"]),
            "tyre": optional_link(row["tyre"]),
            "laps": int(row["laps"].value) if row["laps"] is not None else None,
            "class_winner": row["winner"] is not None and row["winner"].value == "true",
        })
    return result


def facts(ctx: Context, iri: str) -> dict:
    """Every triple about the thing, grouped by property, values as links or text; and incoming links."""
    this = ox.NamedNode(iri)
    out = list(ctx.query("SELECT DISTINCT ?p ?o WHERE { ?this ?p ?o }", this=this))
    incoming = list(ctx.query("SELECT DISTINCT ?s ?p WHERE { ?s ?p ?this } ORDER BY ?p ?s", this=this))
    iris = {row["p"].value for row in out} | {row["p"].value for row in incoming}
    iris |= {row["o"].value for row in out if isinstance(row["o"], ox.NamedNode)}
    iris |= {row["s"].value for row in incoming if isinstance(row["s"], ox.NamedNode)}
    names = ctx.labels(iris)

    def group(pairs) -> list[dict]:
        grouped: dict[str, dict] = {}
        for predicate, value in pairs:
            item = grouped.setdefault(predicate, {"property": ctx.link(predicate, names), "values": []})
            if value not in item["values"]:
                item["values"].append(value)
        for item in grouped.values():
            item["values"].sort(key=lambda v: (v.get("label") or v.get("text") or "").casefold())
        return sorted(grouped.values(), key=lambda item: item["property"]["label"].casefold())

    def value_of(term) -> dict:
        if isinstance(term, ox.NamedNode):
            return ctx.link(term.value, names)
        if isinstance(term, ox.Literal):
            return {"text": literal_text(term), "lang": term.language}
        return {"text": "(blank node)", "lang": None}

    return {
        "properties": group((row["p"].value, value_of(row["o"])) for row in out),
        "incoming": group((row["p"].value, value_of(row["s"])) for row in incoming),
    }


# --- data functions, one per page ----------------------------------------------------------------

def thing_base(ctx: Context, iri: str, kind: str, template: str) -> dict:
    values = outgoing(ctx, iri)
    type_iris = sorted(types_of(ctx, iri))
    names = ctx.labels(type_iris)
    all_facts = facts(ctx, iri)
    summary = [group for group in all_facts["properties"] if group["property"]["iri"].startswith(ctx.ns)
               and group["property"]["iri"] != ctx.ns + "nationality"] if kind != "resource" else []
    return {
        "iri": iri, "kind": kind, "template": template,
        "title": text_in(values, RDFS_LABEL, ctx.lang) or describe.local_name(iri),
        "types": [ctx.link(t, names) for t in type_iris],
        "facts": all_facts,
        "summary": summary,
        "sections": [],
    }


def event_data(ctx: Context, iri: str) -> dict:
    rg = ctx.ns
    data = thing_base(ctx, iri, "event", "event.html")
    values = outgoing(ctx, iri)
    refs = {name: first_iri(values, rg + name) for name in ("circuit", "organiser", "series", "polePosition",
                                                              "fastestLap")}
    sources = [v.value for v in values.get(rg + "sourceArticle", []) if isinstance(v, ox.NamedNode)]
    names = ctx.labels([i for i in refs.values() if i] + sources)
    rows = entry_rows(ctx, "?entry rg:event ?this .", iri)
    by_entry = {row["entry"]["iri"]: row for row in rows}
    circuit = None
    if refs["circuit"]:
        circuit_values = outgoing(ctx, refs["circuit"])
        country = first_iri(circuit_values, rg + "country")
        country_names = ctx.labels([country]) if country else {}
        circuit = {**ctx.link(refs["circuit"], names),
                   "locality": (first_literal(circuit_values, rg + "locality") or ox.Literal("")).value,
                   "country": ctx.link(country, country_names) if country else None,
                   "flag": country_flags(ctx, [country]).get(country, {}).get("flag", "") if country else ""}

    def number(name):
        literal = first_literal(values, rg + name)
        return literal_text(literal) if literal is not None else None

    descriptions = {}
    for value in values.get(SCHEMA + "description", []):
        if isinstance(value, ox.Literal) and value.language in ("en", "es"):
            descriptions[value.language] = value.value
    pole = by_entry.get(refs["polePosition"]) if refs["polePosition"] else None
    fastest = by_entry.get(refs["fastestLap"]) if refs["fastestLap"] else None
    data.update({
        "date": number("date"),
        "circuit": circuit,
        "organiser": ctx.link(refs["organiser"], names) if refs["organiser"] else None,
        "series": ctx.link(refs["series"], names) if refs["series"] else None,
        "pole": pole, "pole_time": number("poleLapTime"),
        "fastest": fastest, "fastest_time": number("fastestLapTime"),
        "distance": number("raceDistance"), "speed": number("averageSpeed"),
        "lap_length": number("lapLength"), "threshold": number("classificationThreshold"),
        "descriptions": descriptions,
        "sources": [ctx.link(s, names) for s in sorted(sources)],
        "results": rows,
    })
    data["jsonld"] = {
        "@context": "https://schema.org", "@type": "SportsEvent", "@id": iri, "name": data["title"],
        "url": ctx.page_url(iri), "startDate": data["date"],
        "description": descriptions.get(ctx.lang) or descriptions.get("en"),
        "location": {"@type": "Place", "name": circuit["label"], "address": circuit["locality"]} if circuit else None,
        "organizer": {"@type": "Organization", "name": data["organiser"]["label"]} if data["organiser"] else None,
        "competitor": [
            {"@type": "SportsTeam", "name": " / ".join(team["label"] for team in row["teams"]) or f"#{row['no']}",
             "athlete": [{"@type": "Person", "name": driver["label"], "@id": driver["iri"]} for driver in row["drivers"]]}
            for row in rows
        ],
    }
    return data


def nationality_links(ctx: Context, values: dict[str, list]) -> list[dict]:
    countries = sorted(v.value for v in values.get(ctx.ns + "nationality", []) if isinstance(v, ox.NamedNode))
    names = ctx.labels(countries)
    flags = country_flags(ctx, countries)
    return [{**ctx.link(c, names), **flags.get(c, {"flag": "", "code": ""})} for c in countries]


def driver_data(ctx: Context, iri: str) -> dict:
    data = thing_base(ctx, iri, "driver", "entity.html")
    values = outgoing(ctx, iri)
    data["nationalities"] = nationality_links(ctx, values)
    career = entry_rows(ctx, "?entry rg:driver ?this .", iri)
    for row in career:
        row["drivers"] = [d for d in row["drivers"] if d["iri"] != iri]
    data["sections"].append({"heading": "career", "rows": career,
                             "columns": ["event", "date", "no", "class", "teams", "drivers", "chassis", "result"]})
    data["jsonld"] = {"@context": "https://schema.org", "@type": "Person", "@id": iri, "name": data["title"],
                      "url": ctx.page_url(iri),
                      "nationality": [{"@type": "Country", "name": c["label"]} for c in data["nationalities"]],
                      "performerIn": [{"@type": "SportsEvent", "name": row["event"]["label"], "startDate": row["date"]}
                                      for row in career]}
    return data


def team_data(ctx: Context, iri: str) -> dict:
    data = thing_base(ctx, iri, "team", "entity.html")
    data["nationalities"] = nationality_links(ctx, outgoing(ctx, iri))
    rows = entry_rows(ctx, "?entry rg:team ?this .", iri)
    data["sections"].append({"heading": "entries", "rows": rows,
                             "columns": ["event", "date", "no", "class", "drivers", "chassis", "engine", "result"]})
    data["jsonld"] = {"@context": "https://schema.org", "@type": "SportsTeam", "@id": iri, "name": data["title"],
                      "url": ctx.page_url(iri),
                      "athlete": sorted({d["label"] for row in rows for d in row["drivers"]})}
    return data


def related_links(ctx: Context, text: str, iri: str) -> list[dict]:
    """Links to the ?x found by a query over ?this, sorted by label."""
    found = sorted({row["x"].value for row in ctx.query(text, this=ox.NamedNode(iri))})
    names = ctx.labels(found)
    return sorted((ctx.link(x, names) for x in found), key=lambda link: link["label"].casefold())


def entries_page(pattern: str, columns: list[str], kind: str):
    def data_function(ctx: Context, iri: str) -> dict:
        data = thing_base(ctx, iri, kind, "entity.html")
        data["sections"].append({"heading": "entries", "rows": entry_rows(ctx, pattern, iri), "columns": columns})
        return data
    return data_function


chassis_data = entries_page("?entry rg:chassis ?this .",
                            ["event", "date", "no", "class", "teams", "drivers", "engine", "result"], "chassis")
engine_data = entries_page("?entry rg:engine ?this .",
                           ["event", "date", "no", "class", "teams", "drivers", "chassis", "result"], "engine")
class_data = entries_page("?entry rg:raceClass ?this .",
                          ["event", "result", "no", "teams", "drivers", "chassis", "engine", "laps"], "class")


def manufacturer_data(ctx: Context, iri: str) -> dict:
    data = thing_base(ctx, iri, "manufacturer", "entity.html")
    data["sections"].append({"heading": "chassis", "links": related_links(
        ctx, "SELECT DISTINCT ?x WHERE { ?x a rg:Chassis ; rg:manufacturer ?this }", iri)})
    data["sections"].append({"heading": "engine", "links": related_links(
        ctx, "SELECT DISTINCT ?x WHERE { ?x a rg:Engine . { ?x rg:manufacturer ?this } UNION { ?x rg:tuner ?this } }",
        iri)})
    data["sections"].append({"heading": "entries", "rows": entry_rows(
        ctx, "{ ?entry rg:chassis/rg:manufacturer ?this } UNION { ?entry rg:engine/rg:manufacturer ?this } "
             "UNION { ?entry rg:tyre ?this }", iri),
        "columns": ["event", "no", "class", "teams", "chassis", "engine", "tyre", "result"]})
    data["sections"] = [s for s in data["sections"] if s.get("links") or s.get("rows")]
    return data


def circuit_data(ctx: Context, iri: str) -> dict:
    data = thing_base(ctx, iri, "circuit", "entity.html")
    data["sections"].append({"heading": "events", "links": related_links(
        ctx, "SELECT DISTINCT ?x WHERE { ?x a rg:RaceEvent ; rg:circuit ?this }", iri)})
    return data


def country_data(ctx: Context, iri: str) -> dict:
    data = thing_base(ctx, iri, "country", "entity.html")
    data["flag"] = country_flags(ctx, [iri]).get(iri, {}).get("flag", "")
    for heading, cls in (("drivers", "Driver"), ("teams", "Team")):
        data["sections"].append({"heading": heading, "links": related_links(
            ctx, f"SELECT DISTINCT ?x WHERE {{ ?x a rg:{cls} ; rg:nationality ?this }}", iri)})
    data["sections"].append({"heading": "circuit", "links": related_links(
        ctx, "SELECT DISTINCT ?x WHERE { ?x a rg:Circuit ; rg:country ?this }", iri)})
    data["sections"] = [s for s in data["sections"] if s["links"]]
    return data


def resource_data(ctx: Context, iri: str) -> dict:
    return thing_base(ctx, iri, "resource", "entity.html")


DATA_FUNCTIONS = {
    "RaceEvent": event_data, "Driver": driver_data, "Team": team_data, "Chassis": chassis_data,
    "Engine": engine_data, "Manufacturer": manufacturer_data, "TyreManufacturer": manufacturer_data,
    "RaceClass": class_data, "Circuit": circuit_data, "Country": country_data,
}


def thing_data(ctx: Context, iri: str) -> dict:
    """The page data of any thing, by its rg: type; anything else gets the generic page."""
    kinds = {t[len(ctx.ns):] for t in types_of(ctx, iri) if t.startswith(ctx.ns)}
    for kind, function in DATA_FUNCTIONS.items():
        if kind in kinds:
            data = function(ctx, iri)
            break
    else:
        data = resource_data(ctx, iri)
    data.setdefault("jsonld", {"@context": "https://schema.org", "@type": "Thing", "@id": iri,
                               "name": data["title"], "url": ctx.page_url(iri)})
    return data


def home_data(ctx: Context) -> dict:
    info = get_build_info()
    dataset = ox.NamedNode(ctx.base + "id/dataset")
    values: dict[str, list] = {}
    for row in ctx.query("SELECT ?p ?o WHERE { ?this ?p ?o }", this=dataset):
        values.setdefault(row["p"].value, []).append(row["o"])
    dcterms = "http://purl.org/dc/terms/"
    events = []
    rows = list(ctx.query("SELECT DISTINCT ?e ?date ?circuit WHERE { ?e a rg:RaceEvent . "
                          "OPTIONAL { ?e rg:date ?date } OPTIONAL { ?e rg:circuit ?circuit } } ORDER BY ?date ?e"))
    names = ctx.labels({row["e"].value for row in rows} | {row["circuit"].value for row in rows if row["circuit"]})
    for row in rows:
        events.append({**ctx.link(row["e"].value, names),
                       "date": row["date"].value if row["date"] is not None else None,
                       "circuit": ctx.link(row["circuit"].value, names) if row["circuit"] is not None else None})
    counts = {name: count for name, count in info.data.get("counts", {}).items()}
    return {
        "title": text_in(values, dcterms + "title", ctx.lang) or "racegraph",
        "description": text_in(values, dcterms + "description", ctx.lang) or "",
        "counts": counts, "events": events, "built_at": info.data.get("built_at"),
        "license": (first_iri(values, dcterms + "license") or ""),
        "dumps": ["racegraph.nt.gz", "racegraph.ttl.gz", "racegraph.trig.gz"],
        "jsonld": {"@context": "https://schema.org", "@type": "Dataset", "@id": str(dataset.value),
                   "name": text_in(values, dcterms + "title", ctx.lang) or "racegraph",
                   "description": text_in(values, dcterms + "description", ctx.lang) or "",
                   "url": ctx.base, "license": first_iri(values, dcterms + "license")},
    }


def fold(text: str) -> str:
    """Lower case without accents: `Stéphane` -> `stephane`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def search_data(ctx: Context, q: str) -> dict:
    """Things whose label contains every word of `q`, ignoring case and accents (roles and entries left out)."""
    words = fold(q).split()
    matches: dict[str, dict] = {}
    if words:
        rows = ctx.query(
            "SELECT DISTINCT ?s ?label ?type WHERE { ?s rdfs:label ?label ; a ?type . "
            "FILTER(?type NOT IN (rg:DriverRole, rg:EntrantRole, rg:Entry) && STRSTARTS(STR(?type), STR(rg:))) "
            f'FILTER(STRSTARTS(STR(?s), "{ctx.base}id/")) }}')
        for row in rows:
            label = fold(row["label"].value)
            if all(word in label for word in words):
                matches.setdefault(row["s"].value, {"types": set()})["types"].add(row["type"].value)
    names = ctx.labels(set(matches) | {t for m in matches.values() for t in m["types"]})
    results = []
    for iri, match in matches.items():
        kinds = sorted(names.get(t, describe.local_name(t)) for t in match["types"])
        results.append({**ctx.link(iri, names), "types": kinds})
    results.sort(key=lambda r: (r["types"], fold(r["label"])))
    return {"q": q, "results": results, "title": q}


# --- views ---------------------------------------------------------------------------------------

def render(data: dict, template: str, fmt: negotiation.Format, lang: str) -> Response:
    if fmt.name == "json":
        public = {key: value for key, value in data.items() if key != "template"}
        return Response(json.dumps(public, ensure_ascii=False, indent=2), mimetype="application/json")
    jsonld = script_json({k: v for k, v in data.get("jsonld", {}).items() if v is not None})
    return Response(render_template(template, data=data, jsonld=jsonld, lang=lang), mimetype="text/html")


@bp.route("/")
def home():
    fmt = negotiation.choose(LISTING_FORMATS)
    ctx = current_context()
    response = render(home_data(ctx), "home.html", fmt, ctx.lang)
    return negotiation.finish(response, tag_parts=(fmt.name, ctx.lang), vary=("Accept", "Accept-Language"))


@bp.route("/search")
def search():
    return _search(None)


@bp.route("/search.json")
def search_json():
    return _search("json")


def _search(suffix: str | None):
    fmt = negotiation.choose(LISTING_FORMATS, suffix)
    ctx = current_context()
    q = request.args.get("q", "")[:200]
    response = render(search_data(ctx, q), "search.html", fmt, ctx.lang)
    return negotiation.finish(response, tag_parts=(fmt.name, ctx.lang, q), vary=("Accept", "Accept-Language"))


@bp.route("/page/<path:rest>")
def page(rest: str):
    path, suffix = negotiation.split_suffix(rest, PAGE_FORMATS)
    moved = ascii_redirect("/page/", path, suffix)
    if moved is not None:
        return moved
    fmt = negotiation.choose(PAGE_FORMATS, suffix)
    if fmt.rdflib_format is not None:
        return rdf_document(path, fmt)
    ctx = current_context()
    iri = ctx.base + describe.key_of_page_path(path)
    if not describe.exists(ctx.store, iri):
        abort(404, f"nothing is known about {iri}")
    data = thing_data(ctx, iri)
    response = render(data, data["template"], fmt, ctx.lang)
    return negotiation.finish(response, tag_parts=(fmt.name, ctx.lang), alternates=alternates(path, fmt.name),
                              vary=("Accept", "Accept-Language"))
