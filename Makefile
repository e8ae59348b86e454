# xinyong — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SIZE   ?= small

.PHONY: demo test test-sqlite test-postgres bench lint messages clean

$(BIN)/xinyong: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "xinyong needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev]"
	@touch $@

## Build the small synthetic Qingdao on SQLite (once) and serve http://127.0.0.1:8000
demo: $(BIN)/xinyong
	$(BIN)/xinyong migrate --noinput --verbosity 0
	@if test -f var/demo-logins.json; then $(BIN)/xinyong demo logins; \
	 else $(BIN)/xinyong demo build --size $(SIZE); fi
	$(BIN)/xinyong lists expire
	$(BIN)/xinyong serve

## The whole suite: lint, migrations complete, tests on SQLite and on a throwaway PostgreSQL
test: lint test-sqlite test-postgres

lint: $(BIN)/xinyong
	$(BIN)/ruff check .
	XINYONG_VAR_DIR=$$(mktemp -d) $(BIN)/xinyong makemigrations --check --dry-run --verbosity 1

test-sqlite: $(BIN)/xinyong
	$(BIN)/pytest

test-postgres: $(BIN)/xinyong
	scripts/with-postgres $(BIN)/pytest

bench: $(BIN)/xinyong
	$(BIN)/python bench/identifiers.py
	$(BIN)/python bench/demo.py
	$(BIN)/python bench/validation.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/portal.py
	$(BIN)/python bench/checks.py

messages: $(BIN)/xinyong
	cd src/xinyong && ../../$(BIN)/xinyong makemessages --locale zh_Hans --no-obsolete --verbosity 0
	cd src/xinyong && ../../$(BIN)/xinyong compilemessages --locale zh_Hans --verbosity 0

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
