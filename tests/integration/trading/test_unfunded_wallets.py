"""Orders from wallets that hold nothing, on the real app: refused, and not followed afterwards.

Every sync of the engine host reads the balances of every wallet it holds, so a wallet it took in stays a cost
for as long as the process runs. A key costs nothing to make: orders signed by fresh, unfunded keys must not
leave their wallets behind, else anyone could make each sync read as many wallets as they have sent requests.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from backend.signing import order_digest, sign_digest
from backend.signing.typed_data import Withdrawal, withdrawal_digest
from backend.trading.rules.accounts import checksum

from ..api.exchange_fixtures import USDC, Exchange, fund, order_json, prepare, running, wallet


@pytest.fixture
def exchange(sqlite_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running(prepare(sqlite_url, tmp_path))


def place_as(exchange: Exchange, key: bytes, **fields: Any) -> Any:
    """POST /v1/orders of an order of the wallet of `key`, signed by it."""
    order = exchange.order(maker=Account.from_key(key).address, **fields)
    signature = sign_digest(key, order_digest(exchange.domain, order))
    return exchange.client.post("/v1/orders", json={"order": order_json(order), "signature": "0x" + signature.hex()})


def followed(exchange: Exchange) -> set[str]:
    """The wallets whose balances the engine host reads at each sync."""
    app: Any = exchange.client.app
    return set(app.state.trading.host.accounts.balances)


def test_orders_signed_by_fresh_unfunded_keys_leave_no_wallet_for_the_sync_to_read(exchange: Exchange) -> None:
    before = followed(exchange)
    keys = [Account.create().key for _ in range(5)]
    for key in keys:
        response = place_as(exchange, key)
        assert response.json()["error"]["code"] == "INSUFFICIENT_BALANCE"
    exchange.sync()
    assert followed(exchange) == before


def test_a_wallet_refused_while_unfunded_trades_once_funded_and_keeps_its_nonces(exchange: Exchange) -> None:
    key = Account.create().key
    maker = checksum(Account.from_key(key).address)
    assert place_as(exchange, key, nonce=1).json()["error"]["code"] == "INSUFFICIENT_BALANCE"
    fund(exchange.container, maker, checksum(USDC), 10**12)
    exchange.sync()

    placed = place_as(exchange, key, nonce=1)
    assert placed.status_code == 201 and placed.json()["status"] == "open"
    assert maker in followed(exchange)
    assert place_as(exchange, key, nonce=1, baseAmount=2 * 10**18).json()["error"]["code"] == "NONCE_USED"
    exchange.drain()
    assert exchange.client.get("/v1/nonce", params={"maker": maker}).json()["nonce"] == "2"


def test_a_wallet_the_host_follows_stays_followed_when_an_order_of_it_is_refused(exchange: Exchange) -> None:
    assert exchange.place(5).status_code == 201
    assert wallet(5) in followed(exchange)
    refused = exchange.place(5, baseAmount=10**24)  # more than it holds
    assert refused.json()["error"]["code"] == "INSUFFICIENT_BALANCE"
    assert wallet(5) in followed(exchange)


def test_withdrawals_signed_by_fresh_unfunded_keys_leave_no_wallet_for_the_sync_to_read(exchange: Exchange) -> None:
    before = followed(exchange)
    for _ in range(3):
        key = Account.create().key
        maker = checksum(Account.from_key(key).address)
        withdrawal = Withdrawal(maker, checksum(USDC), 10**6, 10**6, maker, time.time_ns(), int(time.time()) + 3600)
        signature = sign_digest(key, withdrawal_digest(exchange.domain, withdrawal))
        body = {"withdrawal": {k: str(v) for k, v in withdrawal._asdict().items()}, "signature": "0x" + signature.hex()}
        response = exchange.client.post("/v1/withdrawals", json=body)
        assert response.json()["error"]["code"] == "INSUFFICIENT_BALANCE"
    assert followed(exchange) == before
