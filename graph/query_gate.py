"""The SERVICE gate: what a query text may hold before pyoxigraph is allowed to parse and run it.

pyoxigraph runs every `SERVICE` it parses over HTTP, and its parser knows SPARQL 1.2, so the gate
must not depend on a parser that knows less. It does not parse at all; it reads the text as the
grammar's terminals (strings, IRIs, comments, variables, prefixed names, words) and refuses whatever
it cannot prove free of SERVICE. That is sound because of one fact about the engine's parser: the
keyword can only ever be the seven letters S-E-R-V-I-C-E, ASCII, in any case, written out (it is not
read through `\\u` escapes, and it needs no word boundary: `SERVICEx:t` is `SERVICE x:t`). So:

1. A text without those letters in any case (and without `\\u`/`\\U`, to be safe) has no SERVICE:
   most queries stop here, after one regular-expression search.
2. Otherwise each occurrence is placed by the scanner. Inside a string, a comment, a variable name
   or the local part of a prefixed name (the engine reads these greedily, never splitting them) it
   is inert. Anywhere else (a word, a prefix, a blank-node label, a language tag, an IRI that could
   be a `<` comparison running into the pattern after it, text after a stray backslash) it counts
   as SERVICE, whether or not the engine would read it so.

The same scan measures nesting (brackets, runs of unary operators) and the longest operator chain,
because the engine's recursive-descent parser overflows its stack on a few thousand levels and takes
the process down; such a query is refused with 400 before it reaches the engine. It also reads the
prologue (the PREFIX declarations, to name prefixes in a CONSTRUCT answer) and tells an Update from
a query, so pyoxigraph is the only parser a query meets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from urllib.parse import urljoin

# the SPARQL grammar's character classes (SPARQL 1.1 section 19.8, unchanged in 1.2)
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PN_LOCAL = f"(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

_STRING = (f'"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}|{_UCHAR}))*"""'
           f"|'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}|{_UCHAR}))*'''"
           f'|"(?:[^"\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*"'
           f"|'(?:[^'\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*'")
_IRIREF = f'<(?:[^<>"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})*>'
_COMMENT = r"#[^\r\n]*"

_TOKEN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in [
    ("space", r"[ \t\r\n]+"),
    ("comment", _COMMENT),
    ("string", _STRING),
    ("iri", _IRIREF),
    ("var", f"[?$][{_CHARS_U}0-9][{_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"),
    ("bnode", f"_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?"),
    ("pname", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("langtag", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?"),
    ("number", r"[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.[0-9]*[eE][+-]?[0-9]+|[0-9]+(?:[eE][+-]?[0-9]+)?"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("punct", r"<<\(|\)>>|<<|>>|\{\||\|\}|\^\^|&&|\|\||!=|<=|>="),
    ("other", r"."),
]), re.DOTALL)

_OPENS = {"{", "(", "[", "<<(", "<<", "{|"}
_CLOSES = {"}", ")", "]", ")>>", ">>", "|}"}
_UNARY = {"!", "-", "+", "^"}
# the engine's parser takes a stack frame for each element of a group or expression, however flat the
# text looks: a few thousand `;`, `+`, MINUS {} or FILTER() in one group overflow it as nesting does.
# So the scan counts, per nesting level, every operator, separator, keyword and opening bracket.
_CHAIN = {"+", "-", "*", "/", "|", "||", "&&", "=", "!=", "<", ">", "<=", ">=", ",", ";", ".", "^", "^^", "!"}
_SERVICE = re.compile("service", re.IGNORECASE)
# an IRI that may be a `<` comparison running past `)` into a pattern: `?a<?b)SERVICE:x#>` + newline
_IRI_MAY_HIDE = re.compile(r"\).*service", re.IGNORECASE | re.DOTALL)
DEFAULT_MAX_DEPTH = 32  # the server's MAX_QUERY_DEPTH default and the CLI's limit
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

# the first pass: the terminals whose content is inert (strings, IRIs, comments, escapes), and runs
# of everything else; a run cannot hide the start of one of them, so both passes agree on regions
_REGIONS = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in [
    ("string", _STRING),
    ("iri", _IRIREF),
    ("comment", _COMMENT),
    ("escape", r"\\."),
    ("code", r"[^\"'<#\\]+"),
    ("other", r"."),
]), re.DOTALL)
_BRACKETS = re.compile(r"<<|>>|[{}()\[\]]")
_STEP = {"{": 1, "(": 1, "[": 1, "<<": 1, "}": -1, ")": -1, "]": -1, ">>": -1}
_RUN = re.compile(r"[!+\-^](?:[ \t\r\n]*[!+\-^])+")
_CHAIN_CHARS = "+-*/|&=<>,;.^!{(["
_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class QueryRefused(ValueError):
    """The gate will not pass this text to the engine; `status` is the HTTP status that says why."""

    status = 400


class ServiceRefused(QueryRefused):
    """The query uses SERVICE (or holds text the engine may read as SERVICE) and remote calls are off."""


class QueryTooComplex(QueryRefused):
    """The query nests, or chains operators, deeper than the engine's parser can take."""


class UpdateRefused(QueryRefused):
    """The text is a SPARQL Update; this store is read-only."""

    status = 403


@dataclass(frozen=True)
class QueryFacts:
    """What the scan read from a query text."""

    may_use_service: bool  # SERVICE, or something the engine may read as SERVICE
    depth: int  # at least the deepest nesting of brackets and unary operators (a cheap upper bound)
    chain: int  # at least the most operators, separators, keywords and brackets in one nesting level
    is_update: bool  # the first word after the prologue starts an Update
    prefixes: dict[str, str] = field(default_factory=dict)  # PREFIX declarations, resolved against BASE


SERVICE_OFF = ("SERVICE (federated query) is disabled on this endpoint, so no other endpoint is contacted; "
               "the operator can enable it with the setting ALLOW_REMOTE_SERVICE "
               "(environment variable RACEGRAPH_ALLOW_REMOTE_SERVICE=true; racegraph query --allow-remote-service)")
READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only"


def check_query(text: str, *, allow_service: bool, max_depth: int = DEFAULT_MAX_DEPTH) -> QueryFacts:
    """The facts about `text`, or QueryRefused when the engine must not see it.

    Refuses an Update (403), a query nested or chained past `max_depth` (400; chains get 100 times
    as much room, see `chain_limit`), and, unless `allow_service`, any text the scan cannot prove free
    of SERVICE (400).
    """
    facts = scan_query(text)
    if facts.is_update:
        raise UpdateRefused(READ_ONLY)
    depth, chain = facts.depth, facts.chain
    if depth > max_depth or chain > chain_limit(max_depth):  # upper bounds: measure before refusing
        depth, chain = measure_nesting(text)
    if depth > max_depth:
        raise QueryTooComplex(f"the query nests {depth} levels deep (brackets, braces and unary operators "
                              f"counted together); at most {max_depth} are accepted (the MAX_QUERY_DEPTH setting)")
    if chain > chain_limit(max_depth):
        raise QueryTooComplex(f"the query has {chain} elements (operators, separators, keywords, brackets) in "
                              f"one expression or group; at most {chain_limit(max_depth)} are accepted "
                              "(100 times the MAX_QUERY_DEPTH setting): split the query")
    if facts.may_use_service and not allow_service:
        raise ServiceRefused(SERVICE_OFF + _service_hint(text))
    return facts


def chain_limit(max_depth: int) -> int:
    return 100 * max_depth


def _service_hint(text: str) -> str:
    if re.search(r"\bservice\b", text, re.IGNORECASE):
        return ""
    return (". The text holds the letters 'service' outside a string, comment, variable or local name "
            "(as in SERVICEx:t, which the engine reads as SERVICE x:t); rename it or put it in a string")


@lru_cache(maxsize=256)  # per process; texts repeat (pages' example queries, client retries)
def scan_query(text: str) -> QueryFacts:
    """The facts about a text. Pure: the same facts for the same text.

    The first pass (C-speed runs of code between inert regions) blanks strings, IRIs and comments
    and decides most texts; the token-by-token pass runs only where the cheap bounds are not enough.
    """
    lowered = text.lower()  # the engine's keywords are ASCII, matched in any case
    look_for_service = "service" in lowered or "\\u" in lowered
    code, may_use_service = _blank(text, look_for_service)
    if look_for_service and not may_use_service and "service" in code.lower():
        may_use_service = any(_may_be_service(token.lastgroup, token.group()) for token in _TOKEN.finditer(code))
    is_update, prefixes = _read_prologue(text)
    return QueryFacts(may_use_service, *_cheap_bounds(code), is_update, prefixes)


_LOCAL_ESCAPES = set("_~.-!$&'()*+,;=/?#@%")


def _cheap_bounds(code: str) -> tuple[int, int]:
    """Upper bounds of nesting and chain length: bracket depth plus the longest operator run, and
    every operator character in the text (in names and numbers too)."""
    steps = [_STEP[bracket] for bracket in _BRACKETS.findall(code)]
    levels = list(accumulate(steps))
    if levels and min(levels) < 0:  # a stray closing bracket: count on from zero after it, as the engine would
        depth = deepest = 0
        for step in steps:
            depth = max(depth + step, 0)
            deepest = max(deepest, depth)
    else:
        deepest = max(levels, default=0)
    runs = [len(run.group().replace(" ", "")) for run in _RUN.finditer(code)]
    chain = sum(code.count(c) for c in _CHAIN_CHARS) + len(_WORDS.findall(code))
    return deepest + max(runs, default=1), chain


@lru_cache(maxsize=64)
def measure_nesting(text: str) -> tuple[int, int]:
    """Nesting and the longest chain, exactly; for texts whose cheap bounds are over the limits."""
    return _measure(_blank(text, False)[0])


def _blank(text: str, look_for_service: bool) -> tuple[str, bool]:
    """The text with strings, IRIs and comments blanked, and whether one of those may hide SERVICE
    (an IRI that may be a comparison, an escape outside any string or local name)."""
    may_use_service = False
    pieces = []
    for match in _REGIONS.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "string":
            pieces.append(' "" ')
        elif kind == "iri":
            may_use_service = may_use_service or (look_for_service and _IRI_MAY_HIDE.search(value) is not None)
            pieces.append(" <> ")
        elif kind == "comment":
            pieces.append("\n")
        elif kind == "escape":  # a local name's escape (ex:a\\#b); any other is not SPARQL here
            may_use_service = may_use_service or (look_for_service and value[1] not in _LOCAL_ESCAPES)
            pieces.append("x")
        else:
            pieces.append(value)
    return "".join(pieces), may_use_service


def _measure(code: str) -> tuple[int, int]:
    """Nesting (brackets plus runs of unary operators) and the longest chain at one level, token by token."""
    depth = deepest = unary_run = longest = 0
    chains = [0]
    previous = None
    for token in _TOKEN.finditer(code):
        kind, value = token.lastgroup, token.group()
        if kind in ("space", "comment"):
            continue
        word = value.upper() if kind == "word" else value
        if kind in ("punct", "other") and value in _OPENS:
            chains[-1] += 1
            longest = max(longest, chains[-1])
            depth += 1
            chains.append(0)
        elif kind in ("punct", "other") and value in _CLOSES:
            depth = max(depth - 1, 0)
            if len(chains) > 1:
                chains.pop()
        # a unary operator comes first, or after an operator, a separator or an opening bracket
        if value in _UNARY and (previous is None or previous in _OPENS or previous in _UNARY
                                or previous in _CHAIN or previous == "AS"):
            unary_run += 1
        else:
            unary_run = 0
            if kind == "word" or (word in _CHAIN and kind in ("punct", "other")):
                chains[-1] += 1
                longest = max(longest, chains[-1])
        deepest = max(deepest, depth + unary_run)
        previous = word
    return deepest, longest


def _may_be_service(kind: str, value: str) -> bool:
    """Whether this terminal can hold the SERVICE keyword as the engine reads the text."""
    if kind in ("string", "var"):
        return False
    if kind == "pname":  # the prefix may be split off (SERVICEx:t); the local part never is
        return _SERVICE.search(value.partition(":")[0]) is not None
    if kind == "iri":
        return _IRI_MAY_HIDE.search(value) is not None
    if kind == "other" and value == "\\":  # not SPARQL here; what follows could be read otherwise
        return True
    return _SERVICE.search(value) is not None  # word, bnode label, language tag


def _read_prologue(text: str) -> tuple[bool, dict[str, str]]:
    """Whether the text is an Update (its first word after BASE/PREFIX/VERSION), and its prefixes."""
    base, prefixes = "", {}
    expecting = None
    for token in _TOKEN.finditer(text):
        kind, value = token.lastgroup, token.group()
        if kind in ("space", "comment"):
            continue
        if expecting == "base" and kind == "iri":
            base, expecting = urljoin(base, _iri(value)), None
        elif expecting == "prefix" and kind == "pname" and value.endswith(":"):
            expecting = ("iri-of", value[:-1])
        elif isinstance(expecting, tuple) and kind == "iri":
            prefixes[expecting[1]] = urljoin(base, _iri(value))
            expecting = None
        elif expecting == "version" and kind == "string":
            expecting = None
        elif expecting is None and kind == "word" and value.upper() in ("BASE", "PREFIX", "VERSION"):
            expecting = value.lower()
        else:
            return kind == "word" and value.upper() in _UPDATE_WORDS, prefixes
    return False, prefixes


def _iri(token: str) -> str:
    return re.sub(_UCHAR, lambda escape: chr(int(escape.group()[2:], 16)), token[1:-1])
