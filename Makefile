# The two commands: `make reproduce` (the paper's experiments → out/) and `make test`.
# Both create or reuse .venv; `make venv` refreshes it when pyproject.toml changes.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sizno-installed
EXTRAS ?= dev,structure,lab,atomistic,study

.PHONY: venv reproduce reproduce-quick test bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the CPU build of torch first (it lies on this machine's disk); otherwise chgnet pulls a CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

reproduce: venv
	$(BIN)/sizno reproduce --out out

reproduce-quick: venv
	$(BIN)/sizno reproduce --quick --out out

test: venv
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/python benchmarks/bench_half_cell.py

clean:
	rm -rf $(VENV) out .pytest_cache
