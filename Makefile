# Two commands on a fresh machine with only Python 3.11+:
#   make run   -- set up .venv if needed, run the bundled baseline scenario
#   make test  -- set up, then lint and the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-fast lint format bench notebooks clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,app]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/concertsim run scenarios/baseline.toml --replicates 20 --seed 20261126 --out results/baseline --force

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks experiments notebooks
	$(BIN)/ruff format --check src tests benchmarks experiments notebooks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks experiments notebooks
	$(BIN)/ruff check --fix src tests benchmarks experiments notebooks

test: lint
	$(BIN)/python -m pytest -q -n 2

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m 'not slow' -n 2

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

# Re-run every notebook in a Jupyter kernel and save it with its outputs (they are committed
# so the notebooks read on GitHub; tests/test_notebooks.py fails when they are stale).
notebooks: $(STAMP)
	$(BIN)/python notebooks/execute.py

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache
