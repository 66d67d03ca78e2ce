"""Where racegraph's own files are, and where its builds go.

The ontology, the shapes, the bundled articles and the example queries are package data: they are
found through importlib.resources, so they are read from the installed wheel (or, in an editable
install, from the checkout) whatever the working directory is. Builds are the user's data and go
under the working directory, never inside the package.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path


def package_folder(package: str) -> Path:
    """The folder holding `package` (a package of data files) on the file system.

    pip always installs wheels unzipped, so the resources are plain files; rdflib, pyshacl and the
    build read them by path. A zipped install would have no such folder, and says so.
    """
    try:
        folder = files(package)
    except ModuleNotFoundError:  # graph.bundled_articles and server.example_queries exist only installed
        raise RuntimeError(f"racegraph's data package {package} is missing: racegraph runs installed "
                           "(`pip install .`, or `make install` for an editable install), not from a checkout "
                           "put on PYTHONPATH") from None
    if not isinstance(folder, Path):
        raise RuntimeError(f"racegraph's data package {package} is not on the file system ({folder!r}); "
                           "install racegraph unzipped, as pip does")
    return folder


ONTOLOGY_FILE = package_folder("ontology") / "racegraph.ttl"  # the repo's ontology/
SHAPES_DIR = package_folder("shapes")  # the repo's shapes/
BUNDLED_ARTICLES = package_folder("graph.bundled_articles")  # the repo's data/articles/ (pyproject maps it)

STORE_ENV = "RACEGRAPH_STORE"


def default_store_dir() -> Path:
    """The build folder: $RACEGRAPH_STORE, else var/graph under the current working directory."""
    return Path(os.environ.get(STORE_ENV) or Path.cwd() / "var" / "graph")
