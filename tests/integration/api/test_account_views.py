"""What a bot reads about its own account: server time, fee rates, balances and fills that name their
tokens (symbol, decimals, the fee's token), and account-channel balance messages with the new amounts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.chain.jsonrpc import rpc_call
from backend.chain.node import AnvilNode
from backend.client.core import Signer
from backend.marketdata.account_updates import account_notifier_for
from backend.trading.rules.accounts import checksum

from ..conftest import free_port
from .exchange_fixtures import FUNDED_USDC, FUNDED_WETH, MARKET, PRICE, QTY, USDC, WETH, Exchange, prepare, running
from .exchange_fixtures import wallet as address_of


def account_messages(exchange: Exchange, ws: Any, wallet: str) -> list[dict[str, Any]]:
    """Every message the wallet's account channel got so far, in order: everything the engine host
    published is durable and delivered once `drain` returns, so a marker published after it comes last."""
    app: Any = exchange.client.app
    exchange.client.portal.call(app.state.trading.host.drain)  # type: ignore[union-attr]
    account_notifier_for(exchange.container)(wallet, {"type": "marker"})
    seen: list[dict[str, Any]] = []
    for _ in range(200):  # bounded: the marker is in the queue already
        message: dict[str, Any] = ws.receive_json()
        if message.get("type") == "marker":
            return seen
        seen.append(message)
    raise AssertionError("the marker never came")


def test_server_time_is_the_servers_clock_and_null_chain_while_the_node_is_down(
    sqlite_url: str, tmp_path: Path
) -> None:
    container = prepare(sqlite_url, tmp_path, rpc_url=f"http://127.0.0.1:{free_port()}")  # nothing listens
    for exchange in running(container):
        before = time.time_ns() // 1_000_000
        response = exchange.client.get("/v1/time")
        after = time.time_ns() // 1_000_000
        assert response.status_code == 200, response.text
        assert before <= response.json()["serverTime"] <= after
        assert response.json()["chain"] is None


def test_server_time_carries_the_chains_latest_block_when_the_node_answers(
    anvil: AnvilNode, sqlite_url: str, tmp_path: Path
) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, rpc_url=anvil.url)):
        chain = exchange.client.get("/v1/time").json()["chain"]
        latest = rpc_call(anvil.url, "eth_getBlockByNumber", ["latest", False])
        assert chain == {
            "chainId": 31337,
            "blockNumber": int(latest["number"], 16),
            "blockTimestamp": int(latest["timestamp"], 16),
        }


@pytest.fixture
def charging(sqlite_url: str, tmp_path: Path) -> Iterator[Exchange]:
    """The exchange with a withdrawal fee of 0.05 % (500 millionths)."""
    yield from running(prepare(sqlite_url, tmp_path, withdrawal_fee_rate=500))


def test_fee_rates_are_the_ones_the_engine_charges_and_the_withdrawal_fee(charging: Exchange) -> None:
    response = charging.client.get(f"/v1/accounts/{address_of(5).lower()}/fees")
    assert response.status_code == 200, response.text
    fees = response.json()
    assert fees["address"] == address_of(5)
    assert (fees["feeRateScale"], fees["maxFeeRate"], fees["withdrawalFeeRate"]) == (1_000_000, 10_000, 500)
    [rates] = fees["markets"]
    assert rates == {"market": MARKET, "makerFeeRate": 1_000, "takerFeeRate": 2_000}
    charging.place(5)  # maker buys 1 WETH
    charging.place(6, side=1)  # taker sells it
    [fill] = charging.client.get(f"/v1/accounts/{address_of(5)}/fills").json()["fills"]
    assert int(fill["makerFee"]) == QTY * rates["makerFeeRate"] // fees["feeRateScale"]  # of the base received
    assert int(fill["takerFee"]) == (QTY * PRICE // 10**18) * rates["takerFeeRate"] // fees["feeRateScale"]
    assert charging.client.get("/v1/accounts/0x12/fees").json()["error"]["field"] == "address"


def test_balances_name_each_tokens_symbol_and_decimals(sqlite_exchange: Exchange) -> None:
    balances = sqlite_exchange.client.get(f"/v1/accounts/{address_of(5)}/balances").json()["balances"]
    named = {b["token"]: (b["symbol"], b["decimals"], b["balance"]) for b in balances}
    assert named == {
        checksum(WETH): ("WETH", 18, str(FUNDED_WETH)),
        checksum(USDC): ("USDC", 6, str(FUNDED_USDC)),
    }


def test_a_fill_says_each_partys_fee_and_the_token_it_is_paid_in(sqlite_exchange: Exchange) -> None:
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "account", "address": address_of(6)})
        assert ws.receive_json()["op"] == "subscribed"
        sqlite_exchange.place(5)  # the maker buys: receives WETH, pays its fee in WETH
        sqlite_exchange.place(6, side=1)  # the taker sells: receives USDC, pays its fee in USDC
        [pushed] = [m for m in account_messages(sqlite_exchange, ws, address_of(6)) if m.get("type") == "fill"]
    [maker_view] = sqlite_exchange.client.get(f"/v1/accounts/{address_of(5)}/fills").json()["fills"]
    [taker_view] = sqlite_exchange.client.get(f"/v1/accounts/{address_of(6)}/fills").json()["fills"]
    assert (maker_view["liquidity"], maker_view["side"], maker_view["fee"]) == ("maker", "buy", maker_view["makerFee"])
    assert (maker_view["feeToken"], maker_view["feeTokenSymbol"], maker_view["feeTokenDecimals"]) == (
        checksum(WETH), "WETH", 18,
    )  # fmt: skip
    assert (taker_view["liquidity"], taker_view["side"], taker_view["fee"]) == ("taker", "sell", taker_view["takerFee"])
    assert (taker_view["feeToken"], taker_view["feeTokenSymbol"]) == (checksum(USDC), "USDC")
    assert {k: pushed[k] for k in ("id", "liquidity", "fee", "feeToken", "feeTokenSymbol")} == {
        k: taker_view[k] for k in ("id", "liquidity", "fee", "feeToken", "feeTokenSymbol")
    }


def test_the_account_channel_says_the_new_amounts_whenever_a_balance_moves(sqlite_exchange: Exchange) -> None:
    wallet = address_of(5)
    hold = QTY * PRICE // 10**18  # a buy of 1 WETH at 3,000 holds 3,000 USDC
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "account", "address": wallet})
        assert ws.receive_json()["op"] == "subscribed"
        order = sqlite_exchange.place(5).json()
        placed = [m for m in account_messages(sqlite_exchange, ws, wallet) if m.get("type") == "balance"]
        usdc = [m for m in placed if m["token"] == checksum(USDC)][-1]
        assert usdc == {
            "channel": "account", "type": "balance", "token": checksum(USDC), "symbol": "USDC", "decimals": 6,
            "total": str(FUNDED_USDC), "reserved": str(hold), "available": str(FUNDED_USDC - hold),
        }  # fmt: skip
        signer = Signer(DEV_KEYS[5], sqlite_exchange.domain)
        cancel = sqlite_exchange.client.request(
            "DELETE", f"/v1/orders/{order['hash']}", json=signer.cancel_body(order["hash"])
        )
        assert cancel.status_code == 200, cancel.text
        released = [m for m in account_messages(sqlite_exchange, ws, wallet) if m.get("type") == "balance"]
        assert [(m["token"], m["reserved"], m["available"]) for m in released] == [
            (checksum(USDC), "0", str(FUNDED_USDC))
        ]
