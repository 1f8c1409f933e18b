"""Below the doors nothing loads the web framework: the bot client and the domain run without FastAPI.

`make lint` checks the whole import graph (import-linter contracts in pyproject.toml); this test
proves the outcome that matters at run time, in a fresh interpreter (this one has loaded the API).
"""

from __future__ import annotations

import subprocess
import sys

DOMAIN = [
    "backend.errors",
    "backend.engine",
    "backend.signing",
    "backend.ledger.service",
    "backend.compliance.screening",
    "backend.trading.rules.checks",
    "backend.trading.hosting.host",
    "backend.trading.hosting.service",
    "backend.client",
]

# Imports each module in turn and prints, per module, the web modules loaded so far: the first
# line that names one is the culprit.
_PROBE = """
import importlib, sys
for module in sys.argv[1:]:
    importlib.import_module(module)
    web = [name for name in sys.modules if name.split(".")[0] in ("fastapi", "starlette") or name == "backend.api"]
    print(module, *web)
"""


def test_importing_a_domain_package_or_the_bot_client_loads_no_web_framework() -> None:
    lines = subprocess.run(
        [sys.executable, "-c", _PROBE, *DOMAIN], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert lines == DOMAIN
