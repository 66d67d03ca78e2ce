"""Every setting, with its default. Documented in docs/settings.md; set as RACEGRAPH_<NAME> in the environment."""

from graph.paths import default_store_dir

DEFAULTS = {
    # build folder made by `racegraph build` (holds store/, dumps/, build.json)
    "STORE": str(default_store_dir()),
    # seconds a SPARQL query may run (waiting for a free query worker included) before it is stopped
    "QUERY_TIMEOUT": 30,
    # most rows a SELECT answers, and most triples a CONSTRUCT/DESCRIBE answers; the rest is cut off
    "MAX_RESULT_ROWS": 10000,
    # query worker processes per server process; each opens the store read-only once
    "QUERY_WORKERS": 2,
    # let SPARQL SERVICE reach other endpoints over the network (off: such queries are refused)
    "ALLOW_REMOTE_SERVICE": False,
}
