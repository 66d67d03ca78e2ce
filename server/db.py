"""Access to the read-only store, one handle per process, opened lazily."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from graph.store import BuildInfo, GraphStore, open_store, read_build_info


def init_app(app: Flask) -> None:
    app.extensions["racegraph.store"] = None
    app.extensions["racegraph.build_info"] = None


def get_store() -> GraphStore:
    """The app's store, opened on first use: the build folder's pyoxigraph store, read-only, or with the
    STORE_URL setting the SPARQL server holding the build (graph.remote_store)."""
    store = current_app.extensions.get("racegraph.store")
    if store is None:
        store = open_configured_store()
        current_app.extensions["racegraph.store"] = store
    return store


def open_configured_store() -> GraphStore:
    config = current_app.config
    if config.get("STORE_URL"):
        from graph.remote_store import RemoteStore

        return RemoteStore(config["STORE_URL"], default_graph=config.get("STORE_DEFAULT_GRAPH") or None,
                           graph_prefix=get_build_info().base_uri + "graph/", timeout=float(config["QUERY_TIMEOUT"]))
    return open_store(Path(config["STORE"]), read_only=True)


def get_build_info() -> BuildInfo:
    info = current_app.extensions.get("racegraph.build_info")
    if info is None:
        info = read_build_info(Path(current_app.config["STORE"]))
        current_app.extensions["racegraph.build_info"] = info
    return info
