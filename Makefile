# Two commands set everything up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck openapi clients extension bench load fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[embedded,test,clients]'
	touch $(STAMP)

serve: $(STAMP)  ## run the service on the embedded PostgreSQL (or DATABASE_URL)
	$(BIN)/factmark serve

lint: $(STAMP)
	$(BIN)/ruff check service tests openapi/clients $(wildcard bench)
	$(BIN)/ruff format --check service tests openapi/clients $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy service

test: lint typecheck  ## lint, type-check and run the whole suite against a real PostgreSQL (and PgBouncer)
	@command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || [ "$$(id -u)" != 0 ] || \
		! command -v apt-get >/dev/null 2>&1 || { echo "installing Debian's pgbouncer for the tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; }
	$(BIN)/pytest

openapi: $(STAMP)  ## regenerate openapi/openapi.json from the app
	$(BIN)/factmark openapi

clients: $(STAMP)  ## generate the Python and TypeScript clients into build/clients (needs Node >= 20.19 and npm)
	$(BIN)/python openapi/clients/generate.py --out build/clients

extension:  ## build the browser extension into build/extension, for Chromium's "Load unpacked" (needs Node >= 20.19 and npm)
	cd extension && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

bench: $(STAMP)  ## benchmarks with same-run baselines (needs wrk: apt-get install -y wrk)
	$(BIN)/pip install --quiet -e '.[embedded,test,bench]'
	$(BIN)/python -m bench

load: $(STAMP)  ## fault test: 3 servers on one PostgreSQL, 48 clients for 30 s, one server SIGKILLed and restarted, every acknowledged write and every webhook delivery checked
	$(BIN)/python -m bench.load $(LOAD_ARGS)

fuzz: $(STAMP)  ## a long Schemathesis run over every operation
	FACTMARK_FUZZ_EXAMPLES=300 $(BIN)/pytest tests/test_fuzz.py

clean:
	rm -rf $(VENV) .factmark .pytest_cache .ruff_cache .mypy_cache
