# Opportunity Area Tracker. `make run` and `make test` are all a newcomer needs.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_DATABASE_REPLICA_URL ?= postgres://postgres@127.0.0.1:5433/test

.DEFAULT_GOAL := help
.PHONY: help setup run test lint format assets worker beat check-compose clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen --python $(PYTHON)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

static_build/.built: node_modules/.installed $(shell find frontend -type f 2>/dev/null)
	npm run build
	@touch $@

assets: static_build/.built ## Compile GOV.UK Frontend (Sass, JS, fonts and images) into static_build/

setup: $(VENV)/.synced assets ## Install Python and npm dependencies and build assets

run: setup ## Migrate, load the demo data and serve http://127.0.0.1:8000
	bin/serve

test: setup ## Run the whole suite against PostgreSQL (and a streaming replica: bin/pg-replica), Redis and Chromium
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		DATABASE_REPLICA_URL=$${DATABASE_REPLICA_URL:-$(TEST_DATABASE_REPLICA_URL)} \
		$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.synced ## Check code style with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.synced ## Format code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: setup ## Start a Celery worker (needs REDIS_URL)
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL, e.g. redis://127.0.0.1:6379/0"; exit 2; }
	$(VENV)/bin/celery -A config worker --loglevel INFO

beat: setup ## Start Celery beat (needs REDIS_URL)
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL, e.g. redis://127.0.0.1:6379/0"; exit 2; }
	$(VENV)/bin/celery -A config beat --loglevel INFO --schedule .celerybeat-schedule

clean: ## Remove installed dependencies and build output
	rm -rf $(VENV) .tools node_modules static_build staticfiles
