"""The on-chain oracle provider against the dev oracle deployed on anvil, seeded from the OFAC list."""

from __future__ import annotations

import pytest

from backend.chain.jsonrpc import JsonRpcClient
from backend.compliance.oracle import deploy_dev_oracle
from backend.compliance.providers import OracleProvider

from ..devchain import DevChain

pytestmark = pytest.mark.chain

SANCTIONED = "0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1"  # on the bundled OFAC list
CLEAN = "0x" + "ab" * 20


def test_the_dev_oracle_flags_listed_addresses_and_clears_others(devchain: DevChain) -> None:
    oracle = deploy_dev_oracle(devchain.w3)
    provider = OracleProvider(JsonRpcClient(devchain.url).call, oracle)
    hits = provider.check(None, [SANCTIONED, CLEAN])  # type: ignore[arg-type]  # the oracle needs no session
    assert list(hits) == [SANCTIONED]
    assert hits[SANCTIONED].provider == "oracle"
