"""The racegraph ontology (racegraph.ttl), shipped as package data; see README.md here and graph.paths."""
