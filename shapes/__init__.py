"""The SHACL shapes (*.ttl) a build must conform to, shipped as package data; see README.md here and graph.paths."""
