# The two commands a newcomer needs:  make demo  (load seeds/ into SQLite and show it)  and  make test.
# Each sets up its own virtual environment first; nothing else needs typing on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DB     ?= sqlite:///etl.db

.PHONY: demo test lint install clean

$(BIN)/etl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(BIN)/etl

install: $(BIN)/etl

demo: install
	$(BIN)/etl run seeds --db $(DB) || [ $$? -eq 3 ]
	$(BIN)/etl show --db $(DB)

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/pytest -q -n 2

clean:
	rm -rf $(VENV) etl.db etl.db-wal etl.db-shm etl.db.lock .pytest_cache
