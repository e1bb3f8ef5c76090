# Ledgerlink: `make run` starts everything for development; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-$(shell cat requirements.txt | md5sum | cut -c1-12)

# The test suite runs against the real services of this machine (see README).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ledgerlink
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: install run test lint bench tour lock clean

$(INSTALLED): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

.env:
	cp .env.example .env

install: $(INSTALLED) .env

run: install
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo
	@echo "  Ledgerlink            http://127.0.0.1:8000/"
	@echo "  Inside Salesforce     http://127.0.0.1:8001/canvas/host/   (local Salesforce's Canvas page)"
	@echo "  Local Salesforce      http://127.0.0.1:8001/               (log in as alice@acme.example)"
	@echo "  Local bank (EBICS)    http://127.0.0.1:8002/ebics          (host LLBANK, partner ACME, user ALICE)"
	@echo "  Bank's admin page     http://127.0.0.1:8002/_standin/subscribers"
	@echo "  API docs              http://127.0.0.1:8000/api/v1/docs/"
	@echo "  Health                http://127.0.0.1:8000/healthz"
	@echo "  Ctrl-C stops everything."
	@echo
	$(VENV)/bin/honcho start -f Procfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m tests.preflight
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	@for module in benchmarks/[a-z]*.py; do \
		name=$$(basename $$module .py); \
		case $$name in *_data) continue;; esac; \
		echo "== $$name"; $(PY) -m benchmarks.$$name $(BENCH_ARGS) || exit 1; \
	done

# Refresh the guided tour's pictures (docs/tour/) from the browser tests.
tour: install
	LEDGERLINK_TOUR=1 DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest tests/browser -q

lock:
	$(PY) -m pip freeze --exclude-editable | grep -v '^ledgerlink' > requirements.txt

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
