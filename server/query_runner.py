"""Bounded query execution: a small pool of worker processes, killed and replaced when a query overruns.

pyoxigraph cannot cancel a running query, so each query runs in a child process (server.query_worker)
that has opened the store read-only. The request thread waits at most QUERY_TIMEOUT seconds, counting
the wait for a free worker; past that the worker is killed, a fresh one takes its place, and the
client gets 503. Children are fresh interpreters (`python -m server.query_worker`), not forks nor
multiprocessing "spawn" children: nothing of the server's threads, locks or __main__ module is carried
over, which keeps them safe under Flask's threaded server and in gunicorn's forked workers. Each server
process (each gunicorn worker) has its own pool, started with the app. A child whose server dies sees
its socket close and exits.
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
from dataclasses import asdict
from pathlib import Path

from flask import Flask, current_app

from graph.store import StoreMissingError
from server.query_worker import Job

STARTUP_TIMEOUT = 120  # seconds a fresh worker may take to import and open the store


class QueryTimeout(Exception):
    """The query (or the wait for a free worker) took longer than QUERY_TIMEOUT."""


class WorkerFailed(RuntimeError):
    """A worker crashed or reported a bug; the server answers 500 and logs this."""


class _Worker:
    """One child: `python -m server.query_worker STORE FD`, talking over a socket pair passed as FD."""

    def __init__(self, store_folder: str):
        self.conn, child_end = multiprocessing.Pipe(duplex=True)
        self.process = subprocess.Popen(
            # -P: the working directory is not put on sys.path, so a server.py or graph/ there cannot
            # stand in for racegraph's own modules
            [sys.executable, "-P", "-m", "server.query_worker", store_folder, str(child_end.fileno())],
            pass_fds=(child_end.fileno(),), env=_worker_environment(), stdin=subprocess.DEVNULL,
        )
        child_end.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(STARTUP_TIMEOUT):
            raise WorkerFailed(f"query worker did not start within {STARTUP_TIMEOUT}s")
        message = self._receive()
        if message["kind"] == "startup-error":
            raise _StoreUnavailable(message["message"])
        self.ready = True

    def _receive(self) -> dict:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise WorkerFailed(f"query worker {self.process.pid} died (exit code {self.process.poll()})") from None

    def ask(self, job: Job, timeout: float) -> dict:
        self.conn.send(asdict(job))
        if not self.conn.poll(max(timeout, 0)):
            raise QueryTimeout("the query ran longer than")
        return self._receive()

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


class QueryPool:
    def __init__(self, store_folder: str, size: int):
        self.pid = os.getpid()
        self._store_folder = store_folder
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(max(1, size)):
            self._idle.put(_Worker(store_folder))

    def run(self, job: Job, timeout: float) -> dict:
        """The worker's reply to `job`; raises QueryTimeout, WorkerFailed or StoreMissingError.

        The query's time counts from the request: waiting for a free worker is charged, a fresh
        worker's start-up (importing, opening the store) is not, since the client did not cause it.
        """
        asked = time.monotonic()
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout("every query worker stayed busy for") from None
        healthy = False
        try:
            waited_for_a_worker = time.monotonic() - asked
            worker.wait_ready()
            reply = worker.ask(job, timeout - waited_for_a_worker)
            healthy = reply["kind"] != "crash"
        finally:
            if not healthy:
                # start the replacement first: it warms up (imports, opens the store) while the old one
                # is reaped and this request is answered, so the next query does not wait for it as long
                replacement = _Worker(self._store_folder)
                worker.stop()
                worker = replacement
            self._idle.put(worker)
        return reply

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


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
            pool = QueryPool(current_app.config["STORE"], int(current_app.config["QUERY_WORKERS"]))
            current_app.extensions["racegraph.query_pool"] = pool
        return pool
