"""`racegraph add` and `racegraph remove`: update a published build without rebuilding it.

The result is the build a full `racegraph build` of the same articles would make (same named graphs,
same merge, same build.json but for the build id, the time and the `update` record), for a cost that
grows with the articles touched, not with the graph:

1. read the added articles (an unreadable one stops everything: nothing is written);
2. redo the naming pass (graph.names) on every article's kept spellings (update/, see
   graph.update_state), and find the things whose preferred labels changed; every article naming
   one of them is touched too (its naming triples change), and re-converted from its kept copy;
3. match every translation again (an added race may take or lose one);
4. copy the store (a checkpoint: hard links), replace the touched graphs, update the merge
   (graph.store_patch) and the metadata graph;
5. validate the touched events, the unit of no event and the shared resources they touch
   (graph.update_validation); on a violation the copy goes to DIR.rejected, DIR is untouched;
6. write dumps, statistics, build.json and the state, and publish the folder as a new build
   (graph.store_dir: one rename), so a running server moves to it and ETags change.

Reading order decides ties between spellings (graph.names), so it is kept: a replaced article keeps
its place, a new one goes where its file name sorts (the order `racegraph build FOLDER` reads a
folder in), race articles before translations as in a full build.
"""

from __future__ import annotations

import bisect
import datetime as dt
import fcntl
import shutil
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from rdflib import Graph, URIRef

from graph import store as store_module
from graph import store_dir
from graph.article import RaceArticle, Source, Translation, read_article
from graph.build import InputError, collect_sources, counts_from_statistics, read_articles, result_line, unmatched_warning
from graph.convert import convert_translation, read_race
from graph.curation import NO_CURATION, read_curation
from graph.derive import derive
from graph.dumps import write_dumps
from graph.errors import ArticleError
from graph.metadata import describe_dataset
from graph.names import choose_names
from graph.prose import Venue
from graph.statistics_delta import update_statistics
from graph.store_patch import clone_store, replace_graphs
from graph.translate import match_translation
from graph.update_state import (SOURCES_SUBDIR, State, has_state, kept_curation, link_or_copy, load_state,
                                race_record, save_state, spelling_from_row, translation_record)
from graph.update_validation import EventUnit, validate_update
from graph.uris import Minter, slug
from graph.validate import Violation, violation_order

Progress = Callable[[str, int, int], None]


class UnknownEventError(LookupError):
    """`racegraph remove` was given an event the build does not hold."""


class NoUpdateStateError(store_module.StoreOutdatedError):
    """The build was written before builds kept what an update needs."""

    def __init__(self, folder: Path):
        super().__init__(folder, "update state (sources/ and update/; a build made without validation keeps none)")


@dataclass
class UpdateOutcome:
    out_dir: Path
    conforms: bool
    counts: dict[str, int]
    added: list[str]  # file names
    removed: list[str]  # event IRIs
    touched: list[str]  # file names of the race articles re-converted (added or renamed things)
    changed_graphs: list[str]  # named graphs written
    removed_graphs: list[str]  # named graphs deleted
    warnings: list[str] = field(default_factory=list)  # the added articles' own warnings
    violations: list = field(default_factory=list)
    merges: list = field(default_factory=list)
    events_validated: int = 0
    rejected_dir: Path | None = None
    build_id: str | None = None
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase


@dataclass
class _Race:
    """A race article of the updated build: its record, and its parsed article once read."""
    record: dict
    article: RaceArticle | None = None
    converted: object = None  # graph.convert.ConvertedRace

    @property
    def file(self) -> str:
        return self.record["file"]

    @property
    def stem(self) -> str:
        return self.file.rsplit(".txt", 1)[0]


@dataclass(frozen=True)
class _KeptRace:
    """What matching a translation needs of a race (graph.translate.match_translation)."""
    date: dt.date
    venue: Venue
    event: str


def update_build(target: Path, *, add: list[Path] = (), remove: list[str] = (),
                 progress: Progress | None = None, defer_dumps: bool = False) -> UpdateOutcome:
    """Add (or replace) the articles `add` and remove the events `remove` in the build `target`.
    Raises InputError (unreadable article), UnknownEventError, StoreMissingError.

    `defer_dumps`: keep the dumps of the build updated (hard links) instead of writing them again, the
    one part of an update whose time grows with the whole graph; build.json's `update.dumps_of_build`
    then names the build they were written from, until an update without it writes them afresh.

    Updates of one build wait for each other (an exclusive lock in its builds folder): two at once
    would each start from the same build, and the second to publish would drop the first's change."""
    target = Path(target)
    if store_dir.current_build(target) is None:  # before the lock, which would create DIR.builds
        raise store_module.StoreMissingError(target)
    lock_path = store_dir.builds_folder(target) / ".update.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _update(target, list(add), list(remove), progress, defer_dumps)


def _update(target: Path, add: list[Path], remove: list[str], progress: Progress | None,
            defer_dumps: bool) -> UpdateOutcome:
    clock = _Clock()
    current = store_dir.current_build(target)
    if current is None:
        raise store_module.StoreMissingError(target)
    if not has_state(current):
        raise NoUpdateStateError(target)
    info = store_module.read_build_info(current)
    base_uri = info.base_uri
    minter = Minter(base_uri)
    state = load_state(current)
    curation = _curation(current, state)

    new_races, new_translations = read_articles(collect_sources(list(add)), progress) if add else ([], [])
    races = [_Race(record) for record in state.races]
    removed_events = _resolve_events(remove, races)
    removed = [race for race in races if race.record["event"] in removed_events]
    races = [race for race in races if race.record["event"] not in removed_events]
    added = [_Race(race_record(article, converted, minter, False, []), article, converted)
             for article in new_races for converted in [read_race(article, minter, curation)]]
    races = _place(races, added, key=lambda race: race.file, title=lambda race: race.record["title"])
    translations_in = _place_translations([(record, None) for record in state.translations], new_translations)
    if not races:  # as a full build refuses a graph of no race
        raise InputError([ArticleError(target, None, "expected at least one race article to remain in the build, "
                                                     "found none (removing every event leaves nothing to serve)")])

    clock.mark("read")
    # 2. naming, over every article's spellings
    old_naming = choose_names([(r["file"].rsplit(".txt", 1)[0], _spellings(r)) for r in state.races], curation)
    new_naming = choose_names([(race.stem, _spellings(race.record)) for race in races], curation)
    things = old_naming.things.keys() | new_naming.things.keys()
    relabelled = {thing for thing in things if old_naming.preferred(*thing) != new_naming.preferred(*thing)}
    added_files = {race.file for race in added}
    touched = {race.file for race in races if race.file in added_files
               or (new_naming.mentioned(race.stem) | old_naming.mentioned(race.stem)) & relabelled}

    # 3. translations, matched again against every race
    kept = [_KeptRace(dt.date.fromisoformat(r.record["date"]), Venue(r.record["circuit"], r.record["locality"], ""),
                      r.record["event"]) for r in races]
    translations = []
    for record, parsed in translations_in:
        translation = parsed or _reread_translation(current, record)
        match = match_translation(translation, kept)
        event = match.event if match else None
        fresh = parsed is not None
        translations.append((translation_record(translation, event) | ({} if fresh else {"warnings": record["warnings"]}),
                             translation, fresh or event != record.get("event"), record.get("event")))
    events_of_changed_translations = {e for rec, _, changed, old in translations if changed for e in (rec["event"], old) if e}
    touched |= {race.file for race in races if race.record["event"] in events_of_changed_translations}

    clock.mark("naming")
    # re-convert every touched race from its kept copy (or the file just read)
    for race in races:
        if race.file in touched and race.article is None:
            race.article = _reread_race(current, race.record)
            race.converted = read_race(race.article, minter, curation)
    article_graphs: dict[str, Graph] = {}
    derived_graphs: dict[str, Graph] = {}
    for race in races:
        if race.file not in touched:
            continue
        graph = race.converted.graph
        for triple in new_naming.describe(race.stem, minter):
            graph.add(triple)
        article_graphs[race.file] = graph
        derived_graphs[race.file] = derive(race.article, minter)[1]
        race.record["derived_claims_event"] = (URIRef(race.record["event"]), None, None) in derived_graphs[race.file]

    changes: dict[URIRef, Graph | None] = {}
    for race in removed:
        changes[minter.article_graph(race.stem)] = None
        changes[minter.derived_graph(race.stem)] = None
    for race in races:
        if race.file in touched:
            changes[minter.article_graph(race.stem)] = article_graphs[race.file]
            changes[minter.derived_graph(race.stem)] = derived_graphs[race.file]
    translation_graphs: dict[str, Graph] = {}
    for record, translation, changed, _ in translations:
        if record["event"]:
            translation_graphs[record["file"]] = convert_translation(translation, URIRef(record["event"]), minter)
        if changed:
            changes[minter.article_graph(translation.source.stem)] = translation_graphs.get(record["file"])
    sources = [minter.article_graph(race.stem) for race in races]
    sources += [minter.article_graph(t.source.stem) for record, t, _, _ in translations if record["event"]]
    metadata = describe_dataset(minter, sources)
    changes[minter.metadata_graph] = metadata

    clock.mark("convert")
    # 4. the store
    staging = store_dir.prepare_staging(target)
    try:
        store = clone_store(current, staging)
        delta = replace_graphs(store, changes)
        clock.mark("store")

        # 5. validation of what changed
        units = []
        for race in races:
            if race.file not in touched:
                continue
            graphs = [article_graphs[race.file]]
            if race.record["derived_claims_event"]:
                graphs.append(derived_graphs[race.file])
            graphs += [translation_graphs[rec["file"]] for rec, _, _, _ in translations
                       if rec["event"] == race.record["event"]]
            units.append(EventUnit(race.record["event"], graphs))
        rest = [metadata] + [_derived_of(current, race, minter, derived_graphs)
                             for race in races if not race.record["derived_claims_event"]]
        graph_units = _graph_units(races, translations, minter)
        result, shared = validate_update(store, units, rest, delta.subjects, graph_units,
                                         excluded={race.record["event"] for race in races},
                                         ontology_graph=str(minter.ontology_graph))
        clock.mark("validate")
        by_event: dict[str, list] = {}
        for violation in result.violations:
            if violation.severity == "Warning":
                by_event.setdefault(violation.event, []).append(violation)
        for race in races:
            if race.file in touched:
                race.record["shape_warnings"] = [asdict(v) for v in by_event.get(race.record["event"], [])]
        rest_subjects = {str(s) for graph in rest for s in graph.subjects()}
        other = [w for w in state.other_warnings if w["focus"] not in shared and w["focus"] not in rest_subjects]
        other += [asdict(v) for v in by_event.get("", [])]
        other = [asdict(v) for v in sorted({Violation(**w) for w in other}, key=violation_order)]

        new_state = State([race.record for race in races], [rec for rec, _, _, _ in translations],
                          state.curation_file, other)
        warnings = [w for race in races for w in race.record["warnings"]]
        for record, translation, _, _ in translations:
            warnings += record["warnings"]
            if not record["event"]:
                warnings.append(unmatched_warning(translation))
        shape_warnings = sorted({Violation(**w) for race in races for w in race.record["shape_warnings"]}
                                | {Violation(**w) for w in other}, key=violation_order)
        warnings += [result_line(v) for v in shape_warnings]

        # 6. write the folder and publish it
        outcome = UpdateOutcome(target, result.conforms, {}, [race.file for race in added],
                                sorted(removed_events), sorted(touched),
                                sorted(str(name) for name, graph in changes.items() if graph is not None),
                                sorted(str(name) for name, graph in changes.items() if graph is None),
                                warnings=[w for race in added for w in race.record["warnings"]],
                                violations=result.violations, merges=new_naming.merges,
                                events_validated=result.events_checked)
        result.report.serialize(staging / store_module.VALIDATION_REPORT, format="turtle")
        dumps_of_build = None  # this build's own
        if result.conforms and defer_dumps and (current / store_module.DUMPS_SUBDIR).is_dir():
            dumps_of_build = info.data.get("update", {}).get("dumps_of_build") or info.data.get("build_id")
            (staging / store_module.DUMPS_SUBDIR).mkdir()
            for dump in (current / store_module.DUMPS_SUBDIR).iterdir():
                link_or_copy(dump, staging / store_module.DUMPS_SUBDIR / dump.name)
        elif result.conforms:
            write_dumps(staging, store, base_uri)
        clock.mark("dumps")
        statistics = update_statistics(info.statistics, store, removed=delta.removed, added=delta.added,
                                       graphs=[str(name) for name in changes], base_uri=base_uri)
        counts = counts_from_statistics(statistics)
        clock.mark("statistics")
        del store  # release RocksDB before the folder is renamed
        outcome.counts = counts
        read_now = {article.source.path.name: article.source.path for article in [*new_races, *new_translations]}
        _write_sources(current, staging, [race.file for race in races] + [rec["file"] for rec, _, _, _ in translations],
                       read_now)
        unchanged = {race.file for race in races if race.file not in touched}
        unchanged |= {rec["file"] for rec, t, changed, _ in translations if not changed}
        save_state(staging, new_state, curation_source=kept_curation(current), previous=current, unchanged=unchanged)
        store_module.write_build_info(staging, {
            "base_uri": base_uri,
            "built_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "conforms": result.conforms,
            "counts": counts,
            "statistics": statistics,
            "sources": [{"file": r["file"], "sha256": r["sha256"]} for r in [*new_state.races, *new_state.translations]],
            "warnings": warnings,
            "merges": [str(merge) for merge in new_naming.merges],
            "curation": replace(curation, path=Path(state.curation_file) if state.curation_file else None
                                ).report(new_naming.rules_used),
            "update": {"from_build": info.data.get("build_id"), "added": outcome.added, "removed": outcome.removed,
                       "reconverted": outcome.touched, "changed_graphs": outcome.changed_graphs,
                       "removed_graphs": outcome.removed_graphs, "events_validated": outcome.events_validated,
                       "shared_resources_validated": len(shared), "dumps_of_build": dumps_of_build},
        })
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if result.conforms:
        outcome.build_id = store_dir.publish(staging, target)
    else:
        outcome.rejected_dir = target.with_name(target.name + ".rejected")
        store_dir.keep_rejected(staging, outcome.rejected_dir)
    clock.mark("write and publish")
    outcome.phases = clock.phases
    return outcome


class _Clock:
    """Wall time of each phase of an update, for benchmarks/incremental.py."""

    def __init__(self):
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = round(now - self._last, 3)
        self._last = now


def _curation(current: Path, state: State):
    copy = kept_curation(current)
    if copy is None:
        return NO_CURATION
    return replace(read_curation(copy), path=Path(state.curation_file) if state.curation_file else copy)


def _spellings(record: dict) -> list:
    stem = record["file"].rsplit(".txt", 1)[0]
    return [spelling_from_row(row, stem) for row in record["spellings"]]


def _resolve_events(names: list[str], races: list[_Race]) -> set[str]:
    """Event IRIs of `names` (an IRI, a slug such as 2003-1000-km-of-le-mans, or the exact English title)."""
    found, unknown = set(), []
    for name in names:
        match = [race.record["event"] for race in races
                 if name in (race.record["event"], race.record["title"]) or race.record["event"].endswith("/event/" + name)]
        if match:
            found.update(match)
        else:
            unknown.append(name)
    if unknown:
        known = ", ".join(sorted(race.record["event"].rsplit("/", 1)[-1] for race in races)[:5])
        raise UnknownEventError(f"no such event in this build: {', '.join(unknown)} (expected an event IRI, its slug "
                                f"or its English title, such as {known}…)")
    return found


def _place(kept: list[_Race], added: list[_Race], *, key, title) -> list[_Race]:
    """The races in reading order once `added` replaced same-named files or took their sorted place.
    Refuses what a full build of them all would refuse: two files with one title or one graph name."""
    races = list(kept)
    errors = []
    for race in added:
        names = [key(r) for r in races]
        same_title = next((r for r in races if title(r) == title(race) and r.file != race.file), None)
        if race.file in names and same_title is None:
            races[names.index(race.file)] = race
            continue
        same_graph = next((r for r in races if slug(r.stem) == slug(race.stem)), None)
        path = race.article.source.path
        if same_title is not None:
            errors.append(ArticleError(path, 1, f"expected one article per event, found '{title(race)}' again "
                                                f"(already in the build as {same_title.file}; remove that event first)"))
        elif same_graph is not None:
            errors.append(ArticleError(path, None, f"expected file names that differ in more than case and "
                                                   f"punctuation, found the same as {same_graph.file} in the build"))
        else:
            races.insert(bisect.bisect([key(r) for r in races], race.file), race)
    if errors:
        raise InputError(errors)
    return races


def _place_translations(kept: list[tuple[dict, Translation | None]], added: list[Translation]):
    items = list(kept)
    for translation in added:
        names = [record["file"] for record, _ in items]
        name = translation.source.path.name
        if name in names:  # replaced: the event it matched before is touched if its match moves
            items[names.index(name)] = ({"file": name, "event": items[names.index(name)][0].get("event")}, translation)
        else:
            items.insert(bisect.bisect(names, name), ({"file": name, "event": None}, translation))
    return items


def _reread_race(current: Path, record: dict) -> RaceArticle:
    article = read_article(current / SOURCES_SUBDIR / record["file"])
    return replace(article, source=Source(Path(record["path"]), article.source.sha256))


def _reread_translation(current: Path, record: dict) -> Translation:
    translation = read_article(current / SOURCES_SUBDIR / record["file"])
    return replace(translation, source=Source(Path(record["path"]), translation.source.sha256))


def _derived_of(current: Path, race: _Race, minter: Minter, derived_graphs: dict) -> Graph:
    """The derived graph of a race whose derived facts do not speak of its event (it then belongs to
    the unit of no event): from memory if just made, else derived again from the kept copy."""
    if race.file in derived_graphs:
        return derived_graphs[race.file]
    return derive(_reread_race(current, race.record), minter)[1]


def _graph_units(races: list[_Race], translations, minter: Minter) -> dict[str, str]:
    units = {}
    for race in races:
        event = race.record["event"]
        units[str(minter.article_graph(race.stem))] = event
        units[str(minter.derived_graph(race.stem))] = event if race.record["derived_claims_event"] else ""
    for record, translation, _, _ in translations:
        if record["event"]:
            units[str(minter.article_graph(translation.source.stem))] = record["event"]
    return units


def _write_sources(current: Path, staging: Path, names: list[str], paths: dict[str, Path]) -> None:
    """sources/: the files just read (`paths`), copied; every other kept copy hard-linked from the current build."""
    folder = staging / SOURCES_SUBDIR
    folder.mkdir()
    for name in names:
        if name in paths:
            shutil.copyfile(paths[name], folder / name)
        else:
            link_or_copy(current / SOURCES_SUBDIR / name, folder / name)
