# Peelian. `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PEELIAN := $(BIN)/peelian
DEMO_SIZE ?= small
DEMO_SEED ?= 42
# The synthetic city's police department (peelian/agency/demo.py names the city).
DEMO_AGENCY_NAME ?= Calder Falls Police Department
PG_URL ?= postgres://postgres@127.0.0.1:5432/peelian_ci

.PHONY: install demo serve test test-postgres lint fmt typecheck bench migrations-check \
        messages assets browser clean

$(VENV)/.installed: pyproject.toml requirements/lock.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

install: $(VENV)/.installed assets messages

assets:
	./scripts/fetch-assets.sh

# Translations are compiled in the build (the .mo files are not committed).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && apt-get install -y -qq gettext >/dev/null; } || { echo "msgfmt (gettext) is needed" >&2; exit 1; }
	cd peelian && ../$(PEELIAN) compilemessages --verbosity 0

# Debian's Chromium, for the accessibility and browser tests.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq \
	  && apt-get install -y -qq chromium >/dev/null; } || echo "chromium missing: browser tests will skip"

demo: install
	DEBUG=1 PEELIAN_AGENCY_NAME="$(DEMO_AGENCY_NAME)" $(PEELIAN) demo up --size $(DEMO_SIZE) --seed $(DEMO_SEED)

test: install browser
	$(BIN)/pytest -q -n 2

test-postgres: install browser
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 --create-db

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

migrations-check: $(VENV)/.installed
	$(PEELIAN) makemigrations --check --dry-run

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var peelian/web/static/vendor
