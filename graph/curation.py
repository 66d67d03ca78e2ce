"""The publisher's curation file (`--curation FILE`; the bundled articles have data/articles/curation.toml): decisions the articles cannot make.

Three kinds of rule, each a TOML array of tables:

    [[same]]        these spellings name one thing, though they fold to different keys
    kind = "team"
    names = ["Audi Sport UK Team Veloqx", "Team Veloqx"]     # the first one's key is kept

    [[distinct]]    one spelling names two things, told apart by the event (and car) they raced in
    kind = "driver"
    name = "Peter Kox"
    [[distinct.as]]
    id = "peter-kox-jr"                 # the URI becomes id/driver/peter-kox-jr
    label = "Peter Kox Jr."            # optional preferred label
    event = "2005 24 Hours of Spa"      # English title of the event
    cars = ["80"]                       # optional: only these car numbers of that event

    [[label]]       the preferred label of a thing, instead of the most frequent spelling
    kind = "driver"
    name = "Olivier Thevenin"           # any spelling of the thing
    label = "Olivier Thévenin"
    lang = "en"                         # optional, "en" by default

Everything here is pure: resolving a spelling to its key says which rules decided it, and the build
reports afterwards which rules were used and which were not.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import ArticleError
from graph.uris import slug

# Kinds of thing a rule may name: what the converter names from the articles' words.
KINDS = ("driver", "team", "chassis", "engine", "class", "circuit", "organisation", "series", "manufacturer")
# Kinds whose names sit in a table row, so that an event and a car can tell two of them apart.
ROW_KINDS = ("driver", "team", "chassis", "engine", "class")

# A team written with or without its company form is one team: "PK Sport Ltd." and "PK Sport".
# Compared on the slug, so "Ltd", "Ltd." and "LTD" are one suffix; longest first.
_LEGAL_SUFFIXES = tuple(sorted((
    "ltd", "limited", "plc", "gmbh", "gmbh-co-kg", "kg", "ag", "e-v", "srl", "s-r-l", "spa", "s-p-a",
    "sa", "s-a", "sas", "s-a-s", "sarl", "s-a-r-l", "sl", "s-l", "bv", "b-v", "nv", "n-v", "inc", "llc",
    "corp", "co", "pty-ltd", "oy", "ab", "as", "a-s", "kft", "sro", "s-r-o",
), key=len, reverse=True))


class CurationError(ArticleError):
    """A curation file racegraph cannot use: names the file (and rule) and what was expected."""


def name_key(kind: str, written: str) -> str:
    """The key a spelling folds to: its slug, without a team's legal suffix. Spellings with one key are one thing."""
    key = slug(written)
    if kind == "team":
        for suffix in _LEGAL_SUFFIXES:
            if key.endswith("-" + suffix):
                return key[: -len(suffix) - 1]
    return key


@dataclass(frozen=True)
class Case:
    """One of the things a `distinct` rule tells apart."""
    rule: str  # e.g. "distinct #1 case 2"
    id: str
    event: str
    cars: tuple[str, ...] = ()
    label: str | None = None

    def matches(self, event: str | None, car: str | None) -> bool:
        return event == self.event and (not self.cars or car in self.cars)


@dataclass(frozen=True)
class Curation:
    path: Path | None = None
    same: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (kind, key) -> (key, rule)
    distinct: dict[tuple[str, str], tuple[Case, ...]] = field(default_factory=dict)  # (kind, key) -> cases
    labels: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)  # (kind, key, lang) -> (label, rule)
    rules: tuple[tuple[str, str], ...] = ()  # (rule id, what it says), in file order

    def resolve(self, kind: str, written: str, *, event: str | None = None,
                car: str | None = None) -> tuple[str, tuple[str, ...]]:
        """(key, ids of the rules that decided it) of one spelling, written in `event` for `car`."""
        key = name_key(kind, written)
        used: list[str] = []
        for case in self.distinct.get((kind, key), ()):
            if case.matches(event, car):
                key = case.id
                used.append(case.rule)
                break
        merged = self.same.get((kind, key))
        if merged:
            key, rule = merged
            used.append(rule)
        return key, tuple(used)

    def preferred(self, kind: str, key: str) -> dict[str, tuple[str, str]]:
        """lang -> (label, rule id) that the file prefers for the thing with `key`."""
        return {lang: (label, rule) for (k, thing, lang), (label, rule) in self.labels.items()
                if (k, thing) == (kind, key)}

    def report(self, rules_used: set[str]) -> dict:
        """What build.json records of this file: its path, and each rule as used or unused."""
        return {
            "file": str(self.path) if self.path else None,
            "used": [f"{rule}: {text}" for rule, text in self.rules if rule in rules_used],
            "unused": [f"{rule}: {text}" for rule, text in self.rules if rule not in rules_used],
        }


NO_CURATION = Curation()


def read_curation(path: Path) -> Curation:
    """Parse a curation file; CurationError (file, rule, what was expected) when it cannot be used."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CurationError(path, None, f"cannot read the curation file: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise CurationError(path, None, f"expected UTF-8 text, found {error.reason}") from None
    except tomllib.TOMLDecodeError as error:
        raise CurationError(path, None, f"expected TOML, found a syntax error: {error}") from None
    return parse_curation(data, path)


def parse_curation(data: dict, path: Path | None = None) -> Curation:
    where = path or Path("curation")
    unknown = sorted(set(data) - {"same", "distinct", "label"})
    if unknown:
        raise CurationError(where, None, f"expected only [[same]], [[distinct]] and [[label]] rules, "
                                         f"found {', '.join(repr(name) for name in unknown)}")
    same: dict = {}
    distinct: dict = {}
    labels: dict = {}
    rules: list[tuple[str, str]] = []
    for number, rule in enumerate(_tables(data, "same", where), 1):
        rule_id = f"same #{number}"
        kind = _kind(rule, rule_id, where)
        names = rule.get("names")
        if not isinstance(names, list) or len(names) < 2 or not all(_text(name) for name in names):
            raise CurationError(where, None, f"[[same]] #{number}: expected names = [two or more spellings]")
        keys = [_key(kind, name, rule_id, where) for name in names]
        for name, key in zip(names[1:], keys[1:]):
            if key != keys[0]:
                same[(kind, key)] = (keys[0], rule_id)
        rules.append((rule_id, f"{kind} " + " = ".join(f'"{name}"' for name in names)))
    for number, rule in enumerate(_tables(data, "distinct", where), 1):
        rule_id = f"distinct #{number}"
        kind = _kind(rule, rule_id, where, ROW_KINDS)
        name = rule.get("name")
        if not _text(name):
            raise CurationError(where, None, f"[[distinct]] #{number}: expected name = \"<a spelling>\"")
        cases = []
        for index, case in enumerate(_tables(rule, "as", where, f"[[distinct]] #{number}: "), 1):
            case_id = f"{rule_id} case {index}"
            thing_id, event = case.get("id"), case.get("event")
            if not _text(thing_id) or slug(thing_id) != thing_id:
                raise CurationError(where, None, f"[[distinct]] #{number} [[distinct.as]] #{index}: expected "
                                                 f"id = a URI slug (lower case ASCII words joined by '-'), found {thing_id!r}")
            if not _text(event):
                raise CurationError(where, None, f"[[distinct]] #{number} [[distinct.as]] #{index}: expected "
                                                 "event = \"<English title of the event>\"")
            cars = case.get("cars", [])
            if not isinstance(cars, list) or not all(_text(car) for car in cars):
                raise CurationError(where, None, f"[[distinct]] #{number} [[distinct.as]] #{index}: expected "
                                                 "cars = [car numbers as strings]")
            label = case.get("label")
            if label is not None and not _text(label):
                raise CurationError(where, None, f"[[distinct]] #{number} [[distinct.as]] #{index}: expected "
                                                 "label = \"<preferred label>\"")
            cases.append(Case(case_id, thing_id, event, tuple(cars), label))
            if label:
                labels[(kind, thing_id, "en")] = (label, case_id)
            car_text = f" car {'/'.join(cars)}" if cars else ""
            rules.append((case_id, f'{kind} "{name}" in {event}{car_text} is {kind}/{thing_id}'))
        if not cases:
            raise CurationError(where, None, f"[[distinct]] #{number}: expected one [[distinct.as]] table or more")
        distinct[(kind, _key(kind, name, rule_id, where))] = tuple(cases)
    for number, rule in enumerate(_tables(data, "label", where), 1):
        rule_id = f"label #{number}"
        kind = _kind(rule, rule_id, where)
        name, label, lang = rule.get("name"), rule.get("label"), rule.get("lang", "en")
        if not _text(name) or not _text(label) or not _text(lang):
            raise CurationError(where, None, f"[[label]] #{number}: expected name = \"<a spelling>\", "
                                             "label = \"<preferred label>\" and optionally lang = \"en\"")
        key = _key(kind, name, rule_id, where)
        key = same.get((kind, key), (key, None))[0]
        labels[(kind, key, lang)] = (label, rule_id)
        rules.append((rule_id, f'{kind} "{name}" is labelled "{label}"@{lang}'))
    return Curation(path, same, distinct, labels, tuple(rules))


def _tables(data: dict, name: str, where: Path, prefix: str = "") -> list[dict]:
    tables = data.get(name, [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise CurationError(where, None, f"{prefix}expected [[{name}]] tables, found {type(tables).__name__}")
    return tables


def _kind(rule: dict, rule_id: str, where: Path, kinds: tuple[str, ...] = KINDS) -> str:
    kind = rule.get("kind")
    if kind not in kinds:
        raise CurationError(where, None, f"[[{rule_id.replace(' #', ']] #')}: expected kind = one of "
                                         f"{', '.join(kinds)}, found {kind!r}")
    return kind


def _key(kind: str, name: str, rule_id: str, where: Path) -> str:
    try:
        return name_key(kind, name)
    except ValueError:
        raise CurationError(where, None, f"{rule_id}: expected a name with letters or digits, found {name!r}") from None


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())
