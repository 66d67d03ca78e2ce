"""The build a server process reads, and the move to a new build between requests.

STORE names a build folder, normally a symlink that `racegraph build` swaps atomically to each new
build (graph.store_dir). Before every request the server looks at STORE's build.json (one stat): when
it is another file than the one read so far, a new build was published, and the server opens it.
Each request keeps the build it started with (in flask.g) to its end, so a request running during a
switch finishes on the old build, and the next one starts on the new. The old store is closed when
its last request lets go of it. Query workers follow the build each job names (server.query_runner).
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path

from flask import Flask, current_app, g, has_request_context

from graph.store import BUILD_INFO, BuildInfo, StoreMissingError, open_store, read_build_info
from graph.store_dir import hold_build


class OpenBuild:
    """One build as this process reads it: its real folder, build.json, and its store (opened on first
    use). It holds a shared lock on the build so `racegraph build` does not delete it while in use."""

    def __init__(self, folder: Path):
        self.folder = folder
        try:
            hold = hold_build(folder)
        except FileNotFoundError:
            raise StoreMissingError(folder) from None
        weakref.finalize(self, hold.close)
        self.stamp = _stamp(os.fstat(hold.fileno()))
        self.info = read_build_info(folder)
        self._store = None
        self._opening = threading.Lock()

    @property
    def build_id(self) -> str:
        return self.info.data.get("build_id") or self.info.data.get("built_at", "")

    @property
    def store(self):
        with self._opening:
            if self._store is None:
                self._store = open_store(self.folder, read_only=True)
            return self._store


def init_app(app: Flask) -> None:
    app.extensions["racegraph.build"] = None
    app.extensions["racegraph.build_lock"] = threading.Lock()
    app.before_request(_pin_build)
    from server import bounded_store

    bounded_store.init_app(app)


def _pin_build() -> None:
    """Give this request the current build, moving to a newly published one first."""
    try:
        g.racegraph_build = current_build()
    except StoreMissingError:
        g.racegraph_build = None  # pages that need the store answer 503 when they ask for it


def current_build() -> OpenBuild:
    """The newest build STORE names, opened; the same object while STORE's build.json is the same file."""
    extensions = current_app.extensions
    store = current_app.config["STORE"]
    opened: OpenBuild | None = extensions["racegraph.build"]
    try:
        now = _stamp(os.stat(os.path.join(store, BUILD_INFO)))
    except FileNotFoundError:
        if opened is not None:
            return opened  # STORE is gone for now (being moved by hand?): keep serving what is open
        raise StoreMissingError(Path(store)) from None
    if opened is not None and opened.stamp == now:
        return opened
    with extensions["racegraph.build_lock"]:
        opened = extensions["racegraph.build"]
        if opened is None or opened.stamp != now:
            previous = opened
            opened = OpenBuild(Path(os.path.realpath(store)))
            extensions["racegraph.build"] = opened
            if previous is not None and previous.build_id != opened.build_id:
                current_app.logger.info("now serving build %s (was %s)", opened.build_id, previous.build_id)
        return opened


def _build() -> OpenBuild:
    if has_request_context() and "racegraph_build" in g:
        if g.racegraph_build is None:
            raise StoreMissingError(Path(current_app.config["STORE"]))
        return g.racegraph_build
    return current_build()


def get_store():
    """This request's build, read through the page lane's store workers (server.bounded_store), so
    the server's own queries are bounded in time like ad-hoc SPARQL."""
    from server import bounded_store

    return bounded_store.store_for_request(str(_build().folder))


def get_build_info() -> BuildInfo:
    return _build().info


def current_build_folder() -> Path:
    """The real folder of this request's build (what query workers are told to read)."""
    return _build().folder


def _stamp(status: os.stat_result) -> tuple[int, int, int]:
    return status.st_dev, status.st_ino, status.st_mtime_ns
