"""The ontology file, and the closed RG namespace generated from it."""

from __future__ import annotations

import subprocess
import sys

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from conftest import REPO
from graph import vocabgen
from graph.paths import ONTOLOGY_FILE
from graph.uris import DEFAULT_BASE, ONTOLOGY_IRI, ONTOLOGY_NS
from graph.vocab import RG

NS = ONTOLOGY_NS
ONTOLOGY = URIRef(ONTOLOGY_IRI)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def classes(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef) and s.startswith(NS)}


def properties(graph: Graph) -> set[URIRef]:
    return {s for t in PROPERTY_TYPES for s in graph.subjects(RDF.type, t) if s.startswith(NS)}


def named_classes_of(graph: Graph, expression) -> set:
    """The classes a domain names: itself, or the members of an owl:unionOf."""
    union = graph.value(expression, OWL.unionOf)
    return set(Collection(graph, union)) if union is not None else {expression}


def test_ontology_header(onto):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert onto.value(ONTOLOGY, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert onto.value(ONTOLOGY, URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")) == Literal(NS)
    descriptions = set(onto.objects(ONTOLOGY, URIRef("http://purl.org/dc/terms/description")))
    assert {d.language for d in descriptions} == {"en", "es"}


def test_terms_match_the_model_contract(onto):
    # docs/model.md lists these classes; DerivedProperty types the derived properties.
    model_classes = {"RaceEvent", "Entry", "DriverRole", "EntrantRole", "Driver", "Team", "Chassis",
                     "Engine", "Manufacturer", "TyreManufacturer", "RaceClass", "Circuit", "Country",
                     "Organisation", "Series", "ResultStatus", "SourceArticle", "DerivedGraph",
                     "DerivedProperty"}
    assert {c[len(NS):] for c in classes(onto)} == model_classes
    assert len(properties(onto)) == 55


def test_every_term_has_bilingual_labels_comments_and_is_defined_by(onto):
    for term in classes(onto) | properties(onto):
        for predicate in (RDFS.label, RDFS.comment):
            languages = sorted(o.language for o in onto.objects(term, predicate))
            assert languages == ["en", "es"], f"{term} {predicate}: {languages}"
        assert onto.value(term, RDFS.isDefinedBy) == ONTOLOGY, term


def test_every_property_has_a_domain_and_a_range_of_the_right_kind(onto):
    known_classes = classes(onto)
    for prop in properties(onto):
        domains = list(onto.objects(prop, RDFS.domain))
        ranges = list(onto.objects(prop, RDFS.range))
        assert len(domains) == 1 and len(ranges) == 1, prop
        assert named_classes_of(onto, domains[0]) <= known_classes, prop
        if (prop, RDF.type, OWL.ObjectProperty) in onto:
            assert ranges[0] in known_classes, prop
        else:
            assert ranges[0].startswith(str(XSD)), prop


def test_no_property_is_both_object_and_datatype(onto):
    both = set(onto.subjects(RDF.type, OWL.ObjectProperty)) & set(onto.subjects(RDF.type, OWL.DatatypeProperty))
    assert not both


def test_shared_properties_take_a_union_domain(onto):
    assert named_classes_of(onto, onto.value(RG.listOrder, RDFS.domain)) == {RG.EntrantRole, RG.DriverRole}
    assert named_classes_of(onto, onto.value(RG.nationality, RDFS.domain)) == {RG.Driver, RG.Team}
    assert named_classes_of(onto, onto.value(RG.manufacturer, RDFS.domain)) == {RG.Chassis, RG.Engine}


def test_ranges_follow_the_contract(onto):
    assert onto.value(RG.date, RDFS.range) == XSD.date
    assert onto.value(RG.poleLapTime, RDFS.range) == XSD.duration
    assert onto.value(RG.laps, RDFS.range) == XSD.nonNegativeInteger
    assert onto.value(RG.position, RDFS.range) == XSD.positiveInteger
    assert onto.value(RG.tyre, RDFS.range) == RG.TyreManufacturer
    assert onto.value(RG.language, RDFS.range) == XSD.language


def test_single_valued_properties_are_functional_and_multi_valued_ones_are_not(onto):
    functional = set(onto.subjects(RDF.type, OWL.FunctionalProperty))
    assert {RG.position, RG.tableOrder, RG.carNumber, RG.laps, RG.date, RG.status, RG.event} <= functional
    # One winner per class, several drivers per car, every nationality seen: not functional.
    assert not {RG.classWinner, RG.driver, RG.team, RG.nationality, RG.sourceArticle} & functional


def test_derived_properties_are_typed(onto):
    derived = set(onto.subjects(RDF.type, RG.DerivedProperty))
    assert derived == {RG.classWinner, RG.lapLength, RG.distanceCovered}


def test_alignments_are_specialisations_where_stated(onto):
    schema = Namespace("https://schema.org/")
    assert (RG.RaceEvent, RDFS.subClassOf, schema.SportsEvent) in onto
    assert (RG.TyreManufacturer, RDFS.subClassOf, RG.Manufacturer) in onto
    assert (RG.date, RDFS.subPropertyOf, schema.startDate) in onto


def test_generated_namespace_has_exactly_the_ontology_terms(onto):
    ontology_names = {t[len(NS):] for t in classes(onto) | properties(onto)}
    assert set(RG.__annotations__) == ontology_names
    assert str(RG.RaceEvent) == NS + "RaceEvent"


def test_vocab_module_is_current():
    result = subprocess.run([sys.executable, "-m", "graph.vocabgen", "--check"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_reports_a_stale_vocab(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "vocab.py"
    stale.write_text(vocabgen.generate().replace("    tyreLetter: URIRef", "    tyreLeter: URIRef"))
    monkeypatch.setattr(vocabgen, "VOCAB_FILE", stale)
    assert vocabgen.main(["--check"]) == 1
    assert "+    tyreLetter: URIRef" in capsys.readouterr().out
    assert vocabgen.main([]) == 0
    assert vocabgen.main(["--check"]) == 0


def test_generation_is_deterministic():
    assert vocabgen.generate() == vocabgen.generate()


def test_generator_rejects_an_undeclared_term(tmp_path):
    typo = tmp_path / "typo.ttl"
    typo.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8").replace(
        "rdfs:range rg:Circuit ;", "rdfs:range rg:Circut ;", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="Circut"):
        vocabgen.generate(typo)


def test_a_typo_in_code_raises():
    with pytest.raises(AttributeError):
        RG.someTypo  # noqa: B018


def test_ontology_namespace_does_not_depend_on_where_it_is_read_from():
    other = "https://example.org/rg/"
    graph = Graph().parse(ONTOLOGY_FILE, format="turtle", publicID=other)
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert (RG.RaceEvent, RDF.type, OWL.Class) in graph
    assert not any(str(t).startswith(other) for triple in graph for t in triple)


def test_pyshacl_accepts_it_as_ont_graph(onto):
    data = Graph()
    event = URIRef(DEFAULT_BASE + "id/event/test-race")
    data.add((event, RDF.type, RG.RaceEvent))
    data.add((event, RG.date, Literal("2003-11-09", datatype=XSD.date)))
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix rg: <{NS}> .
        <urn:shape:event> a sh:NodeShape ; sh:targetClass <https://schema.org/SportsEvent> ;
            sh:property [ sh:path rg:date ; sh:minCount 1 ] .
    """, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=onto, inference="none")
    assert conforms
    # With the ontology's subclass axiom mixed in, the shape targeting schema:SportsEvent reaches
    # the event, so dropping its date must now fail validation.
    data.remove((event, RG.date, None))
    conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=onto, inference="none")
    assert not conforms
