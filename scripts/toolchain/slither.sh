#!/usr/bin/env bash
# Static analysis of contracts/ with slither, offline: crytic-compile's standard-JSON platform drives our
# solc front (var/toolbin/solc) with the OpenZeppelin remapping; brownie's platform is not used.
# Usage: bash scripts/toolchain/slither.sh [--json FILE]   (exit 0 when every high/medium finding is explained in
# scripts/toolchain/slither_gate.py by detector and function; --json writes slither's raw results)
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
from collections import Counter
from pathlib import Path

from crytic_compile import CryticCompile
from crytic_compile.platform.solc_standard_json import SolcStandardJson
from slither import Slither
from slither.detectors import all_detectors
from slither.detectors.abstract_detector import AbstractDetector

# Which findings are explained (by detector and function) lives in one module, unit-tested without slither.
sys.path.insert(0, "scripts/toolchain")
from slither_gate import findings_of, stale, unexplained  # noqa: E402

standard = SolcStandardJson()
for source in sorted(Path("contracts").rglob("*.sol")):
    standard.add_source_file(str(source))
standard.add_remapping("@openzeppelin=node_modules/@openzeppelin")
compilation = CryticCompile(standard, solc="var/toolbin/solc", solc_working_dir=".")
slither = Slither(compilation)
for detector in (getattr(all_detectors, name) for name in dir(all_detectors)):
    if isinstance(detector, type) and issubclass(detector, AbstractDetector):
        slither.register_detector(detector)

results = [result for detector_results in slither.run_detectors() for result in detector_results]
findings = findings_of(results)
failing = unexplained(findings)
for finding in findings:
    if finding.impact in ("High", "Medium", "Low"):
        print(f"{finding.impact:<7} {finding.detector:<22} {finding.function:<40} {finding.description[:120]}")
if "--json" in sys.argv:
    # slither's own result format, as `slither --json` writes under results.detectors (the gate's input).
    Path(sys.argv[sys.argv.index("--json") + 1]).write_text(json.dumps(results, indent=1, default=str))
print(json.dumps({"slither": dict(Counter(f.impact for f in findings)), "unexplained_high_or_medium": len(failing)}))
for entry in stale(findings):
    print(f"note: SECURITY.md explains more {entry.detector} in {entry.function} than slither reports", file=sys.stderr)
for finding in failing:
    print(f"UNEXPLAINED {finding.impact} {finding.detector} in {finding.function} ({finding.file}): "
          f"{finding.description}", file=sys.stderr)
sys.exit(1 if failing else 0)
PY
