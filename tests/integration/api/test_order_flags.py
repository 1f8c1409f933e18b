"""The signed flags and nonces the contract enforces, refused at the door with a typed error that changes
nothing: fill-or-kill against timeInForce, short expiries for immediate orders, operator-triggered stops,
one order per (maker, nonce); and `GET /v1/nonce`, the nonce of a wallet's next order.

Without a chain the API cannot read any market's price source: stop orders then need flags bit 4 (the
chain's side is in test_stop_orders_and_price_sources.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from .exchange_fixtures import PRICE, QTY, TICK, Exchange, prepare, record_nonce_floor, running, wallet
from .test_order_rejections import assert_rejected

STOP_LIMIT, FILL_OR_KILL, OPERATOR_TRIGGER = 2, 8, 16


def post(exchange: Exchange, time_in_force: str | None = None, **fields: Any) -> Any:
    body = exchange.signed(exchange.order(5, **fields))
    if time_in_force is not None:
        body["timeInForce"] = time_in_force
    return exchange.client.post("/v1/orders", json=body)


def soon() -> int:
    return int(time.time()) + 20


def test_timeinforce_fok_without_the_signed_flag_is_refused(sqlite_exchange: Exchange) -> None:
    sqlite_exchange.place(6, side=1)
    before = sqlite_exchange.state()
    response = post(sqlite_exchange, "FOK", expiry=soon())
    assert_rejected(sqlite_exchange, response, 422, "FILL_OR_KILL_MISMATCH", before)
    assert response.json()["error"]["field"] == "order.flags"


@pytest.mark.parametrize("time_in_force", ["GTC", "IOC"])
def test_the_fok_flag_with_another_timeinforce_is_refused(sqlite_exchange: Exchange, time_in_force: str) -> None:
    before = sqlite_exchange.state()
    response = post(sqlite_exchange, time_in_force, flags=FILL_OR_KILL, expiry=soon())
    assert_rejected(sqlite_exchange, response, 422, "FILL_OR_KILL_MISMATCH", before)
    assert response.json()["error"]["field"] == "timeInForce"


def test_a_signed_fok_order_fills_whole_and_is_stored_as_fok(sqlite_exchange: Exchange) -> None:
    sqlite_exchange.place(6, side=1, baseAmount=QTY // 2)
    sqlite_exchange.place(7, side=1, baseAmount=QTY // 2, limitPrice=PRICE + TICK)
    taken = post(sqlite_exchange, flags=FILL_OR_KILL, expiry=soon(), limitPrice=PRICE + TICK)
    assert taken.status_code == 201, taken.text
    assert (taken.json()["status"], taken.json()["timeInForce"]) == ("filled", "FOK")


def test_fok_with_post_only_and_operator_trigger_on_a_limit_order_are_refused(sqlite_exchange: Exchange) -> None:
    before = sqlite_exchange.state()
    both = post(sqlite_exchange, flags=4 | FILL_OR_KILL, expiry=soon(), maxFeeRate=1_000)
    assert_rejected(sqlite_exchange, both, 422, "FLAGS_CONFLICT", before)
    assert_rejected(sqlite_exchange, post(sqlite_exchange, flags=OPERATOR_TRIGGER), 422, "FLAGS_CONFLICT", before)
    assert_rejected(sqlite_exchange, post(sqlite_exchange, flags=32), 422, "UNKNOWN_FLAGS", before)


@pytest.mark.parametrize(("time_in_force", "flags"), [("IOC", 0), (None, FILL_OR_KILL)], ids=["IOC", "FOK"])
def test_an_immediate_order_with_a_long_expiry_is_refused_naming_the_bound(
    sqlite_exchange: Exchange, time_in_force: str | None, flags: int
) -> None:
    before = sqlite_exchange.state()
    response = post(sqlite_exchange, time_in_force, flags=flags, expiry=int(time.time()) + 3600)
    assert_rejected(sqlite_exchange, response, 422, "EXPIRY_TOO_LONG", before)
    assert response.json()["error"]["field"] == "order.expiry"
    assert "must expire within 60 s" in response.json()["error"]["message"]
    assert post(sqlite_exchange, time_in_force, flags=flags, expiry=soon()).status_code in (201, 409)


def test_the_expiry_bound_is_a_setting(sqlite_url: str, tmp_path: Path) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, immediate_order_max_expiry_s=5, settlement_margin_s=2)):
        response = post(exchange, "IOC", expiry=int(time.time()) + 30)
        assert response.json()["error"]["code"] == "EXPIRY_TOO_LONG"
        assert "must expire within 5 s" in response.json()["error"]["message"]


def test_without_a_readable_price_source_a_stop_order_must_accept_the_operators_trigger(
    sqlite_exchange: Exchange,
) -> None:
    before = sqlite_exchange.state()
    stop = {"flags": STOP_LIMIT, "triggerPrice": PRICE + TICK, "limitPrice": PRICE + 2 * TICK}
    refused = post(sqlite_exchange, **stop)
    assert_rejected(sqlite_exchange, refused, 422, "STOP_NEEDS_PRICE_SOURCE", before)
    # no node answers for this Exchange (nothing listens, or no contract at its address): the source is unknown
    assert "could not be read from the chain yet" in refused.json()["error"]["message"]
    assert "sign flags bit 4 (add 16)" in refused.json()["error"]["message"]
    accepted = post(sqlite_exchange, **{**stop, "flags": STOP_LIMIT | OPERATOR_TRIGGER})
    assert accepted.status_code == 201, accepted.text
    markets = sqlite_exchange.client.get("/v1/markets").json()["markets"]
    assert [m["priceSource"] for m in markets] == [None]


def test_a_nonce_another_order_of_the_maker_carries_is_refused_also_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        first = exchange.place(5, nonce=7, limitPrice=PRICE - TICK)
        assert first.status_code == 201, first.text
        before = exchange.state()
        reused = exchange.place(5, nonce=7, limitPrice=PRICE - 2 * TICK)  # another order: another hash
        assert_rejected(exchange, reused, 409, "NONCE_USED", before)
        assert reused.json()["error"]["field"] == "order.nonce"
        assert "e.g. 8" in reused.json()["error"]["message"]
        assert exchange.place(6, nonce=7).status_code == 201  # another maker's nonce 7 is its own
        exchange.client.request(
            "DELETE", f"/v1/orders/{first.json()['hash']}", json=cancel_body(exchange, first.json()["hash"])
        )
        assert exchange.place(5, nonce=7, limitPrice=PRICE - 3 * TICK).json()["error"]["code"] == "NONCE_USED"
        assert exchange.place(5, nonce=8).status_code == 201
    for exchange in running(container):  # a new process loads the wallet's nonces from the database
        assert exchange.place(5, nonce=7, limitPrice=PRICE - 4 * TICK).json()["error"]["code"] == "NONCE_USED"
        assert exchange.place(5, nonce=9).status_code == 201


def cancel_body(exchange: Exchange, order_hash: str) -> dict[str, str]:
    from backend.chain.devkeys import DEV_KEYS
    from backend.client.core import Signer

    return Signer(DEV_KEYS[5], exchange.domain).cancel_body(order_hash)


def next_nonce(exchange: Exchange, maker: str) -> Any:
    return exchange.client.get("/v1/nonce", params={"maker": maker})


def test_the_next_nonce_is_above_every_used_one_and_at_least_the_on_chain_floor(
    database_url: str, tmp_path: Path
) -> None:
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        assert next_nonce(exchange, wallet(5).lower()).json() == {"maker": wallet(5), "nonce": "0"}
        for nonce in (3, 11, 4):
            assert exchange.place(5, nonce=nonce, limitPrice=PRICE - nonce * TICK).status_code == 201
        assert next_nonce(exchange, wallet(5)).json()["nonce"] == "12"
        assert next_nonce(exchange, wallet(6)).json()["nonce"] == "0"
    record_nonce_floor(container, wallet(6), 500)  # the wallet raised its floor on-chain
    for exchange in running(container):  # after a restart: wallet 5 is read from the database, not loaded
        assert next_nonce(exchange, wallet(5)).json()["nonce"] == "12"
        assert not exchange.client.app.state.trading.host.nonces.loaded(wallet(5))  # type: ignore[attr-defined]
        assert next_nonce(exchange, wallet(6)).json()["nonce"] == "500"
        refused = next_nonce(exchange, "0x1234")
        assert (refused.status_code, refused.json()["error"]["field"]) == (422, "maker")
        assert exchange.client.get("/v1/nonce").status_code == 422
