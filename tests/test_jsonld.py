"""JSON-LD documents are compacted with the @context published at /context.jsonld, not in expanded form,
and mean exactly the same RDF as the Turtle documents."""

from __future__ import annotations

import json

import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import parse_rdf
from graph.uris import ONTOLOGY_NS

BASE = "http://127.0.0.1:5000/"


def keys_of(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key != "@context":
                yield key
                yield from keys_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_of(inner)


def test_the_context_names_every_term_of_the_ontology(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert "public" in response.headers["Cache-Control"] and response.headers["Access-Control-Allow-Origin"] == "*"
    context = response.get_json()["@context"]
    assert context["rg"] == ONTOLOGY_NS and context["rgid"] == BASE + "id/"
    assert context["Driver"] == "rg:Driver"
    assert context["nationality"] == {"@id": "rg:nationality", "@type": "@id"}
    assert context["date"] == {"@id": "rg:date", "@type": "xsd:date"}
    ontology = Graph().parse(data=client.get("/ontology.ttl").data, format="turtle")
    local_names = {str(term)[len(ONTOLOGY_NS):] for term in ontology.subjects() if str(term).startswith(ONTOLOGY_NS)}
    assert local_names - {""} <= set(context)


@pytest.mark.parametrize("path", ["/data/driver/tom-kristensen", "/data/event/2003-1000-km-of-le-mans",
                                  "/ontology", "/.well-known/void"])
def test_json_ld_documents_are_compact_and_mean_what_the_turtle_says(client, path):
    response = client.get(path + ".jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    document = response.get_json()
    assert document["@context"] == BASE + "context.jsonld"
    # compact: every property a short term or prefixed name, never a full IRI as in expanded form
    keys = set(keys_of(document))
    assert keys and not {key for key in keys if key.startswith(("http://", "https://"))}
    turtle = Graph().parse(data=client.get(path + ".ttl").data, format="turtle")
    assert isomorphic(parse_rdf(client, response.data, "json-ld"), turtle)


def test_a_driver_document_reads_as_plain_json(client):
    document = client.get("/data/driver/tom-kristensen.jsonld").get_json()
    nodes = document.get("@graph", [document])
    tom = next(node for node in nodes if node.get("id") == BASE + "id/driver/tom-kristensen")
    assert tom["type"] == "Driver"
    assert tom["nationality"] == BASE + "id/country/dnk"


@pytest.mark.live
def test_the_live_context_url_serves_the_context(live_server):
    """On a live server, the context a document names is at the same path under the server."""
    document = requests.get(live_server + "data/driver/tom-kristensen.jsonld", timeout=30).json()
    path = document["@context"][len(BASE):]
    context = requests.get(live_server + path, timeout=30)
    assert context.status_code == 200 and "Driver" in json.loads(context.text)["@context"]
