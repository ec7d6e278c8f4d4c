# utvalg — two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit clean bench browser pango

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The HTTP API on http://127.0.0.1:8000 with the examples in the log. The examples go to their
# own SQLite file, var/eksempel.db, kept apart from var/utvalg.db that `utvalg serve` uses.
run: $(STAMP) pango
	mkdir -p var
	-$(BIN)/utvalg docs --out var/dokumentasjon
	UTVALG_DATABASE_URL=sqlite:///$(CURDIR)/var/eksempel.db \
		$(BIN)/utvalg serve --host 127.0.0.1 --port 8000 --seed-examples

lint: $(STAMP)
	$(BIN)/ruff check engine api tests benchmarks
	$(BIN)/ruff format --check engine api tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# The database tests also run against a throwaway PostgreSQL cluster (installed when missing).
# Two test processes (pytest-xdist), each taking whole files, so a file's shared app stays one;
# in collected order, the files marked heavy first (tests/conftest.py), not xdist's by count.
# The scenarios' Cucumber JSON comes from `utvalg check` (xdist's workers cannot share one file).
# The modules are byte-compiled first: with PYTHONDONTWRITEBYTECODE set, every process the tests
# start (app workers, servers, the reload gate, scenario runs) compiled them from source again.
unit: $(STAMP) browser pango
	mkdir -p var
	bash scripts/ensure-postgres.sh
	$(BIN)/python -m compileall -q engine api tests
	UTVALG_TEST_POSTGRES_REQUIRED=1 $(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder
	$(BIN)/utvalg check --cucumber var/cucumber.json

# Lint and type checks run beside the tests (two cores); -O keeps each one's output together.
test:
	$(MAKE) --no-print-directory -j3 -O lint typecheck unit

# Debian's Pango for WeasyPrint's case documents (installed when missing).
pango:
	bash scripts/ensure-pango.sh

# Debian's chromium for the browser tests (installed when missing; never a downloaded browser).
browser:
	bash scripts/ensure-chromium.sh

# Every benchmark, one after the other (figures printed, never asserted). api_load starts its own
# `utvalg serve` on a free port; import_survey uses a temporary SQLite file.
bench: $(STAMP)
	$(BIN)/python benchmarks/national.py
	$(BIN)/python benchmarks/cli.py
	$(BIN)/python benchmarks/instructions.py
	$(BIN)/python benchmarks/runtime_micro.py
	$(BIN)/python benchmarks/api_load.py
	$(BIN)/python benchmarks/import_survey.py

clean:
	rm -rf $(VENV) var .pytest_cache
