# The two commands: `make reproduce` (the paper's experiments → out/, opened at out/report.html) and `make test`.
# Both create or reuse .venv; `make venv` refreshes it when pyproject.toml changes.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sizno-installed
EXTRAS ?= dev,structure,lab,atomistic,study

.PHONY: venv reproduce reproduce-quick report readme-status test bench sensitivity clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the CPU build of torch first (it lies on this machine's disk); otherwise chgnet pulls a CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	# DFT (GPAW) where the system allows: needs g++ and `apt-get install libxc-dev libopenblas-dev libfftw3-dev`;
	# without them the venv is made all the same (the DFT tests skip, --calculator gpaw says what is missing)
	GPAW_CONFIG=$(CURDIR)/tools/gpaw_siteconfig.py $(BIN)/python -m pip install --quiet -e ".[atomistic-dft]" \
		|| echo "GPAW not installed (see README, DFT with GPAW): the DFT path is off, everything else works"
	touch $(STAMP)

reproduce: venv
	$(BIN)/sizno reproduce --out out --force

reproduce-quick: venv
	$(BIN)/sizno reproduce --quick --out out --force

# out/report.html again from out/summary.json and the figures (no simulation)
report: venv
	$(BIN)/sizno report out

# README's "What the report says today" from out/summary.json (run after `make reproduce`)
readme-status: venv
	$(BIN)/sizno report out --readme README.md

test: venv
	$(BIN)/python -m pytest -q

# what controls each validation prediction (Morris), what the calibration pins (Fisher, profiles), the rate-curve
# shape (Tian), what the activation energies can reach at room temperature and when the residual c-Si activates
# -> out/sensitivity
sensitivity: venv
	$(BIN)/sizno sensitivity --analysis all --out out/sensitivity --force

# issue 14's speed targets in one table, on one core where taskset exists (BENCH_ARGS="--repeats 5 --compile")
ONE_CORE := $(shell command -v taskset >/dev/null 2>&1 && echo taskset -c 0)
BENCH_ARGS ?=
bench: venv
	$(ONE_CORE) $(BIN)/python benchmarks/bench_speed.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache
