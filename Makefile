# Two commands for a fresh clone: `make demo` and `make test`.
# Both create .venv when it is missing and install the package into it; each keeps its own stamp, so
# `make demo` then `make test` installs only what the tests add.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# `make demo` installs the runtime dependencies only (no dev tools, no peers). `make test` adds the
# dev tools, the causalml extra (causalml and scikit-uplift, for the parity tests and peer
# benchmarks) and the spark extra (PySpark for tests/test_spark_*.py; Java 17+ needed, .ci/run
# installs it when missing); `make test EXTRAS=dev` runs without them (those tests then skip with a
# reason). The docs extra (mkdocs-material, mkdocstrings, numpydoc) is there for `make docs` and
# tests/test_docstrings.py; `make lint` needs only dev.
EXTRAS ?= dev,causalml,spark,docs
# OMP_WAIT_POLICY: set by uplift.cli.prefer_passive_openmp (the CLI, conftest.py, benchmarks/run_all.py).
# mkdocs-material prints a banner about its successor on every build; it is not a build warning.
export NO_MKDOCS_2_WARNING ?= 1
comma := ,
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: demo test test-fast lint docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

demo: $(RUNTIME_STAMP)
	$(BIN)/uplift demo --output reports/demo

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(TEST_STAMP)
	$(BIN)/ruff check uplift tests benchmarks experiments docs/tools
	$(BIN)/mypy uplift

# The documentation site (mkdocs.yml: docs/*.md and the docstrings) into site/; every warning is an error.
docs: $(TEST_STAMP)
	$(BIN)/mkdocs build --strict

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports site build *.egg-info .pytest_cache .mypy_cache .ruff_cache
