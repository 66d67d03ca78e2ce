"""The racegraph ontology as a closed rdflib namespace.

Generated from ontology/racegraph.ttl by `python -m graph.vocabgen`; do not edit by hand.
A term that the ontology does not define raises AttributeError, so a typo fails loudly.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

from graph.uris import DEFAULT_BASE


class RG(DefinedNamespace):
    _fail = True
    _NS = Namespace(DEFAULT_BASE + "ontology#")

    Chassis: URIRef  # class
    Circuit: URIRef  # class
    Country: URIRef  # class
    DerivedGraph: URIRef  # class
    DerivedProperty: URIRef  # class
    Driver: URIRef  # class
    DriverRole: URIRef  # class
    Engine: URIRef  # class
    EntrantRole: URIRef  # class
    Entry: URIRef  # class
    Manufacturer: URIRef  # class
    Organisation: URIRef  # class
    RaceClass: URIRef  # class
    RaceEvent: URIRef  # class
    ResultStatus: URIRef  # class
    Series: URIRef  # class
    SourceArticle: URIRef  # class
    Team: URIRef  # class
    TyreManufacturer: URIRef  # class
    abbreviation: URIRef  # property
    alpha2: URIRef  # property
    alpha3: URIRef  # property
    aspiration: URIRef  # property
    averageSpeed: URIRef  # property
    carNumber: URIRef  # property
    chassis: URIRef  # property
    circuit: URIRef  # property
    classWinner: URIRef  # property
    classificationThreshold: URIRef  # property
    country: URIRef  # property
    creditedAs: URIRef  # property
    cylinders: URIRef  # property
    date: URIRef  # property
    displacement: URIRef  # property
    distanceCovered: URIRef  # property
    driver: URIRef  # property
    driverRole: URIRef  # property
    engine: URIRef  # property
    enteredNationality: URIRef  # property
    entrantRole: URIRef  # property
    event: URIRef  # property
    fastestLap: URIRef  # property
    fastestLapTime: URIRef  # property
    fileName: URIRef  # property
    fuel: URIRef  # property
    isClassified: URIRef  # property
    language: URIRef  # property
    lapLength: URIRef  # property
    laps: URIRef  # property
    layout: URIRef  # property
    listOrder: URIRef  # property
    locality: URIRef  # property
    manufacturer: URIRef  # property
    modelCode: URIRef  # property
    nameAsWritten: URIRef  # property
    nationality: URIRef  # property
    organiser: URIRef  # property
    poleLapTime: URIRef  # property
    polePosition: URIRef  # property
    position: URIRef  # property
    raceClass: URIRef  # property
    raceDistance: URIRef  # property
    roleDriver: URIRef  # property
    roleTeam: URIRef  # property
    series: URIRef  # property
    sha256: URIRef  # property
    sourceArticle: URIRef  # property
    status: URIRef  # property
    statusCode: URIRef  # property
    tableOrder: URIRef  # property
    team: URIRef  # property
    tuner: URIRef  # property
    tyre: URIRef  # property
    tyreLetter: URIRef  # property
