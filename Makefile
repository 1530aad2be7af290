# Set-up and the two main commands. Every target installs what it needs, pinned:
# Python packages from constraints.txt into .venv/, node packages from
# package-lock.json into node_modules/ (js-ipfs for the Kubo RPC tests, anvil).
#
#   make demo    the main job on the embedded chain and content store
#   make test    lint, format and type checks, then the whole test suite (what .ci/run runs)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# ape-vyper compiles through vvm, which looks for `vyper-<version>` in ~/.vvm and would
# download it from GitHub; this links the pinned vyper from the venv there instead.
VYPER_VERSION := $(shell sed -n 's/^vyper==//p' constraints.txt)
VVM_VYPER := $(HOME)/.vvm/vyper-$(VYPER_VERSION)
# A pydantic warning that ape-vyper's import triggers on every command; it says nothing
# about this project.
export PYTHONWARNINGS := ignore::UserWarning:pydantic_settings.sources.utils

.PHONY: setup demo lint test bench clean

setup: $(PY_STAMP) $(NODE_STAMP) $(VVM_VYPER)

$(PY_STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VVM_VYPER): $(PY_STAMP)
	mkdir -p $(dir $@)
	ln -sf $(abspath $(BIN))/vyper $@

demo: setup
	$(BIN)/ape run demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python benchmarks/bench_gas.py
	$(BIN)/python benchmarks/bench_crypto_gas.py
	$(BIN)/python benchmarks/bench_storage.py
	$(BIN)/python benchmarks/bench_evaluator.py

clean:
	rm -rf $(VENV) node_modules .build .pytest_cache .hypothesis
