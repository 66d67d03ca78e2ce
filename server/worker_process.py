"""What both kinds of worker process (server.query_worker, server.store_worker) share: the start-up
(follow their server out, cap their memory), the handshake, and the loop that answers jobs over the
pipe and follows the server to a new build. Each kind brings only how it opens a build and answers a job."""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from typing import Protocol

from graph.store import StoreMissingError

PARENT_POLL = 0.2  # seconds between checks that the server process is still there
EXHAUSTED = {"kind": "exhausted", "message": "out of memory"}  # past RLIMIT_AS: 503, and the worker is replaced


def exit_with_parent(parent: int) -> None:
    """Exit as soon as `parent` is no longer our parent process (it died and we were re-parented).

    A thread polls getppid(): it runs while a query is being evaluated (pyoxigraph releases the GIL),
    so even a worker in the middle of a long query exits within POLL seconds of its server's death.
    (PR_SET_PDEATHSIG would fire when the *thread* that started us ends, which in a threaded server is
    just the request that replaced a worker.)"""
    if os.getppid() != parent:
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space: an allocation past it fails (MemoryError in Python; in
    pyoxigraph the process aborts), and the server answers 503 either way."""
    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def yield_cpu_to_pages(niceness: int) -> None:
    """Lower this process's CPU priority by `niceness`. Ad-hoc SPARQL workers do this, so that when
    expensive queries take every core, the store workers behind pages (left at the server's priority)
    still get the CPU first: separate queues alone do not keep pages fast if the queries starve them."""
    try:
        os.nice(niceness)
    except OSError:  # not allowed here (a container with a fixed priority): run at the server's
        pass


class OpenBuild(Protocol):
    """A build a worker has open: its folder (jobs name the folder they read) and how to let it go."""

    folder: str

    def close(self) -> None: ...


def run_worker(argv: list[str], open_build: Callable[[str], OpenBuild], handle: Callable[[OpenBuild, dict], dict],
               niceness: int = 0) -> None:
    """A worker's whole life, from its command line `STORE FD [PARENT [MEMORY_MB]]` (server.query_runner)."""
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server is the server's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if len(argv) > 2:
        exit_with_parent(int(argv[2]))
    if len(argv) > 3 and int(argv[3]):
        limit_memory(int(argv[3]))
    if niceness:
        yield_cpu_to_pages(niceness)
    serve_jobs(Connection(int(argv[1])), argv[0], open_build, handle)


def serve_jobs(conn, folder: str, open_build: Callable[[str], OpenBuild],
               handle: Callable[[OpenBuild, dict], dict]) -> None:
    """Open the build in `folder`, say so, then answer each job until the server closes the pipe or is gone.

    Each message is {"build": folder, "job": ...}; a job naming another folder reopens the store there
    first (the server moved to a new build; requests already running finished on the old one). The
    reply is `handle(build, job)`, or one of the kinds the pool knows: "refused" 503 when the new build
    cannot be opened, "exhausted" past RLIMIT_AS, "crash" with the traceback for anything else (a bug:
    the server answers 500, logs it and replaces this worker).
    """
    try:
        build = open_build(folder)
    except (StoreMissingError, OSError) as error:  # OSError: RocksDB could not open it
        with suppress(OSError):  # the server may be gone already
            conn.send({"kind": "startup-error", "message": str(error)})
        return
    try:
        conn.send({"kind": "ready"})
    except OSError:  # the server went away while we started
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server closed the pipe or is gone
            return
        try:
            if message["build"] != build.folder:  # the server moved to a new build: follow it
                opened = open_build(message["build"])
                build.close()
                build = opened
        except (StoreMissingError, OSError) as error:  # the new build could not be opened: the old one stays
            reply = {"kind": "refused", "status": 503, "message": f"the store could not be opened: {error}"}
        except MemoryError:
            reply = EXHAUSTED
        else:
            reply = _answer(handle, build, message["job"])
        try:
            conn.send(reply)
        except BrokenPipeError:  # the server gave up on this job and is about to kill us
            return


def _answer(handle: Callable[[OpenBuild, dict], dict], build: OpenBuild, job: dict) -> dict:
    try:
        return handle(build, job)
    except MemoryError:
        return EXHAUSTED
    except Exception:  # a bug, reported to the server, which answers 500, logs it and replaces this worker
        return {"kind": "crash", "message": traceback.format_exc()}
