"""`trades(market, limit)` past the API's page (500 trades) reads page by page, as `fills` does: it used to send the
whole limit in one request, which the API refuses (422), so a bot could not read more than one page of trades."""

from __future__ import annotations

import asyncio

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client import AsyncHdexClient, HdexClient, core

from .exchange_fixtures import MARKET

PRICE = 3_000 * 10**6


def test_trades_past_one_page_are_read_page_by_page_with_the_sync_and_the_async_client(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with HdexClient(server, DEV_KEYS[5]) as maker, HdexClient(server, DEV_KEYS[6]) as taker:
        for _ in range(3):
            maker.place_order(MARKET, "buy", 10**17, PRICE)
            taker.place_order(MARKET, "sell", 10**17, PRICE, time_in_force="IOC")
        newest_first = maker.trades(MARKET, limit=2)
        assert len(newest_first) == 2
        everything = maker.trades(MARKET, limit=501)  # more than one page: not a 422
        assert len(everything) == 3 and everything[:2] == newest_first

    async def read() -> list[dict[str, object]]:
        async with AsyncHdexClient(server) as reader:
            return await reader.trades(MARKET, limit=1_000)

    assert asyncio.run(read()) == everything
    monkeypatch.setattr(core, "PAGE", 2)  # pages of 2: the 3 trades take two requests, the second from the cursor
    with HdexClient(server) as reader:
        assert reader.trades(MARKET, limit=3) == everything
    assert asyncio.run(read()) == everything
