"""The store as pages, documents, the JSON API and VoID read it: through their own pool of store
workers (server.store_worker), bounded in time, apart from ad-hoc SPARQL.

Before, these queries ran in the web process with no bound: on a 1M-quad graph one VoID request
took 14 s and four of them stalled everything else. Now:

- each request's store calls together may take PAGE_TIMEOUT seconds; past it the worker running the
  call is killed (pyoxigraph cannot cancel a query) and the client gets 503 with Retry-After;
- a request is admitted to the page lane on its first store call and leaves it when it ends; at
  most PAGE_WORKERS + PAGE_QUEUE requests are in the lane, the next is refused at once with 503;
- /sparql has its own workers and queue (server.query_runner), so a flood of ad-hoc queries never
  delays a page, and the reverse.

The cost is one round trip to a worker per store call (results pickled); docs/reliability.md has
the figures.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import ExitStack

from flask import Flask, current_app, g
from werkzeug.exceptions import ServiceUnavailable

from server.query_runner import RETRY_AFTER, Limits, QueryPool, QueryTimeout, WorkerFailed

POOL = "racegraph.page_pool"


class PageTimeout(ServiceUnavailable):
    """The page's own queries took longer than PAGE_TIMEOUT."""


class BoundedStore:
    """The read-only Store methods pages call, each run in a store worker under the request's deadline."""

    def __init__(self, pool: QueryPool, build: str, deadline: float, timeout: float):
        self._pool = pool
        self._build = build
        self._deadline = deadline
        self._timeout = timeout

    def _call(self, method: str, *args, **kwargs):
        remaining = self._deadline - time.monotonic()
        try:
            reply = self._pool.run({"method": method, "args": list(args), "kwargs": kwargs}, remaining,
                                   build=self._build, admitted=True)
        except QueryTimeout:
            raise PageTimeout(f"this page's queries took longer than {self._timeout:g} s (the PAGE_TIMEOUT "
                              "setting) and were stopped; try again later", retry_after=RETRY_AFTER) from None
        if reply["kind"] != "ok":
            raise WorkerFailed(f"store worker failed on {method}{args!r}:\n{reply['message']}")
        return reply["value"]

    def query(self, query: str, **options):
        return self._call("query", query, **options)

    def quads_for_pattern(self, subject, predicate, object, graph_name=None):  # noqa: A002 (pyoxigraph's names)
        return self._call("quads_for_pattern", subject, predicate, object, graph_name)

    def contains_named_graph(self, graph_name) -> bool:
        return self._call("contains_named_graph", graph_name)

    def named_graphs(self):
        return self._call("named_graphs")

    def __len__(self) -> int:
        return self._call("__len__")


def init_app(app: Flask) -> None:
    app.extensions[POOL] = None
    app.extensions[POOL + "_lock"] = threading.Lock()
    app.teardown_request(_leave_lane)
    if not app.testing:
        with app.app_context():
            _pool()


def store_for_request(build: str) -> BoundedStore:
    """This request's bounded store: admitted to the page lane on first use (503 when it is full)."""
    if "racegraph_page_store" not in g:
        pool = _pool()
        lane = ExitStack()
        lane.enter_context(pool.admission(None))
        g.racegraph_page_lane = lane
        timeout = float(current_app.config["PAGE_TIMEOUT"])
        g.racegraph_page_store = BoundedStore(pool, build, time.monotonic() + timeout, timeout)
    return g.racegraph_page_store


def _leave_lane(_error=None) -> None:
    lane = g.pop("racegraph_page_lane", None)
    if lane is not None:
        lane.close()


def _pool() -> QueryPool:
    with current_app.extensions[POOL + "_lock"]:
        pool = current_app.extensions[POOL]
        if pool is None or pool.pid != os.getpid():
            config = current_app.config
            limits = Limits(size=int(config["PAGE_WORKERS"]), queue=int(config["PAGE_QUEUE"]),
                            per_client=int(config["PAGE_WORKERS"]) + int(config["PAGE_QUEUE"]),
                            memory_mb=int(config["QUERY_WORKER_MEMORY_MB"]))
            pool = QueryPool(os.path.realpath(config["STORE"]), limits, name="page", module="server.store_worker",
                             start_all=not current_app.testing)
            current_app.extensions[POOL] = pool
        return pool
