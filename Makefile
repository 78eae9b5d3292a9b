# selfcheck: `make run` serves the app and `make test` runs every test. Each sets up what it
# needs on a fresh machine (the virtual environment, the packages, and for tests the browser).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
# make serve: where the proxy listens, and the app's workers for pages (the PDFs have their own)
BIND ?= 127.0.0.1:8000
WORKERS ?= $(shell nproc | awk '{ print ($$1 > 2) ? $$1 : 2 }')
# make test TEST_MARKS="not container": leave out some marked tests (CI runs them all)
TEST_MARKS ?=
LOCK := deploy/requirements.lock
# LHC-Forms for the tests, from npm (tests/fhir_renderer/package-lock.json)
RENDERER := tests/fhir_renderer
# make fuzz: hypothesis examples for each POST route
FUZZ_EXAMPLES ?= 10000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: help run test test-fast lint check browser tools screenshots clean serve load fuzz bench \
	audit lock triage-accuracy translations translations-rules translations-pages fhir-renderer

help:
	@echo "make run          serve the app on http://$(HOST):$(PORT)/"
	@echo "make test         run every test, the browser tests too"
	@echo "make test-fast    run the tests that need no browser and no production servers"
	@echo "make lint         pre-commit's hooks (ruff, ruff format, codespell) and mypy"
	@echo "make bench        measure speed, weight and memory into docs/benchmarks.md"
	@echo "make triage-accuracy  the vignettes' confusion matrix into docs/triage-accuracy.md"
	@echo "make fhir-renderer  every scenario and vignette through LHC-Forms; table to docs/fhir.md"
	@echo "make serve        the production stack on $(BIND): nginx, $(WORKERS) page workers, a PDF pool"
	@echo "make load         load on the outcome page and mixed journeys; figures to docs/benchmarks.md"
	@echo "make audit        pip-audit over $(LOCK); says so when it could check nothing"
	@echo "make lock         write $(LOCK) anew from pyproject.toml (pip-tools, with hashes)"
	@echo "make translations  the texts into the gettext catalogs (the rules: rules.pot, rules.LANG.po;"
	@echo "                   the pages: selfcheck/translations/, compiled to the .mo files that ship)"
	@echo "make fuzz         $(FUZZ_EXAMPLES) hypothesis examples against each POST route"
	@echo "make clean        remove the virtual environment and caches"

# The app's dependencies exactly as locked, each checked against its hash, then the app itself.
$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Debian's Chromium for the browser tests, poppler-utils to look at PDFs as pictures, zbar-tools
# to read the QR code on a PDF's page as a scanner would (tests/test_fhir_qr.py), nginx (make
# serve and the production tests), wrk and curl (make load), hyperfine (make bench), and podman
# and debootstrap to build the container image from a Debian base made here (the container
# tests), Node's npm (LHC-Forms for tests/browser/test_fhir_renderer.py), and
# fonts-dejavu-core: DejaVu Sans sets the PDF, and the Arabic pages and PDF (it has the Arabic
# letters; `fc-list :lang=ar` lists it). Installed when one is missing.
# Each tool, and the Debian package that brings it: only the packages whose tool is missing are
# installed (a machine whose own Node.js carries npm must not be given Debian's npm, which
# conflicts with it).
TOOLS := $(CHROMIUM)=chromium /usr/bin/pdftoppm=poppler-utils /usr/sbin/nginx=nginx-light \
	/usr/bin/wrk=wrk /usr/bin/curl=curl /usr/bin/hyperfine=hyperfine /usr/bin/podman=podman \
	/usr/sbin/debootstrap=debootstrap /usr/bin/openssl=openssl /usr/bin/zbarimg=zbar-tools \
	/usr/bin/npm=npm /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf=fonts-dejavu-core
browser: tools
tools:
	@missing=; for pair in $(TOOLS); do [ -e "$${pair%%=*}" ] || missing="$$missing $${pair#*=}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing from Debian:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

run: $(VENV)/.installed
	$(BIN)/flask --app selfcheck run --host $(HOST) --port $(PORT)

# Every test, with coverage of branches: under 90 % fails (pyproject.toml). As Datasette runs
# its suite, the tests that share the machine well go first, spread over its cores by
# pytest-xdist ($(TEST_WORKERS) workers; pytest-cov gathers the workers' coverage). Meanwhile
# the container image is built and run (`container`: mostly downloads and disk, and it covers
# no code here: the app runs inside the image). Last, one at a time, the `timed` tests, which
# measure time, load or a rate limit; their coverage is added to the first pass's, and the
# report (with the 90 % floor) is of both, whichever tests TEST_MARKS leaves. A pass that
# TEST_MARKS leaves without a test (pytest's status 5) is not a failure.
TEST_WORKERS ?= auto
only = $(if $(TEST_MARKS), and ($(TEST_MARKS)))
CONTAINER_LOG := $(VENV)/container-tests.log
test: $(VENV)/.installed-test tools $(RENDERER)/node_modules/.installed
	rm -f .coverage .coverage.*
	$(BIN)/pytest -p no:cacheprovider --no-cov -m "container$(only)" >$(CONTAINER_LOG) 2>&1 & \
	  container=$$!; \
	  $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --cov --cov-report= --cov-fail-under=0 \
	    -m "not (timed or container)$(only)" || first=$$?; \
	  wait $$container || built=$$?; \
	  echo "--- the container image (tests marked container, run beside the first pass):"; \
	  cat $(CONTAINER_LOG); \
	  for status in $${first:-0} $${built:-0}; do [ $$status = 0 ] || [ $$status = 5 ] || exit 1; done
	$(BIN)/pytest --cov --cov-append --cov-report= --cov-fail-under=0 -m "timed$(only)" \
	  || [ $$? = 5 ]
	$(BIN)/coverage report

test-fast: $(VENV)/.installed-test
	$(BIN)/pytest -m "not browser and not production and not container" --ignore=tests/browser

# The production stack (selfcheck/ops/supervisor.py): nginx on $(BIND) in front of a pool of gunicorn
# workers for the pages and one for the PDFs. Ctrl-C stops all of it. It needs nginx alone.
serve: $(VENV)/.installed
	@[ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx-light; }
	SELFCHECK_BIND=$(BIND) SELFCHECK_WORKERS=$(WORKERS) $(BIN)/python -m selfcheck.ops.supervisor

load: $(VENV)/.installed-test tools
	$(BIN)/python -m tests.load --seconds 60 --connections 64 --workers $(WORKERS)

audit: $(VENV)/.installed-test
	$(BIN)/python -m tests.audit

# Only from PyPI, whatever this machine's pip is set to, so that the hashes are PyPI's. The app's
# dependencies, and what builds its wheel in the container image (deploy/build.in).
PIP_COMPILE := PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= $(BIN)/pip-compile --quiet \
	--generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe
lock: $(VENV)/.installed-test
	$(PIP_COMPILE) --output-file $(LOCK) pyproject.toml
	$(PIP_COMPILE) --output-file deploy/build.lock deploy/build.in

# The pages' own text (templates, selfcheck/web/): extracted into selfcheck/translations/
# messages.pot, merged into each language's messages.po (a changed English text becomes fuzzy,
# so that language is withheld till a translator checks it), then compiled to the messages.mo
# files that ship in the wheel. tests/test_translations.py fails while any step is left undone.
PAGES_CATALOGS := selfcheck/translations
translations: translations-pages
translations-pages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-location --sort-output \
	  --project selfcheck --copyright-holder selfcheck -o $(PAGES_CATALOGS)/messages.pot .
	$(BIN)/pybabel update -i $(PAGES_CATALOGS)/messages.pot -d $(PAGES_CATALOGS) \
	  --previous --ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(PAGES_CATALOGS) --statistics

fuzz: $(VENV)/.installed-test
	SELFCHECK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_fuzz.py \
	  --hypothesis-show-statistics

# The hooks of .pre-commit-config.yaml on every file, then mypy (the package strictly, the
# tests more loosely). pre-commit's own files go in the virtual environment. mypy's cache is
# kept outside the clone, so that CI's fresh clone (.ci/run) finds the last run's: mypy checks
# each entry against its file's contents, so a cache from another clone or an older tree only
# saves time. MYPY_CACHE_DIR=.mypy_cache keeps it in the clone.
MYPY_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/selfcheck/mypy
lint: $(VENV)/.installed-test
	PRE_COMMIT_HOME=$(VENV)/pre-commit PATH="$(CURDIR)/$(BIN):$$PATH" \
	  $(BIN)/pre-commit run --all-files --show-diff-on-failure
	$(BIN)/mypy --cache-dir "$(MYPY_CACHE_DIR)"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage htmlcov dist build

screenshots: $(VENV)/.installed-test tools
	$(BIN)/python -m tests.screenshots

# The vignettes run against rules.yaml: the confusion matrix and the misses, written into
# docs/triage-accuracy.md (a test fails when the file no longer says what the rules give).
triage-accuracy: $(VENV)/.installed
	$(BIN)/python -m selfcheck.accuracy

# LHC-Forms, NLM's FHIR form renderer, for the tests only (its licence is NLM's own terms;
# docs/fhir.md): from npm exactly as tests/fhir_renderer/package-lock.json pins it, each
# package checked against its integrity hash, and none of their install scripts run.
$(RENDERER)/node_modules/.installed: $(RENDERER)/package.json $(RENDERER)/package-lock.json | tools
	cd $(RENDERER) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# Every scenario and vignette through LHC-Forms in Chromium and $evaluate, against the app's
# pages: the table in docs/fhir.md (`make test` runs a part of them, and checks the table).
fhir-renderer: $(VENV)/.installed-test tools $(RENDERER)/node_modules/.installed
	$(BIN)/python -m tests.fhir_renderer

# Node's Lighthouse for `make bench` comes from npm (tests/benchmarks/package-lock.json).
bench: $(VENV)/.installed-test tools
	cd tests/benchmarks && npm install --no-audit --no-fund --silent
	$(BIN)/python -m tests.benchmarks.bench

# ---------------------------------------------------------------------------------------------
# make translations: the gettext catalogs. Each part adds itself as a prerequisite.
#
# The rules' part: every patient-facing text of $(RULES) into rules.pot beside it (the
# extraction method selfcheck_rules, selfcheck/rules/extract.py), then each rules.LANG.po
# brought up to date with it: a new or changed English text has no translation, or a fuzzy one,
# until a translator writes it (rules check says which). A clinic's own rules file:
# make translations RULES=clinic.yaml RULES_LANGUAGES="es ar".
RULES ?= rules.yaml
RULES_LANGUAGES ?= es ar
RULES_CATALOG = $(basename $(RULES))
translations: translations-rules
translations-rules: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F deploy/babel-rules.cfg --no-wrap \
	  --project "selfcheck rules" --version "$$(sed -n 's/^version: *"*\([^"]*\)"*.*/\1/p' $(RULES))" \
	  -o $(RULES_CATALOG).pot $(RULES)
	@for lang in $(RULES_LANGUAGES); do \
	  po=$(RULES_CATALOG).$$lang.po; \
	  if [ -f $$po ]; then \
	    $(BIN)/pybabel -q update --previous --no-wrap --ignore-pot-creation-date \
	      -i $(RULES_CATALOG).pot -o $$po -l $$lang; \
	  else \
	    $(BIN)/pybabel -q init --no-wrap -i $(RULES_CATALOG).pot -o $$po -l $$lang; \
	  fi; \
	done
# (end of the rules' part)
