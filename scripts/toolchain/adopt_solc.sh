#!/usr/bin/env bash
# Make a Solidity 0.8.x compiler available to py-solc-x and brownie without any download.
# Usage: adopt_solc.sh PYTHON   (a python that has py-solc-x; SOLCX_BINARY_PATH must be set)
set -euo pipefail
python=${1:?usage: adopt_solc.sh PYTHON}
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${SOLCX_BINARY_PATH:?SOLCX_BINARY_PATH must point at the folder py-solc-x installs into}"
mkdir -p "$root/var/toolbin" "$SOLCX_BINARY_PATH"
rm -f "$root/var/toolbin/solc" "$SOLCX_BINARY_PATH"/solc-v*

# A native compiler, where the user has one, is faster than solcjs: use it when it is 0.8.x.
native=$(PATH=$(echo "$PATH" | tr ':' '\n' | grep -v "^$root/" | paste -sd:) command -v solc || true)
if [ -n "$native" ] && "$native" --version 2>/dev/null | grep -q 'Version: 0\.8\.'; then
  ln -s "$native" "$root/var/toolbin/solc"
  echo "solc: using native $native"
else
  ln -s "$root/scripts/toolchain/solc.js" "$root/var/toolbin/solc"
  echo "solc: using the npm compiler through scripts/toolchain/solc.js"
fi
PATH="$root/var/toolbin:$PATH" "$python" - <<'PY'
import solcx
versions = solcx.import_installed_solc()
if not versions:
    raise SystemExit("solc: py-solc-x adopted no compiler (does `var/toolbin/solc --version` answer?)")
print("solc: adopted", ", ".join(str(v) for v in versions))
PY
