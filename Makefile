# racegraph: the two Quick-start commands are `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# URIs are minted once, at build: make them dereference on the server `make serve` starts.
BASE_URI ?= http://$(HOST):$(PORT)/
STAMP := $(VENV)/.installed

.PHONY: install build serve test browser clean

# A private virtual environment with racegraph (editable) and its test tools.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# Build the bundled articles into var/graph under BASE_URI (the previous build stays if this one fails).
build: $(STAMP)
	$(BIN)/racegraph build --base-uri $(BASE_URI)

# Build, then serve at http://$(HOST):$(PORT)/ until Ctrl-C.
serve: build
	$(BIN)/racegraph serve --host $(HOST) --port $(PORT)

# Every test: converter, ontology, shapes, CLI, server, live HTTP, headless Chromium, the wheel.
# PYTEST_ARGS passes options to pytest (.ci/run gives -m "not wheel": it runs .ci/wheel-smoke itself).
test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Debian's Chromium and ChromeDriver for the page tests, installed when missing and we may.
browser:
	@sh .ci/install-browser

clean:
	rm -rf $(VENV) var .pytest_cache
