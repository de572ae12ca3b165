# Everything a newcomer or CI needs, from a fresh clone:
#   make run   — install, migrate, seed and start web + Celery worker + beat on SQLite (http://127.0.0.1:8000)
#   make test  — install and run the whole test suite against PostgreSQL and Redis on 127.0.0.1
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/yinzhou_campaign

.PHONY: run test install install-dev services check bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_campaign
	DEBUG=1 $(BIN)/python manage.py seed_demo --sample-reports --accounts-file demo-accounts.txt
	# One clock: honcho's stamps, the app's and Celery's logs all in Asia/Shanghai.
	DEBUG=1 TZ=Asia/Shanghai PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev

services:
	@bash scripts/ensure_services.sh

test: install-dev services
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest

check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

# Benchmark (tests/e2e issue): city-scale data set and the pages' figures into docs/benchmarks.md.
# Takes minutes and drops/creates the yz_bench* databases; NOT part of `make test` (a smoke version is).
# Throughput (issue 20): gunicorn with the production config under wrk, side by side with the login
# page; wrk is installed from Debian if missing (bench/throughput.py falls back to a Python load
# generator when it cannot be).
BENCH_REPEAT ?= 30
bench: install-dev services
	@command -v wrk >/dev/null || apt-get install -y wrk || sudo -n apt-get install -y wrk \
		|| echo "wrk could not be installed: bench/throughput.py uses its Python load generator"
	$(BIN)/python bench/generate.py --scale 0.01 --database yz_bench_small
	$(BIN)/python bench/run.py --database yz_bench_small --label small --repeat $(BENCH_REPEAT)
	$(BIN)/python bench/throughput.py --database yz_bench_small --label small
	$(BIN)/python bench/generate.py --scale 1 --database yz_bench
	$(BIN)/python bench/run.py --database yz_bench --label full --repeat $(BENCH_REPEAT)
	$(BIN)/python bench/throughput.py --database yz_bench --label full
	$(BIN)/python bench/report.py
