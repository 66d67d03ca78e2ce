"""Reading a triple pattern from `/fragments?subject=&predicate=&object=` (Hydra's ExplicitRepresentation).

A value is an IRI written as is (`http://…/id/driver/x`), a literal in quotes with an optional
language or datatype (`"Tom Kristensen"`, `"Audi"@en`, `"208"^^http://www.w3.org/2001/XMLSchema#integer`),
or, when absent, empty, a `?variable` or a blank node (`_:b`), a wildcard. This is the form Comunica
and the other TPF clients send (rdf-string's termToString).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

POSITIONS = ("subject", "predicate", "object")
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


class PatternError(ValueError):
    """A pattern value that is neither an IRI, a literal nor a wildcard; the message says which and why."""


@dataclass(frozen=True)
class TriplePattern:
    subject: ox.NamedNode | ox.Literal | None = None  # None: any term
    predicate: ox.NamedNode | ox.Literal | None = None
    object: ox.NamedNode | ox.Literal | None = None

    def terms(self) -> dict[str, ox.NamedNode | ox.Literal | None]:
        return {"subject": self.subject, "predicate": self.predicate, "object": self.object}

    def can_match(self) -> bool:
        """False when the pattern names a literal where RDF allows none (a literal subject or predicate)."""
        return not isinstance(self.subject, ox.Literal) and not isinstance(self.predicate, ox.Literal)

    def where(self) -> str:
        """The pattern as a SPARQL triple over ?s ?p ?o, its fixed terms written in (N-Triples syntax)."""
        return " ".join(str(term) if term is not None else f"?{name[0]}" for name, term in self.terms().items())


def parse_term(position: str, raw: str | None) -> ox.NamedNode | ox.Literal | None:
    if raw is None or raw == "" or raw.startswith(("?", "_:")):
        return None
    if raw.startswith('"'):
        end = raw.rfind('"')
        if end == 0:
            raise PatternError(f"{position}={raw!r}: a literal needs its closing quote")
        value, rest = raw[1:end], raw[end + 1:]
        if rest == "":
            return ox.Literal(value)
        if rest.startswith("@") and _LANGUAGE.fullmatch(rest[1:]):
            return ox.Literal(value, language=rest[1:].lower())
        if rest.startswith("^^"):
            return ox.Literal(value, datatype=_iri(position, rest[2:].removeprefix("<").removesuffix(">")))
        raise PatternError(f"{position}={raw!r}: after a literal's closing quote expected @language or ^^datatype")
    return _iri(position, raw.removeprefix("<").removesuffix(">"))


def _iri(position: str, text: str) -> ox.NamedNode:
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text):
        raise PatternError(f"{position}={text!r}: expected an absolute IRI, a \"literal\" or nothing")
    try:
        return ox.NamedNode(text)
    except ValueError as error:
        raise PatternError(f"{position}={text!r}: not a valid IRI ({error})") from None


def parse_pattern(args) -> TriplePattern:
    return TriplePattern(**{position: parse_term(position, args.get(position)) for position in POSITIONS})
