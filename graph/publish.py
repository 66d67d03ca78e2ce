"""`racegraph publish`: a finished build into any SPARQL 1.1 server, through the Graph Store HTTP Protocol.

Every named graph of the build (one per article, one of derived facts per article, the ontology, the
metadata) is sent whole with `PUT ?graph=IRI`, which replaces what the server had under that name; then
the merge of them all goes to the server's default graph (`PUT ?default`) or, for a server that keeps its
default graph to itself (Virtuoso), to the named graph given as `default_graph`. Graphs of an earlier
publication that the build no longer has are deleted (`DELETE ?graph=IRI`), so publishing the same build
twice leaves the same store, and publishing a smaller build leaves no stale articles behind.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests

from graph.remote_store import CONNECT_TIMEOUT, RemoteStore
from graph.store import open_store, read_build_info

N_TRIPLES = "application/n-triples"
WRITE_TIMEOUT = 600.0  # seconds one graph's upload may take; a big merge on a busy server takes minutes


class PublishError(RuntimeError):
    """The build cannot be published (not conforming), or the server refused or failed a request."""


@dataclass(frozen=True)
class Published:
    graphs: int  # named graphs sent
    triples: int  # triples sent, the merge included
    deleted: list[str]  # graphs of an earlier publication removed


def parse_auth(text: str | None) -> tuple[str, str] | None:
    """`user:password` as a pair; None for none."""
    if not text:
        return None
    user, colon, password = text.partition(":")
    if not colon or not user:
        raise PublishError(f"--auth {text!r}: expected user:password")
    return user, password


def publish_build(folder: Path, *, graph_store: str, query_endpoint: str | None = None,
                  default_graph: str | None = None, auth: tuple[str, str] | None = None,
                  progress: Callable[[str, int, int], None] | None = None) -> Published:
    """Send the build in `folder` to the server; see the module docstring. Raises PublishError."""
    info = read_build_info(folder)
    if info.data.get("conforms") is not True:
        raise PublishError(f"{folder}: this build does not conform to the shapes (build.json says so); "
                           "only a conforming build is published")
    store = open_store(folder)
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    session = requests.Session()
    session.auth = _auth_for(session, graph_store, auth)
    triples = 0
    steps = len(graphs) + 1
    for done, graph in enumerate(graphs):
        triples += _put(session, graph_store, {"graph": graph},
                        store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        if progress:
            progress("graphs published", done + 1, steps)
    merged_target = {"graph": default_graph} if default_graph else {"default": ""}
    triples += _put(session, graph_store, merged_target, store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if progress:
        progress("graphs published", steps, steps)
    deleted = []
    if query_endpoint:
        remote = RemoteStore(query_endpoint, default_graph=default_graph, graph_prefix=info.base_uri + "graph/",
                             timeout=WRITE_TIMEOUT, auth=auth)
        stale = [g for g in remote.own_graphs() if g not in set(graphs)]
        for done, graph in enumerate(stale):
            _delete(session, graph_store, graph)
            deleted.append(graph)
            if progress:
                progress("stale graphs deleted", done + 1, len(stale))
    return Published(len(graphs), triples, deleted)


def _auth_for(session: requests.Session, url: str, auth: tuple[str, str] | None):
    """Basic or Digest, as the server asks (Virtuoso's authenticated endpoints ask for Digest)."""
    if auth is None:
        return None
    try:
        probe = session.get(url, params={"graph": "urn:racegraph:probe"}, timeout=(CONNECT_TIMEOUT, 60))
    except requests.RequestException as error:
        raise PublishError(f"the graph store {url} cannot be reached: {error}") from None
    challenge = probe.headers.get("WWW-Authenticate", "")
    if challenge.lower().startswith("digest"):
        return requests.auth.HTTPDigestAuth(*auth)
    return requests.auth.HTTPBasicAuth(*auth)


def _put(session: requests.Session, url: str, target: dict, quads) -> int:
    """PUT the quads' triples as N-Triples to the graph named by `target`; the number of triples sent."""
    with tempfile.TemporaryFile() as body:
        count = 0

        def triples():
            nonlocal count
            for quad in quads:
                count += 1
                yield quad.triple

        ox.serialize(triples(), body, format=ox.RdfFormat.N_TRIPLES)
        body.seek(0)
        _send(session, "PUT", url, target, data=body, headers={"Content-Type": N_TRIPLES})
    return count


def _delete(session: requests.Session, url: str, graph: str) -> None:
    _send(session, "DELETE", url, {"graph": graph}, allowed=(404,))


def _send(session: requests.Session, method: str, url: str, target: dict, *, allowed=(), **kwargs) -> None:
    where = f"<{target['graph']}>" if "graph" in target else "the default graph"
    try:
        answer = session.request(method, url, params=target, timeout=(CONNECT_TIMEOUT, WRITE_TIMEOUT), **kwargs)
    except requests.RequestException as error:
        raise PublishError(f"{method} {where} to {url} failed: {error}") from None
    if answer.status_code // 100 != 2 and answer.status_code not in allowed:
        message = " ".join(answer.text.split())[:500] or "(no message)"
        hint = " (check --auth: the server wants credentials)" if answer.status_code in (401, 403) else ""
        raise PublishError(f"the server refused {method} {where} at {url}: {answer.status_code} "
                           f"{answer.reason}{hint}: {message}")


def publish_changes(folder: Path, *, changed: list[str], removed: list[str], graph_store: str,
                    default_graph: str | None = None, auth: tuple[str, str] | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> Published:
    """Send what an update (`racegraph add` / `remove`) changed: each changed named graph whole
    (PUT ?graph=), each removed one deleted, then the merge, which the update changed too.

    The merge goes whole, as `publish_build` sends it: the Graph Store Protocol replaces graphs, it
    cannot take out single triples."""
    info = read_build_info(folder)
    if info.data.get("conforms") is not True:
        raise PublishError(f"{folder}: this build does not conform to the shapes (build.json says so); "
                           "only a conforming build is published")
    store = open_store(folder)
    session = requests.Session()
    session.auth = _auth_for(session, graph_store, auth)
    triples = 0
    steps = len(changed) + len(removed) + 1
    for done, graph in enumerate(changed, 1):
        triples += _put(session, graph_store, {"graph": graph},
                        store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        if progress:
            progress("graphs published", done, steps)
    for done, graph in enumerate(removed, len(changed) + 1):
        _delete(session, graph_store, graph)
        if progress:
            progress("graphs published", done, steps)
    merged_target = {"graph": default_graph} if default_graph else {"default": ""}
    triples += _put(session, graph_store, merged_target, store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if progress:
        progress("graphs published", steps, steps)
    return Published(len(changed), triples, list(removed))
