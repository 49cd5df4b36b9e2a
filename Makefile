# Two commands matter: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/warehouse.duckdb
STAMP := $(VENV)/.install-stamp

.DEFAULT_GOAL := help
.PHONY: help install browser run demo test test-full test-fast test-browser lint format bench fuzz audit clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the app with its test tools

browser: ## Install Debian's chromium (browser tests, chart images) and nginx (proxy test); needs root or sudo
	@bash scripts/install-chromium.sh

$(DB): | $(STAMP)
	$(BIN)/python -m pipelines demo --db $(DB)

demo: $(STAMP) ## (Re)build the demo warehouse at $(DB)
	$(BIN)/python -m pipelines demo --db $(DB)

run: $(STAMP) $(DB) ## Install if needed, build the demo warehouse if absent, start the app
	DASHBOARD_DB=$${DASHBOARD_DB:-$(DB)} $(BIN)/streamlit run dashboard/app.py

test: $(STAMP) browser ## Install everything and run every test (browser tests included; matrices sampled)
	$(BIN)/python -m pytest

test-full: $(STAMP) browser ## As `make test`, with every case of every language/size/page matrix
	FULL_MATRIX=1 $(BIN)/python -m pytest

test-fast: $(STAMP) ## Run the tests without the real browser
	$(BIN)/python -m pytest -m "not browser"

test-browser: $(STAMP) browser ## Run only the real-browser tests
	$(BIN)/python -m pytest -m browser

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(STAMP) ## Run the benchmarks (ingest and pages), printing ratios against in-run baselines
	$(BIN)/python -m benchmarks

fuzz: $(STAMP) ## Load 600 broken or odd files, each under a memory and time ceiling; print the figures
	PYTHONPATH=. $(BIN)/python -m tests.pipelines.fuzz 600

audit: $(STAMP) ## The full privacy audit: random tables up to 6 x 10 and 40 + 20 (quarter by quarter) three-quarter releases attacked with SCIP
	PRIVACY_AUDIT=full $(BIN)/python -m pytest -q -m slow tests/privacy/test_audit.py tests/privacy/test_carried.py

clean: ## Remove the virtual environment and generated warehouses
	rm -rf $(VENV) data/warehouse.duckdb* data/warehouse.d data/uploads
