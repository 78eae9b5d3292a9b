# selfcheck: `make run` serves the app and `make test` runs every test. Each sets up what it
# needs on a fresh machine (the virtual environment, the packages, and for tests the browser).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: help run test test-fast lint check browser screenshots bench bench-tools clean

help:
	@echo "make run          serve the app on http://$(HOST):$(PORT)/"
	@echo "make test         run every test, the browser tests too"
	@echo "make test-fast    run the tests that need no browser"
	@echo "make lint         ruff and mypy"
	@echo "make bench        measure speed, weight and memory into docs/benchmarks.md"
	@echo "make clean        remove the virtual environment and caches"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Debian's Chromium for the browser tests, and poppler-utils to look at PDFs as pictures.
browser: $(CHROMIUM)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils

run: $(VENV)/.installed
	$(BIN)/flask --app selfcheck run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test browser
	$(BIN)/pytest

test-fast: $(VENV)/.installed-test
	$(BIN)/pytest -m "not browser" --ignore=tests/browser

lint: $(VENV)/.installed-test
	$(BIN)/ruff check selfcheck tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage htmlcov dist build

screenshots: $(VENV)/.installed-test browser
	$(BIN)/python -m tests.screenshots

# wrk and hyperfine for `make bench`; Node's Lighthouse is installed by the bench itself.
bench-tools: /usr/bin/wrk /usr/bin/hyperfine
/usr/bin/wrk /usr/bin/hyperfine:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk hyperfine

bench: $(VENV)/.installed-test browser bench-tools
	cd tests/benchmarks && npm install --no-audit --no-fund --silent
	$(BIN)/python -m tests.benchmarks.bench
