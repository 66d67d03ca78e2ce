"""The racegraph web app: SPARQL endpoint, linked-data documents, HTML pages and JSON API."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """App factory. Settings come from DEFAULTS, then RACEGRAPH_* environment variables, then test_config."""
    # imported here, not above: the worker processes (python -m server.query_worker, server.store_worker)
    # import this package too, and start faster without Flask
    from flask import Flask

    from server.settings import DEFAULTS, coerce_settings

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("RACEGRAPH")
    if test_config:
        app.config.update(test_config)
    coerce_settings(app.config)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # only as many forwarded hops as the operator says are theirs: a client could write the header too
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from server import (api, cross_origin, db, errors, fragments, jsonld, linked_data, pages, response_cache,
                        sparql)

    db.init_app(app)
    response_cache.init_app(app)
    errors.init_app(app)
    cross_origin.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(linked_data.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(jsonld.bp)
    app.register_blueprint(fragments.bp)
    return app
