# Focus on Practice evaluation. `make` alone lists the targets.
# Everything runs inside .venv (created on first use from requirements.txt, the one pinned list).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RAW_DIR ?= data/raw
SEED ?= 2014
PIPELINE_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup validators data report test lab borough-reports docs strip benchmark clean

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
	$(BIN)/python -m helpers.pipeline --raw-dir $(RAW_DIR) $(PIPELINE_ARGS)

test: $(STAMP) validators ## run the tests (unit tests and an end-to-end pipeline run on small generated data)
	$(BIN)/python -m pytest

lab: $(STAMP) ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

borough-reports: data ## build one report per borough (reports/*_<borough>.html)
	$(BIN)/python -m helpers.pipeline --raw-dir $(RAW_DIR) --each-borough $(PIPELINE_ARGS)

docs: $(STAMP) ## regenerate docs/data_dictionary.md from the schemas
	$(BIN)/python -m helpers.data_dictionary

strip: $(STAMP) ## strip outputs from notebooks before committing (keeps kernelspec and tags)
	$(BIN)/python -m helpers.strip_notebooks

benchmark: $(STAMP) ## time a full build, a no-change rebuild, the network metrics and the LA-extracts derivation and readers
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_networks.py
	$(BIN)/python benchmarks/bench_la_extracts.py

clean: ## remove processed outputs, executed notebooks and reports (never data/raw)
	rm -rf data/processed/*/ outputs/ reports/*.html
