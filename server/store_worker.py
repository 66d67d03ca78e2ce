"""A store worker: a child process that reads the store for pages, documents, the API and VoID.

The server's own queries run here, not in the web process, so they are bounded in time the same way
ad-hoc SPARQL is (server.query_runner kills a worker that overruns PAGE_TIMEOUT) and they have their
own workers and queue, apart from /sparql's. The worker answers calls of the read-only Store methods
pages use, with the results read out in full (pages bound their own queries with LIMIT), so they
travel back pickled:

    {"kind": "ok", "value": list[Row] | bool | list[Triple] | list[Quad] | ...}
    {"kind": "exhausted", "message": str}       past RLIMIT_AS: the server answers 503
    {"kind": "crash", "message": traceback}     our own query failed: a bug, the server answers 500

Each message from the server is {"build": folder, "job": {"method", "args", "kwargs"}}; the worker
reopens the store when the folder changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from graph.store import open_store
from graph.store_dir import hold_build
from server.worker_process import run_worker
from server.store_rows import Row, Solutions

METHODS = frozenset({"query", "quads_for_pattern", "contains_named_graph", "named_graphs", "__len__"})


class _OpenStore:
    def __init__(self, folder: str):
        self.folder = folder
        self.hold = hold_build(Path(folder))
        self.store = open_store(Path(folder), read_only=True)

    def close(self) -> None:
        del self.store
        self.hold.close()


def call(store: ox.Store, method: str, args: list, kwargs: dict):
    """Run one read-only Store method and read its result out in full."""
    if method not in METHODS:
        raise ValueError(f"store method {method!r} is not one a page may call")
    result = getattr(store, method)(*args, **kwargs)
    if isinstance(result, ox.QuerySolutions):
        names = tuple(variable.value for variable in result.variables)
        return Solutions(names, [Row(names, tuple(solution[name] for name in names)) for solution in result])
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, (ox.QueryTriples,)) or hasattr(result, "__next__"):
        return list(result)
    return result


def handle(opened: _OpenStore, job: dict) -> dict:
    """The reply to one job from the server (see server.worker_process.serve_jobs); a failure of our own
    query is a bug: serve_jobs reports it as a crash, which the server logs and answers 500."""
    return {"kind": "ok", "value": call(opened.store, job["method"], job["args"], job["kwargs"])}


if __name__ == "__main__":
    run_worker(sys.argv[1:], _OpenStore, handle)
