PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432
# One worker per CPU, each with its own database; tests of one xdist_group share a worker.
PARALLEL ?= -n auto --dist loadgroup
# Cached bytecode, even where the environment sets PYTHONDONTWRITEBYTECODE: otherwise every test
# process compiles the app and the suite anew, several seconds each.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run install test test-pg e2e screenshots lint messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

install: $(STAMP)

E2E_STAMP := $(VENV)/.installed-e2e
E2E_PYTEST := $(BIN)/python -m pytest tests/e2e -p no:cacheprovider --override-ini addopts=

# Playwright drives Debian's Chromium (apt-get install -y chromium); no browser is downloaded.
$(E2E_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e ".[e2e]"
	touch $(E2E_STAMP)

HOST ?= 127.0.0.1
PORT ?= 8000

run: install
	$(BIN)/portal demo --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PARALLEL)

# The same suite against a fresh PostgreSQL database that is dropped afterwards (each worker
# works in its own copy, <database>_gw0, ..., made from it and dropped by the suite).
test-pg: install
	@db=portal_test_$$$$_$$(date +%s); \
	psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $$db" && \
	TEST_DATABASE_URL=$(PG_URL)/$$db $(BIN)/python -m pytest $(PARALLEL); status=$$?; \
	psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; \
	exit $$status

# Browser tests of the member journey in Russian and English; screenshots in tests/e2e/artifacts/.
e2e: $(E2E_STAMP)
	$(E2E_PYTEST)

# The same, then copies the README's tour screenshots to docs/screenshots/.
screenshots: $(E2E_STAMP)
	@fc-list 2>/dev/null | grep -qi "color emoji" || echo "hint: apt-get install -y fonts-noto-color-emoji draws the icons"
	PORTAL_E2E_UPDATE_SCREENSHOTS=1 $(E2E_PYTEST)

lint: install
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy app

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var
