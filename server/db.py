"""Access to the read-only store, one handle per process, opened lazily."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from graph.store import BuildInfo, open_store, read_build_info


def init_app(app: Flask) -> None:
    app.extensions["racegraph.store"] = None
    app.extensions["racegraph.build_info"] = None


def get_store():
    """The app's pyoxigraph Store, opened read-only on first use."""
    store = current_app.extensions.get("racegraph.store")
    if store is None:
        store = open_store(Path(current_app.config["STORE"]), read_only=True)
        current_app.extensions["racegraph.store"] = store
    return store


def get_build_info() -> BuildInfo:
    info = current_app.extensions.get("racegraph.build_info")
    if info is None:
        info = read_build_info(Path(current_app.config["STORE"]))
        current_app.extensions["racegraph.build_info"] = info
    return info
