"""`racegraph query`: SPARQL over the store from the command line, printed as a table, JSON, CSV or TSV."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph

from graph.metadata import prefixes, query_prefixes
from graph.query_gate import QueryRefused, check_query
from graph.store import is_graph_result, open_store, read_build_info

_FORMATS = {
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
}


class QueryError(ValueError):
    """The query text is not SPARQL the store accepts (the message carries the parser's position), or
    the gate refuses it (an Update, SERVICE while remote calls are off, nesting past the limit)."""


def run_query(store_dir: Path, text: str, *, allow_remote_service: bool = False, store_url: str | None = None,
              default_graph: str | None = None):
    """The query's results over the store, or over the SPARQL server at `store_url` that holds the build
    (graph.remote_store). The same gate as the SPARQL endpoint's runs first, so the command never
    contacts another endpoint unless asked to; relative IRIs resolve against the base URI."""
    try:
        check_query(text, allow_service=allow_remote_service)
    except QueryRefused as refusal:
        raise QueryError(str(refusal).replace("this endpoint", "this command")) from None
    info = read_build_info(store_dir)
    if store_url:
        from graph.remote_store import RemoteStore

        store = RemoteStore(store_url, default_graph=default_graph, graph_prefix=info.base_uri + "graph/")
    else:
        store = open_store(store_dir)
    try:
        return store.query(text, prefixes=query_prefixes(info.base_uri), base_iri=info.base_uri)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from None
    except OSError as error:
        raise QueryError(f"query failed: {error}") from None


def render_query(results, output_format: str, store_dir: Path) -> bytes:
    if isinstance(results, pyoxigraph.QueryBoolean):  # ASK: a table of one answer is the word itself
        if output_format in _FORMATS:
            return results.serialize(format=_FORMATS[output_format]) + b"\n"
        return b"true\n" if results else b"false\n"
    if is_graph_result(results):
        info = read_build_info(store_dir)
        return pyoxigraph.serialize(results, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes(info.base_uri))
    if output_format in _FORMATS:
        return results.serialize(format=_FORMATS[output_format])
    return _table(results).encode("utf-8")


def _table(solutions: pyoxigraph.QuerySolutions) -> str:
    names = [variable.value for variable in solutions.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in solutions]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]
    out = io.StringIO()
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out.write(line + "\n")
    out.write("| " + " | ".join(n.ljust(w) for n, w in zip(names, widths)) + " |\n")
    out.write(line + "\n")
    for row in rows:
        out.write("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |\n")
    out.write(line + "\n")
    out.write(f"{len(rows)} row{'s' if len(rows) != 1 else ''}\n")
    return out.getvalue()


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<{term.value}>"
    return term.value
