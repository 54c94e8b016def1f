# The two commands a newcomer needs:  make demo  (load seeds/ into SQLite and show it)  and  make test.
# Each sets up its own virtual environment first; nothing else needs typing on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DB     ?= sqlite:///etl.db

.PHONY: demo test lint install install-dev wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# the product alone: what a user needs. Byte-compiled too: where PYTHONDONTWRITEBYTECODE is set (CI images, many
# containers) an editable install never writes its bytecode, and every `etl` command would compile the
# package's modules again (+0.07 s a run, bench/README.md); a stale file is simply not used.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q etl
	@touch $@

# plus what the tests need: pytest, ruff, hypothesis, and the optional Dask and Datasette extras
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,datasette]'
	$(BIN)/python -m compileall -q etl
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/etl run seeds --db $(DB) || [ $$? -eq 3 ]
	$(BIN)/etl show --db $(DB)

lint: install-dev
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest -q -n 2

# the wheel, installed into a fresh virtual environment outside the checkout: a load, every report, the checks and
# a migration round trip there (SQLite, and PostgreSQL when ETL_TEST_POSTGRES_URL is set); CI runs it
wheel-check:
	$(PYTHON) .ci/installed_wheel.py

clean:
	rm -rf $(VENV) etl.db etl.db-wal etl.db-shm etl.db.lock .pytest_cache
