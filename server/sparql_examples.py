"""The example queries (docs/queries/*.rq, shipped as package data), offered one click away in the query editor.

Each file starts with `# title: ...`, and may have a title in another language on a `# title@es: ...` line.
The queries name things by label and terms by racegraph's fixed
namespace, so they run unchanged on every deployment.
"""

from __future__ import annotations

from graph.paths import package_folder

EXAMPLE_QUERIES = package_folder("server.example_queries")  # the repo's docs/queries/ (pyproject maps it)


def read_example(path) -> dict:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0] if text else ""
    title = first.removeprefix("# title:").strip() if first.startswith("# title:") else path.stem
    titles = {"en": title}
    for line in text.splitlines():
        if line.startswith("# title@") and ":" in line:
            lang, _, translated = line[len("# title@"):].partition(":")
            titles[lang.strip()] = translated.strip()
    return {"name": path.stem, "title": title, "titles": titles, "query": text}


def load_examples() -> list[dict[str, str]]:
    return [read_example(path) for path in sorted(EXAMPLE_QUERIES.glob("*.rq"))]
