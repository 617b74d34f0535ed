# Civil-affairs policy book. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY_BOOT ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_COMPILE_BYTECODE := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_LINK_MODE := copy
export MPLBACKEND := Agg

.PHONY: help setup run book test test-fast lint lab clean messages

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/uv:
	$(PY_BOOT) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(BIN)/uv uv.lock pyproject.toml
	$(BIN)/uv sync --frozen --inexact --extra test --extra dask --quiet
	$(BIN)/python -m ipykernel install --sys-prefix --name policybook --display-name "Python (policybook)" >/dev/null
	touch $@

setup: $(VENV)/.installed ## Create .venv, install the locked dependencies, register the kernel

run: setup ## Execute every period's notebooks into book/periods/
	$(BIN)/policybook run

book: setup ## Execute the notebooks and build the HTML book (prints the path of index.html)
	$(BIN)/policybook build

lint: setup ## ruff check, and the layers of src/analysis/ (import-linter)
	$(BIN)/ruff check
	$(BIN)/lint-imports --no-cache

test: lint ## ruff, then pytest: every test (unit, nbval over book/, browser, builds, kills)
	$(BIN)/pytest -m "not slow" -q -n 2 --dist loadfile
	$(BIN)/pytest -m slow -q -n 2 --dist loadfile

test-fast: lint ## ruff, then pytest without the slow end-to-end tests (the inner loop)
	$(BIN)/pytest -m "not slow" -q -n 2 --dist loadfile

lab: setup ## Open JupyterLab on notebooks/ with the project's kernel
	$(BIN)/uv sync --frozen --inexact --extra test --extra dask --extra lab --quiet
	@if [ "$$(id -u)" = 0 ]; then \
	  echo "make lab: running as root, so JupyterLab is started with --allow-root"; \
	  $(BIN)/jupyter lab --notebook-dir=notebooks --allow-root; \
	else \
	  $(BIN)/jupyter lab --notebook-dir=notebooks; \
	fi

CATALOGUE := src/analysis/locale/zh_CN/LC_MESSAGES/policybook
messages: setup ## Merge new message ids into the Chinese catalogue (.po), then compile the .mo
	$(BIN)/pybabel extract --no-location --sort-output --width 0 --project civil-affairs-policybook -o $(CATALOGUE).pot src/analysis
	$(BIN)/pybabel update --ignore-obsolete --width 0 -D policybook -i $(CATALOGUE).pot -d src/analysis/locale -l zh_CN
	rm $(CATALOGUE).pot
	$(BIN)/pybabel compile --statistics -D policybook -d src/analysis/locale -l zh_CN

clean: ## Remove the built HTML (keeps .venv and executed notebooks)
	rm -rf book/_build
