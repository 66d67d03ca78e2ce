"""Fuzzing the article reader with hypothesis: real articles, mutated, never end in a traceback.

Each example takes a real article (the bundled seed, the fixtures), applies a few mutations (lines
deleted, duplicated or swapped; cells deleted, duplicated or swapped; control characters; very long
names; the file cut short, even inside a UTF-8 sequence) and reads it. It must either become RDF
(parsed and converted) or raise ArticleError that names the file and, when there is one, the line.
Anything else (IndexError, KeyError, a regular expression that never returns) fails the test.

Also here: the linear-time guard for the title and heading lines, which used to take cubic time on
runs of spaces (2,000 spaces: 41 s for a title, 93 s for a heading).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.article import RaceArticle, Translation, parse_article
from graph.build import assemble
from graph.errors import ArticleError
from graph.paths import BUNDLED_ARTICLES

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
ARTICLES = sorted([*BUNDLED_ARTICLES.glob("*.txt"), *FIXTURES.glob("*.txt")])
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in ARTICLES}

# CI replays the same examples every run (a failure there is reproducible); elsewhere each run
# explores new ones. A few hundred examples keep the whole module within a few tens of seconds.
FUZZ = settings(max_examples=int(os.environ.get("RACEGRAPH_FUZZ_EXAMPLES", "250")), deadline=None,
                derandomize=bool(os.environ.get("CI")), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CONTROL = [chr(c) for c in range(0, 32)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u200b"]


def _mutate_line(data, lines: list[str]) -> list[str]:
    if not lines:
        return lines
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    operation = data.draw(st.sampled_from(["delete", "duplicate", "swap", "cell-delete", "cell-duplicate",
                                           "cell-swap", "control", "long-name", "spaces", "cut"]), label="op")
    line = lines[i]
    cells = line.split("|")
    if operation == "delete":
        return lines[:i] + lines[i + 1:]
    if operation == "duplicate":
        return lines[:i + 1] + [line] + lines[i + 1:]
    if operation == "swap":
        j = data.draw(st.integers(0, len(lines) - 1), label="other line")
        lines = list(lines)
        lines[i], lines[j] = lines[j], lines[i]
        return lines
    if operation.startswith("cell-") and len(cells) > 1:
        k = data.draw(st.integers(0, len(cells) - 1), label="cell")
        if operation == "cell-delete":
            cells = cells[:k] + cells[k + 1:]
        elif operation == "cell-duplicate":
            cells = cells[:k + 1] + [cells[k]] + cells[k + 1:]
        else:
            m = data.draw(st.integers(0, len(cells) - 1), label="other cell")
            cells[k], cells[m] = cells[m], cells[k]
        return lines[:i] + ["|".join(cells)] + lines[i + 1:]
    position = data.draw(st.integers(0, len(line)), label="column")
    if operation == "control":
        inserted = data.draw(st.text(st.sampled_from(CONTROL), min_size=1, max_size=3), label="control")
    elif operation == "long-name":
        inserted = data.draw(st.sampled_from(["A", "Ñ", "x ", "-"]), label="char") * data.draw(
            st.sampled_from([300, 5_000, 100_000]), label="length")
    elif operation == "spaces":
        inserted = " " * data.draw(st.sampled_from([2_000, 50_000]), label="spaces")
    else:  # cut the file inside this line
        return lines[:i] + [line[:position]]
    return lines[:i] + [line[:position] + inserted + line[position:]] + lines[i + 1:]


@FUZZ
@given(data=st.data())
def test_mutated_articles_build_or_fail_with_an_article_error(data):
    name = data.draw(st.sampled_from(sorted(TEXTS)), label="article")
    lines = TEXTS[name].splitlines()
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        lines = _mutate_line(data, lines)
    raw = "\n".join(lines).encode("utf-8")
    if data.draw(st.booleans(), label="cut bytes"):  # may split a UTF-8 sequence
        raw = raw[: data.draw(st.integers(0, len(raw)), label="bytes kept")]
    path = Path("fuzz") / name
    try:
        article = parse_article(raw, path)
    except ArticleError as error:
        assert error.path == path
        assert str(error).startswith(str(path) + ":")
        assert "expected" in error.message
        if error.line is not None:  # the parser counts lines as str.splitlines() does (see reliability.md)
            lines_in_file = max(raw.count(b"\n") + 1, len(raw.decode("utf-8", "replace").splitlines()))
            assert 1 <= error.line <= lines_in_file + 1  # +1: "found none" just after the last line
        return
    if isinstance(article, RaceArticle):
        dataset, _ = assemble([article], [])
    else:
        assert isinstance(article, Translation)
        dataset, _ = assemble([], [article])
    assert len(dataset) > 0


def _article(title_line: str, heading_line: str) -> bytes:
    seed = TEXTS["2003-1000-km-of-le-mans.en.txt"].splitlines()
    heading = next(i for i, line in enumerate(seed) if line.startswith("==Official"))
    seed[0] = title_line
    seed.insert(heading, heading_line)
    return "\n".join(seed).encode("utf-8")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("title, heading", [
    ("=" + " " * 1_000_000 + "x", "== x"),  # a title line that never closes
    ("= " + " " * 1_000_000 + "=", "== x"),
    ("= 2003 1000 km of Le Mans =", "==" + " " * 1_000_000 + "x"),  # a heading that never closes
    ("= 2003 1000 km of Le Mans =", "==" + " " * 500_000 + "Notes" + " " * 500_000 + "=="),
    ("= 2003 1000 km of Le Mans =", "=" * 500_000 + "x" + "=" * 499_999),
])
def test_a_megabyte_title_or_heading_is_read_in_linear_time(title, heading):
    try:
        parse_article(_article(title, heading), Path("long.en.txt"))
    except ArticleError as error:
        assert str(error).startswith("long.en.txt:")


MEGABYTE_OF_SPACES = " " * 1_000_000


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name, old, new", [
    ("2003-1000-km-of-le-mans.en.txt", "Bugatti Circuit near", "Bugatti Circuit" + MEGABYTE_OF_SPACES + "near"),
    ("2003-1000-km-of-le-mans.en.txt", "organization of the", "organization" + MEGABYTE_OF_SPACES + "of the"),
    ("2003-1000-km-of-le-mans.en.txt", "\n===Statistics===\n", "\n===Statistics===\n- Pole" + MEGABYTE_OF_SPACES + "x\n"),
    ("2003-1000-km-of-le-mans.es.txt", ",", MEGABYTE_OF_SPACES + "x,"),
])
def test_a_megabyte_run_of_spaces_in_the_prose_is_read_in_linear_time(name, old, new):
    """The lead, statistics and translation patterns took time in the square of a run of spaces."""
    text = TEXTS[name]
    assert old in text
    article = parse_article(text.replace(old, new, 1).encode("utf-8"), Path(name))
    assert article.date == dt.date(2003, 11, 9)
