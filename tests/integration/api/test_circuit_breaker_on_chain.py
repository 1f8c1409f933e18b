"""On the dev chain, through the API: a fast move trips the market's circuit breaker; new orders are refused
with MARKET_CIRCUIT_BREAKER while cancels still work, GET /v1/markets shows the halt, and once the cool-down
has passed on the engine host's clock (moved by hand, never waited for) the market takes orders again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.chain.devkeys import DEV_KEYS
from backend.signing import Domain, Order, order_digest, sign_digest
from backend.trading.hosting.host import now_ms

from ..devchain import DevChain, address_of, dev_market_container
from .exchange_fixtures import fund, order_json
from .signed_requests import cancel_signature

pytestmark = pytest.mark.chain

SELLER, BUYER, BIDDER = 5, 6, 7
PRICE = 3_000 * 10**6
QTY = 10**17  # 0.1 WETH
COOL_DOWN_S = 60


@pytest.fixture
def api(devchain: DevChain, sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    container = dev_market_container(
        devchain, sqlite_url, tmp_path, trading_sync_interval=60.0, risk_band_bps=2_000, risk_breaker_bps=1_000,
        risk_alert_bps=500, risk_window_s=300, risk_cooldown_s=COOL_DOWN_S,
    )  # fmt: skip
    for key in (SELLER, BUYER, BIDDER):
        fund(container, address_of(key), devchain.token("WETH").address, 10 * 10**18)
        fund(container, address_of(key), devchain.token("USDC").address, 100_000 * 10**6)
    with TestClient(create_app(container)) as client:
        yield client
    container.db_engine.dispose()


def place(devchain: DevChain, api: TestClient, key: int, side: int, price: int) -> Any:
    order = Order(
        maker=address_of(key), baseToken=devchain.token("WETH").address, quoteToken=devchain.token("USDC").address,
        side=side, baseAmount=QTY, limitPrice=price, triggerPrice=0, maxFeeRate=3_000, nonce=time.time_ns(),
        expiry=int(time.time()) + 3600, flags=0,
    )  # fmt: skip
    signature = sign_digest(bytes.fromhex(DEV_KEYS[key][2:]), order_digest(domain(devchain), order))
    return api.post("/v1/orders", json={"order": order_json(order), "signature": "0x" + signature.hex()})


def domain(devchain: DevChain) -> Domain:
    return Domain(31337, devchain.exchange.address)


def the_market(api: TestClient) -> dict[str, Any]:
    [market] = api.get("/v1/markets").json()["markets"]
    return dict(market)


def test_a_fast_move_halts_the_market_cancels_still_work_and_it_reopens_after_the_cool_down(
    devchain: DevChain, api: TestClient
) -> None:
    app: Any = api.app
    clock = [now_ms()]
    app.state.trading.host.clock = lambda: clock[0]
    bid = place(devchain, api, BIDDER, 0, PRICE - 100 * 10**6).json()
    for price in (PRICE, PRICE * 113 // 100):  # 3,000, then 3,390 within the window: +13% past the 10% breaker
        assert place(devchain, api, SELLER, 1, price).status_code == 201
        assert place(devchain, api, BUYER, 0, price).json()["status"] == "filled"

    refused = place(devchain, api, BUYER, 0, PRICE)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "MARKET_CIRCUIT_BREAKER")
    cancel = {"signature": cancel_signature(domain(devchain), bid["hash"], BIDDER)}
    assert api.request("DELETE", f"/v1/orders/{bid['hash']}", json=cancel).status_code == 200

    market = the_market(api)
    assert market["state"] == "cancel_only"
    halt = market["halt"]
    assert (halt["kind"], halt["reference"], halt["price"]) == ("breaker", str(PRICE), str(PRICE * 113 // 100))
    assert halt["until"] == clock[0] + COOL_DOWN_S * 1000 and "up 13%" in halt["reason"]

    clock[0] += COOL_DOWN_S * 1000
    assert place(devchain, api, BUYER, 0, PRICE).status_code == 201
    reopened = the_market(api)
    assert (reopened["state"], reopened["halt"]) == ("open", None)
