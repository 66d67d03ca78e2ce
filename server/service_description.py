"""The SPARQL 1.1 Service Description of /sparql, and the settings of the HTML query editor."""

from __future__ import annotations

from flask import current_app, url_for
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD
from werkzeug.datastructures import MIMEAccept

from graph.metadata import query_prefixes
from server.db import get_build_info
from server.sparql_examples import load_examples

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

# media type -> rdflib serialiser; the first is the default for */*
MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
ALIASES = {"application/json": "application/ld+json", "application/xml": "application/rdf+xml"}
FORMAT_PARAMETER = {"ttl": "text/turtle", "turtle": "text/turtle", "rdf": "application/rdf+xml",
                    "xml": "application/rdf+xml", "jsonld": "application/ld+json", "json": "application/ld+json",
                    "nt": "application/n-triples", "html": "text/html"}
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG")


def negotiate(accept: MIMEAccept, format_parameter: str | None) -> str | None:
    """A key of MEDIA_TYPES, "text/html" (the editor), or None when nothing offered is acceptable."""
    if format_parameter:
        return FORMAT_PARAMETER.get(format_parameter.strip().lower())
    if not accept:
        return "text/turtle"
    best = accept.best_match([*MEDIA_TYPES, "text/html", *ALIASES])
    return ALIASES.get(best, best)




def describe(media_type: str) -> bytes:
    endpoint = URIRef(url_for("sparql.endpoint", _external=True))
    config = current_app.config
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    graph.bind("void", VOID)
    graph.bind("dcterms", DCTERMS)
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, RDFS.label, Literal("racegraph SPARQL endpoint", lang="en")))
    graph.add((endpoint, RDFS.comment, Literal(
        f"Read-only SPARQL 1.1 Query endpoint over the racegraph store. Queries run for at most "
        f"{config['QUERY_TIMEOUT']} s and answer at most {config['MAX_RESULT_ROWS']} rows or triples.", lang="en")))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((endpoint, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    graph.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    if config["ALLOW_REMOTE_SERVICE"]:
        graph.add((endpoint, SD.feature, SD.BasicFederatedQuery))
    for name in RESULT_FORMATS:
        graph.add((endpoint, SD.resultFormat, FORMATS[name]))
    dataset = BNode("dataset")
    graph.add((endpoint, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, DCTERMS.source, URIRef(get_build_info().base_uri + "id/dataset")))
    default = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDFS.comment, Literal("The RDF merge of all the named graphs: each triple once.", lang="en")))
    statistics = get_build_info().statistics  # counted when the build was written
    graph.add((default, VOID.triples, Literal(statistics["triples"], datatype=XSD.integer)))
    for index, (name, count) in enumerate(statistics["graph_sizes"]):
        named, described = BNode(f"namedGraph{index}"), BNode(f"graph{index}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(count, datatype=XSD.integer)))
    return graph.serialize(format=MEDIA_TYPES[media_type], encoding="utf-8")


def editor_prefixes() -> dict[str, str]:
    return query_prefixes(get_build_info().base_uri)


def editor_config() -> dict:
    """What the query page's script needs: endpoint, prefixes, example queries, limits."""
    declared = editor_prefixes()
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in sorted(declared.items()))
    return {
        "endpoint": url_for("sparql.endpoint", _external=True),
        "prefixes": declared,
        "defaultQuery": prologue + "\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n",
        "examples": load_examples(),
        "timeout": current_app.config["QUERY_TIMEOUT"],
        "maxRows": current_app.config["MAX_RESULT_ROWS"],
    }
