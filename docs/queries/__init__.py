"""The example queries (*.rq), shipped in the wheel as the package server.example_queries (see pyproject.toml).

This file only makes the folder importable for importlib.resources; the server offers the *.rq files.
"""
