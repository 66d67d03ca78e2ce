"""Every setting, with its default. Documented in docs/settings.md; set as RACEGRAPH_<NAME> in the environment."""

from graph.paths import default_store_dir

DEFAULTS = {
    # build folder made by `racegraph build` (holds store/, dumps/, build.json)
    "STORE": str(default_store_dir()),
}
