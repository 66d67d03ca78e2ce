"""The published JSON-LD @context (`/context.jsonld`) and compaction of every JSON-LD document with it.

The context names each class and property of the ontology by its local name (`Driver`, `driver`,
`laps`), marks object properties as IRIs and datatype properties with their range, and declares
the prefixes the endpoint predeclares (rg, rgid, rdfs, schema...) plus hydra and foaf for Triple
Pattern Fragments. Documents are compacted with it and then point at its URL instead of repeating it,
as schema.org's documents do, so they read as plain JSON while staying RDF.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from graph.uris import ONTOLOGY_NS
from server import negotiation
from server.db import get_build_info

bp = Blueprint("jsonld", __name__)

CONTEXT_PATH = "context.jsonld"  # under the build's base URI
EXTRA_PREFIXES = {
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "dbo": "http://dbpedia.org/ontology/",
    "wd": "http://www.wikidata.org/entity/",
    "vann": "http://purl.org/vocab/vann/",
}
# ranges written as plain JSON strings: a coercion to them would only add noise
_PLAIN_RANGES = {XSD.string, RDF.langString, RDFS.Literal}


def context_url(base: str) -> str:
    return base + CONTEXT_PATH


def build_context(ontology: Graph, namespace: str, prefixes: dict[str, str]) -> dict:
    """The @context body: prefixes, `id`/`type` aliases, and one term per class and property of `ontology`."""
    context: dict = {"id": "@id", "type": "@type", **prefixes, **EXTRA_PREFIXES,
                     "label": {"@id": "rdfs:label"}}
    for subject in sorted(set(ontology.subjects(RDF.type, None))):
        if not isinstance(subject, URIRef) or not str(subject).startswith(namespace):
            continue
        name = str(subject)[len(namespace):]
        if not name or name in context:
            continue
        kinds = set(ontology.objects(subject, RDF.type))
        if OWL.Class in kinds or RDFS.Class in kinds:
            context[name] = f"rg:{name}"
        elif OWL.ObjectProperty in kinds:
            context[name] = {"@id": f"rg:{name}", "@type": "@id"}
        elif OWL.DatatypeProperty in kinds:
            ranges = [r for r in ontology.objects(subject, RDFS.range) if isinstance(r, URIRef)]
            term: dict = {"@id": f"rg:{name}"}
            if len(ranges) == 1 and ranges[0] not in _PLAIN_RANGES and str(ranges[0]).startswith(str(XSD)):
                term["@type"] = f"xsd:{str(ranges[0])[len(str(XSD)):]}"
            context[name] = term
        elif kinds & {RDF.Property, OWL.AnnotationProperty}:
            context[name] = {"@id": f"rg:{name}"}
    return context


def current_context() -> dict:
    """The context of the build being served, made once per build and kept on the app."""
    from graph.metadata import query_prefixes
    from server.linked_data import ontology_graph

    info = get_build_info()
    key = (str(info.folder), info.data.get("built_at", ""))
    cache = current_app.extensions.setdefault("racegraph.jsonld_context", {})
    if key not in cache:
        cache.clear()
        cache[key] = build_context(ontology_graph(), ONTOLOGY_NS, query_prefixes(info.base_uri))
    return cache[key]


def compact(graph: Graph) -> bytes:
    """`graph` (a Graph or a Dataset) as JSON-LD compacted with the published context, which it names
    by URL rather than repeating."""
    text = graph.serialize(format="json-ld", context=current_context(), auto_compact=True)
    document = json.loads(text)
    document["@context"] = context_url(get_build_info().base_uri)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@bp.route("/" + CONTEXT_PATH)
def context():
    body = json.dumps({"@context": current_context()}, ensure_ascii=False, indent=2) + "\n"
    response = Response(body, content_type="application/ld+json; charset=utf-8")
    return negotiation.finish(response, tag_parts=("context",), vary=())
