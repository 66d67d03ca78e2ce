"""From article files to a build folder: parse, convert, derive, validate, then publish atomically.

A build writes into a fresh staging folder and only replaces the target once everything is written
and the graph conforms; a failed or killed build leaves the previous one exactly as it was
(graph.store_dir publishes atomically and recovers what a killed build left behind). The events go
through graph.pipeline (worker processes, streamed to disk and into the store); `assemble` makes
the same graphs as one rdflib Dataset in memory, for tests and tools that want a few articles.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph
from rdflib import Dataset, Graph, URIRef

from graph import store as store_module
from graph import store_dir
from graph.article import RaceArticle, Translation, read_article
from graph.convert import article_spellings, event_uri
from graph.curation import NO_CURATION, Curation, CurationError, read_curation
from graph.errors import ArticleError, changed_since_read
from graph.dumps import write_dumps
from graph.metadata import describe_dataset
from graph.names import Merge, NameBook
from graph.paths import ONTOLOGY_FILE
from graph.pipeline import (EVENTS_PER_BATCH, InputError, PipelineResult, WorkerError, convert_event,  # noqa: F401
                            require_a_race, run_pipeline, source_errors, unmatched_warning)
from graph.statistics import count_statistics
from graph.translate import match_translation
from graph.update_state import write_record, write_state
from graph.uris import DEFAULT_BASE, Minter
from graph.vocab import RG

Progress = Callable[[str, int, int], None]


@dataclass
class BuildOutcome:
    out_dir: Path
    conforms: bool
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    violations: list = field(default_factory=list)
    rejected_dir: Path | None = None
    merges: list[Merge] = field(default_factory=list)
    curation: dict = field(default_factory=dict)  # {"file", "used": [...], "unused": [...]}
    phases: dict[str, float] = field(default_factory=dict)  # seconds, by phase (graph.pipeline.PHASES…)
    events: int = 0
    workers: int = 1  # processes that built the events
    build_id: str | None = None  # set when the build was published

    def summary(self) -> str:
        lines = [f"{name}: {count}" for name, count in self.counts.items()]
        lines += [str(merge) for merge in self.merges]
        lines += [f"curation: used {rule}" for rule in self.curation.get("used", [])]
        lines += [f"curation: unused {rule}" for rule in self.curation.get("unused", [])]
        lines += [f"warning: {warning}" for warning in self.warnings]
        lines += [f"violation: {violation}" for violation in self.violations]
        return "\n".join(lines)


def collect_sources(paths: list[Path]) -> list[Path]:
    """Article files named directly, and the `*.txt` files of named folders, in a stable order."""
    files: list[Path] = []
    errors: list[ArticleError] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(ArticleError(path, None, "expected an article file or a folder of them, found nothing there"))
    if errors:
        raise InputError(errors)
    if not files:
        raise InputError([ArticleError(Path(p), None, "expected article files (*.txt), found none") for p in paths])
    return files


def result_line(found) -> str:
    """A SHACL result as the build prints it and build.json records it: resource, message, rule, value."""
    line = f"{found.focus}: {found.message} [{found.source_shape}]"
    return line + (f" (value {found.value})" if found.value else "")


def read_articles(files: list[Path], progress: Progress | None = None):
    """Parse every file; collect every error rather than stopping at the first."""
    races: list[RaceArticle] = []
    translations: list[Translation] = []
    errors: list[ArticleError] = []
    for done, path in enumerate(files, 1):
        try:
            article = read_article(path)
        except ArticleError as error:
            errors.append(error)
            continue
        finally:
            if progress:
                progress("reading articles", done, len(files))
        (translations if isinstance(article, Translation) else races).append(article)
    errors += source_errors([(race.source.path, race.title) for race in races], [t.source.path for t in translations])
    if errors:
        raise InputError(errors)
    return races, translations


@dataclass
class Assembled:
    dataset: Dataset
    warnings: list[str]
    merges: list[Merge]
    curation: dict  # {"file", "used": ["<rule id>: <what it says>"], "unused": [...]}

    def __iter__(self):
        """`dataset, warnings = assemble(...)`, as callers wrote before merges were reported."""
        return iter((self.dataset, self.warnings))


def assemble(races: list[RaceArticle], translations: list[Translation], *,
             base_uri: str = DEFAULT_BASE, curation: Curation = NO_CURATION) -> Assembled:
    """The whole dataset minted under `base_uri`, in memory: one named graph per article, one per
    derivation; the graphs `racegraph build` writes (graph.pipeline, by the same per-event steps).

    Things the articles name are labelled once every article is read (graph.names): one preferred
    label, every other spelling an alternative label in the graph of the article that wrote it."""
    minter = Minter(base_uri)
    dataset = Dataset()
    book = NameBook()
    for article in races:
        book.add(article_spellings(article, curation))
    naming = book.decide(curation)
    warnings: list[str] = []
    events: dict[URIRef, tuple[list[RaceArticle], list[Translation]]] = {}
    for article in races:
        events.setdefault(event_uri(article, minter), ([], []))[0].append(article)
    matched: list[Translation] = []
    unmatched: list[str] = []
    for translation in translations:
        unmatched += [str(w) for w in translation.warnings]
        race = match_translation(translation, races)
        if race is None:
            unmatched.append(unmatched_warning(translation))
            continue
        matched.append(translation)
        events[event_uri(race, minter)][1].append(translation)
    for event_races, event_translations in events.values():
        converted = convert_event(event_races, event_translations, naming, minter, curation)
        warnings += converted.warnings
        for name, triples in converted.graphs:
            _add_graph(dataset, name, triples)
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    _add_graph(dataset, minter.ontology_graph, ontology)
    sources = [minter.article_graph(a.source.stem) for a in [*races, *matched]]  # only graphs that exist
    _add_graph(dataset, minter.metadata_graph, describe_dataset(minter, sources))
    return Assembled(dataset, warnings + unmatched, list(naming.merges), curation.report(naming.rules_used))


def _add_graph(dataset: Dataset, name: URIRef, triples: Graph) -> None:
    graph = dataset.graph(name)
    for triple in triples:
        graph.add(triple)


def build_graph(sources: list[Path], out_dir: Path, *, base_uri: str = DEFAULT_BASE,
                progress: Progress | None = None, validate: bool = True,
                curation: Path | None = None, workers: int | None = None,
                batch_size: int = EVENTS_PER_BATCH) -> BuildOutcome:
    """Build `sources` into `out_dir`, applying the curation file if one is given. Raises InputError
    on unreadable input or an unusable curation file, WorkerError when a worker process dies
    (nothing written either way).

    The events go through graph.pipeline (a process pool of `workers`, default: every CPU, taking
    `batch_size` events at a time) into a staging folder, published only when the graph conforms."""
    Minter(base_uri)  # rejects a malformed base before any work
    out_dir = Path(out_dir)
    try:
        rules = read_curation(curation) if curation is not None else NO_CURATION
        # what an update applies later is the file as this build read it, however it changes meanwhile
        curation_text = (Path(curation), Path(curation).read_bytes()) if curation is not None else None
    except CurationError as error:
        raise InputError([error]) from None
    files = collect_sources(sources)
    staging = _Staging(out_dir)
    try:
        started = time.perf_counter()
        result = run_pipeline(files, staging.prepare, base_uri=base_uri, curation=rules, validate=validate,
                              workers=workers, batch_size=batch_size, progress=progress, load=staging.load,
                              keep_record=staging.keep_record)
        if result.outcomes is not None:
            from graph.validate import merge_outcomes

            merged = merge_outcomes(result.outcomes, events_checked=result.events)
            conforms, violations, report = merged.conforms, list(merged.violations), merged.report
        else:
            conforms, violations, report = True, [], None
        mark = time.perf_counter()
        # build.json lists every warning the build prints: the articles' and the shapes' own
        printed = result.warnings + [result_line(v) for v in violations if v.severity == "Warning"]
        phases = dict(result.seconds)
        curation_used = rules.report(result.naming.rules_used)
        counts = _write(staging.folder, staging.store, result, report, base_uri, printed, conforms, curation_used,
                        phases)
        staging.store = None  # release RocksDB before the folder is renamed
        if validate:  # what `racegraph add` and `remove` need to update this build without a full rebuild
            try:
                write_state(staging.folder, result, violations, curation_text, base_uri)
            except ArticleError as error:  # an article changed while the build ran
                raise InputError([error]) from None
            except OSError as error:  # or went
                raise InputError([changed_since_read(error.filename or "", error.strerror)]) from None
        phases.update(store_wall=time.perf_counter() - mark, total_wall=time.perf_counter() - started)
    except BaseException:
        staging.discard()
        raise
    outcome = BuildOutcome(out_dir, conforms, counts, result.warnings, violations, merges=list(result.naming.merges),
                           curation=curation_used, phases=phases, events=result.events, workers=result.workers)
    if conforms:
        outcome.build_id = store_dir.publish(staging.folder, out_dir)
    else:
        rejected = out_dir.with_name(out_dir.name + ".rejected")
        store_dir.keep_rejected(staging.folder, rejected)
        outcome.rejected_dir = rejected
    return outcome


class _Staging:
    """The build's staging folder and store, made only once every article has been read."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.folder: Path | None = None
        self.store: pyoxigraph.Store | None = None

    def prepare(self) -> Path:
        self.folder = store_dir.prepare_staging(self.out_dir)
        self.store = store_module.create_store(self.folder)
        return self.folder

    def load(self, named_graphs: Path, merge: Path) -> None:
        store_module.bulk_load_files(self.store, named_graphs, merge)

    def keep_record(self, record: dict) -> None:
        write_record(self.folder, record)

    def discard(self) -> None:
        self.store = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _write(folder: Path, store: pyoxigraph.Store, result: PipelineResult, report: Graph | None, base_uri: str,
           warnings: list[str], conforms: bool, curation: dict, phases: dict[str, float]) -> dict[str, int]:
    """The store finished (the pipeline loaded it), the dumps, the report and build.json;
    the wall time of each step goes into `phases`."""
    mark = time.perf_counter()
    store_module.finish_store(store)
    phases["optimize_wall"] = time.perf_counter() - mark
    mark = time.perf_counter()
    # The TriG dump from the pipeline's N-Quads file, which holds each named graph in one piece: a
    # quarter of the time of walking the store and leaving out its default graph.
    write_dumps(folder, store, base_uri,
                named_graphs=pyoxigraph.parse(path=result.nquads, format=pyoxigraph.RdfFormat.N_QUADS))
    result.nquads.unlink()
    result.merge.unlink()
    if report is not None:
        report.serialize(folder / store_module.VALIDATION_REPORT, format="turtle")
    phases["dumps_wall"] = time.perf_counter() - mark
    mark = time.perf_counter()
    counts = _counts(store)
    statistics = count_statistics(store, base_uri=base_uri)
    phases["statistics_wall"] = time.perf_counter() - mark
    store_module.write_build_info(folder, {
        "base_uri": base_uri,
        "built_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "conforms": conforms,
        "counts": counts,
        "statistics": statistics,
        "sources": [{"file": str(path.name), "sha256": sha256} for path, sha256 in
                    [*((r.path, r.sha256) for r in result.races),
                     *((t.source.path, t.source.sha256) for t in result.translations)]],
        "warnings": warnings,
        # every spelling that became another's alternative label, and what the curation file did
        "merges": [str(merge) for merge in result.naming.merges],
        "curation": curation,
    })
    return counts


_COUNTED = {
    "events": "RaceEvent", "entries": "Entry", "drivers": "Driver", "teams": "Team", "chassis": "Chassis",
    "engines": "Engine", "manufacturers": "Manufacturer", "classes": "RaceClass", "circuits": "Circuit",
    "countries": "Country",
}


def counts_from_statistics(statistics: dict) -> dict[str, int]:
    """What `_counts` counts, read from a build's VoID statistics (graph.statistics): for an update
    (graph.incremental), which brings the statistics up to date without recounting the store."""
    classes = dict((iri, count) for iri, count in statistics["class_partitions"])
    counts = {"triples": statistics["triples"], "quads": sum(count for _, count in statistics["graph_sizes"])}
    for name, local in _COUNTED.items():
        counts[name] = classes.get(str(RG[local]), 0)
    return counts


def _counts(store: pyoxigraph.Store) -> dict[str, int]:
    """Distinct triples of the merge, quads of the named graphs, and things by class."""
    def count(query: str) -> int:
        return int(next(iter(store.query(query)))["n"].value)

    counts = {"triples": count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
              "quads": count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")}
    for name, local in _COUNTED.items():
        counts[name] = count(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{RG[local]}> }}")
    return counts
