"""On the dev chain: a deposit seen by the indexer funds trading, and an order signed by each of the
three signers (eth-account, anvil `eth_signTypedData_v4`, ethers) is accepted and matched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.bootstrap import bootstrap
from backend.chain.deployments import record_deployments
from backend.db import migrate
from backend.db.models import Fill
from backend.settings import load_settings
from backend.trading.market_store import ensure_dev_market
from indexer.runner import IndexerLoop, build_follower

from ..devchain import DevChain, address_of
from .signers import ethers_sign, sign_with_anvil, sign_with_eth_account

pytestmark = pytest.mark.chain

WEI = 10**18
PRICE = 3_000 * 10**6
BUYER, ANVIL_SELLER, ETHERS_SELLER = 5, 6, 7


@pytest.fixture
def api(devchain: DevChain, database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, IndexerLoop]]:
    migrate.upgrade(database_url)
    container = bootstrap(
        load_settings(
            _env_file=None, database_url=database_url, rpc_url=devchain.url, data_dir=tmp_path, redis_url=None,
            confirmations=1, trading_sync_interval=60.0, engine_fsync=False,
        )
    )  # fmt: skip
    with container.uow() as uow:
        record_deployments(uow.session, 31337, devchain.stack.contracts, devchain.stack.block_number)
        ensure_dev_market(uow.session, devchain.stack.contracts)
        uow.commit()
    with TestClient(create_app(container)) as client:
        yield client, IndexerLoop(container, build_follower(container))
    container.db_engine.dispose()


def order_message(chain: DevChain, key_index: int, side: int, amount: int) -> dict[str, Any]:
    return {
        "maker": address_of(key_index), "baseToken": chain.token("WETH").address,
        "quoteToken": chain.token("USDC").address, "side": str(side), "baseAmount": str(amount),
        "limitPrice": str(PRICE), "triggerPrice": "0", "maxFeeRate": "2000", "nonce": str(time.time_ns()),
        "expiry": str(int(time.time()) + 3600), "flags": "0",
    }  # fmt: skip


def test_an_order_from_each_signer_is_accepted_and_matched(
    devchain: DevChain, api: tuple[TestClient, IndexerLoop]
) -> None:
    client, indexer = api
    devchain.deposit(BUYER, "USDC", 10_000 * 10**6)
    devchain.deposit(ANVIL_SELLER, "WETH", WEI)
    devchain.deposit(ETHERS_SELLER, "WETH", WEI)
    devchain.mine(1)
    indexer.poll()
    domain = client.get("/v1/eip712").json()
    assert domain["domain"]["verifyingContract"] == devchain.exchange.address

    def document(key_index: int, side: int, amount: int) -> dict[str, Any]:
        message = order_message(devchain, key_index, side, amount)
        return {"types": {"EIP712Domain": domain["types"]["EIP712Domain"], "Order": domain["types"]["Order"]},
                "primaryType": "Order", "domain": domain["domain"], "message": message}  # fmt: skip

    buy = document(BUYER, 0, 2 * WEI)
    by_anvil = document(ANVIL_SELLER, 1, WEI)
    by_ethers = document(ETHERS_SELLER, 1, WEI)
    signatures = [
        sign_with_eth_account(BUYER, buy),
        sign_with_anvil(devchain.url, ANVIL_SELLER, by_anvil),
        ethers_sign([(ETHERS_SELLER, by_ethers)])[0][1],
    ]
    statuses = []
    for doc, signature in zip((buy, by_anvil, by_ethers), signatures, strict=True):
        response = client.post("/v1/orders", json={"order": doc["message"], "signature": "0x" + signature.hex()})
        assert response.status_code == 201, response.text
        statuses.append(response.json()["status"])
    assert statuses == ["open", "filled", "filled"]
    container: Any = client.app.state.container  # type: ignore[attr-defined]
    with container.session_factory() as session:
        fills = session.query(Fill).order_by(Fill.id).all()
        assert [(f.taker, f.base_amount, f.quote_amount) for f in fills] == [
            (address_of(ANVIL_SELLER), WEI, 3_000 * 10**6),
            (address_of(ETHERS_SELLER), WEI, 3_000 * 10**6),
        ]
