#!/usr/bin/env bash
# The whole suite: the dApp's unit tests (Vitest), unit + integration + browser in .venv, contract tests in
# .venv-brownie, one summary at the end.
# Extra arguments go to the app's pytest (e.g. -k health).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
reports=var/test-reports
rm -rf "$reports" && mkdir -p "$reports"

# The contract tests run beside the app's: most of either half waits on a node or a database, so
# together they take little more than the longer one. Their output follows the app's.
echo "== contract tests started in the background (.venv-brownie, anvil on 8547) =="
HOME="$root/var/brownie-home" .venv-brownie/bin/python -m pytest -p no:cacheprovider -q \
  --junitxml="$reports/contracts.xml" tests/contracts >"$reports/contracts.log" 2>&1 &
contracts_pid=$!
trap 'kill "$contracts_pid" 2>/dev/null' EXIT

echo "== dApp unit tests (Vitest) =="
npm test -w dapp --silent -- --reporter=default --reporter=junit --outputFile.junit="$root/$reports/dapp.xml"
dapp=$?

echo "== unit, integration and browser tests (.venv) =="
.venv/bin/python -m pytest --junitxml="$reports/app.xml" "$@"
app=$?

echo "== contract tests (.venv-brownie) =="
wait "$contracts_pid"
contracts=$?
trap - EXIT
cat "$reports/contracts.log"

.venv/bin/python scripts/toolchain/test_summary.py "$reports/dapp.xml" "$reports/app.xml" "$reports/contracts.xml"
summary=$?
# pytest exit 5 means "no tests collected": a suite that ran nothing has failed.
[ $dapp -eq 0 ] && [ $app -eq 0 ] && [ $contracts -eq 0 ] && [ $summary -eq 0 ]
