# Two commands set everything up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck openapi bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)  ## run the service on the embedded PostgreSQL (or DATABASE_URL)
	$(BIN)/factmark serve

lint: $(STAMP)
	$(BIN)/ruff check service tests $(wildcard bench)
	$(BIN)/ruff format --check service tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy service

test: lint typecheck  ## lint, type-check and run the whole suite against a real PostgreSQL
	$(BIN)/pytest

openapi: $(STAMP)  ## regenerate openapi/openapi.json from the app
	$(BIN)/factmark openapi

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .factmark .pytest_cache .ruff_cache .mypy_cache
