"""Where the project's own files live, found from this package so any working directory works."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_FILE = PROJECT_ROOT / "ontology" / "racegraph.ttl"
SHAPES_DIR = PROJECT_ROOT / "shapes"
BUNDLED_ARTICLES = PROJECT_ROOT / "data" / "articles"
BUNDLED_CURATION = PROJECT_ROOT / "data" / "curation.toml"


def default_store_dir() -> Path:
    """The build output folder: $RACEGRAPH_STORE, else var/graph in the project."""
    return Path(os.environ.get("RACEGRAPH_STORE", PROJECT_ROOT / "var" / "graph"))
