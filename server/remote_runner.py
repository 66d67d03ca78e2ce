"""The SPARQL endpoint's queries when the store is a SPARQL server (the STORE_URL setting).

They run in the request thread: there is no local evaluation to kill, since the server evaluates and a
query past QUERY_TIMEOUT is cut off by dropping its connection (graph.remote_store). Admission is the
embedded store's: at most QUERY_WORKERS queries of a server process are at the store server at once,
QUERY_QUEUE more wait for a turn, and MAX_QUERIES_PER_CLIENT come from one address; past these the
request is refused at once (503, 429), so one busy web process cannot pile work onto the store server. The checks and the
answers are the query worker's own (`server.query_worker.run`, the same code the embedded store's workers
run): read-only, the SERVICE gate, graphs only from the store, the row cap, the result formats. So a
query is refused, cut or answered the same way whatever the store.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import nullcontext

from graph.metadata import query_prefixes
from graph.remote_store import RemoteStore, RemoteStoreError, RemoteTimeout
from server import query_worker
from server.query_runner import Admission, Limits, QueryTimeout
from server.query_worker import Job


class RemoteRunner:
    """Same `run(job, timeout)` as query_runner.QueryPool, on a RemoteStore."""

    def __init__(self, store: RemoteStore, base_uri: str, limits: Limits):
        self.pid = os.getpid()
        self.store = store
        self.known_prefixes = query_prefixes(base_uri)
        self._graphs: frozenset[str] | None = None
        self._gate = Admission(limits, "query")
        self._turns = threading.BoundedSemaphore(limits.size)  # queries at the store server now

    def graphs(self) -> frozenset[str]:
        if self._graphs is None:
            self._graphs = frozenset(graph.value for graph in self.store.named_graphs())
        return self._graphs

    def admission(self, client: str | None):
        return self._gate.admit(client)

    def run(self, job: Job, timeout: float, *, build: str | None = None, client: str | None = None,
            admitted: bool = False) -> dict:
        """The reply to `job` (`build` is the worker pool's: the store server holds one build). Waiting for
        a turn counts against `timeout`, as waiting for a free worker does."""
        started = time.monotonic()
        with nullcontext() if admitted else self.admission(client):
            if not self._turns.acquire(timeout=timeout):
                raise QueryTimeout("the query waited for a turn at the store server longer than")
            try:
                left = max(0.001, timeout - (time.monotonic() - started))
                return self._ask(job, left)
            finally:
                self._turns.release()

    def _ask(self, job: Job, timeout: float) -> dict:
        try:
            return query_worker.run(self.store.with_timeout(timeout), self.graphs(), job, self.known_prefixes)
        except query_worker.Refused as refusal:
            return {"kind": "refused", "status": refusal.status, "message": refusal.message}
        except RemoteTimeout:
            raise QueryTimeout("the query ran longer than") from None
        except RemoteStoreError as error:
            return {"kind": "refused", "status": 502, "message": f"the store server failed: {error}"}

    def close(self) -> None:
        """Nothing to stop: connections close with their threads."""
