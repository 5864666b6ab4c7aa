# The two commands: `make run` (serve with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run test bench lint install translations system-deps browser-deps pdf-deps bench-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/pybabel compile -d app/translations 2>/dev/null

run: install
	-@scripts/apt-ensure.sh /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc fonts-wqy-zenhei  # certificate PDFs
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	@echo "Serving on http://127.0.0.1:5000 (background jobs: a Huey consumer beside it)"
	$(BIN)/huey_consumer app.jobs.huey -w 2 -k thread & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install system-deps
	scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

bench: install bench-deps
	scripts/with-postgres.sh $(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	@tmp=$$(mktemp -d) && export DATABASE_URL=sqlite:///$$tmp/lint.db && \
	$(BIN)/flask db upgrade >/dev/null 2>&1 && $(BIN)/flask db check; status=$$?; rm -rf $$tmp; exit $$status
	$(BIN)/python scripts/check_translations.py

# Extract strings and merge them into the catalogs; then translate the new entries.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs ".* __pycache__" -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

system-deps: browser-deps pdf-deps

browser-deps:
	@scripts/apt-ensure.sh /usr/bin/chromium chromium

# Certificates embed a Chinese font; tests read PDFs back with poppler and decode QR codes with zbar.
pdf-deps:
	@scripts/apt-ensure.sh /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc fonts-wqy-zenhei
	@scripts/apt-ensure.sh /usr/bin/pdftoppm poppler-utils
	@scripts/apt-ensure.sh /usr/bin/zbarimg zbar-tools

bench-deps:
	@scripts/apt-ensure.sh /usr/bin/wrk wrk
