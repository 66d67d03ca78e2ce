"""The converted graph: one resource per real thing across articles, translations on the same event,
derived facts in their own graph, and only terms the ontology defines."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, RDF, RDFS, XSD

from graph.article import read_article
from graph.build import assemble, read_articles
from graph.convert import convert_race
from graph.paths import BUNDLED_ARTICLES, ONTOLOGY_FILE
from graph.uris import DEFAULT_BASE, ONTOLOGY_NS
from graph.vocab import RG

FIXTURES = Path(__file__).parent / "fixtures"
ID = DEFAULT_BASE + "id/"
EVENT = URIRef(ID + "event/2003-1000-km-of-le-mans")
NURBURGRING = URIRef(ID + "event/2004-1000-km-of-nurburgring")
KRISTENSEN = URIRef(ID + "driver/tom-kristensen")


@pytest.fixture(scope="module")
def built() -> tuple[Dataset, list[str]]:
    files = sorted(BUNDLED_ARTICLES.glob("*.txt")) + sorted((FIXTURES / "articles").glob("*.txt"))
    return assemble(*read_articles(files))


def union(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    """Isomorphism that prints the differing triples when it fails."""
    if isomorphic(expected, actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    missing = "\n".join(sorted(f"  - {t}" for t in only_expected.serialize(format="nt").splitlines()))
    extra = "\n".join(sorted(f"  + {t}" for t in only_actual.serialize(format="nt").splitlines()))
    pytest.fail(f"graphs differ:\n{missing}\n{extra}")


def test_converter_is_pure_and_deterministic():
    article = read_article(BUNDLED_ARTICLES / "2003-1000-km-of-le-mans.en.txt")
    first, _ = convert_race(article)
    second, _ = convert_race(article)
    assert_isomorphic(first, second)


def test_seed_event_has_37_entries_in_table_order(built):
    graph = union(built[0])
    entries = sorted(graph.subjects(RG.event, EVENT), key=lambda e: int(graph.value(e, RG.tableOrder)))
    assert len(entries) == 37
    assert [str(graph.value(e, RG.carNumber)) for e in entries[:4]] == ["5", "2", "8", "13"]
    assert graph.value(entries[0], RG.position) == Literal(1, datatype=XSD.integer)
    assert graph.value(entries[-1], RG.status) == URIRef(ID + "status/dns")


def test_tom_kristensen_is_one_driver_across_two_events(built):
    graph = union(built[0])
    assert (KRISTENSEN, RDF.type, RG.Driver) in graph
    events = {graph.value(entry, RG.event) for entry in graph.subjects(RG.driver, KRISTENSEN)}
    assert events == {EVENT, NURBURGRING}
    assert graph.value(KRISTENSEN, RG.nationality) == URIRef(ID + "country/dnk")


def test_car_31_is_entered_by_two_teams_in_order(built):
    graph = union(built[0])
    car = URIRef(ID + "entry/2003-1000-km-of-le-mans/31")
    assert set(graph.objects(car, RG.team)) == {URIRef(ID + "team/rj-cole"), URIRef(ID + "team/xero-competition")}
    roles = sorted(graph.objects(car, RG.entrantRole), key=lambda r: int(graph.value(r, RG.listOrder)))
    assert [str(graph.value(r, RG.creditedAs)) for r in roles] == ["RJ Cole", "Xero Competition"]
    assert (car, RG.laps, None) not in graph


def test_spanish_translation_labels_the_same_event(built):
    graph = union(built[0])
    labels = {label.language: str(label) for label in graph.objects(EVENT, RDFS.label)}
    assert labels == {"en": "2003 1000 km of Le Mans", "es": "1000 km de Le Mans de 2003"}
    descriptions = {d.language for d in graph.objects(EVENT, URIRef("https://schema.org/description"))}
    assert descriptions == {"en", "es"}
    assert not list(graph.subjects(RDF.type, RG.RaceEvent, unique=True)) == []
    assert len(set(graph.subjects(RDF.type, RG.RaceEvent))) == 2


def test_translation_lives_in_its_own_named_graph(built):
    dataset = built[0]
    spanish = dataset.graph(URIRef(DEFAULT_BASE + "graph/article/2003-1000-km-of-le-mans-es"))
    assert (EVENT, RDFS.label, Literal("1000 km de Le Mans de 2003", lang="es")) in spanish
    english = dataset.graph(URIRef(DEFAULT_BASE + "graph/article/2003-1000-km-of-le-mans-en"))
    assert (EVENT, RDFS.label, Literal("1000 km de Le Mans de 2003", lang="es")) not in english


def test_class_winners_are_derived_in_the_derived_graph(built):
    dataset = built[0]
    derived = dataset.graph(URIRef(DEFAULT_BASE + "graph/derived/2003-1000-km-of-le-mans-en"))
    winners = {str(o).rsplit("/", 1)[-1] for o in derived.objects(EVENT, RG.classWinner)}
    # best classified car of each class in the seed: LMP900 #5, LMP675 #13, GTS #88, GT #47 (LMGTP #10 retired)
    assert winners == {"5", "13", "88", "47"}
    assert derived.value(EVENT, RG.lapLength) == Literal("4.180", datatype=XSD.decimal)
    assert (None, RG.classWinner, None) not in dataset.graph(URIRef(DEFAULT_BASE + "graph/article/2003-1000-km-of-le-mans-en"))


def test_engine_breakdown_and_unparsed_engine_kept(built):
    graph = union(built[0])
    engine = URIRef(ID + "engine/ford-nicholson-mclaren-4-0l-v8")
    assert graph.value(engine, RG.tuner) == URIRef(ID + "manufacturer/nicholson-mclaren")
    assert graph.value(engine, RG.cylinders) == Literal(8, datatype=XSD.integer)
    assert str(graph.value(engine, RG.nameAsWritten)) == "Ford (Nicholson-McLaren) 4.0L V8"
    odd = URIRef(ID + "engine/elan-mysterious-prototype-powerplant")
    assert str(graph.value(odd, RDFS.label)) == "Élan Mysterious Prototype Powerplant"
    assert (odd, RG.displacement, None) not in graph
    assert any("Élan Mysterious Prototype Powerplant" in warning for warning in built[1])


def test_tyres_become_tyre_manufacturers(built):
    graph = union(built[0])
    michelin = URIRef(ID + "manufacturer/michelin")
    assert (michelin, RDF.type, RG.TyreManufacturer) in graph
    assert str(graph.value(michelin, RG.tyreLetter)) == "M"


def test_non_ascii_names_get_ascii_uris(built):
    graph = union(built[0])
    muller = URIRef(ID + "driver/jorg-muller")
    assert str(graph.value(muller, RDFS.label)) == "Jörg MÜLLER"


def test_country_resources_carry_codes_and_names(built):
    graph = union(built[0])
    denmark = URIRef(ID + "country/dnk")
    assert str(graph.value(denmark, RG.alpha3)) == "DNK"
    assert {(label.language, str(label)) for label in graph.objects(denmark, RDFS.label)} == {
        ("en", "Denmark"), ("es", "Dinamarca")}


def test_source_articles_carry_checksums(built):
    graph = union(built[0])
    article = URIRef(DEFAULT_BASE + "graph/article/2003-1000-km-of-le-mans-en")
    assert (EVENT, RG.sourceArticle, article) in graph
    assert len(str(graph.value(article, RG.sha256))) == 64


def test_every_term_used_is_defined_by_the_ontology(built):
    dataset, _ = built
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    defined = set(ontology.subjects(RDF.type, OWL.Class)) | set(ontology.subjects(RDF.type, OWL.ObjectProperty)) \
        | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    namespace = ONTOLOGY_NS
    used = set()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        for term in (s, p, o):
            if isinstance(term, URIRef) and term.startswith(namespace) and len(term) > len(namespace):
                used.add(term)
    undefined = sorted(used - defined)
    assert not undefined, f"terms used but not defined: {undefined}"
    assert RG.classWinner in used and RG.Entry in used


def test_another_base_mints_every_instance_iri_under_it_and_keeps_the_vocabulary():
    files = sorted(BUNDLED_ARTICLES.glob("*.txt"))
    default, _ = assemble(*read_articles(files))
    moved, _ = assemble(*read_articles(files), base_uri="https://racegraph.example.org/")
    assert len(list(moved.quads())) == len(list(default.quads()))
    iris = {term for quad in moved.quads((None, None, None, None)) for term in quad if isinstance(term, URIRef)}
    assert not [iri for iri in iris if iri.startswith(DEFAULT_BASE)]
    assert URIRef("https://racegraph.example.org/id/driver/tom-kristensen") in iris
    assert URIRef("https://racegraph.example.org/graph/article/2003-1000-km-of-le-mans-en") in iris
    assert RG.Driver in iris and str(RG.Driver) == ONTOLOGY_NS + "Driver"


def test_unmatched_translation_is_reported_not_dropped_silently():
    files = sorted(BUNDLED_ARTICLES.glob("*.txt")) + sorted((FIXTURES / "unmatched").glob("*.txt"))
    _, warnings = assemble(*read_articles(files))
    assert any("1999-le-mans-sprint.es.txt" in w and "matches no race article" in w for w in warnings)


def test_metadata_lists_only_sources_that_have_a_graph():
    files = sorted(BUNDLED_ARTICLES.glob("*.txt")) + sorted((FIXTURES / "unmatched").glob("*.txt"))
    dataset, _ = assemble(*read_articles(files))
    metadata = dataset.graph(URIRef(DEFAULT_BASE + "graph/metadata"))
    sources = set(metadata.objects(None, URIRef("http://purl.org/dc/terms/source")))
    graphs = {g.identifier for g in dataset.graphs()}
    assert sources and sources <= graphs
    assert URIRef(DEFAULT_BASE + "graph/article/1999-le-mans-sprint-es") not in sources


def test_entry_labels_name_their_event(built):
    graph = union(built[0])
    label = graph.value(URIRef(ID + "entry/2003-1000-km-of-le-mans/5"), RDFS.label)
    assert str(label) == "#5 Audi Sport Japan Team Goh, 2003 1000 km of Le Mans"
