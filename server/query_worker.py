"""A query worker: a child process that opens the store read-only once and answers jobs over a pipe.

Everything a query costs happens here (parsing, checking, evaluating, serialising), so the server can
stop a query that runs too long by killing this process. Replies are plain dicts:

    {"kind": "ok", "body": bytes, "media_type": str, "truncated": bool}
    {"kind": "refused", "status": int, "message": str}      the client's fault: 4xx
    {"kind": "exhausted", "message": str}                    past the memory cap: the server answers 503
    {"kind": "crash", "message": traceback}                  a bug: the server answers 500

Each message from the server is {"build": folder, "job": Job fields}; a worker reopens the store when
the folder changes (the server moved to a new build).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.metadata import query_prefixes
from graph.store import is_graph_result, open_store, read_build_info
from graph.query_gate import DEFAULT_MAX_DEPTH, QueryRefused, check_query
from graph.store_dir import hold_build
from server.capped_results import write_solutions
from server.sparql_formats import GRAPH_FORMATS, RESULTS_FORMATS, media_type
from server.worker_process import run_worker

DATASET_FORMATS = {"nquads", "trig"}
QUERY_NICENESS = 10  # ad-hoc queries run below the pages' store workers in CPU priority


@dataclass(frozen=True)
class Job:
    query: str
    default_graphs: tuple[str, ...]  # default-graph-uri parameters
    named_graphs: tuple[str, ...]  # named-graph-uri parameters
    results_format: str | None  # for SELECT/ASK (a RESULTS_FORMATS name), None: not acceptable
    graph_format: str | None  # for CONSTRUCT/DESCRIBE (a GRAPH_FORMATS name), None: not acceptable
    max_rows: int
    allow_remote: bool
    max_bytes: int = 10_485_760  # the answer's body is cut (at a row) to at most this many bytes
    max_depth: int = DEFAULT_MAX_DEPTH  # the gate's nesting limit (graph.query_gate)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's URL)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _OpenBuild:
    """The build this worker reads: its store, named graphs and prefixes, and a shared lock that
    keeps `racegraph build` from deleting the build while it is open (graph.store_dir.prune)."""

    def __init__(self, folder: str):
        self.folder = folder
        self.hold = hold_build(Path(folder))
        self.store = open_store(Path(folder), read_only=True)
        self.graphs = frozenset(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
        self.prefixes = query_prefixes(read_build_info(Path(folder)).base_uri)

    def close(self) -> None:
        del self.store
        self.hold.close()


def handle(build: _OpenBuild, job: dict) -> dict:
    """The reply to one job from the server (see server.worker_process.serve_jobs)."""
    try:
        return run(build.store, build.graphs, Job(**job), build.prefixes)
    except Refused as refusal:
        return {"kind": "refused", "status": refusal.status, "message": refusal.message}
    except OSError as error:  # RocksDB failed to read the store
        return {"kind": "refused", "status": 503, "message": f"the store could not be read: {error}"}


def run(store: ox.Store, graphs: frozenset[str], job: Job, known_prefixes: dict[str, str]) -> dict:
    """The reply to one job. `graphs` (the store's named graphs) is not consulted: a graph the store
    does not hold is simply empty."""
    # the gate runs here too, right before the engine: the pool may be handed a job by other code
    try:
        facts = check_query(job.query, allow_service=job.allow_remote, max_depth=job.max_depth)
    except QueryRefused as refusal:
        raise Refused(refusal.status, str(refusal)) from None
    # pyoxigraph evaluates lazily: a SERVICE call or an evaluation error may surface while the results
    # are iterated or serialised, not in store.query(), so all three sit under the same handling
    try:
        return _evaluate(store, job, facts.prefixes, known_prefixes)
    except SyntaxError as error:
        raise Refused(400, f"SPARQL syntax error: {error}") from None
    except (OSError, RuntimeError) as error:  # a remote answer that is no SPARQL results is RuntimeError
        if facts.may_use_service:
            raise Refused(502, f"a SERVICE call failed: {error}") from None
        raise


def _evaluate(store: ox.Store, job: Job, query_prefixes: dict[str, str], known_prefixes: dict[str, str]) -> dict:
    def evaluate():
        return store.query(job.query, prefixes=known_prefixes, base_iri=job.base_iri, **dataset_arguments(job))

    result = evaluate()
    if is_graph_result(result):
        return _graph_reply(result, job, {**known_prefixes, **query_prefixes})
    if job.results_format is None:
        raise Refused(406, "no acceptable format for query results: ask for one of "
                      + ", ".join(m for _, medias in RESULTS_FORMATS.values() for m in medias))
    format_ = getattr(ox.QueryResultsFormat, RESULTS_FORMATS[job.results_format][0])
    if isinstance(result, ox.QueryBoolean):
        return _ok(result.serialize(format=format_), "results", job.results_format, False)
    body, truncated = write_solutions(result, evaluate, format_, job.max_rows, job.max_bytes)
    return _ok(body, "results", job.results_format, truncated)


def dataset_arguments(job: Job) -> dict:
    """The protocol's dataset overrides the query's (SPARQL 1.1 Protocol 2.1.4): graphs it does not
    name are left out, so named-graph-uri alone gives an empty default graph. With neither, the
    query's FROM/FROM NAMED or else the store's default graph, which is the merge of all named graphs.
    A graph the store does not hold is an empty graph (as in Oxigraph and the W3C protocol tests);
    nothing is ever fetched."""
    if job.default_graphs or job.named_graphs:
        return {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs],
        }
    return {}


def _graph_reply(triples, job: Job, prefixes: dict[str, str]) -> dict:
    if job.graph_format is None:
        raise Refused(406, "no acceptable format for an RDF graph: ask for one of "
                      + ", ".join(m for _, medias in GRAPH_FORMATS.values() for m in medias))
    kept, truncated, size = [], False, 0
    for triple in triples:
        size += _term_size(triple.subject) + _term_size(triple.predicate) + _term_size(triple.object) + 8
        if len(kept) == job.max_rows or size > job.max_bytes:
            truncated = True
            break
        kept.append(triple)
    if job.graph_format in DATASET_FORMATS:
        kept = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    format_ = getattr(ox.RdfFormat, GRAPH_FORMATS[job.graph_format][0])
    named = {k: v for k, v in prefixes.items() if k} or None
    body = ox.serialize(kept, format=format_, prefixes=named)
    while len(body) > job.max_bytes and kept:  # the format's overhead (RDF/XML, JSON-LD) pushed it past the cap
        truncated = True
        kept = kept[: min(len(kept) - 1, int(len(kept) * job.max_bytes / len(body) * 0.95))]
        body = ox.serialize(kept, format=format_, prefixes=named)
    return _ok(body, "graph", job.graph_format, truncated)


def _term_size(term) -> int:
    if isinstance(term, ox.Triple):
        return _term_size(term.subject) + _term_size(term.predicate) + _term_size(term.object) + 8
    return len(term.value.encode()) + 2


def _ok(body: bytes, kind: str, name: str, truncated: bool) -> dict:
    return {"kind": "ok", "body": body, "media_type": media_type(kind, name), "truncated": truncated}


if __name__ == "__main__":
    run_worker(sys.argv[1:], _OpenBuild, handle, niceness=QUERY_NICENESS)
