# HDEX: `make run` starts the whole exchange on embedded defaults; `make test` runs the whole suite.
# Both set everything up first; set-up is idempotent and only redoes a step whose inputs changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BVENV := .venv-brownie
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/var/toolbin:$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/var/solcx
# brownie keeps its data (network list, caches) here instead of the user's ~/.brownie.
BROWNIE := HOME=$(CURDIR)/var/brownie-home $(BVENV)/bin/python
PYTEST_ARGS ?=
# pytest-xdist workers for the app's and the contracts' tests (tests/conftest.py says how the app's split); 0 runs
# each suite in one process. Three on two cores: each worker waits on anvil, a server or a browser part of the time,
# and a third keeps both cores busy (app 710 s -> 653 s, contracts 115 s -> 83 s on the CI machine).
TEST_WORKERS ?= 3

APP_STAMP := $(VENV)/.hdex-installed
BROWNIE_STAMP := $(BVENV)/.hdex-installed
NODE_STAMP := node_modules/.hdex-installed
SOLC_STAMP := var/solcx/.hdex-installed
BROWNIE_NET_STAMP := var/brownie-home/.hdex-configured
# The engine's core compiled by mypyc (pure Python without a C compiler), rebuilt when an engine source changes.
ENGINE_CORE_STAMP := build/engine-core/.hdex-built
# The web app is rebuilt when a source, its package or build config, or the lock file changes.
DAPP_STAMP := dapp/dist/.hdex-built
DAPP_SOURCES := $(shell find dapp/src dapp/public -type f 2>/dev/null) \
	$(wildcard dapp/package.json dapp/index.html dapp/vite.config.* dapp/tsconfig*.json) package-lock.json

.PHONY: setup setup-steps run test test-app test-contracts lint promtool slither mutation bench bench-gas bench-engine bench-indexer bench-api bench-failover bench-settle bench-dapp bench-audit soak clean help
.DEFAULT_GOAL := help

help:
	@echo "make run    set up, then start the exchange (anvil, contracts, API + dApp) on embedded defaults"
	@echo "make test   set up, then run the whole test suite (unit, integration, browser, contracts)"
	@echo "make setup  create .venv, .venv-brownie and node_modules, adopt the offline Solidity compiler, build the dApp"
	@echo "make lint   ruff + mypy + import-linter contracts (pyproject.toml) on our packages, and make promtool"
	@echo "make promtool  check and unit-test the Prometheus alert rules (ops/prometheus)"
	@echo "make bench  every benchmark, a JSON line each (bench-gas -engine -indexer -api -failover -settle -dapp -audit)"
	@echo "make slither  static analysis of the contracts"
	@echo "make mutation weaken each listed contract check in a copy and check the tests catch it (slow, not in make test)"
	@echo "make soak   the example market maker and taker bot through the whole stack (SOAK_SECONDS, default 600)"
	@echo "make clean  remove build/, dapp/dist, the adopted compiler and the set-up stamps (keeps venvs, runtime data)"

# The steps run side by side where they can (the two venvs' installs beside npm ci: a fresh set-up in about two
# thirds of the time); each command's output is printed whole as it ends, so two steps' lines never interleave.
SETUP_STEPS := $(APP_STAMP) $(BROWNIE_STAMP) $(NODE_STAMP) $(SOLC_STAMP) $(BROWNIE_NET_STAMP) $(DAPP_STAMP) \
	$(ENGINE_CORE_STAMP)
setup:
	@$(MAKE) --no-print-directory -j4 --output-sync=line setup-steps
setup-steps: $(SETUP_STEPS)
	@:

$(APP_STAMP): pyproject.toml requirements/app.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "HDEX needs Python 3.11+, found " + sys.version.split()[0])'
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c requirements/app.lock -e '.[test]'
	@touch $@

# Quick when nothing changed: the script compiles only if its digest of the sources differs from the build's.
$(ENGINE_CORE_STAMP): $(APP_STAMP) $(wildcard backend/engine/*.py) scripts/toolchain/build_engine.py
	$(VENV)/bin/python scripts/toolchain/build_engine.py
	@mkdir -p $(dir $@) && touch $@

# brownie pins ~70 exact versions that clash with the app's (python-dotenv, pytest, hypothesis),
# so it gets an environment of its own; the app's .venv never imports it.
$(BROWNIE_STAMP): requirements/brownie.txt requirements/brownie.lock
	@test -x $(BVENV)/bin/python || $(PYTHON) -m venv $(BVENV)
	$(BVENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BVENV)/bin/python -m pip install --quiet --disable-pip-version-check -c requirements/brownie.lock -r requirements/brownie.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# vite empties dapp/dist first, so the stamp inside it is written after the build (the API never serves dot files).
$(DAPP_STAMP): $(NODE_STAMP) $(DAPP_SOURCES)
	npm run build -w dapp --silent
	@touch $@

# Offline compiler: a native solc 0.8.x on PATH wins; otherwise our front for the npm compiler.
# py-solc-x (and so brownie) adopts it into var/solcx, so nothing is ever downloaded.
$(SOLC_STAMP): $(NODE_STAMP) $(APP_STAMP) scripts/toolchain/solc.js scripts/toolchain/adopt_solc.sh
	bash scripts/toolchain/adopt_solc.sh $(VENV)/bin/python
	@touch $@

# Contract tests launch their own anvil on 8547 (and 8548, ... for more xdist workers), so they never touch
# `make run`'s chain on 8545.
# (Set here, not in brownie-config.yaml: brownie's compiled config loader rejects cmd_settings there.)
$(BROWNIE_NET_STAMP): $(BROWNIE_STAMP)
	@mkdir -p $(dir $@)
	HOME=$(CURDIR)/var/brownie-home $(BVENV)/bin/brownie networks modify development port=8547 chain_id=31337 accounts=10 >/dev/null
	@touch $@

run: setup
	$(VENV)/bin/hdex up

test: setup
	@HDEX_TEST_WORKERS=$(TEST_WORKERS) bash scripts/toolchain/run_tests.sh $(PYTEST_ARGS)

test-app: setup
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-contracts: setup
	@HDEX_TEST_WORKERS=$(TEST_WORKERS) bash scripts/toolchain/test_contracts.sh $(PYTEST_ARGS)

lint: setup promtool
	$(VENV)/bin/ruff check backend indexer relayer custody auditor scripts tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The Prometheus alert rules (issue 14): valid, and each one fires where its unit test says (Debian: prometheus).
promtool:
	@command -v promtool >/dev/null || { echo "make promtool: promtool not found (apt-get install prometheus)" >&2; exit 1; }
	cd ops/prometheus && promtool check rules alerts.yml && promtool test rules alerts.test.yml

bench: bench-gas bench-engine bench-indexer bench-api bench-failover bench-settle bench-dapp bench-audit

bench-gas: setup
	@$(BROWNIE) -m pytest -q -p no:cacheprovider tests/contracts/bench_gas.py -s 2>/dev/null | grep '^{'

# e.g. ENGINE_BENCH_ARGS="--peer-python /tmp/peer/bin/python" also times matching-engine on the same stream.
bench-engine: setup
	@$(VENV)/bin/python tests/bench/bench_engine.py $(ENGINE_BENCH_ARGS)

bench-indexer: setup
	@$(VENV)/bin/python tests/bench/bench_indexer.py

# One process (orders, cancels, orders 20 to a request), then (with HDEX_REDIS_URL) 1 and 2 `hdex api` replicas in
# front of an engine process (orders one and 20 to a request), cancels through one replica, the engine process alone draining its stream, and what a rate-limit check
# and an exchange of counts with Redis cost (issue 17).
bench-api: setup
	@$(VENV)/bin/python tests/bench/bench_api.py
	@$(VENV)/bin/python tests/bench/bench_api.py --cancels
	@$(VENV)/bin/python tests/bench/bench_api.py --batch 20 --clients 2
	@if [ -n "$$HDEX_REDIS_URL" ]; then for n in 1 2; do $(VENV)/bin/python tests/bench/bench_api.py --replicas $$n; \
	$(VENV)/bin/python tests/bench/bench_api.py --replicas $$n --batch 20 --clients 2; done; \
	$(VENV)/bin/python tests/bench/bench_api.py --replicas 1 --cancels; \
	$(VENV)/bin/python tests/bench/bench_api.py --drain; $(VENV)/bin/python tests/bench/bench_ratelimit.py; \
	else echo '{"benchmark": "api_orders", "replicas": "not run: set HDEX_REDIS_URL"}'; fi

# How long the book is down after the engine process is killed: restarted in place, and taken over by a standby.
bench-failover: setup
	@$(VENV)/bin/python tests/bench/bench_failover.py

bench-settle: setup
	@$(VENV)/bin/python tests/bench/bench_settle.py

bench-dapp: setup
	@$(VENV)/bin/python tests/bench/bench_dapp.py

bench-audit: setup
	@$(VENV)/bin/python tests/bench/bench_audit.py

# The example market maker and taker bot through hdex up's stack: memory, settlement, reconcile (issue 17).
# SOAK_SECONDS (default 600) bounds it; CI runs a short one.
soak: setup
	@$(VENV)/bin/python tests/bench/soak.py

# Static analysis of the contracts (slither in its own environment; see contracts/SECURITY.md).
SVENV := .venv-slither
$(SVENV)/.hdex-installed: requirements/slither.txt
	@test -x $(SVENV)/bin/python || $(PYTHON) -m venv $(SVENV)
	$(SVENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/slither.txt
	@touch $@

slither: setup $(SVENV)/.hdex-installed
	bash scripts/toolchain/slither.sh

# Slow (one contract compile and test run per mutant), so neither in `make test` nor in CI.
mutation: setup
	$(VENV)/bin/python scripts/toolchain/mutation.py $(MUTATION_ARGS)

clean:
	rm -rf build dapp/dist var/solcx var/toolbin var/brownie-home $(APP_STAMP) $(BROWNIE_STAMP) $(NODE_STAMP)
