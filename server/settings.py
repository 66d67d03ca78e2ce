"""Every setting, with its default. Documented in docs/settings.md; set as RACEGRAPH_<NAME> in the environment."""

from graph.paths import default_store_dir
from graph.query_gate import DEFAULT_MAX_DEPTH

DEFAULTS = {
    # build folder made by `racegraph build` (holds store/, dumps/, build.json)
    "STORE": str(default_store_dir()),
    # seconds a SPARQL query may run (waiting for a free query worker included) before it is stopped
    "QUERY_TIMEOUT": 30,
    # most rows a SELECT answers, and most triples a CONSTRUCT/DESCRIBE answers; the rest is cut off
    "MAX_RESULT_ROWS": 10000,
    # query worker processes per server process; each opens the store read-only once
    "QUERY_WORKERS": 2,
    # SPARQL requests per server process that may wait for a busy query worker; more are refused with 503
    "QUERY_QUEUE": 16,
    # SPARQL requests one client address may have running or waiting at once (per server process); more: 429
    "MAX_QUERIES_PER_CLIENT": 8,
    # reverse proxies in front of the server whose X-Forwarded-For and X-Forwarded-Proto are believed; the
    # client address (for MAX_QUERIES_PER_CLIENT and the log) is the one the outermost of them saw. 0: none
    "PROXY_HOPS": 0,
    # address space (MiB) of each query worker (RLIMIT_AS); a query that needs more is stopped with 503
    "QUERY_WORKER_MEMORY_MB": 4096,
    # seconds the store queries behind one page, document, API answer or VoID may take; past it: 503
    "PAGE_TIMEOUT": 10,
    # store worker processes per server process for pages, documents, the API and VoID (not /sparql)
    "PAGE_WORKERS": 2,
    # page requests per server process that may wait for a busy store worker; more are refused with 503
    "PAGE_QUEUE": 32,
    # let SPARQL SERVICE reach other endpoints over the network (off: such queries are refused)
    "ALLOW_REMOTE_SERVICE": False,
    # most bytes in a SPARQL answer's body; the rest is cut off at a row, as with MAX_RESULT_ROWS
    "MAX_RESULT_BYTES": 10_485_760,
    # most bytes in a request body (Flask's own setting): larger is 413
    "MAX_CONTENT_LENGTH": 1_048_576,
    # most characters in a SPARQL query: longer is 414 in a GET URL, 413 in a POST
    "MAX_QUERY_LENGTH": 262_144,
    # deepest nesting of brackets, braces and unary operators in a query (and a hundred times this
    # many elements in one group or expression); deeper is 400, before the engine's parser can overflow
    "MAX_QUERY_DEPTH": DEFAULT_MAX_DEPTH,
    # seconds shared caches and browsers may reuse a page, document or VoID answer before revalidating it
    "CACHE_MAX_AGE": 300,
    # bytes of finished answers (pages, RDF documents, VoID, the ontology) each server process keeps to give
    # again, by ETag, while it serves the same build (0: none)
    "RESPONSE_CACHE_BYTES": 67_108_864,
    # incoming links per page of an RDF document (/data/...?page=N); the thing's own triples are on every page
    "DOCUMENT_PAGE_SIZE": 1000,
    # bytes of /sparql answers each server process remembers for repeated identical queries (0: none)
    "QUERY_CACHE_BYTES": 33_554_432,
    # SPARQL query URL of a server holding the build (`racegraph publish`); empty: the build folder's own store
    "STORE_URL": "",
    # on that server, the named graph holding the merge of all named graphs; empty: its default graph
    "STORE_DEFAULT_GRAPH": "",
}

MAY_BE_ZERO = {"QUERY_CACHE_BYTES", "RESPONSE_CACHE_BYTES", "PROXY_HOPS"}  # number settings where 0 turns the thing off

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingError(ValueError):
    """A setting given in the environment that does not fit its type."""


def coerce_settings(config) -> None:
    """Give settings read from RACEGRAPH_* the type of their default, and check their range.

    Flask parses environment values as JSON, so `False` or `30s` arrive as strings; a string
    `False` would otherwise count as on, and `true` as the number 1. Every number setting counts
    something (seconds, rows, processes), so it must be a whole number above zero (or zero, for the
    few in MAY_BE_ZERO, where zero turns the thing off). Anything that
    does not fit is refused at start-up.
    """
    for name, default in DEFAULTS.items():
        value = config.get(name)
        if isinstance(default, bool):
            config[name] = _switch(name, value)
        elif isinstance(default, int):
            config[name] = _count(name, value, minimum=0 if name in MAY_BE_ZERO else 1)


def _switch(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in _TRUE | _FALSE:
        raise SettingError(f"RACEGRAPH_{name}={value!r}: expected true or false")
    return word in _TRUE


def _count(name: str, value, minimum: int = 1) -> int:
    # bool is a subclass of int: RACEGRAPH_QUERY_TIMEOUT=true must not become 1 second
    if isinstance(value, bool):
        raise SettingError(f"RACEGRAPH_{name}={value!r}: expected a whole number, not a switch")
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise SettingError(f"RACEGRAPH_{name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise SettingError(f"RACEGRAPH_{name}={value!r}: expected a whole number "
                           + ("above zero" if minimum else "of zero or more"))
    return number
