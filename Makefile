# Two commands for a fresh clone: `make demo` and `make test`.
# Both create .venv when it is missing and install the package into it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The causalml extra brings causalml and scikit-uplift for the parity tests and peer benchmarks, the
# spark extra PySpark for tests/test_spark_*.py (Java 17+ needed; .ci/run installs it when missing);
# `make test EXTRAS=dev` runs without them (those tests then skip with a reason).
EXTRAS ?= dev,causalml,spark
# OpenMP threads that spin while waiting make XGBoost crawl on a shared machine (see conftest.py).
export OMP_WAIT_POLICY ?= PASSIVE
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: demo test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip >/dev/null

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[$(EXTRAS)]'
	touch $@

demo: $(STAMP)
	$(BIN)/uplift demo --output reports/demo

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check uplift tests benchmarks experiments
	$(BIN)/mypy uplift

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports build *.egg-info .pytest_cache .mypy_cache .ruff_cache
