"""Bounded query execution: pools of worker processes, with admission control in front of them.

pyoxigraph cannot cancel a running query, so each query runs in a child process (server.query_worker)
that has opened the store read-only. The request thread waits at most its timeout, counting the
wait for a free worker; past that the worker is killed, a fresh one takes its place, and the client
gets 503. Children are fresh interpreters (`python -m server.query_worker`), not forks nor
multiprocessing "spawn" children: nothing of the server's threads, locks or __main__ module is carried
over, which keeps them safe under Flask's threaded server and in gunicorn's forked workers.

Each server process (each gunicorn worker) has its own pools, started with the app:

- admission: a pool runs at most `size` jobs and lets at most `queue` more wait; a request beyond
  that is refused at once with 503 and Retry-After (Overloaded) rather than left to wait for the
  timeout, and one client address may have at most `per_client` jobs admitted at once (429);
- faults: a worker found dead before its job is sent (killed while idle) is replaced and the job
  goes to the replacement; a worker that dies while running a job is replaced and the job, always a
  read, is tried once more on a fresh worker, then answered 503 (WorkerLost), never 500;
- builds: every job names the build folder it reads, so a worker reopens the store when the server
  has moved to a new build (server.db), and requests already running finish on the old one;
- orphans: a worker watches its parent's pid and exits when the parent is gone (a gunicorn worker
  killed with SIGKILL leaves no query workers behind);
- memory: each worker runs under RLIMIT_AS (QUERY_WORKER_MEMORY_MB); a query that exceeds it makes
  its worker fail, which the client sees as 503 (MemoryExhausted or WorkerLost), never 500.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import site
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from graph.store import StoreMissingError

STARTUP_TIMEOUT = 120  # seconds a fresh worker may take to import and open the store
RETRY_AFTER = 1  # seconds a refused client is asked to wait: a slot frees as soon as one query ends


class QueryTimeout(Exception):
    """The query (or the wait for a free worker) took longer than its timeout."""


class WorkerFailed(RuntimeError):
    """A worker reported a bug (an exception in its own code); the server answers 500 and logs this."""


class Overloaded(ServiceUnavailable):
    """Every worker is busy and the queue in front of them is full: refused at once."""


class TooManyFromClient(TooManyRequests):
    """This client address already has as many queries admitted as it may have at once."""


class WorkerLost(ServiceUnavailable):
    """A worker died while running the job, twice (once on a fresh worker)."""


class MemoryExhausted(ServiceUnavailable):
    """The query needed more memory than a worker may use (QUERY_WORKER_MEMORY_MB)."""


@dataclass(frozen=True)
class Limits:
    size: int  # workers: jobs run at once
    queue: int  # jobs that may wait for a free worker
    per_client: int  # jobs one client address may have admitted at once
    memory_mb: int  # RLIMIT_AS of each worker, in MiB


class _Died(Exception):
    """The worker process is gone; `started` tells whether it may have begun the job."""

    def __init__(self, message: str, started: bool):
        super().__init__(message)
        self.started = started


class _Worker:
    """One child: `python -m MODULE STORE FD PARENT MEMORY`, over a socket pair passed as FD."""

    def __init__(self, store_folder: str, memory_mb: int, module: str):
        self.conn, child_end = multiprocessing.Pipe(duplex=True)
        self.process = subprocess.Popen(
            # -P: the working directory is not put on sys.path, so a server.py or graph/ there cannot
            # stand in for racegraph's own modules
            [sys.executable, "-P", "-m", module, store_folder, str(child_end.fileno()),
             str(os.getpid()), str(memory_mb)],
            pass_fds=(child_end.fileno(),), env=_worker_environment(), stdin=subprocess.DEVNULL,
        )
        child_end.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(STARTUP_TIMEOUT):
            raise WorkerFailed(f"query worker did not start within {STARTUP_TIMEOUT}s")
        message = self._receive(started=False)
        if message["kind"] == "startup-error":
            raise _StoreUnavailable(message["message"])
        self.ready = True

    def _receive(self, started: bool) -> dict:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise _Died(f"query worker {self.process.pid} died (exit code {self._exit_code()})", started) from None

    def _exit_code(self):
        try:
            return self.process.wait(1)
        except subprocess.TimeoutExpired:
            return None

    def ask(self, message: dict, timeout: float) -> dict:
        if self.process.poll() is not None:  # killed while idle: the job never reached it
            raise _Died(f"query worker {self.process.pid} was found dead (exit code {self.process.returncode})",
                        started=False)
        try:
            self.conn.send(message)
        except (BrokenPipeError, ConnectionResetError):
            raise _Died(f"query worker {self.process.pid} died before it got the query", started=False) from None
        if not self.conn.poll(max(timeout, 0)):
            raise QueryTimeout("the query ran longer than")
        return self._receive(started=True)

    def stop(self) -> None:
        self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


def _worker_environment() -> dict[str, str]:
    """The server's environment, with racegraph's own folder first on PYTHONPATH unless it is a site folder.

    An installed racegraph (wheel or editable) is found by the child as by the server. Run from a
    checkout without installing, the child needs the folder this module's package came from; that
    folder is named exactly, so the child imports the very code its server runs.
    """
    source_root = str(Path(__file__).resolve().parent.parent)
    site_folders = {str(Path(p).resolve()) for p in site.getsitepackages() + [site.getusersitepackages()]}
    if source_root in site_folders:
        return dict(os.environ)
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [source_root, os.environ.get("PYTHONPATH")])))


class _StoreUnavailable(StoreMissingError):
    """The worker could not open the store; carries the worker's message."""

    def __init__(self, message: str):  # StoreMissingError.__init__ wants a folder; keep the worker's words
        FileNotFoundError.__init__(self, message)


class _Clock:
    """A request's time budget; a worker's start-up is not charged to it."""

    def __init__(self, budget: float):
        self._deadline = time.monotonic() + budget

    def remaining(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    @contextmanager
    def paused(self):
        started = time.monotonic()
        try:
            yield
        finally:
            self._deadline += time.monotonic() - started


class Admission:
    """Who may run or wait: at most `limits.size` running and `limits.queue` waiting in all, and
    `limits.per_client` of them from one client address. Past these a request is refused at once."""

    def __init__(self, limits: Limits, name: str):
        self.limits = limits
        self.name = name
        self._lock = threading.Lock()
        self.admitted = 0
        self._by_client: Counter[str] = Counter()

    @contextmanager
    def admit(self, client: str | None):
        """Count the job in, or refuse it at once: 503 when workers and queue are full, 429 past the
        client's share."""
        with self._lock:
            if self.admitted >= self.limits.size + self.limits.queue:
                raise Overloaded(
                    f"all {self.limits.size} {self.name} workers are busy and {self.limits.queue} more requests "
                    "are already waiting; try again shortly", retry_after=RETRY_AFTER)
            if client is not None and self._by_client[client] >= self.limits.per_client:
                raise TooManyFromClient(
                    f"{client} already has {self.limits.per_client} {self.name} requests running or waiting, "
                    "the most one client may have at once; wait for one to finish",
                    retry_after=RETRY_AFTER)
            self.admitted += 1
            if client is not None:
                self._by_client[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self.admitted -= 1
                if client is not None:
                    self._by_client[client] -= 1
                    if not self._by_client[client]:
                        del self._by_client[client]


class QueryPool:
    def __init__(self, store_folder: str, limits: Limits, name: str = "query",
                 module: str = "server.query_worker", start_all: bool = True):
        self.pid = os.getpid()
        self.name = name
        self.module = module
        self.limits = limits
        self._store_folder = store_folder
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._gate = Admission(limits, name)
        self._closed = False
        self._spawned = 0  # workers started and not yet stopped (at most limits.size)
        self._busy: set[_Worker] = set()  # workers running a job now
        self._spawning = threading.Lock()
        for _ in range(max(1, limits.size) if start_all else 1):
            self._spawn()

    def _spawn(self) -> None:
        with self._spawning:
            self._spawned += 1
        self._idle.put(self._new_worker())

    def _grow_if_all_busy(self) -> None:
        """Start one more worker, up to the pool's size, when none is idle (pools of a test app start
        with one worker and grow only when queries overlap)."""
        with self._spawning:
            if not self._idle.empty() or self._spawned >= self.limits.size or self._closed:
                return
            self._spawned += 1
        self._idle.put(self._new_worker())

    def _new_worker(self) -> _Worker:
        return _Worker(self._store_folder, self.limits.memory_mb, self.module)

    def admission(self, client: str | None):
        """Count the job in, or refuse it at once (Admission.admit)."""
        return self._gate.admit(client)

    @property
    def _admitted(self) -> int:
        return self._gate.admitted

    def run(self, job, timeout: float, *, build: str | None = None, client: str | None = None,
            admitted: bool = False) -> dict:
        """The worker's reply to `job`, read from the build folder `build` (default: the pool's).

        `admitted`: the caller already holds an admission() for this request. Raises Overloaded or
        TooManyFromClient (refused at once), QueryTimeout, WorkerLost,
        MemoryExhausted, WorkerFailed or StoreMissingError. The job's time counts from the request:
        waiting for a free worker is charged; a fresh worker's start-up (importing, opening the store)
        is not, since the client did not cause it.
        """
        clock = _Clock(timeout)
        message = {"build": build or self._store_folder, "job": asdict(job) if not isinstance(job, dict) else job}
        with nullcontext() if admitted else self.admission(client):
            tries = 0
            while True:
                try:
                    return self._run_once(message, clock)
                except _Died as death:
                    if death.started:
                        tries += 1
                    if tries > 1:
                        raise WorkerLost(f"the {self.name} worker running this request died twice "
                                         f"({death}); try again shortly", retry_after=RETRY_AFTER) from None

    def _run_once(self, message: dict, clock: _Clock) -> dict:
        self._grow_if_all_busy()
        try:
            worker = self._idle.get(timeout=clock.remaining())
        except queue.Empty:
            raise QueryTimeout(f"every {self.name} worker stayed busy for") from None
        healthy = False
        self._busy.add(worker)
        try:
            with clock.paused():
                worker.wait_ready()
            reply = worker.ask(message, clock.remaining())
            healthy = reply["kind"] not in ("crash", "exhausted")
        finally:
            self._busy.discard(worker)
            if not healthy:
                # start the replacement first: it warms up (imports, opens the store) while the old one
                # is reaped and this request is answered, so the next query does not wait for it as long
                replacement = self._new_worker()
                worker.stop()
                worker = replacement
            if self._closed:
                worker.stop()
                with self._spawning:
                    self._spawned -= 1
            else:
                self._idle.put(worker)
        if reply["kind"] == "exhausted":
            raise MemoryExhausted(f"the query needed more than the {self.limits.memory_mb} MiB a {self.name} "
                                  "worker may use (QUERY_WORKER_MEMORY_MB) and was stopped; narrow it or add a "
                                  "LIMIT", retry_after=RETRY_AFTER)
        return reply

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return
            with self._spawning:
                self._spawned -= 1

    def idle_worker_pids(self) -> list[int]:
        """Pids of the workers waiting for a job (for tests and the reliability scripts)."""
        return [worker.process.pid for worker in list(self._idle.queue)]

    def busy_worker_pids(self) -> list[int]:
        """Pids of the workers running a job now."""
        return [worker.process.pid for worker in list(self._busy)]


def limits_from(config) -> Limits:
    workers = int(config["QUERY_WORKERS"])
    return Limits(size=workers, queue=int(config["QUERY_QUEUE"]),
                  per_client=int(config["MAX_QUERIES_PER_CLIENT"]),
                  memory_mb=int(config["QUERY_WORKER_MEMORY_MB"]))


def init_app(app: Flask) -> None:
    """Set up the app's pool. A serving app starts its workers now, so their start-up is over before
    the first query comes; a test app (TESTING) starts them on its first query, if it has one."""
    app.extensions["racegraph.query_pool_lock"] = threading.Lock()
    app.extensions["racegraph.query_pool"] = None
    if not app.testing:
        with app.app_context():
            get_pool()


def get_pool() -> QueryPool:
    """This process's pool (a forked child of the server, as a gunicorn worker with --preload, makes its own)."""
    with current_app.extensions["racegraph.query_pool_lock"]:
        pool = current_app.extensions["racegraph.query_pool"]
        if pool is None or pool.pid != os.getpid():
            pool = _new_pool()
            current_app.extensions["racegraph.query_pool"] = pool
        return pool


def _new_pool():
    """Worker processes on the build folder's store; or, with STORE_URL, a runner that asks that server."""
    config = current_app.config
    if config.get("STORE_URL"):
        from server.db import get_build_info, get_store
        from server.remote_runner import RemoteRunner

        return RemoteRunner(get_store(), get_build_info().base_uri, limits_from(config))
    return QueryPool(_startup_folder(config["STORE"]), limits_from(config), start_all=not current_app.testing)


def _startup_folder(store: str) -> str:
    """The build the workers open first: what STORE points at now (each job then names its own)."""
    return os.path.realpath(store)


def close_pools(app: Flask) -> None:
    """Stop every worker of the app's pools (SPARQL and pages): at shutdown, and after a test."""
    for key in ("racegraph.query_pool", "racegraph.page_pool"):
        pool = app.extensions.get(key)
        if pool is not None:
            pool.close()
