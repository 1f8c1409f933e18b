"""On the dev chain: the API reads each market's price source from the Exchange, publishes it on
`GET /v1/markets`, and takes a stop order without the operator-triggered flag only in a market that has one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.bootstrap import bootstrap
from backend.chain.deploy import attach_dev_price_feed
from backend.chain.deployments import record_deployments
from backend.chain.devkeys import DEV_KEYS
from backend.db import migrate
from backend.settings import load_settings
from backend.signing import Domain, Order, order_digest, sign_digest
from backend.trading.store.markets import ensure_dev_market

from ..devchain import WIDE_LIMITS, DevChain, address_of
from .exchange_fixtures import fund, order_json

pytestmark = pytest.mark.chain

BUYER = 5
PRICE = 3_000 * 10**6
STOP_LIMIT, OPERATOR_TRIGGER = 2, 16


@pytest.fixture
def api(devchain: DevChain, sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    migrate.upgrade(sqlite_url)
    container = bootstrap(
        load_settings(
            _env_file=None, database_url=sqlite_url, rpc_url=devchain.url, data_dir=tmp_path, redis_url=None,
            trading_sync_interval=60.0, engine_fsync=False, **WIDE_LIMITS,
        )
    )  # fmt: skip
    with container.uow() as uow:
        record_deployments(uow.session, 31337, devchain.stack.contracts, devchain.stack.block_number)
        ensure_dev_market(uow.session, devchain.stack.contracts)
        uow.commit()
    fund(container, address_of(BUYER), devchain.token("USDC").address, 100_000 * 10**6)
    with TestClient(create_app(container)) as client:
        yield client
    container.db_engine.dispose()


def refresh_price_sources(client: TestClient) -> None:
    """What the API's loop does every 30 s: read every market's price source from the Exchange."""
    app: Any = client.app
    client.portal.call(app.state.trading.refresh_price_sources)  # type: ignore[union-attr]


def stop_order(devchain: DevChain, flags: int, trigger: int = PRICE) -> dict[str, Any]:
    order = Order(
        maker=address_of(BUYER), baseToken=devchain.token("WETH").address, quoteToken=devchain.token("USDC").address,
        side=0, baseAmount=10**18, limitPrice=PRICE + 10**6, triggerPrice=trigger, maxFeeRate=2_000,
        nonce=time.time_ns(), expiry=int(time.time()) + 3600, flags=flags,
    )  # fmt: skip
    digest = order_digest(Domain(31337, devchain.exchange.address), order)
    signature = sign_digest(bytes.fromhex(DEV_KEYS[BUYER][2:]), digest)
    return {"order": order_json(order), "signature": "0x" + signature.hex()}


def test_a_stop_order_needs_the_operators_trigger_until_the_market_has_a_price_source(
    devchain: DevChain, api: TestClient
) -> None:
    refresh_price_sources(api)
    [market] = api.get("/v1/markets").json()["markets"]
    assert market["priceSource"] is None

    refused = api.post("/v1/orders", json=stop_order(devchain, STOP_LIMIT))
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("STOP_NEEDS_PRICE_SOURCE", "order.flags")
    assert "has no on-chain price source" in error["message"] and "(add 16)" in error["message"]
    accepted = api.post("/v1/orders", json=stop_order(devchain, STOP_LIMIT | OPERATOR_TRIGGER))
    assert accepted.status_code == 201, accepted.text

    contracts = devchain.stack.contracts
    feed = contracts["DevPriceFeed"]
    attach_dev_price_feed(
        devchain.w3, devchain.contract("Custody", contracts["Custody"]), devchain.exchange,
        contracts["WETH"], contracts["USDC"], feed,
    )  # fmt: skip
    refresh_price_sources(api)
    app: Any = api.app
    api.portal.call(app.state.trading.refresh_reference_prices)  # type: ignore[union-attr]
    [market] = api.get("/v1/markets").json()["markets"]
    assert market["priceSource"] == {"feed": feed, "maxAge": "3600", "price": str(2_000 * 10**6)}  # the dev feed
    placed = api.post("/v1/orders", json=stop_order(devchain, STOP_LIMIT))
    assert placed.status_code == 201, placed.text
    assert placed.json()["status"] == "open"

    reached = api.post("/v1/orders", json=stop_order(devchain, STOP_LIMIT, trigger=2_000 * 10**6))
    assert reached.status_code == 409, reached.text
    error = reached.json()["error"]
    assert (error["code"], error["field"]) == ("WOULD_TRIGGER_IMMEDIATELY", "order.triggerPrice")
    assert "the market's price source" in error["message"]

    # the feed is still fresh on-chain, but would not be by the time a fill matched now is mined (the settlement
    # margin, 10 s): no stop may fire on it, and none is measured from it
    devchain.w3.provider.make_request("evm_increaseTime", [3600 - 5])  # type: ignore[arg-type]
    devchain.mine(1)
    usable, _, _ = devchain.exchange.functions.referencePrice(contracts["WETH"], contracts["USDC"]).call()
    assert usable  # the contract would still take it now
    api.portal.call(app.state.trading.refresh_reference_prices)  # type: ignore[union-attr]
    [market] = api.get("/v1/markets").json()["markets"]
    assert market["priceSource"]["price"] is None
    again = api.post("/v1/orders", json=stop_order(devchain, STOP_LIMIT, trigger=2_000 * 10**6))
    assert again.status_code == 201, again.text
