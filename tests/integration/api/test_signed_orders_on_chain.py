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
from backend.trading.store.markets import ensure_dev_market
from indexer.runner import IndexerLoop, build_follower

from ..devchain import WIDE_LIMITS, DevChain, address_of
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
            confirmations=1, trading_sync_interval=60.0, engine_fsync=False, **WIDE_LIMITS,
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


def signed_body(devchain: DevChain, key_index: int, side: int, amount: int, **changes: Any) -> dict[str, Any]:
    from backend.chain.devkeys import DEV_KEYS
    from backend.signing import Domain, Order, order_digest, sign_digest

    message = {**order_message(devchain, key_index, side, amount), **changes}
    order = Order(**{k: v if k in ("maker", "baseToken", "quoteToken") else int(v) for k, v in message.items()})
    digest = order_digest(Domain(31337, devchain.exchange.address), order)
    return {"order": message, "signature": "0x" + sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), digest).hex()}


def test_on_chain_nonce_floors_and_cancels_seen_by_the_indexer_cancel_open_orders(
    devchain: DevChain, api: tuple[TestClient, IndexerLoop]
) -> None:
    client, indexer = api
    devchain.deposit(BUYER, "USDC", 10_000 * 10**6)
    devchain.mine(1)
    indexer.poll()
    low = client.post("/v1/orders", json=signed_body(devchain, BUYER, 0, WEI, nonce="5")).json()
    high_body = signed_body(devchain, BUYER, 0, WEI, nonce="100", limitPrice=str(PRICE - 10**4))
    high = client.post("/v1/orders", json=high_body).json()
    assert (low["status"], high["status"]) == ("open", "open")

    devchain.send(BUYER, devchain.exchange.functions.raiseNonceFloor(50))
    never_sent = signed_body(devchain, BUYER, 0, WEI, nonce="200")  # its nonce is spent by the cancel
    devchain.send(BUYER, devchain.exchange.functions.cancelOrders([as_tuple(high_body), as_tuple(never_sent)]))
    devchain.mine(1)
    indexer.poll()
    app: Any = client.app
    client.portal.call(app.state.trading.sync_once)  # type: ignore[union-attr]
    client.portal.call(app.state.trading.host.drain)  # type: ignore[union-attr]

    assert client.get(f"/v1/orders/{low['hash']}").json()["reason"] == "nonce_floor"
    assert client.get(f"/v1/orders/{high['hash']}").json()["reason"] == "cancelled_on_chain"
    refused = client.post("/v1/orders", json=signed_body(devchain, BUYER, 0, WEI, nonce="49"))
    assert refused.json()["error"]["code"] == "NONCE_BELOW_FLOOR"
    assert client.post("/v1/orders", json=high_body).json()["error"]["code"] == "DUPLICATE_ORDER"
    other_order_same_nonce = signed_body(devchain, BUYER, 0, WEI // 2, nonce="200")
    assert client.post("/v1/orders", json=other_order_same_nonce).json()["error"]["code"] == "NONCE_USED"
    assert client.get("/v1/nonce", params={"maker": address_of(BUYER)}).json()["nonce"] == "201"


def as_tuple(body: dict[str, Any]) -> tuple[Any, ...]:
    """A signed order's body as the Exchange's `Order` tuple."""
    return tuple(v if k in ("maker", "baseToken", "quoteToken") else int(v) for k, v in body["order"].items())


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda body: body.update(signature=body["signature"][:-2] + "1f"), "INVALID_SIGNATURE"),
        (lambda body: body["order"].update(nonce="1"), "SIGNER_NOT_MAKER"),  # signed fields changed after signing
        (lambda body: body["order"].update(limitPrice=str(2**256)), "AMOUNT_OUT_OF_RANGE"),
    ],
)
def test_bad_orders_are_refused_on_the_dev_chain_too(
    devchain: DevChain, api: tuple[TestClient, IndexerLoop], mutate: Any, code: str
) -> None:
    client, _ = api
    body = signed_body(devchain, BUYER, 0, WEI)
    mutate(body)
    assert client.post("/v1/orders", json=body).json()["error"]["code"] == code
    unfunded = client.post("/v1/orders", json=signed_body(devchain, BUYER, 0, WEI))
    assert unfunded.json()["error"]["code"] == "INSUFFICIENT_BALANCE"  # nothing deposited in this test
