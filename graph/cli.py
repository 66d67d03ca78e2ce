"""The `racegraph` command line. Exit codes: 0 success/conforms, 1 shapes violated, 2 unusable input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from graph.paths import BUNDLED_ARTICLES, BUNDLED_CURATION, default_store_dir
from graph.uris import DEFAULT_BASE

EXIT_VIOLATIONS = 1
EXIT_ERROR = 2

store_option = click.option(
    "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=default_store_dir,
    show_default="$RACEGRAPH_STORE, else var/graph in the working directory",
    help="Build folder made by `racegraph build`.",
)


def publish_options(to_option: str, to_help: str):
    """Where a build goes on a SPARQL server: for `publish --to`, and `--publish-to` of build, add, remove."""
    def decorate(command):
        for option in reversed([
            click.option(to_option, "endpoint", metavar="URL", required=to_option == "--to", help=to_help),
            click.option("--graph-store", metavar="URL",
                         help="Graph Store Protocol URL of the server [default: the query URL]. Oxigraph: "
                              "http://HOST/store; Virtuoso: http://HOST/sparql-graph-crud-auth."),
            click.option("--default-graph", metavar="IRI",
                         help="Put the merge of all named graphs into this named graph instead of the server's "
                              "default graph (for servers that keep their default graph to themselves, such as Virtuoso)."),
            click.option("--auth", metavar="USER:PASSWORD", envvar="RACEGRAPH_PUBLISH_AUTH",
                         help="Credentials for the Graph Store endpoint (Basic or Digest, as the server asks); "
                              "also $RACEGRAPH_PUBLISH_AUTH."),
        ]):
            command = option(command)
        return command
    return decorate


def publish_whole(store_dir: Path, endpoint: str, graph_store: str | None, default_graph: str | None,
                  auth: str | None) -> None:
    """Publish the build in `store_dir` to the server, every graph (exit 2 if the server refuses)."""
    from graph.publish import PublishError, parse_auth, publish_build
    from graph.store import StoreMissingError

    try:
        done = publish_build(store_dir, graph_store=graph_store or endpoint, query_endpoint=endpoint,
                             default_graph=default_graph, auth=parse_auth(auth), progress=Progress())
    except (StoreMissingError, PublishError) as error:
        fail(str(error))
    for graph in done.deleted:
        click.echo(f"deleted stale graph <{graph}>", err=True)
    click.echo(f"published {done.graphs} named graphs and their merge ({done.triples} triples) to {endpoint}")


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def report_results(results) -> None:
    """Print SHACL results on stderr, one per line: severity, resource, rule, message."""
    from graph.build import result_line

    for found in results:
        click.echo(f"{found.severity.lower()}: {result_line(found)}", err=True)


class Progress:
    """Progress on stderr: a live counter on a terminal, one line per stage otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.tty:
            end = "\n" if done == total else ""
            click.echo(f"\r{stage}: {done}/{total}", err=True, nl=False)
            click.echo(end, err=True, nl=False)
        elif done == total and stage != self.stage:
            click.echo(f"{stage}: {total}/{total}", err=True)
        self.stage = stage if done == total else self.stage


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="racegraph")
def cli():
    """racegraph: race-result articles to a validated RDF knowledge graph, and its publication.

    Exit codes: 0 success (the graph conforms), 1 the SHACL shapes report violations,
    2 unusable input (an unreadable article, a missing store, a bad query).
    """


defer_dumps_option = click.option(
    "--defer-dumps", is_flag=True,
    help="Keep the current dumps instead of writing them again (the one step whose time grows with the whole "
         "graph); build.json names the build they come from. The next update without it writes them.")


def report_outcome(outcome, folder: Path, *, verb: str = "violates") -> None:
    """What build, add and remove print of the graph they made: merged spellings, curation rules,
    warnings, counts and the shapes' results; exit 1 when it does not conform (the folder unchanged)."""
    for merge in outcome.merges:
        click.echo(str(merge), err=True)
    curation = getattr(outcome, "curation", {})  # an update applies the build's curation, it does not report it
    for rule in curation.get("used", []):
        click.echo(f"curation: used {rule}", err=True)
    for rule in curation.get("unused", []):
        click.echo(f"curation: unused {rule}", err=True)
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name, count in outcome.counts.items():
        click.echo(f"{name:>14}: {count}")
    report_results(outcome.violations)
    if not outcome.conforms:
        click.echo(f"the graph {verb} the shapes; {folder} is unchanged, "
                   f"the rejected build is in {outcome.rejected_dir}", err=True)
        sys.exit(EXIT_VIOLATIONS)


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=default_store_dir,
              show_default="$RACEGRAPH_STORE, else var/graph in the working directory",
              help="Build folder to write (replaced only on success).")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True,
              help="Base of every minted URI; must end with '/'. Use the public address of the server.")
@click.option("--curation", "curation", type=click.Path(dir_okay=False, path_type=Path), default=None,
              show_default="data/articles/curation.toml when building the bundled articles, else none",
              help="Curation file (TOML): spellings that are one thing, one spelling that is two things, "
                   "preferred labels. See docs/curation.md.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, show_default="every CPU",
              help="Worker processes that read, convert and validate events, a batch of 8 at a time "
                   "(a build of one batch runs in one process).")
@publish_options("--publish-to", "Once the build is published locally, load it into this SPARQL server "
                                  "(its query URL), as `racegraph publish --to URL` does.")
def build(sources: tuple[Path, ...], out_dir: Path, base_uri: str, curation: Path | None, jobs: int | None,
          endpoint: str | None, graph_store: str | None, default_graph: str | None, auth: str | None):
    """Build the graph from article files or folders (default: the bundled articles).

    Parses every article, converts it to RDF (one named graph per article), derives class winners,
    lap length and distances, validates each event against the SHACL shapes (events in batches, in
    --jobs worker processes, streamed to disk and into the store rather than held in memory), then writes into
    OUT: the pyoxigraph store, dumps (N-Triples, Turtle, TriG, gzipped), validation.ttl and
    build.json. OUT is replaced only when the graph conforms; otherwise the new build is left in
    OUT.rejected for inspection and OUT stays as it was.

    Spellings of one thing (accents, capitals, hyphens, a team's legal suffix) become one resource
    with one preferred label; each merge is reported as `merged: "spelling" → kind/key (preferred
    "label")`, and each curation rule as used or unused.
    """
    from graph.build import InputError, WorkerError, build_graph
    from graph.uris import BaseUriError

    try:
        if curation is None and not sources and BUNDLED_CURATION.is_file():
            curation = BUNDLED_CURATION
        outcome = build_graph(list(sources) or [BUNDLED_ARTICLES], out_dir, base_uri=base_uri, progress=Progress(),
                              curation=curation, workers=jobs)
    except InputError as error:
        for article_error in error.errors:
            click.echo(f"error: {article_error}", err=True)
        click.echo(f"nothing written; {out_dir} is unchanged", err=True)
        sys.exit(EXIT_ERROR)
    except BaseUriError as error:
        fail(str(error))
    except WorkerError as error:
        fail(f"{error}; {out_dir} is unchanged")
    report_outcome(outcome, out_dir)
    click.echo(f"graph conforms to the shapes; written to {out_dir}")
    if endpoint:
        publish_whole(out_dir, endpoint, graph_store, default_graph, auth)


@cli.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@publish_options("--publish-to", "Then send the changed graphs (and the merge) to this SPARQL server "
                                 "(its query URL), where `racegraph publish` put the build.")
@defer_dumps_option
def add(articles: tuple[Path, ...], store_dir: Path, endpoint: str | None, graph_store: str | None,
        default_graph: str | None, auth: str | None, defer_dumps: bool):
    """Add or replace articles in an existing build, without rebuilding it (docs/updates.md).

    ARTICLE is a file or a folder of them. An article whose file name the build already holds replaces
    it. Only the added articles, and those naming a thing whose preferred label changes, are converted
    again; only the events they touch and the shared resources they describe are validated. The build
    is published as a new build (a running server moves to it), or, on an unreadable article or a
    violation, left exactly as it was (exit 2 or 1).
    """
    _update(store_dir, list(articles), [], endpoint, graph_store, default_graph, auth, defer_dumps)


@cli.command()
@click.argument("events", nargs=-1, required=True)
@store_option
@publish_options("--publish-to", "Then delete the removed graphs on this SPARQL server (its query URL) and "
                                 "send the changed ones and the merge.")
@defer_dumps_option
def remove(events: tuple[str, ...], store_dir: Path, endpoint: str | None, graph_store: str | None,
           default_graph: str | None, auth: str | None, defer_dumps: bool):
    """Remove events (and their article) from an existing build, without rebuilding it.

    EVENT is the event's IRI, its slug (2003-1000-km-of-le-mans) or its exact English title. The result
    is the build a full build without those articles would make; translations of a removed event stay
    in the build, unmatched, as a full build would keep them. An unknown event exits 2, changing nothing.
    """
    _update(store_dir, [], list(events), endpoint, graph_store, default_graph, auth, defer_dumps)


def _update(store_dir: Path, articles: list[Path], events: list[str], endpoint: str | None,
            graph_store: str | None, default_graph: str | None, auth: str | None, defer_dumps: bool) -> None:
    from graph.build import InputError
    from graph.incremental import UnknownEventError, update_build
    from graph.publish import PublishError, parse_auth, publish_changes
    from graph.store import StoreMissingError

    try:
        credentials = parse_auth(auth)
        outcome = update_build(store_dir, add=articles, remove=events, progress=Progress(), defer_dumps=defer_dumps)
    except InputError as error:
        for article_error in error.errors:
            click.echo(f"error: {article_error}", err=True)
        click.echo(f"nothing written; {store_dir} is unchanged", err=True)
        sys.exit(EXIT_ERROR)
    except (StoreMissingError, UnknownEventError, PublishError) as error:
        fail(str(error))
    report_outcome(outcome, store_dir, verb="would violate")
    click.echo(f"added {len(outcome.added)} articles, removed {len(outcome.removed)} events; re-converted "
               f"{len(outcome.touched)} articles, validated {outcome.events_validated} events; "
               f"graph conforms to the shapes; {store_dir} is build {outcome.build_id}")
    if endpoint:
        try:
            done = publish_changes(store_dir, changed=outcome.changed_graphs, removed=outcome.removed_graphs,
                                   graph_store=graph_store or endpoint, default_graph=default_graph,
                                   auth=credentials, progress=Progress())
        except PublishError as error:
            fail(f"{error} (the local build is updated; `racegraph publish --to {endpoint}` sends it whole)")
        click.echo(f"published {done.graphs} changed graphs, deleted {len(done.deleted)}, and the merge "
                   f"({done.triples} triples) to {endpoint}")


@cli.command()
@store_option
def validate(store_dir: Path):
    """Validate an existing build against the SHACL shapes (exit 0 conforms, 1 violations)."""
    import pyoxigraph
    from rdflib import Dataset

    from graph.store import StoreMissingError, named_graph_quads, open_store, read_build_info
    from graph.validate import validate_dataset

    try:
        info = read_build_info(store_dir)
        store = open_store(store_dir)
    except StoreMissingError as error:
        fail(str(error))
    dataset = Dataset()
    quads = pyoxigraph.serialize(named_graph_quads(store), format=pyoxigraph.RdfFormat.N_QUADS)
    dataset.parse(data=quads, format="nquads")
    result = validate_dataset(dataset, base_uri=info.base_uri, progress=None)
    report_results(result.violations)
    if result.events_checked == 0:  # a graph of no race says nothing the shapes could vouch for
        fail(f"{store_dir}: the store holds no race event, so there is nothing to validate")
    if not result.conforms:
        click.echo(f"the graph violates the shapes in {result.events_checked} events checked", err=True)
        sys.exit(EXIT_VIOLATIONS)
    click.echo(f"conforms: {result.events_checked} events checked")


@cli.command()
@store_option
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True, help="Result format for SELECT and ASK (CONSTRUCT/DESCRIBE print Turtle).")
@click.option("--allow-remote-service", is_flag=True,
              help="Let SERVICE contact other SPARQL endpoints (refused by default, as on the server).")
@click.option("--store-url", metavar="URL", envvar="RACEGRAPH_STORE_URL",
              help="Query this SPARQL server (where `racegraph publish` put the build) instead of the build folder's "
                   "own store; the folder then only needs build.json. Also $RACEGRAPH_STORE_URL.")
@click.option("--default-graph", metavar="IRI", envvar="RACEGRAPH_STORE_DEFAULT_GRAPH",
              help="With --store-url: the named graph holding the merge, as given to `publish --default-graph`.")
@click.argument("query")
def query(store_dir: Path, output_format: str, allow_remote_service: bool, store_url: str | None,
          default_graph: str | None, query: str):
    """Run a SPARQL query on the store. QUERY is the text, @file.rq, or - for standard input.

    The default graph is the merge of all named graphs (one per source article). Relative IRIs
    resolve against the build's base URI.
    """
    from graph.query import QueryError, render_query, run_query
    from graph.remote_store import RemoteStoreError
    from graph.store import StoreMissingError

    text = _query_text(query)
    try:
        results = run_query(store_dir, text, allow_remote_service=allow_remote_service, store_url=store_url,
                            default_graph=default_graph)
        output = render_query(results, output_format, store_dir)
    except (StoreMissingError, QueryError, RemoteStoreError) as error:
        fail(str(error))
    except (OSError, RuntimeError) as error:  # raised while results are read: pyoxigraph evaluates lazily
        fail(f"query failed while reading its results: {error}")  # (a SERVICE that failed or answered garbage)
    sys.stdout.buffer.write(output)


def _query_text(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        path = Path(argument[1:])
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            fail(f"{path}: cannot read the query file: {error}")
    return argument


@cli.command()
@store_option
@click.argument("events", nargs=-1)
def results(store_dir: Path, events: tuple[str, ...]):
    """Print race results as JSON, computed by SPARQL over the store.

    EVENT is an event URI or its exact English title; all events when none is given. Output: a list
    of {"title", "date", "entries": [{"pos", "class", "no", "teams": [[code, name], ...],
    "drivers": [[code, name], ...], "chassis", "engine", "tyre", "laps"}]} with entries in table order.
    """
    from graph.results import UnknownEventError, event_results
    from graph.store import StoreMissingError, open_store, read_build_info

    try:
        read_build_info(store_dir)  # a folder with no build fails here, with how to make one
        data = event_results(open_store(store_dir), list(events) or None)
    except (StoreMissingError, UnknownEventError) as error:
        fail(str(error))
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command()
@store_option
@publish_options("--to", "SPARQL query URL of the server (used to find graphs of an earlier publication to delete).")
def publish(store_dir: Path, endpoint: str, graph_store: str | None, default_graph: str | None, auth: str | None):
    """Load a finished, conforming build into a SPARQL 1.1 server, graph by graph.

    Each named graph (articles, derived facts, ontology, metadata) is replaced whole with the Graph Store
    HTTP Protocol (PUT ?graph=IRI), then the merge of them all goes to the default graph (PUT ?default)
    or to --default-graph. Graphs under the build's base that the build no longer has are deleted.
    Running it twice leaves the same store. Serve it with `racegraph serve --store-url URL`.
    """
    publish_whole(store_dir, endpoint, graph_store, default_graph, auth)


@cli.command()
@store_option
@click.option("--store-url", metavar="URL", envvar="RACEGRAPH_STORE_URL",
              help="Query this SPARQL server (where `racegraph publish` put the build) instead of the build "
                   "folder's own store; the folder then only needs build.json and dumps/. Also $RACEGRAPH_STORE_URL.")
@click.option("--default-graph", metavar="IRI", envvar="RACEGRAPH_STORE_DEFAULT_GRAPH",
              help="With --store-url: the named graph holding the merge, as given to `publish --default-graph`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--debug", is_flag=True, help="Flask debug mode (reloader and debugger): never in production.")
def serve(store_dir: Path, store_url: str | None, default_graph: str | None, host: str, port: int, debug: bool):
    """Serve the graph: SPARQL endpoint, linked data, HTML pages and JSON API.

    This is Flask's own threaded server, for one machine. In production run several gunicorn
    workers on the same read-only store:

        RACEGRAPH_STORE=var/graph gunicorn -c python:server.gunicorn_config -b 0.0.0.0:8000 'server:create_app()'

    A new build of the store is served as soon as `racegraph build` publishes it, with no restart.
    SIGTERM stops the server after the requests in flight are answered.
    """
    from graph.store import StoreMissingError, read_build_info
    from server import create_app

    try:
        info = read_build_info(store_dir)
    except StoreMissingError as error:
        fail(str(error))
    here = f"http://{host}:{port}/"
    if info.base_uri != here and _is_local(info.base_uri):
        click.echo(f"warning: the graph's URIs start with {info.base_uri} (its build's --base-uri), not {here}: "
                   f"its links lead there. Rebuild with `racegraph build --base-uri {here}` to browse this "
                   "server", err=True)
    app = create_app({"STORE": str(store_dir), "STORE_URL": store_url or "", "STORE_DEFAULT_GRAPH": default_graph or ""})
    click.echo(f"racegraph serving {store_url or store_dir} at http://{host}:{port}/", err=True)
    if debug:
        app.run(host=host, port=port, debug=True, threaded=True, use_reloader=True)
        return
    from server.serving import serve as serve_until_stopped

    serve_until_stopped(app, host, port, log=lambda line: click.echo(line, err=True))


def _is_local(uri: str) -> bool:
    """A base URI on this machine: it can only mean the server `serve` runs here. A public base (a
    proxy in front of this server) is left alone."""
    from urllib.parse import urlsplit

    return urlsplit(uri).hostname in {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def main() -> None:
    cli(prog_name="racegraph")


if __name__ == "__main__":
    main()
