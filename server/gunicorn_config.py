"""gunicorn settings for racegraph:

    RACEGRAPH_STORE=var/graph gunicorn -c python:server.gunicorn_config -b 127.0.0.1:8000 'server:create_app()'

Options given on the command line win over these. Why each value (docs/reliability.md has more):

- worker_class "gthread": each gunicorn worker answers many requests at once on threads. With the
  default "sync" class a worker answers one request at a time, so a cheap page waits behind every
  slow SPARQL query queued before it; with threads, SPARQL requests beyond what the query workers and
  their queue can take are refused at once (503) and pages keep their own lane.
- threads: enough for every admitted SPARQL request (QUERY_WORKERS + QUERY_QUEUE) and every admitted
  page (PAGE_WORKERS + PAGE_QUEUE), plus a few for static files and refusals.
- timeout: gunicorn kills a worker that stops reporting; it must exceed any request's own bound.
- graceful_timeout: on SIGTERM (or HUP, when workers are replaced) the requests in flight get this
  long to finish before their worker is stopped.
"""

from __future__ import annotations

import os

from server.settings import DEFAULTS


def _setting(name: str) -> int:
    return int(os.environ.get(f"RACEGRAPH_{name}", DEFAULTS[name]))


_LONGEST_REQUEST = max(_setting("QUERY_TIMEOUT"), _setting("PAGE_TIMEOUT"))

workers = int(os.environ.get("WEB_CONCURRENCY", 2))
worker_class = "gthread"
threads = (_setting("QUERY_WORKERS") + _setting("QUERY_QUEUE") + _setting("PAGE_WORKERS") + _setting("PAGE_QUEUE")
           + 4)
timeout = _LONGEST_REQUEST + 30
graceful_timeout = _LONGEST_REQUEST + 5
keepalive = 5
