"""`racegraph serve`: Flask's threaded server, stopped gracefully.

On SIGTERM (or SIGINT) the server stops accepting connections, lets the requests already running
finish (each is bounded by its own timeout), then stops its query workers and exits 0. Process
managers (systemd, Docker, Kubernetes) send SIGTERM to stop a service and expect exactly this.
"""

from __future__ import annotations

import signal
import threading
import time

from flask import Flask
from werkzeug.serving import make_server

from server.query_runner import close_pools

DRAIN_MARGIN = 5  # seconds past the longest request timeout that a drain may take before giving up


class _InFlight:
    """WSGI middleware counting the requests being answered (the body included)."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self._lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()

    def _enter(self) -> None:
        with self._lock:
            self.count += 1
            self.idle.clear()

    def _leave(self) -> None:
        with self._lock:
            self.count -= 1
            if not self.count:
                self.idle.set()

    def __call__(self, environ, start_response):
        self._enter()
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._leave()
            raise
        return _Closing(body, self._leave)


class _Closing:
    """The response body, calling `done` once the server has written (or dropped) it."""

    def __init__(self, body, done):
        self._body = body
        self._done = done

    def __iter__(self):
        return iter(self._body)

    def close(self) -> None:
        try:
            if hasattr(self._body, "close"):
                self._body.close()
        finally:
            self._done()


def serve(app: Flask, host: str, port: int, log=print) -> None:
    """Serve `app` until SIGTERM or SIGINT, then drain in-flight requests and stop the query workers."""
    in_flight = _InFlight(app.wsgi_app)
    app.wsgi_app = in_flight
    server = make_server(host, port, app, threaded=True)
    stopping = threading.Event()

    def stop(signum, _frame) -> None:
        if stopping.is_set():
            return
        stopping.set()
        log(f"received {signal.Signals(signum).name}: finishing {in_flight.count} request(s) in flight, "
            "accepting no more")
        threading.Thread(target=server.shutdown, name="shutdown", daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.serve_forever()
    finally:
        server.server_close()  # no new connections from here on
        longest = max(float(app.config["QUERY_TIMEOUT"]), float(app.config.get("PAGE_TIMEOUT", 0)))
        deadline = time.monotonic() + longest + DRAIN_MARGIN
        while not in_flight.idle.wait(0.1) and time.monotonic() < deadline:
            pass
        close_pools(app)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
