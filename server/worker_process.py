"""What both kinds of worker process (server.query_worker, server.store_worker) do at start-up:
follow their server out, and cap their memory. Kept light: workers import it before anything else."""

from __future__ import annotations

import os
import resource
import threading
import time

PARENT_POLL = 0.2  # seconds between checks that the server process is still there


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
