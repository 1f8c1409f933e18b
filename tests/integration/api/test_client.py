"""The bot client against a real server (uvicorn on a free port): sign, place, cancel, query, stream."""

from __future__ import annotations

import asyncio

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client import AsyncHdexClient, HdexClient, HdexClientError, price_units, units
from backend.client.errors import InvalidArgument, OrderOutcomeUnknown

from .exchange_fixtures import MARKET


def test_units_and_prices_convert_exactly_and_refuse_dust() -> None:
    assert units("1.5", 18) == 1_500_000_000_000_000_000
    assert price_units("3000.01", 18, 6) == 3_000_010_000
    with pytest.raises(ValueError):
        units("0.0000001", 6)


def test_a_bot_places_queries_and_cancels_with_the_sync_client(server: str) -> None:
    with HdexClient(server, DEV_KEYS[5]) as bot, HdexClient(server, DEV_KEYS[6]) as other:
        market = bot.load_markets()[MARKET]
        price = price_units("3000", market.base_decimals, market.quote_decimals)
        bid = bot.place_order(MARKET, "buy", units("1", 18), price, post_only=True)
        assert bid["status"] == "open"
        assert [o["hash"] for o in bot.open_orders(MARKET)] == [bid["hash"]]
        taken = other.place_order(MARKET, "sell", units("0.4", 18), price, time_in_force="IOC")
        assert taken["status"] == "filled"
        assert bot.fills(MARKET)[0]["makerOrderHash"] == bid["hash"]
        assert bot.balances()[market.quote_token]["reserved"] > 0
        assert bot.cancel_order(bid["hash"])["status"] == "cancelled"
        with pytest.raises(HdexClientError) as refused:
            bot.place_order(MARKET, "buy", units("1", 18), price + 1)
        assert refused.value.code == "PRICE_OFF_TICK"
        bot.place_order(MARKET, "buy", units("1", 18), price - market.tick_size)
        assert len(bot.cancel_all(MARKET)) == 1
        assert bot.book(MARKET)["bids"] == []


def test_a_bot_labels_replaces_and_arms_a_dead_man_switch_with_the_sync_client(server: str) -> None:
    with HdexClient(server, DEV_KEYS[5]) as bot:
        market = bot.load_markets()[MARKET]
        price = price_units("3000", market.base_decimals, market.quote_decimals)
        bid = bot.place_order(MARKET, "buy", units("1", 18), price, client_order_id="grid-1")
        assert bid["clientOrderId"] == "grid-1"
        moved = bot.replace_order(bid["hash"], MARKET, "buy", units("1", 18), price - market.tick_size,
                                  client_order_id="grid-2")  # fmt: skip
        assert (moved["cancelled"]["hash"], moved["cancelled"]["status"]) == (bid["hash"], "cancelled")
        assert (moved["order"]["clientOrderId"], moved["order"]["status"]) == ("grid-2", "open")
        armed = bot.cancel_after(60_000, MARKET)
        assert armed["deadline"] is not None and armed["timeoutMs"] == 60_000
        assert bot.cancel_after(0, MARKET)["deadline"] is None
        with pytest.raises(HdexClientError) as refused:
            bot.cancel_after(1_000)
        assert refused.value.code == "TIMEOUT_OUT_OF_RANGE"


def test_a_bot_places_a_batch_each_order_placed_or_refused_and_a_resend_places_nothing_twice(server: str) -> None:
    with HdexClient(server, DEV_KEYS[5]) as bot:
        market = bot.load_markets()[MARKET]
        price = price_units("2900", market.base_decimals, market.quote_decimals)
        ladder = [
            {"market": MARKET, "side": "buy", "amount": units("0.1", 18), "price": price, "client_order_id": "lad-1"},
            {"market": MARKET, "side": "buy", "amount": units("0.1", 18), "price": price + 1},  # off the tick
            {"market": MARKET, "side": "buy", "amount": units("0.1", 18), "price": price - market.tick_size,
             "post_only": True},
        ]  # fmt: skip
        placed, off_tick, post_only = bot.place_orders(ladder)

        assert isinstance(placed, dict) and (placed["status"], placed["clientOrderId"]) == ("open", "lad-1")
        assert isinstance(off_tick, HdexClientError) and (off_tick.status, off_tick.code) == (422, "PRICE_OFF_TICK")
        assert isinstance(post_only, dict) and post_only["timeInForce"] == "POST_ONLY"
        assert sorted(o["hash"] for o in bot.open_orders(MARKET)) == sorted([placed["hash"], post_only["hash"]])

        # The same signed batch again, as after a lost answer: the order it placed is read back, not placed again.
        batch = bot.place_orders([{**ladder[0], "price": price - 2 * market.tick_size, "client_order_id": "lad-2"}])
        order = batch[0]
        assert isinstance(order, dict)
        signed = {"orders": [{"order": order["order"], "signature": order["signature"], "clientOrderId": "lad-2"}]}
        again = bot.resend_batch(OrderOutcomeUnknown(order["hash"], "/v1/orders/batch", signed,
                                                     HdexClientError(0, "NETWORK", "lost"), 1))  # fmt: skip
        assert again == [bot.order(order["hash"])]
        assert [o["hash"] for o in bot.open_orders(MARKET)].count(order["hash"]) == 1
        with pytest.raises(InvalidArgument):
            bot.place_orders([{"market": MARKET, "side": "buy", "amount": 1}])
        bot.cancel_all(MARKET)


async def _async_replace_and_switch(server: str) -> tuple[dict[str, object], dict[str, object], list[object]]:
    async with AsyncHdexClient(server, DEV_KEYS[6]) as bot:
        placed = await bot.place_order(MARKET, "sell", 10**18, 3_100 * 10**6, client_order_id="ask-1")
        moved = await bot.replace_order(placed["hash"], MARKET, "sell", 10**18, 3_200 * 10**6)
        asks = [{"market": MARKET, "side": "sell", "amount": 10**17, "price": (3_300 + n) * 10**6} for n in range(3)]
        return moved, await bot.cancel_after(5_000), list(await bot.place_orders(asks))


def test_the_async_client_replaces_places_a_batch_and_arms_the_dead_man_switch(server: str) -> None:
    moved, armed, asks = asyncio.run(_async_replace_and_switch(server))
    assert moved["order"]["status"] == "open"  # type: ignore[index]
    assert armed["market"] is None and armed["deadline"] is not None
    assert [ask["status"] for ask in asks] == ["open"] * 3  # type: ignore[index]


def test_the_async_client_streams_the_book_and_trades_it_causes(server: str) -> None:
    async def scenario() -> list[dict[str, object]]:
        async with AsyncHdexClient(server, DEV_KEYS[5]) as bot, AsyncHdexClient(server, DEV_KEYS[6]) as other:
            await bot.load_markets()
            seen: list[dict[str, object]] = []
            stream = bot.stream({"channel": "book", "market": MARKET}, {"channel": "trades", "market": MARKET})

            async def consume() -> None:
                async for message in stream:
                    seen.append(message)
                    if message.get("channel") == "trades":
                        return

            consumer = asyncio.create_task(consume())
            await asyncio.sleep(0.3)  # subscribed
            placed = await bot.place_order(MARKET, "buy", 10**18, 3_000 * 10**6)
            await other.place_order(MARKET, "sell", 10**18, 3_000 * 10**6)
            await asyncio.wait_for(consumer, timeout=10)
            assert (await bot.order(placed["hash"]))["status"] == "filled"
            return seen

    seen = asyncio.run(scenario())
    kinds = [(m["channel"], m.get("type")) for m in seen if "op" not in m]
    assert kinds[0] == ("book", "snapshot")
    assert ("book", "delta") in kinds and kinds[-1] == ("trades", "trade")


def test_the_example_market_maker_quotes_both_sides_and_refreshes(server: str) -> None:
    import subprocess
    import sys

    from backend.paths import PROJECT_ROOT

    result = subprocess.run(
        [sys.executable, "scripts/market_maker.py", "--url", server, "--key", DEV_KEYS[7], "--rounds", "2",
         "--refresh", "0.1", "--levels", "2"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("4 quotes around") == 2
    assert "cancelled 4 quotes" in result.stdout  # the second round's: the first round's were replaced
    with HdexClient(server) as reader:
        book = reader.book(MARKET)
        assert book["bids"] == [] and book["asks"] == []  # nothing left resting after it exits
