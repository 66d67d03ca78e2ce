"""Naming the things several rows and articles write in several ways (docs/model.md, "Spellings").

The converter records every spelling it meets (a `Spelling`: which thing, how it was written, in
which article); once every article is read, `name_things` gives each thing one preferred label per
language and keeps every other spelling as skos:altLabel, in the graph of each article that wrote it.
In two steps, so that a build can convert articles in worker processes: a `NameBook` counts every
article's spellings and decides (`Naming`: preferred labels), then `describe_article` writes any one
article's naming triples from those decisions.

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
from typing import Iterable

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

    def copy(self) -> "_Thing":
        return _Thing(self.kind, self.key, Counter(self.counts), dict(self.first_seen), dict(self.preferred))


Key = tuple[str, str]  # (kind, key): the thing id/<kind>/<key>


@dataclass(frozen=True)
class Naming:
    """The naming pass's decisions: each thing's preferred label by language, the merges they make
    and the curation rules used. `describe_article` writes any one article's naming triples from
    them, so articles can be converted apart (in worker processes) once every spelling was counted.
    Plain data: a build hands it to its worker processes."""
    preferred: dict[Key, dict[str, str]]
    merges: tuple[Merge, ...] = ()
    rules_used: frozenset[str] = frozenset()


class NameBook:
    """The naming pass, fed one article's spellings at a time (in reading order): it keeps counts per
    thing, not the spellings, so what it holds grows with the things named, not with the articles."""

    def __init__(self) -> None:
        self._things: dict[Key, _Thing] = {}
        self._order = [0]
        self._rules: set[str] = set()
        # chassis and engines by first spelling: (kind, key, lang) -> rows that wrote them
        self._machines: Counter = Counter()

    def add(self, spellings: Iterable[Spelling]) -> None:
        spellings = list(spellings)
        _collect(spellings, self._things, self._order)
        for spelling in spellings:
            self._rules.update(spelling.rules)
            if spelling.kind in _MACHINES:
                self._machines[(spelling.kind, spelling.key, spelling.lang)] += 1

    def decide(self, curation: Curation = NO_CURATION) -> Naming:
        """Preferred labels of everything added so far (the book itself is left as it is)."""
        things = {key: thing.copy() for key, thing in self._things.items()}
        order = [self._order[0]]
        names = Names(rules_used=set(self._rules))
        _choose([t for t in things.values() if t.kind != "manufacturer"], curation, names)
        # Makers follow from the preferred names of chassis and engines, once per row that wrote
        # them: counted as if each row spelt them, in the order the rows were read (a thing's first
        # row comes before its makers could be met again).
        for (kind, key, lang), rows in self._machines.items():
            machine = Spelling(kind, key, "", "", lang)
            for maker in _maker_spellings(machine, {k: t.preferred for k, t in things.items()}, curation):
                names.rules_used.update(maker.rules)
                _collect([maker], things, order)
                things[("manufacturer", maker.key)].counts[(lang, maker.written)] += rows - 1
        _choose([t for t in things.values() if t.kind == "manufacturer"], curation, names)
        return Naming({key: thing.preferred for key, thing in things.items()}, tuple(names.merges),
                      frozenset(names.rules_used))


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


def name_things(read: list[tuple[str, list[Spelling]]], minter: Minter,
                curation: Curation = NO_CURATION) -> Names:
    """Label every thing the articles name; `read` is (article stem, its spellings) in reading order."""
    naming = choose_names(read, curation)
    return Names({stem: naming.describe(stem, minter) for stem, _ in read}, naming.merges, naming.rules_used)


@dataclass(frozen=True)
class ArticleNaming:
    """A naming pass's decisions with the spellings each article gave it: what an incremental update
    (graph.incremental) compares before and after, to find the articles whose naming triples change."""
    naming: Naming
    read: dict[str, list[Spelling]]  # article stem -> its spellings
    curation: Curation = NO_CURATION

    @property
    def things(self) -> dict[Key, dict[str, str]]:
        return self.naming.preferred

    @property
    def merges(self) -> list[Merge]:
        return list(self.naming.merges)

    @property
    def rules_used(self) -> set[str]:
        return set(self.naming.rules_used)

    def preferred(self, kind: str, key: str) -> dict[str, str]:
        return dict(self.naming.preferred.get((kind, key), {}))

    def mentioned(self, stem: str) -> set[Key]:
        """(kind, key) of every thing the article's naming triples speak of, its chassis's and engines' makers included."""
        spellings = self.read.get(stem, [])
        makers = [maker for spelling in spellings if spelling.kind in _MACHINES
                  for maker in _maker_spellings(spelling, self.naming.preferred, self.curation, stem)]
        return {(spelling.kind, spelling.key) for spelling in [*spellings, *makers]}

    def describe(self, stem: str, minter: Minter) -> Graph:
        return describe_article(stem, self.read[stem], self.naming, minter, self.curation)


def choose_names(read: list[tuple[str, list[Spelling]]], curation: Curation = NO_CURATION) -> ArticleNaming:
    """Every thing's preferred labels, chosen from `read`: (article stem, its spellings) in reading order."""
    book = NameBook()
    for _, spellings in read:
        book.add(spellings)
    return ArticleNaming(book.decide(curation), dict(read), curation)


def describe_article(stem: str, spellings: list[Spelling], naming: Naming, minter: Minter,
                     curation: Curation = NO_CURATION) -> Graph:
    """One article's naming triples (graph.convert.read_race leaves them out): preferred labels of
    the things it names, its own other spellings as alternative labels, and what its chassis and
    engines are made of, by `naming`'s decisions (all of them, or any part holding this article's things)."""
    makers = [maker for spelling in spellings if spelling.kind in _MACHINES
              for maker in _maker_spellings(spelling, naming.preferred, curation, stem)]
    return _describe([*spellings, *makers], naming.preferred, minter, curation)


_MACHINES = ("chassis", "engine")


def _maker_spellings(machine: Spelling, preferred: dict[Key, dict[str, str]], curation: Curation,
                     stem: str = "") -> list[Spelling]:
    """The makers (and an engine's tuner) a chassis's or engine's preferred name gives, as spellings."""
    found = []
    for maker in _makers_of(machine.kind, preferred[(machine.kind, machine.key)]):
        key, rules = curation.resolve("manufacturer", maker)
        found.append(Spelling("manufacturer", key, maker, stem, machine.lang, rules))
    return found


def _makers_of(kind: str, preferred: dict[str, str]) -> list[str]:
    name = preferred.get("en") or next(iter(preferred.values()))
    if kind == "chassis":
        return [split_maker(name)[0]]
    parts = parse_engine(name)
    return [parts.maker] + ([parts.tuner] if parts.tuner else [])


def _describe(spellings: list[Spelling], preferred: dict[Key, dict[str, str]], minter: Minter,
              curation: Curation) -> Graph:
    """An article's triples about the things it names: preferred labels, its own other spellings, and
    what chassis and engines are made of."""
    graph = Graph()
    add = graph.add
    done: set[Key] = set()
    for spelling in spellings:
        kind, key = spelling.kind, spelling.key
        labels = preferred[(kind, key)]
        uri = minter.thing(kind, key)
        if spelling.written != labels.get(spelling.lang):
            add((uri, SKOS.altLabel, Literal(spelling.written, lang=spelling.lang)))
        if (kind, key) in done:
            continue
        done.add((kind, key))
        for lang, label in labels.items():
            add((uri, RDFS.label, Literal(label, lang=lang)))
        if kind in _NAMED_BY_SCHEMA:
            add((uri, SCHEMA_NAME, Literal(labels.get("en") or next(iter(labels.values())))))
        if kind == "manufacturer":
            add((uri, RDF.type, RG.Manufacturer))
        elif kind in _MACHINES:
            _machine(graph, uri, kind, labels, minter, curation)
    return graph


def _machine(graph: Graph, uri: URIRef, kind: str, labels: dict[str, str], minter: Minter,
             curation: Curation) -> None:
    """A chassis's or engine's maker (and an engine's parts), read from its preferred name."""
    def maker(name: str) -> URIRef:
        return minter.thing("manufacturer", curation.resolve("manufacturer", name)[0])

    add = graph.add
    name = labels.get("en") or next(iter(labels.values()))
    if kind == "chassis":
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
