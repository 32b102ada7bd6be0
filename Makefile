# 赛训通 — the two commands a new machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test test-pg test-browser bench lint format venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: set up, migrate, load the demo city into an empty database, serve on :5000
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

## make test: set up and run the whole suite (SQLite; browser tests when chromium is present)
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

## make test-pg: the whole suite again on PostgreSQL (TEST_DATABASE_URL or the local `test` database)
test-pg: $(STAMP)
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser"

## make lint: ruff lint and format check (CI runs it)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make format: apply ruff's formatter and safe fixes
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench: the benchmarks under bench/ (figures go into README.md)
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
