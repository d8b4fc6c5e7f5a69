# speechflows — two commands on a fresh machine: `make demo` and `make test`.
# Everything the targets need (uv, .venv, Python packages, Azurite, Debian packages for the
# browser and multi-worker tests) is installed here, on demand, and only when missing or stale.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python

# Prefect state lives in the checkout; no telemetry; a slow 2-core box needs a longer start.
export PREFECT_HOME := $(CURDIR)/.prefect
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90
export SPEECHFLOWS_AZURITE_BIN := $(CURDIR)/node_modules/.bin/azurite-blob
# Bytecode is compiled at install and cached on import: an environment with
# PYTHONDONTWRITEBYTECODE=1 (common in containers) would otherwise make every Python process
# the suite starts (servers, workers, flow runs, CLIs) compile Prefect from source, about half
# of its import time.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help deps system-deps test test-fast demo lint bench up down clean ledger-check wheel

help:
	@echo "make demo   - run every onboarding end to end on Azurite + the Speech emulator"
	@echo "make test   - run the test suite (installs what it needs), then its wall time"
	@echo "make test-fast - unit + contract tests only (the inner loop, under 3 minutes)"
	@echo "make lint   - ruff + mypy"
	@echo "make bench  - run the benchmarks, print their figures"
	@echo "make ledger-check - mutate each threshold/rule a ledger row names; its pins must fail"
	@echo "make up     - Prefect server + UI on 127.0.0.1:4200, worker, Azurite, emulator, deployments"
	@echo "make down   - stop what 'make up' started"
	@echo "make wheel  - dist/: the wheel + locked requirements.txt a worker host installs"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --extra entra --compile-bytecode
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(VENV)/.synced node_modules/.installed

system-deps:
	@bash scripts/system-deps.sh

# The suite runs on TEST_WORKERS pytest-xdist workers (most tests wait on servers and flow runs,
# so two cores carry three); tests/conftest.py hands out the work in units (the deployment stack
# in two, a module with a module-scoped fixture in one), longest first. TEST_WORKERS=0 runs it in
# this process. The wall time, core count and load are printed last (benchmarks/README.md).
TEST_WORKERS ?= 3
XDIST = $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist loadgroup)
FAST_TESTS := tests/datasets tests/speech tests/emulator tests/test_layout.py tests/test_ledger.py

test: deps system-deps
	@start=$$(date +%s); $(PY) -m pytest $(XDIST) $(PYTEST_ARGS); rc=$$?; \
	echo "make test: suite wall time $$(( $$(date +%s) - start )) s on $$(nproc) cores, $(TEST_WORKERS) workers, load average $$(cut -d' ' -f1-3 /proc/loadavg) (exit $$rc)"; \
	exit $$rc

# The inner loop: unit and contract tests (datasets, the Speech client, the emulator, layout, ledger).
test-fast: deps
	@start=$$(date +%s); $(PY) -m pytest $(XDIST) $(FAST_TESTS) $(PYTEST_ARGS); rc=$$?; \
	echo "make test-fast: wall time $$(( $$(date +%s) - start )) s, load average $$(cut -d' ' -f1-3 /proc/loadavg) (exit $$rc)"; \
	exit $$rc

demo: deps
	$(VENV)/bin/speechflows demo

lint: deps
	$(VENV)/bin/ruff check speechflows tests benchmarks
	$(VENV)/bin/ruff format --check speechflows tests benchmarks
	$(VENV)/bin/mypy

# One JSON line per benchmark on stdout (ratios, spread, load); each run's detail on stderr.
bench: deps system-deps
	$(PY) benchmarks/validation.py
	$(PY) benchmarks/staging.py
	$(PY) benchmarks/locks.py
	$(PY) benchmarks/onboarding.py
	$(PY) benchmarks/scale.py
	$(PY) benchmarks/audio_checks.py
	$(PY) benchmarks/in_place.py --files 2000
	$(PY) benchmarks/parked.py
	$(PY) benchmarks/chaos.py

# Several minutes: not part of `make test` (tests/test_ledger.py checks the mutant table fast).
ledger-check: deps
	$(PY) scripts/ledger_check.py

up: deps
	$(VENV)/bin/speechflows dev up

down:
	$(VENV)/bin/speechflows dev down

# A worker host: pip install --no-deps -r dist/requirements.txt dist/speechflows-*.whl
wheel: deps
	$(PY) -c "from pathlib import Path; from speechflows.deployments.wheel import build; print(build(Path('dist')))"

clean:
	rm -rf $(VENV) $(TOOLS) node_modules .prefect .speechflows .pytest_cache .mypy_cache .ruff_cache
