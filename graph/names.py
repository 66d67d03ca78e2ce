"""Naming the things several rows and articles write in several ways (docs/model.md, "Spellings").

The converter records every spelling it meets (a `Spelling`: which thing, how it was written, in
which article); once every article is read, `name_things` gives each thing one preferred label per
language and keeps every other spelling as skos:altLabel, in the graph of each article that wrote it.

The preferred label is, by rule: a curation file's choice if it makes one; else the spelling most
rows wrote; ties go to the one with more accented letters, then to mixed case over all capitals or
all lower case, then to the one with fewer words in capitals, then to the one read first.

Chassis and engines are described (maker, tuner, displacement…) from their preferred label, so that
every article says the same of them however it spelt them; their makers are named the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from graph.curation import NO_CURATION, Curation
from graph.engines import parse_engine
from graph.makers import split_maker
from graph.uris import Minter
from graph.vocab import RG

SCHEMA_NAME = URIRef("https://schema.org/name")  # graph.convert uses this one too
_NAMED_BY_SCHEMA = ("driver", "team")  # kinds that also carry schema:name (a plain string)
_LETTER_RUNS = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Spelling:
    """One row (or lead) of one article writing the name of a thing."""
    kind: str
    key: str  # the thing's URI is id/<kind>/<key>
    written: str
    source: str  # the article's file stem: whose graph keeps this spelling
    lang: str = "en"
    rules: tuple[str, ...] = ()  # curation rules that decided the key


@dataclass(frozen=True)
class Merge:
    """A spelling that became the alternative label of a thing with another preferred label."""
    kind: str
    key: str
    written: str
    preferred: str
    rows: int  # how many times it was written

    def __str__(self) -> str:
        return f'merged: "{self.written}" → {self.kind}/{self.key} (preferred "{self.preferred}")'


@dataclass
class Names:
    """What naming added: triples per article stem, the merges made, and the curation rules used."""
    graphs: dict[str, Graph] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    rules_used: set[str] = field(default_factory=set)


def preference(written: str, count: int, first_seen: int) -> tuple:
    """Sort key of a spelling: the greatest is preferred (see the module's rule)."""
    accented = sum(1 for char in written if char.isalpha() and not char.isascii())
    mixed = any(char.isupper() for char in written) and any(char.islower() for char in written)
    capital_words = sum(1 for run in _LETTER_RUNS.findall(written) if run.isupper())
    return (count, accented, mixed, -capital_words, -first_seen)


@dataclass
class _Thing:
    kind: str
    key: str
    counts: Counter = field(default_factory=Counter)  # (lang, written) -> rows
    first_seen: dict = field(default_factory=dict)  # (lang, written) -> order of reading
    preferred: dict[str, str] = field(default_factory=dict)  # lang -> label


def _collect(spellings, things: dict, order: list[int]) -> None:
    for spelling in spellings:
        thing = things.get((spelling.kind, spelling.key))
        if thing is None:
            thing = things[(spelling.kind, spelling.key)] = _Thing(spelling.kind, spelling.key)
        written = (spelling.lang, spelling.written)
        thing.counts[written] += 1
        if written not in thing.first_seen:
            thing.first_seen[written] = order[0]
            order[0] += 1


def _choose(things, curation: Curation, names: Names) -> None:
    for thing in things:
        by_lang: dict[str, list] = {}
        for (lang, written), count in thing.counts.items():
            by_lang.setdefault(lang, []).append(preference(written, count, thing.first_seen[(lang, written)]) + (written,))
        for lang, ranked in by_lang.items():
            thing.preferred[lang] = max(ranked)[-1]
        for lang, (label, rule) in curation.preferred(thing.kind, thing.key).items():
            thing.preferred[lang] = label
            names.rules_used.add(rule)
        for (lang, written), count in sorted(thing.counts.items(), key=lambda item: thing.first_seen[item[0]]):
            if lang in thing.preferred and written != thing.preferred[lang]:
                names.merges.append(Merge(thing.kind, thing.key, written, thing.preferred[lang], count))


@dataclass
class Naming:
    """The naming pass's decisions, before any triple is written: every thing with its preferred
    labels, each article's spellings and the maker spellings its chassis and engines give.
    `describe(stem)` writes one article's naming triples, so an incremental update (graph.incremental)
    can rewrite only the articles whose things changed."""
    things: dict[tuple[str, str], _Thing]
    read: dict[str, list[Spelling]]  # article stem -> its spellings
    made: dict[str, list[Spelling]]  # article stem -> the makers its chassis and engines name
    merges: list[Merge]
    rules_used: set[str]

    def preferred(self, kind: str, key: str) -> dict[str, str]:
        thing = self.things.get((kind, key))
        return dict(thing.preferred) if thing else {}

    def mentioned(self, stem: str) -> set[tuple[str, str]]:
        """(kind, key) of every thing the article's naming triples speak of."""
        return {(s.kind, s.key) for s in [*self.read.get(stem, ()), *self.made.get(stem, ())]}

    def describe(self, stem: str, minter: Minter, curation: Curation = NO_CURATION) -> Graph:
        return _describe(stem, [*self.read[stem], *self.made[stem]], self.things, minter, curation)


def choose_names(read: list[tuple[str, list[Spelling]]], curation: Curation = NO_CURATION) -> Naming:
    """Choose every thing's preferred labels; `read` is (article stem, its spellings) in reading order."""
    names = Names()
    things: dict[tuple[str, str], _Thing] = {}
    order = [0]
    for _, spellings in read:
        _collect(spellings, things, order)
        for spelling in spellings:
            names.rules_used.update(spelling.rules)
    _choose([t for t in things.values() if t.kind != "manufacturer"], curation, names)

    # Makers follow from the preferred names of chassis and engines, once per row that wrote them.
    made: list[tuple[str, list[Spelling]]] = []
    for stem, spellings in read:
        makers = []
        for spelling in spellings:
            if spelling.kind in ("chassis", "engine"):
                for maker in _makers_of(things[(spelling.kind, spelling.key)]):
                    key, rules = curation.resolve("manufacturer", maker)
                    makers.append(Spelling("manufacturer", key, maker, stem, spelling.lang, rules))
        made.append((stem, makers))
    for _, spellings in made:
        _collect(spellings, things, order)
        for spelling in spellings:
            names.rules_used.update(spelling.rules)
    _choose([t for t in things.values() if t.kind == "manufacturer"], curation, names)
    return Naming(things, dict(read), dict(made), names.merges, names.rules_used)


def name_things(read: list[tuple[str, list[Spelling]]], minter: Minter,
                curation: Curation = NO_CURATION) -> Names:
    """Label every thing the articles name; `read` is (article stem, its spellings) in reading order."""
    naming = choose_names(read, curation)
    graphs = {stem: naming.describe(stem, minter, curation) for stem, _ in read}
    return Names(graphs, naming.merges, naming.rules_used)


def _makers_of(thing: _Thing) -> list[str]:
    name = thing.preferred.get("en") or next(iter(thing.preferred.values()))
    if thing.kind == "chassis":
        return [split_maker(name)[0]]
    parts = parse_engine(name)
    return [parts.maker] + ([parts.tuner] if parts.tuner else [])


def _describe(stem: str, spellings: list[Spelling], things: dict, minter: Minter, curation: Curation) -> Graph:
    """An article's triples about the things it names: preferred labels, its own other spellings, and
    what chassis and engines are made of."""
    graph = Graph()
    add = graph.add
    done: set[tuple[str, str]] = set()
    for spelling in spellings:
        thing = things[(spelling.kind, spelling.key)]
        uri = minter.thing(thing.kind, thing.key)
        preferred = thing.preferred.get(spelling.lang)
        if spelling.written != preferred:
            add((uri, SKOS.altLabel, Literal(spelling.written, lang=spelling.lang)))
        if (thing.kind, thing.key) in done:
            continue
        done.add((thing.kind, thing.key))
        for lang, label in thing.preferred.items():
            add((uri, RDFS.label, Literal(label, lang=lang)))
        if thing.kind in _NAMED_BY_SCHEMA:
            add((uri, SCHEMA_NAME, Literal(thing.preferred.get("en") or next(iter(thing.preferred.values())))))
        if thing.kind == "manufacturer":
            add((uri, RDF.type, RG.Manufacturer))
        elif thing.kind in ("chassis", "engine"):
            _machine(graph, uri, thing, minter, curation)
    return graph


def _machine(graph: Graph, uri: URIRef, thing: _Thing, minter: Minter, curation: Curation) -> None:
    """A chassis's or engine's maker (and an engine's parts), read from its preferred name."""
    def maker(name: str) -> URIRef:
        return minter.thing("manufacturer", curation.resolve("manufacturer", name)[0])

    add = graph.add
    name = thing.preferred.get("en") or next(iter(thing.preferred.values()))
    if thing.kind == "chassis":
        add((uri, RG.manufacturer, maker(split_maker(name)[0])))
        return
    parts = parse_engine(name)
    add((uri, RG.manufacturer, maker(parts.maker)))
    if parts.tuner:
        add((uri, RG.tuner, maker(parts.tuner)))
    for predicate, value in ((RG.modelCode, parts.model), (RG.aspiration, parts.aspiration),
                             (RG.layout, parts.layout), (RG.fuel, parts.fuel)):
        if value:
            add((uri, predicate, Literal(value)))
    if parts.displacement is not None:
        add((uri, RG.displacement, Literal(parts.displacement, datatype=XSD.decimal)))
    if parts.cylinders:
        add((uri, RG.cylinders, Literal(parts.cylinders, datatype=XSD.integer)))
