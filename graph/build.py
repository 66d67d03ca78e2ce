"""From article files to a build folder: parse, convert, derive, validate, then publish atomically.

A build writes into a fresh staging folder and only replaces the target once everything is written
and the graph conforms; a failed or killed build leaves the previous one exactly as it was
(graph.store_dir publishes atomically and recovers what a killed build left behind).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph
from rdflib import Dataset, Graph, URIRef

from graph import store as store_module
from graph import store_dir
from graph.article import RaceArticle, Translation, read_article
from graph.convert import convert_translation, event_uri, read_race
from graph.curation import NO_CURATION, Curation, CurationError, read_curation
from graph.derive import derive
from graph.errors import ArticleError
from graph.dumps import write_dumps
from graph.metadata import describe_dataset
from graph.names import Merge, name_things
from graph.statistics import count_statistics
from graph.paths import ONTOLOGY_FILE
from graph.translate import match_translation
from graph.update_state import write_state
from graph.uris import DEFAULT_BASE, Minter
from graph.vocab import RG

Progress = Callable[[str, int, int], None]


class InputError(Exception):
    """One or more articles could not be read; nothing was written."""

    def __init__(self, errors: list[ArticleError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


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


def require_a_race(races: list[RaceArticle], translations: list[Translation]) -> None:
    """A graph with no race event would conform to every shape while holding nothing; refuse it."""
    if races:
        return
    raise InputError([ArticleError(t.source.path, None, f"a translation ({t.language}) needs its race article in "
                                                        "the same build; expected at least one race article (a "
                                                        "'= Title =' line and a results table), found none")
                      for t in translations])


def read_articles(files: list[Path], progress: Progress | None = None):
    """Parse every file; collect every error rather than stopping at the first."""
    races: list[RaceArticle] = []
    translations: list[Translation] = []
    errors: list[ArticleError] = []
    seen_titles: dict[str, Path] = {}
    for done, path in enumerate(files, 1):
        try:
            article = read_article(path)
        except ArticleError as error:
            errors.append(error)
            continue
        finally:
            if progress:
                progress("reading articles", done, len(files))
        if isinstance(article, Translation):
            translations.append(article)
        elif article.title in seen_titles:
            errors.append(ArticleError(path, 1, f"expected one article per event, found '{article.title}' again "
                                                f"(already read from {seen_titles[article.title]})"))
        else:
            seen_titles[article.title] = path
            races.append(article)
    # graph names come from file names: two files that slug alike would pour into one named graph
    graph_files: dict[URIRef, Path] = {}
    for article in [*races, *translations]:
        path = article.source.path
        graph = Minter().article_graph(path.stem)
        if graph in graph_files:
            errors.append(ArticleError(path, None, f"expected file names that differ in more than case and "
                                                   f"punctuation, found the same as {graph_files[graph]} (both "
                                                   f"would be the named graph {graph})"))
        graph_files.setdefault(graph, path)
    if errors:
        raise InputError(errors)
    return races, translations


@dataclass
class Assembled:
    dataset: Dataset
    warnings: list[str]
    merges: list[Merge]
    curation: dict  # {"file", "used": ["<rule id>: <what it says>"], "unused": [...]}
    converted: list = field(default_factory=list)  # each race's ConvertedRace: graph.incremental keeps its spellings

    def __iter__(self):
        """`dataset, warnings = assemble(...)`, as callers wrote before merges were reported."""
        return iter((self.dataset, self.warnings))


def assemble(races: list[RaceArticle], translations: list[Translation], *,
             base_uri: str = DEFAULT_BASE, curation: Curation = NO_CURATION) -> Assembled:
    """The whole dataset minted under `base_uri`: one named graph per article, one per derivation.

    Things the articles name are labelled once every article is read (graph.names): one preferred
    label, every other spelling an alternative label in the graph of the article that wrote it."""
    minter = Minter(base_uri)
    dataset = Dataset()
    warnings: list[str] = []
    converted = []
    for article in races:
        race = read_race(article, minter, curation)
        converted.append(race)
        warnings += [str(w) for w in article.warnings] + race.warnings
    names = name_things([(race.stem, race.spellings) for race in converted], minter, curation)
    for article, race in zip(races, converted):
        graph = race.graph
        for triple in names.graphs[race.stem]:
            graph.add(triple)
        _add_graph(dataset, minter.article_graph(article.source.stem), graph)
        name, derived = derive(article, minter)
        _add_graph(dataset, name, derived)
    matched: list[Translation] = []
    for translation in translations:
        warnings += [str(w) for w in translation.warnings]
        race = match_translation(translation, races)
        if race is None:
            warnings.append(unmatched_translation(translation))
            continue
        matched.append(translation)
        triples = convert_translation(translation, event_uri(race, minter), minter)
        _add_graph(dataset, minter.article_graph(translation.source.stem), triples)
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    _add_graph(dataset, minter.ontology_graph, ontology)
    sources = [minter.article_graph(a.source.stem) for a in [*races, *matched]]  # only graphs that exist
    _add_graph(dataset, minter.metadata_graph, describe_dataset(minter, sources))
    return Assembled(dataset, warnings, names.merges, curation.report(names.rules_used), converted)


def unmatched_translation(translation: Translation) -> str:
    """The warning for a translation that matches no race article (it is left out of the graph)."""
    return (f"{translation.source.path}: translation ({translation.language}) of an event on "
            f"{translation.date.isoformat()} matches no race article by date and place; not added")


def _add_graph(dataset: Dataset, name: URIRef, triples: Graph) -> None:
    graph = dataset.graph(name)
    for triple in triples:
        graph.add(triple)


def build_graph(sources: list[Path], out_dir: Path, *, base_uri: str = DEFAULT_BASE,
                progress: Progress | None = None, validate: bool = True,
                curation: Path | None = None) -> BuildOutcome:
    """Build `sources` into `out_dir`, applying the curation file if one is given. Raises InputError
    on unreadable input or an unusable curation file (nothing written)."""
    from graph.validate import validate_dataset

    Minter(base_uri)  # rejects a malformed base before any work
    out_dir = Path(out_dir)
    try:
        rules = read_curation(curation) if curation is not None else NO_CURATION
    except CurationError as error:
        raise InputError([error]) from None
    races, translations = read_articles(collect_sources(sources), progress)
    require_a_race(races, translations)
    assembled = assemble(races, translations, base_uri=base_uri, curation=rules)
    dataset, warnings = assembled.dataset, assembled.warnings
    if validate:
        result = validate_dataset(dataset, base_uri=base_uri,
                                  progress=(lambda done, total: progress("validating", done, total)) if progress else None)
        conforms, violations, report = result.conforms, list(result.violations), result.report
    else:
        conforms, violations, report = True, [], None
    staging = store_dir.prepare_staging(out_dir)
    try:
        # build.json lists every warning the build prints: the articles' and the shapes' own
        printed = warnings + [result_line(v) for v in violations if v.severity == "Warning"]
        counts = _write(staging, dataset, report, base_uri, races, translations, printed, conforms, assembled)
        # what `racegraph add` and `remove` need to update this build without a full rebuild
        write_state(staging, dataset, races, translations, assembled, violations, curation, base_uri)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    outcome = BuildOutcome(out_dir, conforms, counts, warnings, violations, merges=assembled.merges,
                           curation=assembled.curation)
    if conforms:
        outcome.build_id = store_dir.publish(staging, out_dir)
    else:
        rejected = out_dir.with_name(out_dir.name + ".rejected")
        store_dir.keep_rejected(staging, rejected)
        outcome.rejected_dir = rejected
    return outcome


def _write(folder: Path, dataset: Dataset, report: Graph | None, base_uri: str, races, translations,
           warnings: list[str], conforms: bool, assembled: Assembled) -> dict[str, int]:
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    store = store_module.load_nquads(folder, nquads)
    write_dumps(folder, store, base_uri)
    if report is not None:
        report.serialize(folder / store_module.VALIDATION_REPORT, format="turtle")
    counts = _counts(store)
    statistics = count_statistics(store, base_uri=base_uri)
    del store  # release RocksDB before the folder is renamed
    store_module.write_build_info(folder, {
        "base_uri": base_uri,
        "built_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "conforms": conforms,
        "counts": counts,
        "statistics": statistics,
        "sources": [{"file": str(a.source.path.name), "sha256": a.source.sha256} for a in [*races, *translations]],
        "warnings": warnings,
        # every spelling that became another's alternative label, and what the curation file did
        "merges": [str(merge) for merge in assembled.merges],
        "curation": assembled.curation,
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
