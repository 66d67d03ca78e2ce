"""The example queries (docs/queries/*.rq, shipped as package data), offered one click away in the query editor.

Each file starts with `# title: ...`; the queries are written against the default base URI and are
rewritten to the store's own base when it differs.
"""

from __future__ import annotations

from graph.paths import package_folder
from graph.uris import DEFAULT_BASE
from server.db import get_build_info

EXAMPLE_QUERIES = package_folder("server.example_queries")  # the repo's docs/queries/ (pyproject maps it)


def read_example(path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0] if text else ""
    title = first.removeprefix("# title:").strip() if first.startswith("# title:") else path.stem
    return {"name": path.stem, "title": title, "query": text}


def load_examples() -> list[dict[str, str]]:
    base = get_build_info().base_uri
    examples = [read_example(path) for path in sorted(EXAMPLE_QUERIES.glob("*.rq"))]
    if base != DEFAULT_BASE:
        for example in examples:
            example["query"] = example["query"].replace(DEFAULT_BASE, base)
    return examples
