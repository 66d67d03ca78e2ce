"""The bundled articles, shipped in the wheel as the package graph.bundled_articles (see pyproject.toml).

This file only makes the folder importable for importlib.resources; a build reads the *.txt files.
"""
