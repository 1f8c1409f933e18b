"""What a process pays to start the API (an engine process restarted after a crash, a replica, `hdex up`): the
packages only some requests need stay unloaded until one comes. siwe (web3 and its ABNF grammars) and the dev
faucet (web3) cost over a second of the start otherwise."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_api_loads_neither_siwe_nor_web3() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, backend.api.app; print(sorted({'siwe', 'web3'} & set(sys.modules)))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert loaded.stdout.strip() == "[]", loaded.stdout
