"""What a query asks for, read from its parse tree: its form, prefixes, dataset clauses and SERVICE calls.

rdflib's SPARQL 1.1 parser gives the tree. pyoxigraph, which runs the query, also accepts SPARQL 1.2
syntax that rdflib does not know; for such a query `inspect_query` falls back to a token scan that
skips comments, strings and IRIs, and errs on the side of refusing (a SERVICE keyword anywhere).
An Update (INSERT, DELETE, LOAD, CLEAR...) is recognised so it can be refused as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


@dataclass
class QueryInfo:
    understood: bool  # rdflib parsed it (else the fields come from the token scan)
    form: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    uses_service: bool = False
    has_dataset_clause: bool = False
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)


@lru_cache(maxsize=64)
def is_update(text: str) -> bool:
    """True when the text is a SPARQL Update request rather than a query."""
    try:
        parseUpdate(text)
    except ParseException:
        return False
    return True


@lru_cache(maxsize=256)  # per worker process; rdflib's parser takes tens of ms on a real query
def inspect_query(text: str) -> QueryInfo:
    """The facts about a query; the same object for the same text, so treat it as read-only."""
    try:
        tree = parseQuery(text)
    except ParseException:
        return _scan(text)
    prologue, query = tree[0], tree[1]
    base, prefixes = "", {}
    for declaration in prologue:
        if declaration.name == "Base":
            base = urljoin(base, str(declaration["iri"]))
        elif declaration.name == "PrefixDecl":
            prefixes[_field(declaration, "prefix")] = urljoin(base, str(declaration["iri"]))
    info = QueryInfo(True, FORMS.get(query.name), prefixes, uses_service=_has_service(query))
    for clause in _field(query, "datasetClause", []):
        info.has_dataset_clause = True
        if "default" in clause:
            info.from_graphs.append(_resolve(clause["default"], base, prefixes))
        else:
            info.from_named_graphs.append(_resolve(clause["named"], base, prefixes))
    return info


def _field(node: CompValue, key: str, default=""):
    """A CompValue's field (its own `get` answers the key's name when the field is absent)."""
    return node[key] if key in node else default


def _resolve(term, base: str, prefixes: dict[str, str]) -> str:
    if isinstance(term, CompValue):  # a prefixed name
        return prefixes.get(_field(term, "prefix"), "") + _field(term, "localname")
    return urljoin(base, str(term))


def _has_service(node) -> bool:
    if isinstance(node, CompValue):
        return node.name == "ServiceGraphPattern" or any(_has_service(value) for value in node.values())
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        return any(_has_service(item) for item in node)
    return False


# the fallback: tokens that are not keywords (strings, IRIs, comments, variables, prefixed names)
_NOT_KEYWORDS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>' r"|#[^\n]*" r"|[?$][\w]+" r"|[\w.-]*:[\w.:%-]*"
)
_WORD = re.compile(r"[A-Za-z_][\w-]*")


def _scan(text: str) -> QueryInfo:
    words = {word.upper() for word in _WORD.findall(_NOT_KEYWORDS.sub(" ", text))}
    return QueryInfo(False, uses_service="SERVICE" in words, has_dataset_clause="FROM" in words)
