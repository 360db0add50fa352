# Two commands: `make run` (serve the app with demo data) and `make test` (the whole suite).
# Both set everything up first: virtual environment, Python and npm packages, static assets.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
ASSETS := static/vendor/.built
PYTEST_ARGS ?=

.PHONY: install run test lint format bench-seed clean

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(ASSETS): node_modules/.package-lock.json
	npm run --silent build
	touch $@

install: $(INSTALLED) $(ASSETS)

run: install
	$(PY) config/devstack.py run

test: install
	$(PY) config/devstack.py exec -- $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
