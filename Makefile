# Two commands matter: `make run` and `make test`. Both build .venv from scratch when it is missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEED := data/cases/seed-sle-mas

.PHONY: run test venv chromium lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,scale]'

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (browser tests and image export)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

run: venv
	$(BIN)/streamlit run dashboard/app.py

test: venv chromium
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check dashboard tests benchmarks

bench: venv
	$(BIN)/python benchmarks/scoring.py
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) .pytest_cache
