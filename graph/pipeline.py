"""The build at scale: events go through a process pool and stream to disk and into the store.

1. read: every file is parsed (in the pool) into a small summary and the spellings of the things
   it names; errors are collected from all files. The main process counts every spelling
   (graph.names.NameBook) and decides the preferred labels once all are read (the naming pass of
   docs/model.md, "Spellings"); translations are matched to races by date and place.
2. events: batches of events go to the pool with the naming decisions (a file in the staging
   folder, which each worker reads once). A worker parses each event's articles again (their
   SHA-256 must not have changed since the read stage), converts and derives them
   (`convert_event`), validates the batch (graph.validate.EventValidator) and writes the batch's
   quads to a part file: each triple in its named graph, and again in the default graph, which
   the store keeps as the merge. The main process appends the part files to named-graphs.nq and
   merge.nt and hands chunks of about LOAD_CHUNK_QUADS quads to `load` meanwhile.
3. what belongs to no event (the metadata graph) and the resources several events describe are
   validated in the main process; the latter are read back from named-graphs.nq, not kept.

Nothing holds the whole dataset in memory: an event lives in one worker for one batch. What grows
with the input is one small summary per article, the spelling counts per distinct thing, and one
entry per distinct subject (which unit first described it), for the shared-resource check.

The per-event steps are pure functions that an incremental update can reuse: `article_spellings`
(graph.convert) for the naming pass, `convert_event` for an event's named graphs, `event_unit` for
what validating it sees, and `EventValidator.validate` (graph.validate) for the verdict.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph
from rdflib import Graph, URIRef

from graph.article import RaceArticle, Translation, read_article
from graph.convert import article_spellings, convert_translation, event_uri, read_race
from graph.curation import NO_CURATION, Curation
from graph.derive import derive
from graph.errors import ArticleError, changed_since_read
from graph.metadata import describe_dataset
from graph.names import NameBook, Naming, describe_article
from graph.prose import Venue
from graph.sparql_rules import to_oxigraph
from graph.translate import match_translation
from graph.update_state import race_record
from graph.uris import DEFAULT_BASE, Minter
from graph.validate import EventValidator, Unit, Violation, validate_shared, violation_order

Progress = Callable[[str, int, int], None]
PHASES = ("parse", "convert", "validate", "write")
EVENTS_PER_BATCH = 8
LOAD_CHUNK_QUADS = 100_000


class InputError(Exception):
    """One or more articles could not be read; nothing was written."""

    def __init__(self, errors: list[ArticleError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


class WorkerError(RuntimeError):
    """A worker process of the build died (killed, out of memory…); nothing was written."""


@dataclass(frozen=True)
class RaceSummary:
    """What the read stage keeps of a race article: enough to match translations and name sources."""
    path: Path
    sha256: str
    title: str
    date: dt.date
    venue: Venue
    event: str  # the event IRI (default base): articles whose titles give one IRI are one event


@dataclass(frozen=True)
class EventSpec:
    """One event to build: its race article(s) and the translations matched to it, each with the
    SHA-256 the read stage saw (the worker reads the files again)."""
    races: tuple[tuple[Path, str], ...]
    translations: tuple[tuple[Path, str], ...]


@dataclass
class EventGraphs:
    """One event converted: its named graphs (article, derived, translations), its warnings, and
    each race article's record for later updates (graph.update_state, without shape warnings yet)."""
    event: URIRef
    graphs: list[tuple[URIRef, Graph]]
    warnings: list[str]
    records: list[dict] = field(default_factory=list)


@dataclass
class EventOutcome:
    event: str
    warnings: list[str]
    subjects: list[str]
    report: list[tuple]
    violations: list[Violation]
    records: list[dict] = field(default_factory=list)  # the race articles' update records (graph.update_state)


@dataclass
class BatchOutcome:
    part: Path
    quads: int
    events: list[EventOutcome]
    unclaimed: list[tuple]  # triples of graphs that do not describe their event (validated with the rest)
    seconds: dict[str, float]


@dataclass
class PipelineResult:
    """What the pipeline leaves for the write step: the N-Quads file and the validation outcome."""
    nquads: Path
    merge: Path
    quads: int
    races: list[RaceSummary]
    translations: list[Translation]
    translation_races: dict[Path, RaceSummary]  # each matched translation's file -> its race
    warnings: list[str]
    naming: Naming
    outcomes: list[tuple[Graph, list[Violation]]] | None  # None when not validated
    events: int
    workers: int  # processes that built the events (1: the build's own)
    seconds: dict[str, float] = field(default_factory=dict)


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# --- the per-event steps (pure) --------------------------------------------------------------------

def convert_event(races: list[RaceArticle], translations: list[Translation], naming: Naming,
                  minter: Minter, curation: Curation = NO_CURATION) -> EventGraphs:
    """The named graphs of one event: each race article's own triples with its naming triples (from
    the naming pass's decisions), the facts derived from it, and each matched translation's."""
    event = event_uri(races[0], minter)
    graphs: list[tuple[URIRef, Graph]] = []
    warnings: list[str] = []
    records: list[dict] = []
    for article in races:
        race = read_race(article, minter, curation)
        warnings += [str(w) for w in article.warnings] + race.warnings
        graph = race.graph
        for triple in describe_article(race.stem, race.spellings, naming, minter, curation):
            graph.add(triple)
        graphs.append((minter.article_graph(article.source.stem), graph))
        derived = derive(article, minter)
        graphs.append(derived)
        records.append(race_record(article, race, minter, (event, None, None) in derived[1], []))
    for translation in translations:
        graphs.append((minter.article_graph(translation.source.stem),
                       convert_translation(translation, event, minter)))
    return EventGraphs(event, graphs, warnings, records)


def event_unit(converted: EventGraphs) -> tuple[Graph, list[tuple]]:
    """(what validating the event sees, triples of graphs that do not describe it). The event's
    unit is every graph it is described in (as graph.validate.validate_dataset groups them).

    Uses `converted` up: the unit is its first such graph, with the others' triples added (copying
    them into a fresh graph would cost as much as converting); pass it as `Unit(..., owned=True)`."""
    unit: Graph | None = None
    unclaimed: list[tuple] = []
    for _, triples in converted.graphs:
        if (converted.event, None, None) not in triples:
            unclaimed.extend(triples)
        elif unit is None:
            unit = triples
        else:
            for triple in triples:
                unit.add(triple)
    return (unit if unit is not None else Graph()), unclaimed


# --- the build -------------------------------------------------------------------------------------

def run_pipeline(files: list[Path], folder: Path | Callable[[], Path], *, base_uri: str = DEFAULT_BASE,
                 curation: Curation = NO_CURATION, validate: bool = True,
                 workers: int | None = None, batch_size: int = EVENTS_PER_BATCH,
                 load: Callable[[Path, Path], None] | None = None,
                 keep_record: Callable[[dict], None] | None = None,
                 progress: Progress | None = None) -> PipelineResult:
    """Read, convert, derive and validate `files` into `folder` (named-graphs.nq, merge.nt); a
    callable `folder` is called once every article has been read, so bad input writes nothing.

    `workers` processes (default: every CPU) take `batch_size` events at a time; with one worker,
    or a single batch, everything runs in this process. `load(named_graphs, merge)`, if given, is
    called with chunks of about LOAD_CHUNK_QUADS quads (N-Quads, and N-Triples for the default
    graph) while the workers go on, every quad once. `keep_record(record)`, if given, is called
    with each race article's update record (graph.update_state), its shape warnings in it, as its
    event is done. Raises InputError when an article cannot be
    read, WorkerError when a worker process dies."""
    workers = workers or default_workers()
    # Starting processes (a second or two each) costs more than a batch of events takes to build.
    pool = (ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
            if workers > 1 and len(files) > batch_size else None)
    try:
        return _run(files, folder, base_uri, curation, validate, pool, workers, batch_size, load, keep_record,
                    progress)
    except BrokenProcessPool as error:
        raise WorkerError(f"a worker process of the build died ({error}); nothing was written") from None
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def _run(files, folder, base_uri, curation, validate, pool, workers, batch_size, load, keep_record,
         progress) -> PipelineResult:
    seconds = dict.fromkeys(PHASES, 0.0)
    started = time.perf_counter()
    specs, races, translations, matched, warnings, naming = _read(files, curation, pool, progress)
    seconds["read_wall"] = time.perf_counter() - started
    folder = folder() if callable(folder) else folder
    nquads = folder / "named-graphs.nq"  # every quad in its named graph
    merge = folder / "merge.nt"  # the same triples for the default graph (the store keeps the merge)
    parts = folder / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    batches = [specs[i:i + batch_size] for i in range(0, len(specs), batch_size)]
    pooled = pool is not None and len(batches) > 1
    decisions: Naming | Path = naming
    if pooled:
        # Every batch needs the decisions about the things it names: written once, read once by each
        # worker, rather than pickled with every batch.
        decisions = parts / "naming.pickle"
        decisions.write_bytes(pickle.dumps(naming, protocol=pickle.HIGHEST_PROTOCOL))
    jobs = [(batch, decisions, curation, base_uri, parts / f"{n:06d}.nq", validate)
            for n, batch in enumerate(batches)]
    results = pool.map(_build_batch_job, jobs) if pooled else map(_build_batch_job, jobs)

    first_unit: dict[str, int] = {}
    shared: set[str] = set()
    outcomes: list = []
    event_warnings: list[str] = []
    unclaimed: list[tuple] = []
    quads = 0
    done = 0
    with nquads.open("wb") as named_out, merge.open("wb") as merged_out:
        chunk = _Chunk(folder / "chunk", load, seconds)
        for batch in _answers(results):
            for suffix, out in ((".nq", named_out), (".nt", merged_out)):
                with batch.part.with_suffix(suffix).open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
            chunk.add(batch.part, batch.quads)
            quads += batch.quads
            unclaimed += batch.unclaimed
            for name, value in batch.seconds.items():
                seconds[name] += value
            for event in batch.events:
                unit = done
                for subject in event.subjects:
                    if first_unit.setdefault(subject, unit) != unit:
                        shared.add(subject)
                event_warnings += event.warnings
                if keep_record is not None:
                    for record in event.records:
                        keep_record(record)
                # A report without results adds nothing to validation.ttl but its prefixes: the
                # first one is kept for them, the others are not held until the end.
                if validate and (event.violations or not outcomes):
                    outcomes.append((_graph(event.report), event.violations))
                done += 1
                if progress:
                    progress("building events", done, len(specs))
        seconds["events_wall"] = time.perf_counter() - started - seconds["read_wall"]

        # What belongs to no event: the metadata graph (validated) and the ontology (not, as before).
        mark = time.perf_counter()
        minter = Minter(base_uri)
        sources = [minter.article_graph(_stem(r.path)) for r in races] + \
                  [minter.article_graph(t.source.stem) for t, _ in matched]
        metadata = describe_dataset(minter, sources)
        validator = _validator()
        end = parts / "end"
        with end.with_suffix(".nq").open("wb") as end_named, end.with_suffix(".nt").open("wb") as end_merged:
            added = _write_graph(end_named, end_merged, minter.metadata_graph, metadata)
            added += _write_graph(end_named, end_merged, minter.ontology_graph, validator.ontology)
        for suffix, out in ((".nq", named_out), (".nt", merged_out)):
            with end.with_suffix(suffix).open("rb") as part:
                shutil.copyfileobj(part, out)
        chunk.add(end, added)
        chunk.load()
        quads += added
    if validate:
        rest = Graph()
        for triple in metadata:
            rest.add(triple)
        for triple in unclaimed:
            rest.add(triple)
        unit = done
        for subject in rest.subjects(unique=True):
            if isinstance(subject, URIRef) and first_unit.setdefault(str(subject), unit) != unit:
                shared.add(str(subject))
        outcomes.append(validator.validate([Unit("", rest)])[0])
        shared -= {str(minter.event(race.title)) for race in races}
        if shared:
            if progress:
                progress("validating shared resources", 0, 1)
            named_quads = pyoxigraph.parse(path=nquads, format=pyoxigraph.RdfFormat.N_QUADS)
            outcomes.append(validate_shared(validator, named_quads, shared))
            if progress:
                progress("validating shared resources", 1, 1)
    seconds["rest_wall"] = time.perf_counter() - mark  # metadata, rest and shared-resource validation
    shutil.rmtree(parts, ignore_errors=True)
    chunk.named.unlink()
    chunk.merge.unlink()
    return PipelineResult(nquads=nquads, merge=merge, quads=quads, races=races, translations=translations,
                          translation_races={t.source.path: race for t, race in matched},
                          warnings=event_warnings + warnings, naming=naming,
                          outcomes=outcomes if validate else None, events=len(specs),
                          workers=workers if pooled else 1, seconds=seconds)


def _answers(results: Iterable):
    """The batches' outcomes in order; an article a worker could not read again is an InputError."""
    try:
        yield from results
    except ArticleError as error:
        raise InputError([error]) from None


class _Chunk:
    """Part files gathered until about LOAD_CHUNK_QUADS quads, then handed to `load` (bounded memory)."""

    def __init__(self, path: Path, load: Callable[[Path, Path], None] | None, seconds: dict[str, float]):
        self.named, self.merge = path.with_suffix(".nq"), path.with_suffix(".nt")
        self._load, self.seconds, self.quads = load, seconds, 0
        self.seconds.setdefault("load_wall", 0.0)
        self._truncate()

    def _truncate(self) -> None:
        self.named.write_bytes(b"")
        self.merge.write_bytes(b"")
        self.quads = 0

    def add(self, part: Path, quads: int) -> None:
        if self._load is not None:
            for suffix, target in ((".nq", self.named), (".nt", self.merge)):
                with part.with_suffix(suffix).open("rb") as source, target.open("ab") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
            self.quads += quads
        for suffix in (".nq", ".nt"):
            part.with_suffix(suffix).unlink()
        if self.quads >= LOAD_CHUNK_QUADS:
            self.load()

    def load(self) -> None:
        if self._load is not None and self.quads:
            mark = time.perf_counter()
            self._load(self.named, self.merge)
            self.seconds["load_wall"] += time.perf_counter() - mark
            self._truncate()


# --- reading ---------------------------------------------------------------------------------------

def require_a_race(races: list, translations: list[Translation]) -> None:
    """A graph with no race event would conform to every shape while holding nothing; refuse it."""
    if races:
        return
    raise InputError([ArticleError(t.source.path, None, f"a translation ({t.language}) needs its race article in "
                                                        "the same build; expected at least one race article (a "
                                                        "'= Title =' line and a results table), found none")
                      for t in translations])


def source_errors(races: list[tuple[Path, str]], others: list[Path]) -> list[ArticleError]:
    """What makes a set of articles unbuildable although each reads: two race articles of one title
    (`races` is (file, title) in reading order), or two files whose names give one named graph."""
    errors: list[ArticleError] = []
    seen_titles: dict[str, Path] = {}
    for path, title in races:
        if title in seen_titles:
            errors.append(ArticleError(path, 1, f"expected one article per event, found '{title}' again "
                                                f"(already read from {seen_titles[title]})"))
        seen_titles.setdefault(title, path)
    # graph names come from file names: two files that slug alike would pour into one named graph
    graph_files: dict[URIRef, Path] = {}
    for path in [*(path for path, _ in races), *others]:
        graph = Minter().article_graph(_stem(path))
        if graph in graph_files:
            errors.append(ArticleError(path, None, f"expected file names that differ in more than case and "
                                                   f"punctuation, found the same as {graph_files[graph]} (both "
                                                   f"would be the named graph {graph})"))
        graph_files.setdefault(graph, path)
    return errors


def unmatched_warning(translation: Translation) -> str:
    return (f"{translation.source.path}: translation ({translation.language}) of an event on "
            f"{translation.date.isoformat()} matches no race article by date and place; not added")


def _stem(path: Path) -> str:
    return Path(path).name.rsplit(".txt", 1)[0]


def _read(files: list[Path], curation: Curation, pool, progress: Progress | None):
    """(event specs, race summaries, translations, (translation, race) of the matched ones, translation warnings, naming
    decisions); InputError on any bad file."""
    answers = pool.map(_read_one, files, [curation] * len(files), chunksize=16) if pool \
        else map(_read_one, files, [curation] * len(files))
    races: list[RaceSummary] = []
    translations: list[Translation] = []
    errors: list[ArticleError] = []
    book = NameBook()
    for done, (path, answer) in enumerate(zip(files, answers), 1):
        if progress:
            progress("reading articles", done, len(files))
        if isinstance(answer, ArticleError):
            errors.append(answer)
        elif isinstance(answer, Translation):
            translations.append(answer)
        else:
            summary, spellings = answer
            book.add(spellings)
            races.append(summary)
    errors += source_errors([(race.path, race.title) for race in races], [t.source.path for t in translations])
    if errors:
        raise InputError(errors)
    require_a_race(races, translations)
    naming = book.decide(curation)
    warnings: list[str] = []
    by_event: dict[str, list[tuple[Path, str]]] = {}
    for race in races:
        by_event.setdefault(race.event, []).append((race.path, race.sha256))
    same_day: dict[dt.date, list[RaceSummary]] = {}
    for race in races:
        same_day.setdefault(race.date, []).append(race)
    translated: dict[str, list[tuple[Path, str]]] = {}
    matched: list[tuple[Translation, RaceSummary]] = []
    for translation in translations:
        warnings += [str(w) for w in translation.warnings]
        race = match_translation(translation, same_day.get(translation.date, []))
        if race is None:
            warnings.append(unmatched_warning(translation))
            continue
        matched.append((translation, race))
        translated.setdefault(race.event, []).append((translation.source.path, translation.source.sha256))
    specs = [EventSpec(tuple(paths), tuple(translated.get(event, ()))) for event, paths in by_event.items()]
    return specs, races, translations, matched, warnings, naming


def _read_one(path: Path, curation: Curation):
    """A worker's answer about one file: (RaceSummary, spellings), a Translation, or an ArticleError."""
    try:
        article = read_article(path)
    except ArticleError as error:
        return error
    if isinstance(article, Translation):
        return article
    summary = RaceSummary(path=path, sha256=article.source.sha256, title=article.title, date=article.date,
                          venue=article.venue, event=str(event_uri(article, Minter())))
    return summary, article_spellings(article, curation)


def _read_again(path: Path, sha256: str):
    """An article the read stage read, read again in a worker: it must not have changed since."""
    article = read_article(path)
    if article.source.sha256 != sha256:
        raise changed_since_read(path)
    return article


# --- a batch of events, in a worker ----------------------------------------------------------------

@cache
def _validator() -> EventValidator:
    """One validator per process: shapes and ontology are parsed once."""
    return EventValidator()


@lru_cache(maxsize=1)
def _naming_file(path: Path) -> Naming:
    """A worker reads the build's naming decisions once (a worker serves one build)."""
    return pickle.loads(path.read_bytes())


def _build_batch_job(job) -> BatchOutcome:
    specs, naming, *rest = job
    return build_batch(specs, _naming_file(naming) if isinstance(naming, Path) else naming, *rest)


def build_batch(specs: Iterable[EventSpec], naming: Naming, curation: Curation, base_uri: str, part: Path,
                validate: bool) -> BatchOutcome:
    """Parse, convert, derive and validate a batch of events; their quads go to the file `part`.
    `naming` holds the naming pass's decisions on (at least) the things these events name."""
    seconds = dict.fromkeys(PHASES, 0.0)  # CPU seconds of this worker (wall time would count the machine's load)
    clock = time.process_time
    minter = Minter(base_uri)
    units: list[Unit] = []
    outcomes: list[EventOutcome] = []
    unclaimed: list[tuple] = []
    named: list = []
    merged: list = []
    for spec in specs:
        mark = clock()
        races: list[RaceArticle] = [_read_again(path, sha256) for path, sha256 in spec.races]
        translations = [_read_again(path, sha256) for path, sha256 in spec.translations]
        seconds["parse"] += clock() - mark

        mark = clock()
        converted = convert_event(races, translations, naming, minter, curation)
        for name, triples in converted.graphs:
            graph_node = to_oxigraph(name)
            for s, p, o in triples:
                subject, predicate, obj = to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)
                named.append(pyoxigraph.Quad(subject, predicate, obj, graph_node))
                merged.append(pyoxigraph.Triple(subject, predicate, obj))
        unit, outside = event_unit(converted)
        unclaimed += outside
        subjects = sorted({str(s) for s in unit.subjects(unique=True) if isinstance(s, URIRef)})
        units.append(Unit(str(converted.event), unit, owned=True))
        outcomes.append(EventOutcome(str(converted.event), converted.warnings, subjects, [], [], converted.records))
        seconds["convert"] += clock() - mark

    if validate:
        mark = clock()
        for outcome, (report, violations) in zip(outcomes, _validator().validate(units)):
            outcome.report = list(report)
            outcome.violations = violations
            # as an update writes them: each once, in the report's order
            shape_warnings = sorted({v for v in violations if v.severity == "Warning"}, key=violation_order)
            for record in outcome.records:
                record["shape_warnings"] = [asdict(v) for v in shape_warnings]
        seconds["validate"] += clock() - mark

    mark = clock()
    with part.with_suffix(".nq").open("wb") as out:
        pyoxigraph.serialize(named, out, pyoxigraph.RdfFormat.N_QUADS)
    with part.with_suffix(".nt").open("wb") as out:
        pyoxigraph.serialize(merged, out, pyoxigraph.RdfFormat.N_TRIPLES)
    seconds["write"] += clock() - mark
    return BatchOutcome(part=part, quads=len(named), events=outcomes, unclaimed=unclaimed, seconds=seconds)


def _graph(triples: list[tuple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _write_graph(named_out, merged_out, name: URIRef, triples: Iterable[tuple]) -> int:
    graph_node = to_oxigraph(name)
    named, merged = [], []
    for s, p, o in triples:
        subject, predicate, obj = to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)
        named.append(pyoxigraph.Quad(subject, predicate, obj, graph_node))
        merged.append(pyoxigraph.Triple(subject, predicate, obj))
    pyoxigraph.serialize(named, named_out, pyoxigraph.RdfFormat.N_QUADS)
    pyoxigraph.serialize(merged, merged_out, pyoxigraph.RdfFormat.N_TRIPLES)
    return len(named)
