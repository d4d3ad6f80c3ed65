# make demo: install, build the observatory, serve the dashboard.
# make test: install everything the tests need (Chromium included) and run the whole suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
MIRROR_DIR := $(abspath ../shared/data)
ifneq ($(wildcard $(MIRROR_DIR)),)
export SHARPPOWER_MIRROR ?= $(MIRROR_DIR)
endif
SHARPPOWER_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
export SHARPPOWER_TEST_POSTGRES_URL

.PHONY: install install-test chromium java demo build serve test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Map geometry: Natural Earth 1:110m country shapes from the npm package world-atlas,
# installed into the virtual environment (the dashboard never fetches it at run time).
WORLD_ATLAS := $(VENV)/npm/node_modules/world-atlas/countries-110m.json

$(WORLD_ATLAS): | $(BIN)/python
	npm install --silent --no-save --no-package-lock --no-fund --no-audit --prefix $(VENV)/npm world-atlas@2.0.2

# The package's bytecode is compiled at install: an editable install leaves it to the
# first import, and where PYTHONDONTWRITEBYTECODE is set every command would compile it
# again (a third of a second of a no-change build).
install: $(BIN)/python $(WORLD_ATLAS)
	$(BIN)/pip install -q -e .
	$(BIN)/python -m compileall -q -j 0 sharppower

install-test: $(BIN)/python $(WORLD_ATLAS)
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m compileall -q -j 0 sharppower

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

build: install
	$(BIN)/sharppower build

# Without a mirror: pull the public sources when the network answers (one canonical host,
# 3 s), else build the starter data and say how to pull later.
PROBE_URL := https://raw.githubusercontent.com/
demo: install
	@if [ -z "$$SHARPPOWER_MIRROR" ]; then \
	  if $(BIN)/python -c "import httpx; httpx.head('$(PROBE_URL)', timeout=3)" >/dev/null 2>&1; then \
	    echo "no mirror: pulling the public sources (sources needing a manual step are listed)"; \
	    $(BIN)/sharppower pull --jobs 4 || echo "some sources failed (above): building with the rest"; \
	  else \
	    echo "no mirror and no network ($(PROBE_URL) did not answer): building the starter data;"; \
	    echo "run \`$(BIN)/sharppower pull\` and \`$(BIN)/sharppower build\` once online"; \
	  fi; \
	fi
	$(BIN)/sharppower build
	$(BIN)/sharppower serve

# Java for the Spark engine's tests (PySpark on local[2]).
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing Debian's Java runtime for the Spark tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless) >/dev/null; }

test: install-test chromium java
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 -q

lint: install-test
	$(BIN)/ruff check sharppower tests benchmarks scripts
	$(BIN)/lint-imports

bench: install-test
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
