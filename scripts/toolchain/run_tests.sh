#!/usr/bin/env bash
# The whole suite: the dApp's unit tests (Vitest), unit + integration + browser in .venv, the engine suite on
# its pure-Python core, contract tests in .venv-brownie, one summary at the end.
# Extra arguments go to the app's pytest (e.g. -k health).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
reports=var/test-reports
rm -rf "$reports" && mkdir -p "$reports"

# Vitest and the pure-Python engine suite touch no port, database or chain: they run beside the app's suite,
# which spends much of its time waiting on anvil, servers and browsers, and their output is shown after it.
side_log="$reports/side.log"
(
  echo "== dApp unit tests (Vitest) =="
  npm test -w dapp --silent -- --reporter=default --reporter=junit --outputFile.junit="$root/$reports/dapp.xml"
  echo $? > "$reports/dapp.rc"
  # The engine runs compiled (mypyc) in the app's suite when a C compiler built it; its pure-Python fallback
  # must behave the same, so the engine's own suite runs once more on it.
  echo "== engine suite on the pure-Python core (HDEX_ENGINE_PURE=1) =="
  HDEX_ENGINE_PURE=1 .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml="$reports/engine-pure.xml" \
    tests/unit/backend/engine tests/unit/backend/trading
  echo $? > "$reports/pure.rc"
) > "$side_log" 2>&1 &
side=$!

# Three workers by default (pytest-xdist; `make test TEST_WORKERS=N`, 0 for one process): a worker waits on anvil,
# a server or a browser part of the time, so one per core leaves cores idle (the Makefile has the figures). tests/conftest.py keeps each file on one
# worker and gives each worker its own Redis database.
workers=${HDEX_TEST_WORKERS:-3}
echo "== unit, integration and browser tests (.venv, $workers workers) =="
.venv/bin/python -m pytest -n "$workers" --junitxml="$reports/app.xml" "$@"
app=$?

wait $side
cat "$side_log"
dapp=$(cat "$reports/dapp.rc" 2>/dev/null || echo 1)
pure=$(cat "$reports/pure.rc" 2>/dev/null || echo 1)

# After the rest, not beside it: brownie's wait for a receipt races under a loaded machine (a sent
# deployment reported "dropped without known replacement", seen when both halves ran at once).
echo "== contract tests (.venv-brownie, $workers workers, anvil from port 8547) =="
HDEX_TEST_WORKERS=$workers bash scripts/toolchain/test_contracts.sh -q --junitxml="$reports/contracts.xml"
contracts=$?

.venv/bin/python scripts/toolchain/test_summary.py "$reports/dapp.xml" "$reports/app.xml" "$reports/engine-pure.xml" "$reports/contracts.xml"
summary=$?
# pytest exit 5 means "no tests collected": a suite that ran nothing has failed.
[ "$dapp" -eq 0 ] && [ $app -eq 0 ] && [ "$pure" -eq 0 ] && [ $contracts -eq 0 ] && [ $summary -eq 0 ]
