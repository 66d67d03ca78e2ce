"""A SPARQL 1.1 server as the store, spoken to over the SPARQL 1.1 Protocol (reads) and the Graph Store
HTTP Protocol (`graph.publish` writes).

`RemoteStore` answers the same calls as the embedded pyoxigraph store (`graph.store.GraphStore`) with the
same result types: the server's SPARQL XML results are parsed by pyoxigraph into `QuerySolutions` or
`QueryBoolean`, its N-Triples into `Triple`s. Results are streamed: a caller that stops after N rows stops
reading, and the connection is dropped.

Where the merge of the named graphs lives. racegraph's default graph is the RDF merge of its named graphs.
A server whose Graph Store Protocol can write its default graph (Oxigraph) holds the merge there, and
queries go to it unchanged. A server that cannot (Virtuoso: its default graph is the union of every graph
it holds, its own system graphs included) holds the merge in a named graph of its own (`default_graph`);
then each query without a dataset of its own is sent with `default-graph-uri` naming that graph and, when
it uses GRAPH, `named-graph-uri` naming racegraph's graphs, so it sees exactly what the embedded store has.

Every query is first parsed locally by pyoxigraph: a syntax error reads exactly as on the embedded store,
and engine extensions (Virtuoso's `DEFINE` pragmas, which can make it fetch URLs) never reach the server.
"""

from __future__ import annotations

import copy
from decimal import Decimal
import heapq
import io
import re
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import requests

XML_RESULTS = "application/sparql-results+xml"
JSON_RESULTS = "application/sparql-results+json"
# one type each: Virtuoso answers 406 when the first type it is offered does not fit the query's form
RESULTS_ACCEPT = XML_RESULTS
GRAPH_ACCEPT = "application/n-triples"
_RESULT_FORMATS = {XML_RESULTS: ox.QueryResultsFormat.XML, JSON_RESULTS: ox.QueryResultsFormat.JSON}
_GRAPH_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                  "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML}
_EXCLUDE = "racegraph:virtuoso-named-graph-exclude"  # a graph to leave out, sent as a Virtuoso pragma
NO_GRAPH = "urn:racegraph:no-graph"  # names an empty graph list in the protocol, which has no word for one
CONNECT_TIMEOUT = 5.0


class RemoteStoreError(ConnectionError):
    """The store server could not be reached, or failed (5xx), or answered something that is not SPARQL."""


class RemoteTimeout(RemoteStoreError):
    """The server did not finish answering within the time given to the query."""


class QueryRefusedByServer(SyntaxError):
    """The server refused the query as malformed (400) although pyoxigraph accepted it: its message says why."""


# --- reading query text --------------------------------------------------------------------------

_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<comment>#[^\n]*)|(?P<var>[?$]\w+)'
    r"|(?P<pname>[A-Za-z_][\w.-]*:[\w.:%-]*|:[\w.:%-]*)|(?P<word>[A-Za-z_]\w*)|(?P<brace>\{)"
)


@dataclass(frozen=True)
class _Shape:
    declared: frozenset[str]  # prefixes the text declares
    has_from: bool  # a FROM or FROM NAMED clause: the query names its own dataset
    has_graph: bool  # a GRAPH pattern: named graphs matter
    graph_iris: frozenset[str]  # the graphs named by `GRAPH <iri>`
    graph_other: bool  # a `GRAPH ?var` (or GRAPH with a prefixed name)
    body: int  # offset just inside the outermost group pattern (for substitutions)


def _shape(text: str) -> _Shape:
    tokens = [(token.lastgroup, token.group(), token.end()) for token in _TOKEN.finditer(text)]
    words = [value.upper() for kind, value, _ in tokens if kind == "word"]
    declared = {value.split(":", 1)[0] for (kind, value, _), (before, word, _) in zip(tokens[1:], tokens)
                if kind == "pname" and before == "word" and word.upper() == "PREFIX"}
    # the outermost group: the first brace after WHERE, or the first brace when WHERE is left out
    seen_where, body = "WHERE" not in words, -1
    for kind, value, end in tokens:
        if kind == "word" and value.upper() == "WHERE":
            seen_where = True
        elif kind == "brace" and seen_where:
            body = end
            break
    after_graph = [tokens[i + 1] for i, (kind, value, _) in enumerate(tokens[:-1])
                   if kind == "word" and value.upper() == "GRAPH"]
    graph_iris = frozenset(value[1:-1] for kind, value, _ in after_graph if kind == "iri")
    graph_other = any(kind != "iri" for kind, _, _ in after_graph)
    return _Shape(declared=frozenset(declared), has_from="FROM" in words, has_graph="GRAPH" in words,
                  graph_iris=graph_iris, graph_other=graph_other, body=body)


def with_prefixes(text: str, prefixes: dict[str, str] | None) -> str:
    """The query with a PREFIX declaration for each of `prefixes` the text does not declare itself."""
    declared = _shape(text).declared
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items() if name not in declared]
    return "\n".join([*lines, text]) if lines else text


def with_base_first(text: str, base_iri: str | None) -> str:
    """The query with one BASE, first, and every PREFIX of its prologue made absolute: what it meant with
    `base_iri` as the base and its own BASE declarations wherever the prologue had them.

    SPARQL lets BASE and PREFIX come in any order and any number; Virtuoso takes one BASE, at the start
    (SP030 otherwise). Each declaration is resolved against the base in force where it stands, so the
    rewritten prologue means what the original did."""
    tokens = [token for token in _TOKEN.finditer(text) if token.lastgroup != "comment"]
    base, declarations, index, end, saw_base = base_iri, [], 0, 0, False
    while index + 1 < len(tokens):
        word = tokens[index]
        if word.lastgroup != "word" or word.group().upper() not in ("BASE", "PREFIX"):
            break
        if word.group().upper() == "BASE" and tokens[index + 1].lastgroup == "iri":
            iri = tokens[index + 1].group()[1:-1]
            base = _resolved(iri, base)
            saw_base, end, index = True, tokens[index + 1].end(), index + 2
        elif (word.group().upper() == "PREFIX" and index + 2 < len(tokens)
              and tokens[index + 1].lastgroup == "pname" and tokens[index + 2].lastgroup == "iri"):
            iri = tokens[index + 2].group()[1:-1]
            declarations.append(f"PREFIX {tokens[index + 1].group()} <{_resolved(iri, base)}>")
            end, index = tokens[index + 2].end(), index + 3
        else:
            break
    if not saw_base and base_iri is None:
        return text
    return "\n".join([f"BASE <{base}>", *declarations, text[end:]])


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_RESOLVER = ox.Store()  # empty: only its parser is used, to resolve IRIs exactly as the engine does


def _resolved(iri: str, base: str | None) -> str:
    """`iri` resolved against `base` (RFC 3986, by pyoxigraph's own parser); an absolute IRI as it is."""
    if base is None or _SCHEME.match(iri):
        return iri
    return next(iter(_RESOLVER.query(f"SELECT (<{iri}> AS ?x) {{}}", base_iri=base)))["x"].value


def without_dataset_clauses(text: str) -> str:
    """The query without its FROM and FROM NAMED clauses, for when the protocol gives the dataset (which then
    wins, SPARQL 1.1 Protocol 2.1.4; Virtuoso would merge the two)."""
    tokens = list(_TOKEN.finditer(text))
    cuts, index = [], 0
    while index < len(tokens):
        token = tokens[index]
        if token.lastgroup == "word" and token.group().upper() == "FROM":
            end = index + 1
            if end < len(tokens) and tokens[end].lastgroup == "word" and tokens[end].group().upper() == "NAMED":
                end += 1
            if end < len(tokens) and tokens[end].lastgroup in ("iri", "pname"):
                cuts.append((token.start(), tokens[end].end()))
                index = end
        index += 1
    for start, end in reversed(cuts):
        text = text[:start] + " " + text[end:]
    return text


def with_substitutions(text: str, substitutions: dict) -> str:
    """The query with its variables bound as pyoxigraph's `substitutions=` binds them: a VALUES block
    opening the outermost group pattern."""
    if not substitutions:
        return text
    at = _shape(text).body
    if at < 0:
        raise ValueError("cannot bind variables in a query without a WHERE group")
    names = " ".join(f"?{variable.value}" for variable in substitutions)
    values = " ".join(_term_text(term) for term in substitutions.values())
    return f"{text[:at]} VALUES ({names}) {{ ({values}) }} {text[at:]}"


def _term_text(term) -> str:
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    raise TypeError(f"only IRIs and literals can be bound in a query sent to a server, not {term!r}")


# --- a hard deadline on every answer ------------------------------------------------------------------

class _Answer(io.RawIOBase):
    """The body of a server's answer as pyoxigraph reads it, cut off at the query's deadline.

    pyoxigraph passes the exception raised here on to whoever iterates the results, so a query past its
    time raises RemoteTimeout wherever its rows are being read."""

    def __init__(self, raw, deadline: float, endpoint: str, fix_line=None):
        super().__init__()
        self._raw = raw
        self._fix_line = fix_line
        self._pending = b""  # fixed bytes not yet handed over
        self._partial = b""  # the start of a line not yet read to its end
        self._deadline = deadline
        self._endpoint = endpoint
        self.expired = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._read(len(buffer))
        except Exception as error:  # urllib3's and the socket's own; turned into the store's two errors
            if self.expired or "timed out" in str(error).lower():
                raise self._timeout() from None
            raise RemoteStoreError(f"reading the answer of {self._endpoint} failed: {error}") from None
        if self.expired:
            raise self._timeout()
        buffer[:len(data)] = data
        return len(data)

    def _read(self, size: int) -> bytes:
        if self._fix_line is None:
            return self._raw.read(size)
        while not self._pending:  # the server's answer, whole lines at a time, through the engine's fixes
            chunk = self._raw.read(65536)
            if not chunk:
                self._pending, self._partial = self._fix_line(self._partial), b""
                if not self._pending:
                    return b""
                break
            lines, newline, self._partial = (self._partial + chunk).rpartition(b"\n")
            if newline:
                self._pending = self._fix_line(lines + newline)
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def expire(self) -> None:
        """Called by the watchdog at the deadline: unblocks a read waiting on the socket."""
        self.expired = True
        self._raw.close()

    def close(self) -> None:
        self._raw.close()
        super().close()

    def _timeout(self) -> RemoteTimeout:
        return RemoteTimeout(f"the store server {self._endpoint} did not finish answering in time")


class _Watchdog:
    """Expires answers still being read at their deadline; one thread for every query of the process."""

    def __init__(self):
        self._heap: list = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._count = 0

    def watch(self, deadline: float, answer: _Answer) -> None:
        with self._cond:
            self._count += 1
            heapq.heappush(self._heap, (deadline, self._count, weakref.ref(answer)))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="racegraph-remote-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._cond.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                _, _, ref = heapq.heappop(self._heap)
            answer = ref()
            if answer is not None and not answer.closed:
                answer.expire()


_WATCHDOG = _Watchdog()


# --- the store ---------------------------------------------------------------------------------

class RemoteStore:
    """A SPARQL 1.1 server holding one racegraph build; see the module docstring.

    `endpoint` is its SPARQL query URL; `default_graph` the IRI of the named graph holding the merge, or
    None when the server's own default graph holds it; `graph_prefix` the start of racegraph's graph IRIs
    (the build's base + "graph/"), used to tell them from other graphs the server holds; `timeout` the
    seconds any one query may take, from sending it to reading its last row.
    """

    def __init__(self, endpoint: str, *, default_graph: str | None = None, graph_prefix: str | None = None,
                 timeout: float = 30.0, auth: tuple[str, str] | None = None):
        self.endpoint = endpoint
        self.default_graph = default_graph or None
        self.graph_prefix = graph_prefix
        self.timeout = float(timeout)
        self._auth = auth
        self._local = threading.local()
        self._parser = ox.Store()  # empty, in memory: checks syntax locally
        # learnt from the server, once; shared with the `with_timeout` copies
        self._shared: dict = {"virtuoso": False, "own graphs": None, "other graphs": None}

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r}, default_graph={self.default_graph!r})"

    def with_timeout(self, seconds: float) -> RemoteStore:
        """The same store (same connections, same caches), its queries bounded by `seconds` instead."""
        bounded = copy.copy(self)
        bounded.timeout = float(seconds)
        return bounded

    # -- the GraphStore interface --

    def query(self, query: str, *, prefixes: dict[str, str] | None = None, substitutions: dict | None = None,
              default_graph: list | None = None, named_graphs: list | None = None, base_iri: str | None = None):
        # parsing on an empty store raises SyntaxError as the embedded store does, and tells the query's form
        form = self._parser.query(query, prefixes=prefixes, base_iri=base_iri)
        accept = GRAPH_ACCEPT if isinstance(form, ox.QueryTriples) else RESULTS_ACCEPT
        text = with_substitutions(with_prefixes(query, prefixes), substitutions or {})
        # relative IRIs resolve as they did in the local parse
        text = with_base_first(text, base_iri or None)
        if default_graph is not None or named_graphs is not None:
            text = without_dataset_clauses(text)
        return self._send(text, self._dataset(text, default_graph, named_graphs), accept)

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> Iterator[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": object}
        for name, term in terms.items():
            if term is not None:
                _term_text(term)  # a blank node cannot be named in a query: refuse it rather than match anything
        pattern = " ".join(str(term) if term is not None else f"?{name}" for name, term in terms.items())
        if graph_name is None or isinstance(graph_name, ox.DefaultGraph):
            for row in self._send(f"SELECT ?s ?p ?o WHERE {{ {pattern} }}", self._dataset("", None, None)):
                yield ox.Quad(*(terms[n] or row[n] for n in "spo"), ox.DefaultGraph())
        if graph_name is None:
            for row in self.query(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ {pattern} }} }}"):
                yield ox.Quad(*(terms[n] or row[n] for n in "spo"), row["g"])
        elif not isinstance(graph_name, ox.DefaultGraph):
            for row in self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph_name} {{ {pattern} }} }}"):
                yield ox.Quad(*(terms[n] or row[n] for n in "spo"), graph_name)

    def contains_named_graph(self, graph_name: ox.NamedNode) -> bool:
        if self.default_graph is not None:
            return graph_name.value in self.own_graphs()
        return bool(self.query(f"ASK {{ GRAPH {graph_name} {{ ?s ?p ?o }} }}"))

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return (ox.NamedNode(iri) for iri in self.own_graphs())

    # -- the dataset --

    def own_graphs(self) -> list[str]:
        """racegraph's named graphs on the server (not the merge's graph, nor graphs of other datasets);
        read once."""
        if self._shared["own graphs"] is None:
            # GROUP BY, not DISTINCT: Virtuoso answers it in milliseconds rather than seconds
            rows = self._send("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", [])
            found = sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))
            own = [g for g in found if g != self.default_graph
                   and (self.graph_prefix is None or g.startswith(self.graph_prefix))]
            self._shared["other graphs"] = [g for g in found if g not in set(own)]
            self._shared["own graphs"] = own
        return self._shared["own graphs"]

    def _dataset(self, text: str, default_graph: list | None, named_graphs: list | None) -> list[tuple[str, str]]:
        if default_graph is not None or named_graphs is not None:  # the caller's (FROM was dropped from the text)
            defaults = [g.value for g in default_graph or []]
            named = [g.value for g in named_graphs or []]
            if self.default_graph is not None:  # an empty list must not mean "every graph" to the server
                defaults, named = defaults or [NO_GRAPH], named or [NO_GRAPH]
            return [("default-graph-uri", g) for g in defaults] + [("named-graph-uri", g) for g in named]
        if self.default_graph is None:
            return []
        shape = _shape(text)
        if shape.has_from:
            return []
        parameters = [("default-graph-uri", self.default_graph)]
        if shape.has_graph:
            own = self.own_graphs()
            if self._shared["virtuoso"] and not shape.graph_other:
                # Virtuoso sees no named graph but those named (`GRAPH <iri>`) once a default graph is given
                parameters += [("named-graph-uri", g) for g in sorted(shape.graph_iris)]
            elif self._shared["virtuoso"] and not shape.graph_iris:
                # `GRAPH ?g` on Virtuoso: leave out the few graphs that are not racegraph's (its own, the
                # merge's) rather than list thousands of article graphs, which it echoes as one header each
                parameters += [(_EXCLUDE, g) for g in self._shared["other graphs"]]
            else:
                parameters += [("named-graph-uri", g) for g in own or [NO_GRAPH]]
        return parameters

    # -- the protocol --

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.auth = self._auth
        return session

    def _send(self, text: str, dataset: list[tuple[str, str]], accept: str = RESULTS_ACCEPT):
        deadline = time.monotonic() + self.timeout
        pragmas = "".join(f"define input:named-graph-exclude <{g}>\n" for name, g in dataset if name == _EXCLUDE)
        form = [("query", pragmas + text), *((name, g) for name, g in dataset if name != _EXCLUDE)]
        if self._shared["virtuoso"]:  # Virtuoso stops a query at `timeout` ms itself (and says so: S1TAT)
            form.append(("timeout", str(int(self.timeout * 1000))))
        try:
            answer = self._session().post(
                self.endpoint, data=form, stream=True, timeout=(CONNECT_TIMEOUT, self.timeout),
                headers={"Accept": accept, "Accept-Encoding": "identity"})
        except requests.Timeout:
            raise RemoteTimeout(f"the store server {self.endpoint} did not answer within {self.timeout:g} s") from None
        except requests.RequestException as error:
            raise RemoteStoreError(f"the store server {self.endpoint} cannot be reached: {error}") from None
        if answer.headers.get("Server", "").startswith("Virtuoso"):
            self._shared["virtuoso"] = True
        if answer.headers.get("X-SQL-State") == "S1TAT":  # Virtuoso's "anytime" answer: cut short, incomplete
            answer.close()
            raise RemoteTimeout(f"the store server {self.endpoint} stopped the query at its time limit")
        if answer.status_code == 400:
            message = _excerpt(answer)
            raise QueryRefusedByServer(f"the store server refused the query: {message}")
        if answer.status_code != 200:
            raise RemoteStoreError(f"the store server {self.endpoint} answered {answer.status_code}: {_excerpt(answer)}")
        media = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
        body = _Answer(answer.raw, deadline, self.endpoint, fix_line=_virtuoso_line if self._shared["virtuoso"] else None)
        _WATCHDOG.watch(deadline, body)
        if media in _RESULT_FORMATS:
            return _boolean_if_ask(ox.parse_query_results(body, format=_RESULT_FORMATS[media]))
        if media in _GRAPH_FORMATS:
            return (quad.triple for quad in ox.parse(body, format=_GRAPH_FORMATS[media]))
        answer.close()
        raise RemoteStoreError(f"the store server {self.endpoint} answered {media or 'no Content-Type'}, "
                               "not SPARQL results nor RDF")


# --- Virtuoso's ways --------------------------------------------------------------------------------

_XSD_DURATION = rb"http://www.w3.org/2001/XMLSchema#duration"
_SECONDS_DURATION = re.compile(rb'(<literal datatype="' + _XSD_DURATION + rb'">|")(-?[0-9]+(?:\.[0-9]+)?)'
                               rb'(</literal>|"\^\^<' + _XSD_DURATION + rb'>)')


def _virtuoso_line(line: bytes) -> bytes:
    """One line of a Virtuoso answer made standard: its blank nodes (`nodeID://b1`) get labels SPARQL XML
    allows, and its xsd:duration values, which it stores and returns as a bare number of seconds
    ("87.775"), get back their duration form ("PT1M27.775S", as written in the data and by Oxigraph)."""
    line = line.replace(b"<bnode>nodeID://", b"<bnode>")
    if _XSD_DURATION in line:
        line = _SECONDS_DURATION.sub(lambda m: m[1] + duration_text(Decimal(m[2].decode())).encode() + m[3], line)
    return line


def duration_text(seconds: Decimal) -> str:
    """The canonical xsd:duration of a number of seconds: PT1M27.775S, P1DT2H, PT0S."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    second_text = format(rest.normalize(), "f") if rest else ""
    time_part = "".join(f"{int(v)}{u}" for v, u in ((hours, "H"), (minutes, "M")) if v) + (f"{second_text}S" if rest else "")
    text = sign + "P" + (f"{int(days)}D" if days else "") + ("T" + time_part if time_part else "")
    return text if text.rstrip("-") != "P" else "PT0S"


_TRUE = ox.parse_query_results(b'{"head": {}, "boolean": true}', format=ox.QueryResultsFormat.JSON)
_FALSE = ox.parse_query_results(b'{"head": {}, "boolean": false}', format=ox.QueryResultsFormat.JSON)


def _boolean_if_ask(results):
    """Virtuoso answers ASK as a one-column SELECT (`__ASK_RETVAL`, one row 1 for true, none for false)."""
    if isinstance(results, ox.QuerySolutions) and [v.value for v in results.variables] == ["__ASK_RETVAL"]:
        row = next(iter(results), None)
        return _TRUE if row is not None and row[0].value not in ("0", "false") else _FALSE
    return results


def _excerpt(answer: requests.Response, limit: int = 500) -> str:
    try:
        text = answer.raw.read(limit + 1, decode_content=True).decode("utf-8", "replace")
    finally:
        answer.close()
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "") or "(no message)"
