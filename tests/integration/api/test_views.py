"""Account views, market data over REST, the markets list and the EIP-712 description."""

from __future__ import annotations

import time

from backend.db.models import ChainEvent
from backend.trading.rules.accounts import checksum

from .exchange_fixtures import CHAIN_ID, EXCHANGE, MARKET, PRICE, QTY, TICK, USDC, WETH, Exchange, wallet


def test_markets_list_tokens_grid_fees_and_state(sqlite_exchange: Exchange) -> None:
    (market,) = sqlite_exchange.client.get("/v1/markets").json()["markets"]
    assert market["name"] == MARKET
    assert market["baseToken"] == {"address": checksum(WETH), "symbol": "WETH", "decimals": 18}
    assert (market["tickSize"], market["makerFeeRate"], market["state"]) == (str(TICK), 1_000, "open")


def test_eip712_gives_the_domain_and_every_type_in_sign_typed_data_v4_shape(sqlite_exchange: Exchange) -> None:
    body = sqlite_exchange.client.get("/v1/eip712").json()
    assert body["domain"] == {
        "name": "HDEX Exchange",
        "version": "1",
        "chainId": CHAIN_ID,
        "verifyingContract": EXCHANGE,
    }
    assert set(body["types"]) == {"EIP712Domain", "Order", "Cancel", "Withdrawal"}
    assert [f["name"] for f in body["types"]["Cancel"]] == ["maker", "orderHash"]


def test_balances_show_holds_and_pending_deposits(sqlite_exchange: Exchange) -> None:
    sqlite_exchange.place(5)
    with sqlite_exchange.container.uow() as uow:
        uow.session.add(
            ChainEvent(
                chain_id=CHAIN_ID, block_number=3, block_hash="0x" + "55" * 32, tx_hash="0x" + "66" * 32,
                log_index=0, contract=EXCHANGE, name="Deposited", status="pending",
                args={"wallet": wallet(5), "token": checksum(USDC), "amount": "123", "balance": "123"},
            )
        )  # fmt: skip
        uow.commit()
    balances = sqlite_exchange.client.get(f"/v1/accounts/{wallet(5).lower()}/balances").json()
    usdc = next(b for b in balances["balances"] if b["token"] == checksum(USDC))
    held = QTY * PRICE // 10**18
    assert usdc["reserved"] == str(held)
    assert int(usdc["available"]) == int(usdc["balance"]) - held
    assert usdc["pendingDeposits"] == "123"


def test_account_orders_filter_by_status_and_page_newest_first(sqlite_exchange: Exchange) -> None:
    hashes = [sqlite_exchange.place(5, limitPrice=PRICE - i * TICK).json()["hash"] for i in range(3)]
    sqlite_exchange.place(6, side=1, limitPrice=PRICE)  # fills the first
    page = sqlite_exchange.client.get(f"/v1/accounts/{wallet(5)}/orders", params={"limit": 2}).json()
    assert [o["hash"] for o in page["orders"]] == hashes[:0:-1]
    rest = sqlite_exchange.client.get(f"/v1/accounts/{wallet(5)}/orders", params={"cursor": page["next"]}).json()
    assert [o["hash"] for o in rest["orders"]] == hashes[:1]
    closed = sqlite_exchange.client.get(f"/v1/accounts/{wallet(5)}/orders", params={"status": "closed"}).json()
    assert [(o["hash"], o["status"]) for o in closed["orders"]] == [(hashes[0], "filled")]
    fills = sqlite_exchange.client.get(f"/v1/accounts/{wallet(6)}/fills").json()["fills"]
    assert [(f["makerOrderHash"], f["taker"]) for f in fills] == [(hashes[0], wallet(6))]


def test_book_aggregates_levels_and_trades_candles_and_ticker_follow_fills(sqlite_exchange: Exchange) -> None:
    for key in (5, 6):
        sqlite_exchange.place(key, limitPrice=PRICE - TICK)
    sqlite_exchange.place(7, limitPrice=PRICE - 2 * TICK)
    sqlite_exchange.place(8, side=1, limitPrice=PRICE + TICK)
    book = sqlite_exchange.client.get(f"/v1/markets/{MARKET}/book", params={"depth": 1}).json()
    assert book["bids"] == [[str(PRICE - TICK), str(2 * QTY)]]
    assert book["asks"] == [[str(PRICE + TICK), str(QTY)]]
    sqlite_exchange.place(9, side=1, limitPrice=PRICE - 2 * TICK, baseAmount=3 * QTY)
    trades = sqlite_exchange.client.get(f"/v1/markets/{MARKET}/trades").json()["trades"]
    assert [t["price"] for t in trades] == [str(PRICE - 2 * TICK), str(PRICE - TICK), str(PRICE - TICK)]
    now = time.time_ns() // 1_000_000
    candles = sqlite_exchange.client.get(
        f"/v1/markets/{MARKET}/candles", params={"interval": "1h", "start": now - 3_600_000, "end": now + 1}
    ).json()["candles"]
    assert len(candles) in (1, 2)  # the trades may straddle an hour boundary
    assert sum(c["trades"] for c in candles) == 3
    ticker = sqlite_exchange.client.get(f"/v1/markets/{MARKET}/ticker").json()
    assert (ticker["last"], ticker["trades"], ticker["bestAsk"]) == (str(PRICE - 2 * TICK), 3, str(PRICE + TICK))
    assert ticker["baseVolume"] == str(3 * QTY)


def test_market_data_of_an_unknown_market_is_a_typed_404(sqlite_exchange: Exchange) -> None:
    response = sqlite_exchange.client.get("/v1/markets/NOPE/book")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "UNKNOWN_MARKET")
    bad = sqlite_exchange.client.get(f"/v1/markets/{MARKET}/candles", params={"interval": "2m"})
    assert (bad.status_code, bad.json()["error"]["code"], bad.json()["error"]["field"]) == (
        422, "INVALID_FIELD", "interval",
    )  # fmt: skip
