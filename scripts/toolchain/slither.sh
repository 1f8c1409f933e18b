#!/usr/bin/env bash
# Static analysis of contracts/ with slither, offline: crytic-compile's standard-JSON platform drives our
# solc front (var/toolbin/solc) with the OpenZeppelin remapping; brownie's platform is not used.
# Usage: bash scripts/toolchain/slither.sh [--json FILE]   (exit 0 when no high/medium finding is unexplained)
# Needs .venv-slither (python3 -m venv .venv-slither && .venv-slither/bin/pip install -r requirements/slither.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PWD/var/toolbin:$PATH"
SVENV="${SVENV:-.venv-slither}"
if [[ ! -x "$SVENV/bin/python" ]]; then
  echo "slither.sh: $SVENV missing: python3 -m venv $SVENV && $SVENV/bin/pip install -r requirements/slither.txt" >&2
  exit 2
fi
exec "$SVENV/bin/python" - "$@" <<'PY'
import json
import sys
from pathlib import Path

from crytic_compile import CryticCompile
from crytic_compile.platform.solc_standard_json import SolcStandardJson
from slither import Slither
from slither.detectors import all_detectors
from slither.detectors.abstract_detector import AbstractDetector, DetectorClassification

# High/medium findings reviewed in contracts/SECURITY.md, as (detector, source file) pairs. Each is a false
# positive or an accepted design choice; anything else fails this script.
EXPLAINED = {
    ("uninitialized-state", "contracts/Exchange.sol"),  # _wallets is written through storage pointers
    ("incorrect-equality", "contracts/Custody.sol"),  # `spending.day == today` compares day numbers
    ("unused-return", "contracts/Custody.sol"),  # ECDSA.tryRecover's errArg is not needed
    ("unused-return", "contracts/libraries/SignatureVerifier.sol"),  # same
    ("arbitrary-send-eth", "contracts/Custody.sol"),  # the multisig sends ETH only where owners approved
}
IMPACTS = {DetectorClassification.HIGH: "High", DetectorClassification.MEDIUM: "Medium",
           DetectorClassification.LOW: "Low", DetectorClassification.INFORMATIONAL: "Informational",
           DetectorClassification.OPTIMIZATION: "Optimization"}

standard = SolcStandardJson()
for source in sorted(Path("contracts").rglob("*.sol")):
    standard.add_source_file(str(source))
standard.add_remapping("@openzeppelin=node_modules/@openzeppelin")
compilation = CryticCompile(standard, solc="var/toolbin/solc", solc_working_dir=".")
slither = Slither(compilation)
for detector in (getattr(all_detectors, name) for name in dir(all_detectors)):
    if isinstance(detector, type) and issubclass(detector, AbstractDetector):
        slither.register_detector(detector)

rows, unexplained = [], []
for results in slither.run_detectors():
    for result in results:
        impact = result["impact"]
        elements = result.get("elements") or []
        contract = elements[0]["source_mapping"]["filename_relative"] if elements else "?"
        # Our own sources only: OpenZeppelin is audited upstream; contracts/test holds deliberately bad tokens.
        if not contract.startswith("contracts/") or contract.startswith("contracts/test/"):
            continue
        first_line = result["description"].strip().splitlines()[0]
        rows.append({"impact": impact, "check": result["check"], "contract": contract, "description": first_line})
        if impact in ("High", "Medium") and (result["check"], contract) not in EXPLAINED:
            unexplained.append(rows[-1])

counts = {}
for row in rows:
    counts[row["impact"]] = counts.get(row["impact"], 0) + 1
for row in sorted(rows, key=lambda r: ["High", "Medium", "Low", "Informational", "Optimization"].index(r["impact"])):
    if row["impact"] in ("High", "Medium", "Low"):
        print(f'{row["impact"]:<7} {row["check"]:<22} {row["description"][:160]}')
if "--json" in sys.argv:
    Path(sys.argv[sys.argv.index("--json") + 1]).write_text(json.dumps(rows, indent=1))
print(json.dumps({"slither": counts, "unexplained_high_or_medium": len(unexplained)}))
for row in unexplained:
    print(f'UNEXPLAINED {row["impact"]} {row["check"]} in {row["contract"]}: {row["description"]}', file=sys.stderr)
sys.exit(1 if unexplained else 0)
PY
