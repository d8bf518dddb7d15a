# Focus on Practice evaluation. `make` alone lists the targets.
# Everything runs inside .venv (created on first use from requirements.txt, the one pinned list).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RAW_DIR ?= data/raw
SEED ?= 2014
PIPELINE_ARGS ?=
# Notebooks run at once by the pipeline (default: the cores). Extra arguments for JupyterLab.
JOBS ?=
LAB_ARGS ?=
# JupyterLab refuses to start as root without --allow-root; with no display there is no browser to open.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_BROWSER := $(if $(DISPLAY)$(WAYLAND_DISPLAY),,$(if $(filter Darwin,$(shell uname -s)),,--no-browser))
JOBS_ARG := $(if $(JOBS),--jobs $(JOBS),)
# Test processes for make test (pytest-xdist; 0 runs them in this process).
TEST_WORKERS ?= 2
# Python may cache compiled modules (__pycache__, ignored by git) even where the environment says not to:
# without the cache each test process and notebook kernel compiles the project's modules again, and
# pytest rewrites every test module's asserts again (collecting the tests: 5.8 s of CPU, 3.3 s with it).
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help setup validators data report test test-fast lint format lab borough-reports docs strip benchmark calibration clean browser-deps pdf

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || ($(PYTHON) -m pip install --user virtualenv && $(PYTHON) -m virtualenv $(VENV))
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name focus-on-practice --display-name "Python (Focus on Practice)"
	@touch $(STAMP)

VALIDATORS_VENV := .venv-validators
VALIDATORS_STAMP := $(VENV)/share/jupyter/kernels/focus-on-practice-validators/kernel.json

# The DfE validators pin pandas<2 and numpy<1.25: their own environment and Jupyter kernel. If it cannot be
# built, the pipeline skips the validation step with one line and the report says the rules were NOT run.
$(VALIDATORS_STAMP): requirements-validators.txt $(STAMP)
	@( test -x $(VALIDATORS_VENV)/bin/python || $(PYTHON) -m venv $(VALIDATORS_VENV) ) && \
	$(VALIDATORS_VENV)/bin/python -m pip install --quiet -r requirements-validators.txt && \
	$(VALIDATORS_VENV)/bin/python -m pip install --quiet --no-deps -e . && \
	$(VALIDATORS_VENV)/bin/python -m ipykernel install --prefix $(VENV) --name focus-on-practice-validators --display-name "Python (Focus on Practice, DfE validators)" && \
	touch $(VALIDATORS_STAMP) || echo "NOTE: the DfE validators' environment could not be built; the validation step will be skipped"

validators: $(VALIDATORS_STAMP) ## (part of setup) the DfE validators' environment and kernel

setup: $(STAMP) validators ## create .venv and install the pinned packages, this project and its Jupyter kernel

data: $(STAMP) ## write synthetic raw data to data/raw, unless it already holds data
	$(BIN)/python -m helpers.synthetic --out $(RAW_DIR) --seed $(SEED) --if-empty

report: data validators ## set up, generate data if none, run the whole pipeline, write reports/*.html
	$(BIN)/python -m helpers.pipeline --raw-dir $(RAW_DIR) $(JOBS_ARG) $(PIPELINE_ARGS)

test: $(STAMP) validators ## run every test (unit tests and end-to-end pipeline runs on small generated data), in TEST_WORKERS processes
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

test-fast: $(STAMP) ## the quick tier for the edit-test loop: every test not marked slow (no notebook, pipeline or full-size generation), in TEST_WORKERS processes
	$(BIN)/python -m pytest -m "not slow" -q -n $(TEST_WORKERS)

lint: $(STAMP) ## check lint and formatting with ruff (whole tree, notebooks included; changes nothing)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## fix what ruff can fix and format the whole tree (notebooks included)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lab: $(STAMP) ## open JupyterLab on the notebooks (also as root or with no browser; LAB_ARGS=... for more)
	$(BIN)/jupyter lab $(LAB_ROOT) $(LAB_BROWSER) $(LAB_ARGS) notebooks/

borough-reports: data ## the tri-borough report and one per borough, built together in parallel (reports/*_<borough>.html)
	$(BIN)/python -m helpers.pipeline --raw-dir $(RAW_DIR) --boroughs all,each $(JOBS_ARG) $(PIPELINE_ARGS)

AXE_CORE_VERSION ?= 4.14.1
REPORT_HTML ?= reports/focus_on_practice_evaluation.html

browser-deps: ## install the browser test's tools: Debian chromium (apt, as root) and axe-core (npm, into .browser/)
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || echo "chromium not installed: run 'apt-get install -y chromium' as root (the browser test is skipped without it)"
	@command -v npm >/dev/null || { test "$$(id -u)" = 0 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; } || echo "npm not installed: run 'apt-get install -y nodejs npm' as root"
	@test -f .browser/node_modules/axe-core/axe.min.js || npm install --prefix .browser --no-audit --no-fund --no-save axe-core@$(AXE_CORE_VERSION)

pdf: $(STAMP) ## print the report and its technical appendix to PDF with headless chromium (REPORT_HTML=... for another report)
	$(BIN)/python -m helpers.report pdf $(REPORT_HTML)

docs: $(STAMP) ## regenerate docs/data_dictionary.md from the schemas
	$(BIN)/python -m helpers.data_dictionary

strip: $(STAMP) ## strip outputs from notebooks before committing (keeps kernelspec and tags)
	$(BIN)/python -m helpers.strip_notebooks

calibration: $(STAMP) ## coverage, false positives and bias of every headline estimate over N seeds (SEEDS=200)
	$(BIN)/python benchmarks/calibration.py --seeds $(or $(SEEDS),200)

benchmark: $(STAMP) ## time a full build, a no-change rebuild, the network metrics, the outcomes placebo runs and the LA-extracts derivation and readers
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_networks.py
	$(BIN)/python benchmarks/bench_outcomes.py
	$(BIN)/python benchmarks/bench_la_extracts.py

clean: ## remove processed outputs, executed notebooks and reports (never data/raw)
	rm -rf data/processed/*/ outputs/ reports/*.html
