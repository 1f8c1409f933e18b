#!/usr/bin/env bash
# The contract tests in .venv-brownie on HDEX_TEST_WORKERS xdist workers (default 3; 0: one process). Brownie
# runs the workers itself, each on its own anvil (8547, 8548, ...). Extra arguments go to pytest.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export HOME="$root/var/brownie-home"
# Compiled once before the workers start: otherwise each rebuilds brownie's artifacts over the lighter ones the
# app's tests wrote, at once, and the workers' reports of what they tested disagree (brownie fails the session).
.venv-brownie/bin/brownie compile >/dev/null || exit
exec .venv-brownie/bin/python -m pytest -p no:cacheprovider -n "${HDEX_TEST_WORKERS:-3}" "$@" tests/contracts
