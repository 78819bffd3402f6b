# Two commands set everything up: `make run` serves the demo, `make test`
# runs the suite. Both build the virtual environment on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test bench load lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data
	$(BIN)/python -m lms.serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests/benchmarks -o addopts="" -s $(PYTEST_ARGS)

# The load scenario against daphne on the local PostgreSQL and Redis, with a
# report in load-report/. LOAD_ARGS passes options, such as --steps 20,40.
load: $(VENV)/.installed-test
	$(BIN)/python -m tests.load.run $(LOAD_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the translation catalogues from the source and compile them.
messages: $(VENV)/.installed-test
	$(BIN)/python manage.py catalogue update

clean:
	rm -rf $(VENV) node_modules staticfiles test-db.sqlite3
