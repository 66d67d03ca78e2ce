"""The build in worker processes (`racegraph build --jobs N`, graph.pipeline) writes what the
sequential build writes: the same named graphs quad for quad, the same build.json, the same verdicts;
and a bad article or a dying worker fails it, leaving the previous build in place."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import sys
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.build import InputError, WorkerError, assemble, build_graph, collect_sources, read_articles
from graph.cli import cli
from graph.curation import read_curation
from graph.paths import BUNDLED_ARTICLES
from graph.store_dir import current_build
from graph.validate import validate_dataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from make_articles import write_articles  # noqa: E402
from test_validate_batches import _unordered  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
# Every family of articles the tests know, in one build: the bundled seed, the Nürburgring fixture
# and its translation, a translation that matches no race, and the spelling variants of Le Mans
# (with their curation file, which also names the seed's spellings).
FAMILIES = [BUNDLED_ARTICLES, FIXTURES / "articles", FIXTURES / "unmatched", FIXTURES / "variants"]
CURATION = FIXTURES / "variants" / "curation.toml"


def named_graphs(folder: Path) -> dict[str, Graph]:
    """Each named graph of a build's store (its default graph is their merge, checked by the counts)."""
    return store_graphs(pyoxigraph.Store.read_only(str(folder / "store")))


def store_graphs(store: pyoxigraph.Store) -> dict[str, Graph]:
    text: dict[str, list[str]] = {}
    for quad in store.quads_for_pattern(None, None, None):
        if not isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
            text.setdefault(quad.graph_name.value, []).append(f"{pyoxigraph.Triple(*quad.triple)} .")
    return {name: Graph().parse(data="\n".join(lines), format="nt") for name, lines in text.items()}


def assert_same_graphs(found: dict[str, Graph], expected: dict[str, Graph]) -> None:
    """Quad for quad; graphs with blank nodes (the ontology's) up to their renaming."""
    assert sorted(found) == sorted(expected)
    for name in expected:
        assert isomorphic(found[name], expected[name]), name
        assert len(found[name]) == len(expected[name]), name


def build_info(folder: Path) -> dict:
    info = json.loads((folder / "build.json").read_text(encoding="utf-8"))
    return {key: value for key, value in info.items() if key not in ("built_at", "build_id")}


def comparable(violations, *, unordered: bool = False) -> list[tuple]:
    """Violations as tuples; `unordered` sorts the car lists a rule's message GROUP_CONCATs, whose
    order SPARQL leaves to the store (it follows the order the unit's triples were loaded in)."""
    return [(v.event, v.focus, v.path, v.value, _unordered(v.message) if unordered else v.message, v.source_shape,
             v.severity) for v in violations]


@pytest.fixture(scope="module")
def family_builds(tmp_path_factory):
    """The families built sequentially (one process) and by two workers taking one event at a time."""
    folder = tmp_path_factory.mktemp("jobs")
    alone = build_graph(FAMILIES, folder / "alone", curation=CURATION, workers=1)
    pooled = build_graph(FAMILIES, folder / "pooled", curation=CURATION, workers=2, batch_size=1)
    return alone, pooled


def test_two_workers_write_the_store_the_sequential_build_writes(family_builds):
    alone, pooled = family_builds
    assert (alone.workers, pooled.workers) == (1, 2)
    assert pooled.events == 4 and alone.conforms and pooled.conforms
    assert_same_graphs(named_graphs(pooled.out_dir), named_graphs(alone.out_dir))
    assert build_info(pooled.out_dir) == build_info(alone.out_dir)  # counts, sources, warnings, merges, curation
    assert pooled.merges and pooled.merges == alone.merges
    assert comparable(pooled.violations) == comparable(alone.violations)
    assert isomorphic(Graph().parse(pooled.out_dir / "validation.ttl"), Graph().parse(alone.out_dir / "validation.ttl"))


def test_the_store_holds_the_graphs_assemble_makes_in_memory(family_builds):
    """The streaming build against the in-memory dataset of the same articles (graph.build.assemble):
    every named graph, the spellings' merges and the warnings."""
    _, pooled = family_builds
    assembled = assemble(*read_articles(collect_sources(FAMILIES)), curation=read_curation(CURATION))
    # Through a store, as the build before the pipeline loaded it: pyoxigraph writes literals in
    # their canonical form ("5.0"^^xsd:decimal is "5"), so the graphs compare with what a store holds.
    store = pyoxigraph.Store()
    store.load(assembled.dataset.serialize(format="nquads", encoding="utf-8"), pyoxigraph.RdfFormat.N_QUADS)
    assert_same_graphs(named_graphs(pooled.out_dir), store_graphs(store))
    assert pooled.merges == assembled.merges
    assert pooled.warnings == assembled.warnings
    assert pooled.curation == assembled.curation


def broken_generated_articles(folder: Path) -> list[Path]:
    """Six generated events; the second has a repeated car number and no third place (a gap)."""
    files = write_articles(6, folder, cars=8, seed=5, translations=0.5)
    second = sorted(p for p in files if p.name.endswith(".en.txt"))[1]
    lines = second.read_text(encoding="utf-8").splitlines()
    rows = [i for i, line in enumerate(lines) if re.match(r"^\| \d+ \| ", line)]
    cells = lines[rows[1]].split(" | ")
    cells[2] = lines[rows[0]].split(" | ")[2]  # car #… twice
    lines[rows[1]] = " | ".join(cells)
    lines[rows[2]] = re.sub(r"^\| 3 \|", "| 4 |", lines[rows[2]])  # no third place
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files


def test_workers_give_the_verdicts_of_validating_the_whole_dataset(tmp_path):
    """Broken events validated in worker processes, one per batch: the violations and warnings of
    validating the assembled Dataset, on the same resources with the same messages."""
    broken_generated_articles(tmp_path / "articles")
    dataset, warnings = assemble(*read_articles(collect_sources([tmp_path / "articles"])))
    expected = validate_dataset(dataset)
    outcome = build_graph([tmp_path / "articles"], tmp_path / "graph", workers=2, batch_size=1)
    assert outcome.workers == 2 and not outcome.conforms
    assert comparable(outcome.violations, unordered=True) == comparable(expected.violations, unordered=True)
    assert {"carNumbersAreUnique", "positionsHaveNoGaps"} <= {v.source_shape.rsplit("#", 1)[-1]
                                                              for v in outcome.violations}
    assert outcome.warnings == warnings
    assert outcome.counts["quads"] == sum(len(g) for g in dataset.graphs())
    assert (tmp_path / "graph.rejected" / "validation.ttl").is_file()
    assert not (tmp_path / "graph").exists()


@pytest.fixture
def previous_build(tmp_path) -> Path:
    out = tmp_path / "graph"
    assert build_graph([BUNDLED_ARTICLES], out).conforms
    return out


def assert_untouched(out: Path, build: Path) -> None:
    assert current_build(out) == build
    assert [p.name for p in out.with_name(out.name + ".builds").iterdir()] == [build.name]  # no staging left
    assert pyoxigraph.Store.read_only(str(out / "store")).contains_named_graph(
        pyoxigraph.NamedNode("http://127.0.0.1:5000/graph/article/2003-1000-km-of-le-mans-en"))


def test_a_bad_article_read_by_a_worker_fails_the_build_with_its_line_and_column(tmp_path, previous_build):
    files = write_articles(10, tmp_path / "articles", cars=5, seed=2, translations=0)
    bad = files[7]
    text = bad.read_text(encoding="utf-8")
    bad.write_text(re.sub(r"\| (\d+) \|\n\| [A-Z]", lambda m: m.group(0).replace(m.group(1), "many", 1),
                          text, count=1), encoding="utf-8")
    build = current_build(previous_build)
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "articles"), "--out", str(previous_build),
                                      "--jobs", "2"])
    assert result.exit_code == 2, result.output
    assert re.search(rf"error: {re.escape(str(bad))}:\d+:\d+: expected .*laps.*found 'many'", result.output), \
        result.output
    assert f"nothing written; {previous_build} is unchanged" in result.output
    assert_untouched(previous_build, build)


def test_a_worker_that_dies_fails_the_build_and_leaves_the_previous_one(tmp_path, previous_build):
    write_articles(6, tmp_path / "articles", cars=5, seed=3, translations=0)
    build = current_build(previous_build)
    killed: list[int] = []

    def kill_a_worker(stage: str, done: int, total: int) -> None:
        if stage == "building events" and not killed:
            worker = multiprocessing.active_children()[0]
            os.kill(worker.pid, signal.SIGKILL)
            killed.append(worker.pid)

    with pytest.raises(WorkerError, match="a worker process of the build died"):
        build_graph([tmp_path / "articles"], previous_build, workers=2, batch_size=1, progress=kill_a_worker)
    assert killed
    assert_untouched(previous_build, build)


def test_an_article_changed_after_it_was_read_is_an_input_error(tmp_path):
    """Workers read each article twice (spellings first, then the event): a file edited in between
    would be converted with another file's naming decisions, so the build stops."""
    files = write_articles(3, tmp_path / "articles", cars=5, seed=4, translations=0)
    changed = files[2]

    def edit_once_read(stage: str, done: int, total: int) -> None:
        if stage == "reading articles" and done == total:
            text = changed.read_text(encoding="utf-8")
            changed.write_text(text.replace("was generated", "was written"), encoding="utf-8")

    with pytest.raises(InputError, match=rf"{re.escape(str(changed))}: expected the file the build read"):
        build_graph([tmp_path / "articles"], tmp_path / "graph", workers=1, progress=edit_once_read)
    assert not (tmp_path / "graph").exists()
