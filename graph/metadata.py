"""The dataset's own description (graph/metadata): what it is, its licence, where to get it."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID

from graph.convert import ARTICLE_LICENCE
from graph.uris import ONTOLOGY_NS, Minter

DUMP_NAMES = ("racegraph.nt.gz", "racegraph.ttl.gz", "racegraph.trig.gz")
PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}

def prefixes(base: str) -> dict[str, str]:
    """Prefixes for dumps and query pages: the standard ones plus this dataset's own."""
    return {**PREFIXES, "rg": ONTOLOGY_NS}

def query_prefixes(base: str) -> dict[str, str]:
    """Prefixes a SPARQL query may use undeclared (as DBpedia's endpoint allows), on the endpoint and
    in `racegraph query`: the dump prefixes plus `rgid:` for things. A query's own PREFIX wins."""
    return {**prefixes(base), "rgid": base + "id/"}


def describe_dataset(minter: Minter, sources: list[URIRef]) -> Graph:
    graph = Graph()
    dataset = minter.dataset
    base = minter.base
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("racegraph: motorsport race results", lang="en")))
    graph.add((dataset, DCTERMS.title, Literal("racegraph: resultados de carreras de motor", lang="es")))
    graph.add((dataset, RDFS.label, Literal("racegraph", lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(
        "Results of motor races converted from encyclopaedia articles into linked data: events, entries, "
        "teams, drivers, cars and engines, validated against the racegraph SHACL shapes.", lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(
        "Resultados de carreras de motor convertidos de artículos enciclopédicos en datos enlazados: eventos, "
        "inscripciones, equipos, pilotos, coches y motores, validados con las formas SHACL de racegraph.", lang="es")))
    graph.add((dataset, DCTERMS.license, ARTICLE_LICENCE))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    graph.add((dataset, VOID.uriSpace, Literal(base + "id/")))
    graph.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_NS)))
    graph.add((dataset, VOID.rootResource, URIRef(base)))
    for name in DUMP_NAMES:
        graph.add((dataset, VOID.dataDump, URIRef(base + "dumps/" + name)))
    for source in sources:
        graph.add((dataset, DCTERMS.source, source))
    return graph

