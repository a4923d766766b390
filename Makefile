# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUPERSET_LOCAL := scripts/superset-local
# The tests talk to the Superset that superset-up starts (another port: SUPERSET_LOCAL_PORT).
export SUPERSET_URL ?= http://127.0.0.1:$(or $(SUPERSET_LOCAL_PORT),8088)

.PHONY: venv system-deps superset-up superset-down demo test test-unit test-superset-5 test-mysql test-workers lint bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

# GNU gettext (msgfmt, msgcmp) judges the catalogs we write; Debian's chromium looks
# at the demo as a person would (tests/integration/test_demo_browser.py); the local
# Superset script installs PostgreSQL itself.
system-deps:
	@command -v msgfmt >/dev/null && command -v msgcmp >/dev/null && command -v chromium >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq gettext chromium >/dev/null; }

superset-up:
	$(SUPERSET_LOCAL) start

superset-down:
	$(SUPERSET_LOCAL) stop

demo: venv
	scripts/demo

lint: venv
	$(BIN)/ruff check aspects_assets tests benchmarks superset_ext
	$(BIN)/mypy

# The whole suite: unit and integration tests against Superset 6.1 on PostgreSQL,
# then the live core again on MySQL-compatible metadata (test-mysql) and the lock
# and import tests on a Superset with several workers (test-workers).
test: venv system-deps superset-up lint
	$(BIN)/pytest -q
	$(MAKE) test-mysql
	$(MAKE) test-workers

test-unit: venv system-deps
	$(BIN)/pytest -q -m "not integration"

test-superset-5: venv system-deps
	SUPERSET_VERSION=5.0.0 SUPERSET_LOCAL_PORT=8089 $(SUPERSET_LOCAL) start
	SUPERSET_URL=http://127.0.0.1:8089 ASPECTS_TEST_SUPERSET_VERSION=5.0.0 \
		$(BIN)/pytest -q -m integration tests/integration/test_import_live.py \
		tests/integration/test_lock_live.py tests/integration/test_corpus_live.py

# The live core (import, diff, record, prune, lock, corpus) on a Superset whose
# metadata is Debian's MariaDB, as Tutor's Superset shares the Open edX MySQL.
MYSQL_PORT ?= 8098
MYSQL_TESTS ?= tests/integration/test_import_live.py tests/integration/test_prune_safety_live.py \
	tests/integration/test_lock_live.py tests/integration/test_corpus_live.py
test-mysql: venv system-deps
	SUPERSET_LOCAL_METADATA=mysql SUPERSET_LOCAL_PORT=$(MYSQL_PORT) $(SUPERSET_LOCAL) start
	SUPERSET_LOCAL_METADATA=mysql SUPERSET_URL=http://127.0.0.1:$(MYSQL_PORT) \
		$(BIN)/pytest -q -m integration $(MYSQL_TESTS)

# Production Supersets run several gunicorn workers: two imports at once land on
# different workers and must still take turns. Its own Superset (WORKERS_PORT);
# the tests' reset restarts it with the same worker options.
WORKERS_PORT ?= 8097
WORKER_ARGS ?= -w 4 -k gthread --threads 4
WORKER_TESTS ?= tests/integration/test_lock_live.py tests/integration/test_import_live.py \
	tests/integration/test_resume_live.py
test-workers: venv system-deps
	SUPERSET_LOCAL_PORT=$(WORKERS_PORT) SUPERSET_LOCAL_WORKER_ARGS='$(WORKER_ARGS)' \
		$(SUPERSET_LOCAL) start
	SUPERSET_URL=http://127.0.0.1:$(WORKERS_PORT) SUPERSET_LOCAL_WORKER_ARGS='$(WORKER_ARGS)' \
		$(BIN)/pytest -q -m integration $(WORKER_TESTS)

bench: venv
	$(BIN)/python benchmarks/bench_build_2026.py
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_import.py
