"""Pure converters: a parsed article in, the triples of its named graph out (docs/model.md)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from graph.article import RaceArticle, Source, Translation
from graph.countries import alpha2, country_names
from graph.curation import NO_CURATION, Curation
from graph.engines import parse_engine
from graph.names import SCHEMA_NAME, Spelling, name_things
from graph.table import TYRES, Flagged, ResultRow
from graph.uris import Minter, slug
from graph.vocab import RG

SCHEMA = "https://schema.org/"
SCHEMA_DESCRIPTION = URIRef(SCHEMA + "description")
ARTICLE_LICENCE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")

STATUS_NAMES = {
    "NC": ("Not classified", "No clasificado"),
    "DNF": ("Did not finish", "No terminó"),
    "DNS": ("Did not start", "No tomó la salida"),
    "DNA": ("Did not arrive", "No se presentó"),
    "DSQ": ("Disqualified", "Descalificado"),
}


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


@dataclass
class ConvertedRace:
    """One race article's own triples, with the spellings of the things it names (labelled later,
    by graph.names, once every article's spellings are known)."""
    stem: str
    graph: Graph
    warnings: list[str]
    spellings: list[Spelling]


class _GraphWriter:
    """Adds the descriptions of shared things (countries, makers…) to one article's graph."""

    def __init__(self, minter: Minter, curation: Curation = NO_CURATION, event: str | None = None):
        self.minter = minter
        self.curation = curation
        self.event = event  # the English title, which curation rules name
        self.graph = Graph()
        # A row names its class, chassis and engine again and again, and every driver's country:
        # described once per article (a graph is a set), which is a third of the converter's time.
        self._things: dict[tuple[str, str, str | None], URIRef] = {}
        self._countries: dict[str, URIRef] = {}

    def add(self, subject, predicate, obj) -> None:
        self.graph.add((subject, predicate, obj))

    def labelled(self, uri: URIRef, rdf_type: URIRef, label: str) -> URIRef:
        self.add(uri, RDF.type, rdf_type)
        self.add(uri, RDFS.label, _en(label))
        return uri

    def named(self, kind: str, written: str, rdf_type: URIRef | None, car: str | None = None) -> URIRef:
        """The thing `written` names; its labels come later, from every spelling of it (graph.names,
        from `article_spellings`, which names the same things)."""
        uri = self._things.get((kind, written, car))
        if uri is None:
            key, _ = self.curation.resolve(kind, written, event=self.event, car=car)
            uri = self._things[(kind, written, car)] = self.minter.thing(kind, key)
        if rdf_type is not None:
            self.add(uri, RDF.type, rdf_type)
        return uri

    def country(self, alpha3: str) -> URIRef:
        if alpha3 in self._countries:
            return self._countries[alpha3]
        uri = self._countries[alpha3] = self.minter.country(alpha3)
        names = country_names(alpha3)
        self.add(uri, RDF.type, RG.Country)
        for language, name in names.items():
            self.add(uri, RDFS.label, Literal(name, lang=language))
        self.add(uri, RG.alpha3, Literal(alpha3))
        self.add(uri, RG.alpha2, Literal(alpha2(alpha3)))
        return uri

    def tyre(self, letter: str) -> URIRef:
        uri = self.named("manufacturer", TYRES[letter], RG.Manufacturer)
        self.add(uri, RDF.type, RG.TyreManufacturer)
        self.add(uri, RG.tyreLetter, Literal(letter))
        return uri

    def status(self, code: str) -> URIRef:
        uri = self.minter.status(code)
        english, spanish = STATUS_NAMES[code]
        self.labelled(uri, RG.ResultStatus, english)
        self.add(uri, RDFS.label, Literal(spanish, lang="es"))
        self.add(uri, RG.statusCode, Literal(code))
        self.add(uri, SKOS.notation, Literal(code))
        self.add(uri, RG.isClassified, Literal(False))
        return uri

    def source_article(self, source: Source, language: str, title: str | None) -> URIRef:
        uri = self.minter.article_graph(source.stem)
        self.add(uri, RDF.type, RG.SourceArticle)
        self.add(uri, RDF.type, PROV.Entity)
        self.add(uri, RDFS.label, _en(f"Source article {source.path.name}"))
        self.add(uri, RG.fileName, Literal(source.path.name))
        self.add(uri, RG.sha256, Literal(source.sha256))
        self.add(uri, RG.language, Literal(language, datatype=XSD.language))
        self.add(uri, DCTERMS.license, ARTICLE_LICENCE)
        if title:
            self.add(uri, DCTERMS.title, Literal(title, lang=language))
        return uri


def event_uri(article: RaceArticle, minter: Minter) -> URIRef:
    return minter.event(article.title)


def entry_uris(article: RaceArticle, minter: Minter) -> dict[int, URIRef]:
    """Entry IRIs by table order: `<event>/<car number>`, and `<number>-<order>` for a number seen before
    (so a repeated number stays two entries and the uniqueness rule can see it)."""
    event_slug = slug(article.title)
    seen: set[str] = set()
    uris = {}
    for row in article.rows:
        key = row.number if row.number not in seen else f"{row.number}-{row.order}"
        seen.add(row.number)
        uris[row.order] = minter.entry(event_slug, slug(key))
    return uris


def convert_race(article: RaceArticle, minter: Minter | None = None,
                 curation: Curation = NO_CURATION) -> tuple[Graph, list[str]]:
    """The triples of one race article on its own (its things labelled from its own spellings), and
    warnings about engine names it could not break down. A build labels things from every article."""
    minter = minter or Minter()
    converted = read_race(article, minter, curation)
    names = name_things([(converted.stem, converted.spellings)], minter, curation)
    graph = converted.graph
    for triple in names.graphs[converted.stem]:
        graph.add(triple)
    return graph, converted.warnings


def read_race(article: RaceArticle, minter: Minter, curation: Curation = NO_CURATION) -> ConvertedRace:
    """One race article's triples but the labels of the things it names, which graph.names adds."""
    out = _GraphWriter(minter, curation, article.title)
    event = event_uri(article, minter)
    add = out.add
    source = out.source_article(article.source, article.language, article.title)
    out.labelled(event, RG.RaceEvent, article.title)
    add(event, SCHEMA_NAME, _en(article.title))
    add(event, SCHEMA_DESCRIPTION, _en(article.lead))
    add(event, RG.date, Literal(article.date, datatype=XSD.date))
    add(event, RG.sourceArticle, source)

    circuit = out.named("circuit", article.venue.circuit, RG.Circuit)
    add(circuit, RG.locality, Literal(article.venue.locality))
    add(circuit, RG.country, out.country(article.country))
    add(event, RG.circuit, circuit)
    if article.organiser:
        name, abbreviation = article.organiser
        organiser = out.named("organisation", name, RG.Organisation)
        if abbreviation:
            add(organiser, RG.abbreviation, Literal(abbreviation))
        add(event, RG.organiser, organiser)
    if article.series:
        add(event, RG.series, out.named("series", article.series, RG.Series))
    if article.threshold is not None:
        add(event, RG.classificationThreshold, Literal(article.threshold, datatype=XSD.decimal))

    warnings: list[str] = []
    uris = entry_uris(article, minter)
    entries: dict[str, URIRef] = {}
    for row in article.rows:
        entry = uris[row.order]
        entries.setdefault(row.number, entry)
        understood = _convert_row(out, row, entry, event, article.title)
        if not understood:
            warnings.append(f"{article.source.path}:{row.line + 1}: engine name {row.engine!r} does not follow "
                            "'MAKE [(TUNER)] [MODEL] <litres>L [Turbo] <layout>'; kept whole as its label")
    _statistics(out, article, event, entries, warnings)
    return ConvertedRace(article.source.stem, out.graph, warnings, article_spellings(article, curation))


def article_spellings(article: RaceArticle, curation: Curation = NO_CURATION) -> list[Spelling]:
    """Every name `read_race` gives a thing (its `named` calls), in the order it meets them: what the
    naming pass (graph.names) counts. Without any triples, so that a build can count every article's
    spellings before converting any (a tenth of the conversion's time)."""
    stem, event = article.source.stem, article.title

    def spelt(kind: str, written: str, car: str | None = None) -> Spelling:
        key, rules = curation.resolve(kind, written, event=event, car=car)
        return Spelling(kind, key, written, stem, "en", rules)

    found = [spelt("circuit", article.venue.circuit)]
    if article.organiser:
        found.append(spelt("organisation", article.organiser[0]))
    if article.series:
        found.append(spelt("series", article.series))
    for row in article.rows:
        found.append(spelt("class", row.car_class, row.number))
        found += [spelt("team", team.name, row.number) for team in row.teams]
        found += [spelt("driver", driver.name, row.number) for driver in row.drivers]
        found.append(spelt("chassis", row.chassis, row.number))
        found.append(spelt("engine", row.engine, row.number))
        if row.tyre:
            found.append(spelt("manufacturer", TYRES[row.tyre]))
    return found


def _convert_row(out: _GraphWriter, row: ResultRow, entry: URIRef, event: URIRef, event_title: str) -> bool:
    """The entry of one row, with what the row wrote kept on it; False if its engine name was not understood."""
    add = out.add
    add(entry, RDF.type, RG.Entry)
    add(entry, RDFS.label, _en(f"#{row.number} {' / '.join(team.name for team in row.teams)}, {event_title}"))
    add(entry, RG.event, event)
    add(entry, RG.tableOrder, Literal(row.order, datatype=XSD.integer))
    add(entry, RG.carNumber, Literal(row.number))
    if row.position is not None:
        add(entry, RG.position, Literal(row.position, datatype=XSD.integer))
    else:
        add(entry, RG.status, out.status(row.pos))
    add(entry, RG.raceClass, out.named("class", row.car_class, RG.RaceClass, row.number))
    add(entry, RG.classAsWritten, Literal(row.car_class))
    _roles(out, entry, row, row.teams, "team", RG.Team, RG.team, RG.entrantRole, RG.EntrantRole, RG.roleTeam)
    _roles(out, entry, row, row.drivers, "driver", RG.Driver, RG.driver, RG.driverRole, RG.DriverRole, RG.roleDriver)
    add(entry, RG.chassis, out.named("chassis", row.chassis, RG.Chassis, row.number))
    add(entry, RG.chassisAsWritten, Literal(row.chassis))
    add(entry, RG.engine, out.named("engine", row.engine, RG.Engine, row.number))
    add(entry, RG.engineAsWritten, Literal(row.engine))
    if row.tyre:
        add(entry, RG.tyre, out.tyre(row.tyre))
    if row.laps is not None:
        add(entry, RG.laps, Literal(row.laps, datatype=XSD.integer))
    return parse_engine(row.engine).understood


def _roles(out, entry, row, people: tuple[Flagged, ...], kind, thing_type, shortcut, role_link, role_type, role_target):
    """One role node per name of the cell, keeping the flag and the name exactly as the row shows them."""
    for order, person in enumerate(people, 1):
        thing = out.named(kind, person.name, thing_type, row.number)
        country = out.country(person.country)
        out.add(thing, RG.nationality, country)
        role = URIRef(f"{entry}/{kind}/{order}")
        out.add(role, RDF.type, role_type)
        # "driver 1 of 5" read as one of five drivers; the 5 is the car's number
        out.add(role, RDFS.label, _en(f"{person.name} ({kind} {order} in car #{entry.rsplit('/', 1)[-1]})"))
        out.add(role, role_target, thing)
        out.add(role, RG.listOrder, Literal(order, datatype=XSD.integer))
        out.add(role, RG.enteredNationality, country)
        out.add(role, RG.creditedAs, Literal(person.name))
        out.add(entry, role_link, role)
        out.add(entry, shortcut, thing)


def _statistics(out: _GraphWriter, article: RaceArticle, event: URIRef, entries: dict, warnings: list[str]) -> None:
    stats = article.statistics
    if stats.distance_km is not None:
        out.add(event, RG.raceDistance, Literal(stats.distance_km, datatype=XSD.decimal))
    if stats.average_speed_kmh is not None:
        out.add(event, RG.averageSpeed, Literal(stats.average_speed_kmh, datatype=XSD.decimal))
    for timed, entry_link, time_link, what in (
        (stats.pole, RG.polePosition, RG.poleLapTime, "pole position"),
        (stats.fastest_lap, RG.fastestLap, RG.fastestLapTime, "fastest lap"),
    ):
        if timed is None:
            continue
        if timed.number not in entries:
            warnings.append(f"{article.source.path}: {what} names car #{timed.number}, which is not in the table; "
                            "not recorded")
            continue
        out.add(event, entry_link, entries[timed.number])
        out.add(event, time_link, Literal(timed.time, datatype=XSD.duration))


def convert_translation(translation: Translation, event: URIRef, minter: Minter | None = None) -> Graph:
    """The triples a translation adds: its labels and description, in its language, on the matched event."""
    minter = minter or Minter()
    out = _GraphWriter(minter)
    source = out.source_article(translation.source, translation.language, translation.label)
    if translation.label:
        out.add(event, RDFS.label, Literal(translation.label, lang=translation.language))
        out.add(event, SCHEMA_NAME, Literal(translation.label, lang=translation.language))
    out.add(event, SCHEMA_DESCRIPTION, Literal(translation.description, lang=translation.language))
    out.add(event, RG.sourceArticle, source)
    return out.graph
