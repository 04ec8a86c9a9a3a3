# Zaalboek — the two commands: `make run` (demo on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Absolute links in mail and jobs (no request to read the host from) point where `make run` serves: PORT=8101 too.
SITE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=

# The first interpreter that runs and is >= 3.12 (pyenv reads .python-version for `python3.12`).
PYTHON_CANDIDATES := python3.12 python3.13 python3.14 python3 python
FIND_PYTHON = for c in $(PYTHON_CANDIDATES); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    echo $$c; exit 0; fi; done; exit 1

.PHONY: help
help:
	@echo "make run    – install, migrate the SQLite demo database, load Maastricht demo data, serve http://$(HOST):$(PORT)"
	@echo "             with the worker beside it (mail, reminders, schedule); Ctrl-C stops both"
	@echo "make worker – only the worker: runs queued jobs (mail, reminders, scheduled jobs); make run starts one"
	@echo "make test   – install test dependencies and run the suite (SQLite; PostgreSQL when DATABASE_URL is set)"
	@echo "make bench  – benchmarks on PostgreSQL, results in bench/RESULTS.md"
	@echo "make lint   – ruff"
	@echo "make lock   – recompile requirements/*.txt from requirements/*.in"

$(VENV)/.installed: requirements/base.txt requirements/test.txt
	@py=$$($(FIND_PYTHON)) || { \
	  echo "Zaalboek needs Python 3.12 or newer, and none was found (tried: $(PYTHON_CANDIDATES))." >&2; \
	  echo "Install it (e.g. 'pyenv install 3.12' — this repo's .python-version asks pyenv for 3.12) and retry." >&2; \
	  exit 1; }; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
	  echo "Creating $(VENV) with $$py ($$($$py --version))"; rm -rf $(VENV); $$py -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/base.txt -r requirements/test.txt
	@touch $@

.PHONY: install
install: $(VENV)/.installed

# The web server and, beside it, the worker that sends the mail and runs the schedule (one process each; Ctrl-C stops
# both: the worker finishes the job at hand first). Mail is printed by the worker (console mail backend).
.PHONY: run
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Zaalboek draait op http://$(HOST):$(PORT)/  (beheer: http://$(HOST):$(PORT)/admin/)"
	@export ZAALBOEK_SITE_URL="$${ZAALBOEK_SITE_URL:-$(SITE_URL)}"; \
	$(PY) manage.py worker --with-scheduler --no-reload --worker-id "$$(hostname)-make-run" & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Only the worker (jobs from the queue: mail, reminders, scheduled jobs), e.g. beside a server started otherwise.
# WORKER_ARGS=--with-scheduler runs the schedule in it too.
WORKER_ARGS ?=
.PHONY: worker
worker: install
	ZAALBOEK_SITE_URL="$${ZAALBOEK_SITE_URL:-$(SITE_URL)}" $(PY) manage.py worker $(WORKER_ARGS)

.PHONY: test
test: install
	@if [ -n "$$DATABASE_URL" ]; then echo "Tests against $${DATABASE_URL%%\?*}"; else echo "Tests against SQLite"; fi
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test >/dev/null
	$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: bench
bench: install
	$(PY) bench/run.py

.PHONY: lint
lint: install
	$(VENV)/bin/ruff check .

.PHONY: lock
lock: install
	$(PY) -m pip install --quiet uv
	cd requirements && ../$(VENV)/bin/uv pip compile --quiet --python-version 3.12 base.in -o base.txt \
	  && ../$(VENV)/bin/uv pip compile --quiet --python-version 3.12 test.in -o test.txt
