"""The racegraph ontology as a closed rdflib namespace.

Generated from ontology/racegraph.ttl by `python -m graph.vocabgen`; do not edit by hand.
A term that the ontology does not define raises AttributeError, so a typo fails loudly.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace


class RG(DefinedNamespace):
    _fail = True
    _NS = Namespace("https://w3id.org/racegraph/ontology#")

    Chassis: URIRef  # class: chassis
    Circuit: URIRef  # class: circuit
    Country: URIRef  # class: country
    DerivedGraph: URIRef  # class: derived graph
    DerivedProperty: URIRef  # class: derived property
    Driver: URIRef  # class: driver
    DriverRole: URIRef  # class: driver role
    Engine: URIRef  # class: engine
    EntrantRole: URIRef  # class: entrant role
    Entry: URIRef  # class: entry
    Manufacturer: URIRef  # class: manufacturer
    Organisation: URIRef  # class: organisation
    RaceClass: URIRef  # class: race class
    RaceEvent: URIRef  # class: race event
    ResultStatus: URIRef  # class: result status
    Series: URIRef  # class: series
    SourceArticle: URIRef  # class: source article
    Team: URIRef  # class: team
    TyreManufacturer: URIRef  # class: tyre manufacturer
    abbreviation: URIRef  # datatype property: abbreviation
    alpha2: URIRef  # datatype property: alpha-2 code
    alpha3: URIRef  # datatype property: alpha-3 code
    aspiration: URIRef  # datatype property: aspiration
    averageSpeed: URIRef  # datatype property: average speed
    carNumber: URIRef  # datatype property: car number
    chassis: URIRef  # object property: chassis
    circuit: URIRef  # object property: circuit
    classWinner: URIRef  # object property (derived): class winner
    classificationThreshold: URIRef  # datatype property: classification threshold
    country: URIRef  # object property: country
    creditedAs: URIRef  # datatype property: credited as
    cylinders: URIRef  # datatype property: cylinders
    date: URIRef  # datatype property: date
    displacement: URIRef  # datatype property: displacement
    distanceCovered: URIRef  # datatype property (derived): distance covered
    driver: URIRef  # object property: driver
    driverRole: URIRef  # object property: driver role
    engine: URIRef  # object property: engine
    enteredNationality: URIRef  # object property: entered nationality
    entrantRole: URIRef  # object property: entrant role
    event: URIRef  # object property: event
    fastestLap: URIRef  # object property: fastest lap
    fastestLapTime: URIRef  # datatype property: fastest lap time
    fileName: URIRef  # datatype property: file name
    fuel: URIRef  # datatype property: fuel
    isClassified: URIRef  # datatype property: is classified
    language: URIRef  # datatype property: language
    lapLength: URIRef  # datatype property (derived): lap length
    laps: URIRef  # datatype property: laps
    layout: URIRef  # datatype property: layout
    listOrder: URIRef  # datatype property: list order
    locality: URIRef  # datatype property: locality
    manufacturer: URIRef  # object property: manufacturer
    modelCode: URIRef  # datatype property: model code
    nameAsWritten: URIRef  # datatype property: name as written
    nationality: URIRef  # object property: nationality
    organiser: URIRef  # object property: organiser
    poleLapTime: URIRef  # datatype property: pole lap time
    polePosition: URIRef  # object property: pole position
    position: URIRef  # datatype property: position
    raceClass: URIRef  # object property: race class
    raceDistance: URIRef  # datatype property: race distance
    roleDriver: URIRef  # object property: role driver
    roleTeam: URIRef  # object property: role team
    series: URIRef  # object property: series
    sha256: URIRef  # datatype property: SHA-256 checksum
    sourceArticle: URIRef  # object property: source article
    status: URIRef  # object property: status
    statusCode: URIRef  # datatype property: status code
    tableOrder: URIRef  # datatype property: table order
    team: URIRef  # object property: team
    tuner: URIRef  # object property: tuner
    tyre: URIRef  # object property: tyre
    tyreLetter: URIRef  # datatype property: tyre letter
