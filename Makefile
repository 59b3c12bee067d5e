# Flipside: `make run` to try it, `make test` to prove it.
SHELL := /bin/bash
PY := .venv/bin/python
# Where `make run` serves: PORT=8021 make run. Web, worker and beat all get it, so the links in
# e-mails and calendar files point at this address (a deployment sets SITE_URL instead).
PORT ?= 8000
HOST ?= 127.0.0.1
# RELOAD=1 make run restarts the web server when the code changes (a slower start).
RELOAD ?=
export FLIPSIDE_PORT := $(PORT)
export FLIPSIDE_HOST := $(HOST)
export FLIPSIDE_RUNSERVER_FLAGS := $(if $(RELOAD),,--noreload)
# Stamps under var/ let a second `make run` skip what is done: migrations applied (newer than every
# migration file), the demo seeded, static files collected (newer than every static file).
VAR := $(or $(VAR_DIR),var)
ifneq ($(DATABASE_URL),)
STAMP_FORCE := FORCE  # another database than the embedded one: let migrate and seed_demo decide
endif
ifeq ($(wildcard $(VAR)/flipside.sqlite3),)
$(shell rm -f $(VAR)/.migrated $(VAR)/.seeded)  # a new database: nothing in it is done yet
endif
# check --deploy runs against the production shape without needing its servers.
PROD_ENV := DEBUG=false SECRET_KEY=lint-only-$$(printf 'x%.0s' {1..60}) ALLOWED_HOSTS=flipside.example \
	DATABASE_URL=postgres://flipside@localhost/flipside REDIS_URL=redis://localhost:6379/0 \
	EMAIL_URL=smtp://localhost:25

.PHONY: run test lint bench screenshots venv system-deps migrate demo clean help messages messages-check compilemessages FORCE

help:
	@echo "make run    - set up, seed the demo and serve on http://127.0.0.1:$(PORT) (PORT=8021 make run: another port)"
	@echo "make test   - the whole suite against throwaway PostgreSQL + Redis and headless Chromium"
	@echo "make lint   - ruff, bandit, check --deploy"
	@echo "make bench  - every benchmark in benchmarks/ (one JSON line each)"
	@echo "make screenshots - refresh docs/screenshots/ from the browser journeys"
	@echo "make messages - refresh locale/de/LC_MESSAGES/django.po from the code (then translate the new entries)"
	@echo "make messages-check - count the German catalogue's untranslated and fuzzy entries"

venv:
	@scripts/bootstrap.sh requirements/dev.txt

.venv/.installed-dev: requirements/dev.txt requirements/bootstrap.txt
	@scripts/bootstrap.sh requirements/dev.txt

migrate: $(VAR)/.migrated
demo: $(VAR)/.seeded

$(VAR)/.migrated: $(wildcard */migrations/*.py) .venv/.installed-dev $(STAMP_FORCE) | venv
	@$(PY) manage.py migrate --noinput -v 0
	@touch $@

$(VAR)/.seeded: $(VAR)/.migrated $(wildcard */demo.py) mentoring/management/commands/seed_demo.py
	@$(PY) manage.py seed_demo
	@touch $@

$(VAR)/.static: $(shell find static -type f) .venv/.installed-dev | venv
	@$(PY) manage.py collectstatic --noinput -v 0
	@touch $@

# The German catalogue is compiled, not committed: the .mo is rebuilt whenever the .po changes.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
compilemessages: $(MO)
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | system-deps
	@msgfmt --check -o $@ $<

# Where the strings are: our apps and templates, never the virtualenv, tests, benchmarks or var/.
MESSAGE_IGNORES := --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=var --ignore=node_modules \
	--ignore=docs --ignore=deploy --ignore=scripts
messages: venv system-deps
	$(PY) manage.py makemessages -l de --no-obsolete --add-location=file $(MESSAGE_IGNORES)

messages-check: system-deps
	@for po in locale/*/LC_MESSAGES/django.po; do \
	  msgfmt --check --statistics -o /dev/null $$po 2>&1 | sed "s|^|$$po: |"; \
	done

run: $(VAR)/.seeded $(VAR)/.static $(MO)
	@echo
	@echo "  Flipside is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo
	@$(PY) scripts/run-dev.py Procfile.dev

FORCE:

system-deps:
	@scripts/system-deps.sh

test: venv system-deps $(MO)
	@scripts/with-services.sh scripts/run-tests.sh

lint: venv
	.venv/bin/ruff check .
	.venv/bin/bandit -q -c pyproject.toml -r mentoring accounts notifications programs pairing meetings circles surveys evaluation scim api --severity-level medium
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level WARNING

bench: venv system-deps
	@scripts/with-services.sh scripts/run-benchmarks.sh

screenshots: venv system-deps
	@FLIPSIDE_SCREENSHOTS=docs/screenshots scripts/with-services.sh .venv/bin/python -m pytest tests/e2e/test_journeys.py -q

clean:
	rm -rf var .venv
