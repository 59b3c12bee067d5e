# Flipside: `make run` to try it, `make test` to prove it.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
# check --deploy runs against the production shape without needing its servers.
PROD_ENV := DEBUG=false SECRET_KEY=lint-only-$$(printf 'x%.0s' {1..60}) ALLOWED_HOSTS=flipside.example \
	DATABASE_URL=postgres://flipside@localhost/flipside REDIS_URL=redis://localhost:6379/0 \
	EMAIL_URL=smtp://localhost:25

.PHONY: run test lint bench screenshots venv system-deps migrate demo clean help

help:
	@echo "make run    - set up, seed the demo and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - the whole suite against throwaway PostgreSQL + Redis and headless Chromium"
	@echo "make lint   - ruff, bandit, check --deploy"
	@echo "make bench  - every benchmark in benchmarks/ (one JSON line each)"
	@echo "make screenshots - refresh docs/screenshots/ from the browser journeys"

venv:
	@scripts/bootstrap.sh requirements/dev.txt

migrate: venv
	@$(PY) manage.py migrate --noinput -v 0

demo: migrate
	@$(PY) manage.py seed_demo

run: demo
	@$(PY) manage.py collectstatic --noinput -v 0
	@echo
	@echo "  Flipside is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo
	@FLIPSIDE_PORT=$(PORT) .venv/bin/honcho -f Procfile.dev start

system-deps:
	@scripts/system-deps.sh

test: venv system-deps
	@scripts/with-services.sh scripts/run-tests.sh

lint: venv
	.venv/bin/ruff check .
	.venv/bin/bandit -q -c pyproject.toml -r mentoring accounts programs pairing meetings surveys evaluation --severity-level medium
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level WARNING

bench: venv system-deps
	@scripts/with-services.sh scripts/run-benchmarks.sh

screenshots: venv system-deps
	@FLIPSIDE_SCREENSHOTS=docs/screenshots scripts/with-services.sh .venv/bin/python -m pytest tests/e2e/test_journeys.py -q

clean:
	rm -rf var .venv
