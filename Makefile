# selfcheck: `make run` serves the app and `make test` runs every test. Each sets up what it
# needs on a fresh machine (the virtual environment, the packages, and for tests the browser).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
# make serve: gunicorn's address and worker count (selfcheck/web/serving.py reads them)
BIND ?= 127.0.0.1:8000
WORKERS ?= $(shell nproc | awk '{ print ($$1 > 2) ? $$1 : 2 }')
# make fuzz: hypothesis examples for each POST route
FUZZ_EXAMPLES ?= 10000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: help run test test-fast lint check browser tools screenshots clean serve load fuzz bench triage-accuracy

help:
	@echo "make run          serve the app on http://$(HOST):$(PORT)/"
	@echo "make test         run every test, the browser tests too"
	@echo "make test-fast    run the tests that need no browser and no production servers"
	@echo "make lint         pre-commit's hooks (ruff, ruff format, codespell) and mypy"
	@echo "make bench        measure speed, weight and memory into docs/benchmarks.md"
	@echo "make triage-accuracy  the vignettes' confusion matrix into docs/triage-accuracy.md"
	@echo "make serve        serve the app with gunicorn on $(BIND), $(WORKERS) workers"
	@echo "make load         60 s of load on the outcome page with wrk; figures to docs/benchmarks.md"
	@echo "make fuzz         $(FUZZ_EXAMPLES) hypothesis examples against each POST route"
	@echo "make clean        remove the virtual environment and caches"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Debian's Chromium for the browser tests, poppler-utils to look at PDFs as pictures, and for the
# production tests nginx (two copies behind it), wrk and curl (make load), and hyperfine (make
# bench). Installed when one is missing.
TOOLS := $(CHROMIUM) /usr/bin/pdftoppm /usr/sbin/nginx /usr/bin/wrk /usr/bin/curl /usr/bin/hyperfine
browser: tools
tools:
	@for tool in $(TOOLS); do [ -x $$tool ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    chromium poppler-utils nginx-light wrk curl hyperfine; \
	fi

run: $(VENV)/.installed
	$(BIN)/flask --app selfcheck run --host $(HOST) --port $(PORT)

# Every test, with coverage of branches: under 90 % fails (pyproject.toml).
test: $(VENV)/.installed-test tools
	$(BIN)/pytest --cov --cov-report=term

test-fast: $(VENV)/.installed-test
	$(BIN)/pytest -m "not browser and not production" --ignore=tests/browser

serve: $(VENV)/.installed
	SELFCHECK_BIND=$(BIND) SELFCHECK_WORKERS=$(WORKERS) \
	  $(BIN)/gunicorn --config python:selfcheck.web.serving 'selfcheck:create_app()'

load: $(VENV)/.installed-test tools
	$(BIN)/python -m tests.load --seconds 60 --connections 64 --workers $(WORKERS)

fuzz: $(VENV)/.installed-test
	SELFCHECK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_fuzz.py \
	  --hypothesis-show-statistics

# The hooks of .pre-commit-config.yaml on every file, then mypy (the package strictly, the
# tests more loosely). pre-commit's own files go in the virtual environment.
lint: $(VENV)/.installed-test
	PRE_COMMIT_HOME=$(VENV)/pre-commit PATH="$(CURDIR)/$(BIN):$$PATH" \
	  $(BIN)/pre-commit run --all-files --show-diff-on-failure
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage htmlcov dist build

screenshots: $(VENV)/.installed-test tools
	$(BIN)/python -m tests.screenshots

# The vignettes run against rules.yaml: the confusion matrix and the misses, written into
# docs/triage-accuracy.md (a test fails when the file no longer says what the rules give).
triage-accuracy: $(VENV)/.installed
	$(BIN)/python -m selfcheck.accuracy

# Node's Lighthouse for `make bench` comes from npm (tests/benchmarks/package-lock.json).
bench: $(VENV)/.installed-test tools
	cd tests/benchmarks && npm install --no-audit --no-fund --silent
	$(BIN)/python -m tests.benchmarks.bench
