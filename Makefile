# The two commands: `make run` (the product, embedded defaults) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install install-dev lint migrate seed worker beat web bench bench-api clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install, migrate, seed the demo, start web + Celery worker + Celery beat
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) ./scripts/run-all.sh

## test: install the dev requirements, check lint and migrations, run the whole suite
test: install-dev
	./scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## bench: the engine, the pages, and the audit and history lists on 10 M rows (built once into
## the PostgreSQL database oncall_bench_history, kept for the next run); each figure beside its
## target, then `bench: all targets met` or `bench: N short`
bench: install-dev
	$(BIN)/python bench/all.py

## bench-api: the bot's lookups over HTTP (gunicorn + wrk) on a throw-away PostgreSQL database,
## beside a bare WSGI app's ceiling, warm and cold; e.g. BENCH_API_ARGS="--cold --runs 3 --scale 10"
BENCH_API_ARGS ?= --cold
bench-api: install-dev
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/api_load.py $(BENCH_API_ARGS)

clean:
	rm -rf var/ staticfiles/
