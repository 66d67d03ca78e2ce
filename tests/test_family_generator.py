"""benchmarks/family_articles.py writes articles the build accepts, so its figures measure real builds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from graph.build import build_graph

GENERATOR = Path(__file__).parent.parent / "benchmarks" / "family_articles.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("family_articles", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_family_builds_conforms_and_merges_spellings(tmp_path):
    generator = load_generator()
    paths = generator.write_family(tmp_path / "articles", articles=2, rows=14, seed=3)
    assert [path.read_text(encoding="utf-8") for path in paths] == \
        [path.read_text(encoding="utf-8") for path in generator.write_family(tmp_path / "again", 2, 14, 3)]
    text = paths[0].read_text(encoding="utf-8")
    assert "| DNA |" in text and "| | " in text  # a car listed but not driven, with empty cells
    outcome = build_graph([tmp_path / "articles"], tmp_path / "graph")
    assert outcome.conforms, outcome.summary()
    assert outcome.counts["events"] == 2 and outcome.counts["entries"] == 28
    assert outcome.merges  # the generator mixes spellings of one name
