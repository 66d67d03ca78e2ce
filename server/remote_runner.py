"""The SPARQL endpoint's queries when the store is a SPARQL server (the STORE_URL setting).

They run in the request thread: there is no local evaluation to kill, since the server evaluates and a
query past QUERY_TIMEOUT is cut off by dropping its connection (graph.remote_store). The checks and the
answers are the query worker's own (`server.query_worker.run`, the same code the embedded store's workers
run): read-only, the SERVICE gate, graphs only from the store, the row cap, the result formats. So a
query is refused, cut or answered the same way whatever the store.
"""

from __future__ import annotations

import os

from graph.metadata import query_prefixes
from graph.remote_store import RemoteStore, RemoteStoreError, RemoteTimeout
from server import query_worker
from server.query_runner import QueryTimeout
from server.query_worker import Job


class RemoteRunner:
    """Same `run(job, timeout)` as query_runner.QueryPool, on a RemoteStore."""

    def __init__(self, store: RemoteStore, base_uri: str):
        self.pid = os.getpid()
        self.store = store
        self.known_prefixes = query_prefixes(base_uri)
        self._graphs: frozenset[str] | None = None

    def graphs(self) -> frozenset[str]:
        if self._graphs is None:
            self._graphs = frozenset(graph.value for graph in self.store.named_graphs())
        return self._graphs

    def run(self, job: Job, timeout: float, *, build: str | None = None, client: str | None = None,
            admitted: bool = False) -> dict:
        """The reply to `job` (`build`, `client` and `admitted` are the worker pool's: the store server
        holds one build and does its own admission)."""
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
