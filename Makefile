# The portal's two commands: `make run` and `make test`. Both are idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test test-postgres test-production pdf-libs install install-test catalogs db demo extract update-catalogs browser servers bench htmx clean

# The demo runs on a clock pinned to 1 May 2017, a week before the registration deadline,
# so that a newcomer can register. `make run PORTAL_NOW=` runs on the real clock.
PORTAL_NOW ?= 2017-05-01T09:00:00+08:00

# The mail sender runs beside the web server and stops with it (in production it is its own service).
run: install catalogs db demo ## Serve the demo event on http://$(HOST):$(PORT), and deliver its email
	@export PORTAL_NOW="$(PORTAL_NOW)" PORTAL_URL="$${PORTAL_URL:-http://$(HOST):$(PORT)}"; \
	$(BIN)/flask portal send-mail & sender=$$!; \
	trap 'kill $$sender 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host "$(HOST)" --port "$(PORT)"

test: install-test catalogs browser servers ## Install what the tests need and run every test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install-test catalogs ## The database tests on PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://...)
	@test -n "$(TEST_DATABASE_URL)" || { echo "set TEST_DATABASE_URL (see .ci/run)"; exit 2; }
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

test-production: install-test catalogs servers ## Production as deploy/ runs it, under load and faults (tests/production/)
	PORTAL_PRODUCTION_TESTS=1 $(BIN)/python -m pytest tests/production $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the HTML check (tests/test_html.py) will be skipped"; fi

install: $(VENV)/.installed pdf-libs
install-test: $(VENV)/.installed-test node_modules/.installed

pdf-libs: ## Debian's Pango and DejaVu fonts for the program's PDF (installed when root)
	@bash scripts/install-pdf-libs.sh

catalogs: install ## Compile the message catalogs (.po -> .mo)
	$(BIN)/flask translate compile

extract: install ## Collect new messages into translations/messages.pot
	$(BIN)/flask translate extract

update-catalogs: install ## Extract and merge new messages into every catalog
	$(BIN)/flask translate update

db: install
	@mkdir -p instance
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask portal load-demo --with-delegates

browser: install-test ## A Chromium for the browser tests
	@bash tests/install-browser.sh "$(BIN)"

servers: ## Debian's redis-server, which the shared-limit tests start on their own ports
	@bash tests/install-servers.sh

htmx: ## Refresh the local htmx copy from the npm package htmx.org and check it against the pinned SRI hash
	@bash scripts/fetch-htmx.sh

bench: install-test servers ## Measure pages against hello world, and production through nginx (needs wrk; root for PostgreSQL); writes docs/benchmarks.md
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/costs.py
	$(BIN)/python bench/program.py
	$(BIN)/python bench/link_timing.py
	$(BIN)/python bench/console.py
	$(BIN)/python bench/letters.py
	$(BIN)/python bench/production.py

clean:
	rm -rf $(VENV) instance/portal.sqlite3
