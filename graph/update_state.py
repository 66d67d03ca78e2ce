"""What a build folder keeps so that `racegraph add` and `remove` can update it without a full rebuild.

The naming pass (graph.names) needs every article's spellings, in reading order, to choose each
thing's preferred label; an update that re-read every article would take time in proportion to the
whole graph. So a build keeps, beside its store:

    sources/<file>               every article file it read, byte for byte (to re-convert an article
                                 whose things changed label, and to rebuild from scratch if need be)
    update/state.json            reading order (race articles, then translations), the curation file
                                 used, and the SHACL warnings about no event (shared resources, metadata)
    update/articles/<file>.json  one record per article: its event, date and place (to match
                                 translations), its warnings, its spellings, its SHACL warnings

An update writes the records of the articles it touched and hard-links the others from the build it
started from, so writing the state costs the touched articles, not the graph.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graph.convert import event_uri
from graph.errors import changed_since_read
from graph.names import Spelling
from graph.uris import Minter

SOURCES_SUBDIR = "sources"
STATE_SUBDIR = "update"
STATE_FILE = "state.json"
RECORDS_SUBDIR = "articles"
CURATION_COPY = "curation.toml"
STATE_VERSION = 1


@dataclass
class State:
    """The update state of one build folder, as plain data."""
    races: list[dict]  # in reading order
    translations: list[dict]
    curation_file: str | None  # the curation file's path as the build was given it (build.json reports it)
    other_warnings: list[dict] = field(default_factory=list)  # SHACL warnings of no event (Violation fields)


def spelling_row(spelling: Spelling) -> list:
    return [spelling.kind, spelling.key, spelling.written, spelling.lang, list(spelling.rules)]


def spelling_from_row(row: list, stem: str) -> Spelling:
    kind, key, written, lang, rules = row
    return Spelling(kind, key, written, stem, lang, tuple(rules))


def race_record(article, converted, minter: Minter, derived_claims_event: bool, shape_warnings: list) -> dict:
    """The record of one race article: `converted` is its graph.convert.ConvertedRace."""
    return {
        "file": article.source.path.name,
        "path": str(article.source.path),
        "sha256": article.source.sha256,
        "title": article.title,
        "event": str(event_uri(article, minter)),
        "date": article.date.isoformat(),
        "circuit": article.venue.circuit,
        "locality": article.venue.locality,
        "warnings": [str(w) for w in article.warnings] + list(converted.warnings),
        "spellings": [spelling_row(s) for s in converted.spellings],
        "derived_claims_event": derived_claims_event,  # does its derived graph speak of the event?
        "shape_warnings": [asdict(v) for v in shape_warnings],
    }


def translation_record(translation, event: str | None) -> dict:
    return {
        "file": translation.source.path.name,
        "path": str(translation.source.path),
        "sha256": translation.source.sha256,
        "warnings": [str(w) for w in translation.warnings],
        "event": event,  # the race event it was matched to, or None
    }


def write_state(folder: Path, result, violations, curation: tuple[Path, bytes] | None, base_uri: str) -> None:
    """The state of a full build (graph.build) in its staging `folder`, once graph.pipeline has run
    (`result`, a PipelineResult) and written each race article's record through `write_record`.
    `curation`: the curation file's path and its bytes as the build read them."""
    minter = Minter(base_uri)
    translation_records = []
    for translation in result.translations:
        race = result.translation_races.get(translation.source.path)  # matched at the build's read stage
        translation_records.append(translation_record(translation, str(minter.event(race.title)) if race else None))
    sources = Path(folder) / SOURCES_SUBDIR
    sources.mkdir()
    for path, sha256 in [*((r.path, r.sha256) for r in result.races),
                         *((t.source.path, t.source.sha256) for t in result.translations)]:
        _copy_unchanged(path, sha256, sources / path.name)
    races = [{"file": race.path.name} for race in result.races]  # their records are written already
    state = State(races, translation_records, str(curation[0]) if curation else None,
                  [asdict(v) for v in violations if v.severity == "Warning" and not v.event])
    (Path(folder) / STATE_SUBDIR).mkdir(exist_ok=True)
    for record in translation_records:
        write_record(folder, record)
    if curation is not None:
        (Path(folder) / STATE_SUBDIR / CURATION_COPY).write_bytes(curation[1])
    _write_index(folder, state)


def write_record(folder: Path, record: dict) -> None:
    """One article's record (`race_record`, `translation_record`) under the state of `folder`."""
    records = Path(folder) / STATE_SUBDIR / RECORDS_SUBDIR
    records.mkdir(parents=True, exist_ok=True)
    (records / (record["file"] + ".json")).write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def _copy_unchanged(source: Path, sha256: str, target: Path) -> None:
    """Keep the article the build read; a file changed since then would not be what the graph holds."""
    data = Path(source).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise changed_since_read(source)
    target.write_bytes(data)


def save_state(folder: Path, state: State, *, curation_source: Path | None = None,
               previous: Path | None = None, unchanged: set[str] = frozenset()) -> None:
    """Write `state` under `folder`. Records of the files named in `unchanged` are hard-linked from
    the `previous` build folder instead of written again (a build folder never changes once published)."""
    records = Path(folder) / STATE_SUBDIR / RECORDS_SUBDIR
    records.mkdir(parents=True)
    for record in [*state.races, *state.translations]:
        name = record["file"] + ".json"
        if previous is not None and record["file"] in unchanged:
            link_or_copy(previous / STATE_SUBDIR / RECORDS_SUBDIR / name, records / name)
        else:
            write_record(folder, record)
    if curation_source is not None:
        shutil.copyfile(curation_source, Path(folder) / STATE_SUBDIR / CURATION_COPY)
    _write_index(folder, state)


def _write_index(folder: Path, state: State) -> None:
    index = {
        "version": STATE_VERSION,
        "races": [record["file"] for record in state.races],
        "translations": [record["file"] for record in state.translations],
        "curation_file": state.curation_file,
        "other_warnings": state.other_warnings,
    }
    (Path(folder) / STATE_SUBDIR / STATE_FILE).write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n",
                                                          encoding="utf-8")


def has_state(folder: Path) -> bool:
    return (Path(folder) / STATE_SUBDIR / STATE_FILE).is_file()


def load_state(folder: Path) -> State:
    root = Path(folder) / STATE_SUBDIR
    index = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))

    def record(name: str) -> dict:
        return json.loads((root / RECORDS_SUBDIR / (name + ".json")).read_text(encoding="utf-8"))

    return State([record(name) for name in index["races"]], [record(name) for name in index["translations"]],
                 index["curation_file"], index["other_warnings"])


def kept_curation(folder: Path) -> Path | None:
    """The copy of the curation file the build used, if it used one."""
    path = Path(folder) / STATE_SUBDIR / CURATION_COPY
    return path if path.is_file() else None


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link an unchanged file of the previous build (both sit in one builds folder); copy if the
    file system refuses links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
