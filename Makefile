PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432

.PHONY: run install test test-pg lint messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/portal demo

test: install
	$(BIN)/python -m pytest

# The same suite against a fresh PostgreSQL database that is dropped afterwards.
test-pg: install
	@db=portal_test_$$$$_$$(date +%s); \
	psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $$db" && \
	TEST_DATABASE_URL=$(PG_URL)/$$db $(BIN)/python -m pytest; status=$$?; \
	psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; \
	exit $$status

lint: install
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy app

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var
