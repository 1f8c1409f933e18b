"""`POST /v1/dev/faucet` on a real anvil: test ETH and the demo tokens reach an empty wallet; the faucet is
rate-limited, and it does not exist outside the development chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.chain.faucet import FAUCET_ETH, faucet_amounts

from ..devchain import DevChain, dev_market_container
from .exchange_fixtures import prepare, running


def _client(devchain: DevChain, sqlite_url: str, tmp_path: Path, **settings: Any) -> TestClient:
    return TestClient(create_app(dev_market_container(devchain, sqlite_url, tmp_path, **settings)))


@pytest.mark.chain
def test_an_empty_wallet_gets_test_eth_and_every_demo_token(
    devchain: DevChain, sqlite_url: str, tmp_path: Path
) -> None:
    newcomer = Account.create().address
    with _client(devchain, sqlite_url, tmp_path) as client:
        answer = client.post("/v1/dev/faucet", json={"address": newcomer.lower()})

    assert answer.status_code == 200, answer.text
    hashes = answer.json()["txHashes"]
    assert len(hashes) == 1 + len(faucet_amounts())
    assert all(devchain.w3.eth.get_transaction_receipt(h)["status"] == 1 for h in hashes)
    assert devchain.w3.eth.get_balance(newcomer) == FAUCET_ETH
    for symbol, amount in faucet_amounts().items():
        assert devchain.token(symbol).functions.balanceOf(newcomer).call() == amount


@pytest.mark.chain
def test_the_faucet_is_rate_limited_per_client(devchain: DevChain, sqlite_url: str, tmp_path: Path) -> None:
    with _client(devchain, sqlite_url, tmp_path, rate_limit_faucet="1/minute") as client:
        assert client.post("/v1/dev/faucet", json={"address": Account.create().address}).status_code == 200
        refused = client.post("/v1/dev/faucet", json={"address": Account.create().address})
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "RATE_LIMITED")
    assert "Retry-After" in refused.headers


@pytest.mark.chain
def test_a_malformed_address_is_refused_before_anything_is_sent(
    devchain: DevChain, sqlite_url: str, tmp_path: Path
) -> None:
    head = devchain.head()
    with _client(devchain, sqlite_url, tmp_path) as client:
        answer = client.post("/v1/dev/faucet", json={"address": "0x1234"})
    assert (answer.status_code, answer.json()["error"]["field"]) == (422, "address")
    assert devchain.head() == head


@pytest.mark.parametrize("settings", [{"env": "test"}, {"chain_id": 10}], ids=["test-environment", "another-chain"])
def test_there_is_no_faucet_outside_the_development_chain(
    sqlite_url: str, tmp_path: Path, settings: dict[str, Any]
) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, **settings)):
        answer = exchange.client.post("/v1/dev/faucet", json={"address": Account.create().address})
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND")
        assert not any(path.startswith("/v1/dev") for path in exchange.client.get("/openapi.json").json()["paths"])
