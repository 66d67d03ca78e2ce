"""The SPARQL 1.1 Service Description of /sparql, and the settings of the HTML query editor."""

from __future__ import annotations

import pyoxigraph as ox
from flask import current_app, url_for
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD
from werkzeug.datastructures import MIMEAccept

from graph.metadata import query_prefixes
from server import sparql_formats
from server.db import get_build_info
from server.describe import from_rdflib_graph
from server.sparql_examples import load_examples

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG")
_GRAPH_MEDIA_TYPES = [media for _, medias in sparql_formats.GRAPH_FORMATS.values() for media in medias]


def negotiate(accept: MIMEAccept, format_parameter: str | None) -> str | None:
    """"html" (the query editor), a name of sparql_formats.GRAPH_FORMATS, or None when nothing offered is
    acceptable. The description is a graph, so it is offered as a CONSTRUCT answer is (the same
    `format=` names and media types), and to browsers as the editor."""
    if format_parameter:
        if format_parameter.strip().lower() in ("html", "text/html"):
            return "html"
    elif accept and accept.best_match([*_GRAPH_MEDIA_TYPES, "text/html"]) == "text/html":
        return "html"
    return sparql_formats.negotiate(accept, format_parameter).graph


def offered_media_types() -> str:
    return ", ".join([*_GRAPH_MEDIA_TYPES, "text/html"])


def describe(graph_format: str) -> bytes:
    """The description in `graph_format` (a name of sparql_formats.GRAPH_FORMATS), written by pyoxigraph."""
    endpoint = URIRef(url_for("sparql.endpoint", _external=True))
    config = current_app.config
    graph = Graph()
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
    rdf_format = getattr(ox.RdfFormat, sparql_formats.GRAPH_FORMATS[graph_format][0])
    return ox.serialize(from_rdflib_graph(graph), format=rdf_format,
                        prefixes={"sd": str(SD), "formats": str(FORMATS), "void": str(VOID), "dcterms": str(DCTERMS),
                                  "rdfs": str(RDFS), "xsd": str(XSD)})


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
