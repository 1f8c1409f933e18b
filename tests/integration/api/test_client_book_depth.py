"""A book rebuilt from `AsyncHdexClient.stream` at a small depth stays the book the API shows at the same `seq`.

A snapshot holds the best `depth` levels per side, deltas come for every level: past the snapshot's last price a
level that has not changed since is unknown. The stream used to pass the subscription's depth on as it was and
every delta through: subscribed at depth 1, a bot whose best bid was taken rebuilt a book with no bids while the
book had three. It now asks for more depth than it was given, keeps to the range the snapshot covers, and
subscribes again for a fresh snapshot when fewer known levels than the depth asked for are left."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from backend.chain.devkeys import DEV_KEYS
from backend.client import AsyncHdexClient

from .exchange_fixtures import MARKET

BEST = 3_000 * 10**6
ONE = 10**17


def rebuild(book: dict[str, dict[int, int]], message: dict[str, Any]) -> None:
    """What a bot does with a book message: a snapshot replaces its levels, a delta sets one (0 removes it)."""
    if message["type"] == "snapshot":
        book["buy"] = {int(price): int(qty) for price, qty in message["bids"]}
        book["sell"] = {int(price): int(qty) for price, qty in message["asks"]}
        return
    side = book[message["side"]]
    side.pop(int(message["price"]), None)
    if int(message["qty"]) > 0:
        side[int(message["price"])] = int(message["qty"])


async def bids_after_taking(server: str, levels: int, taken: int) -> tuple[list[list[int]], list[list[int]]]:
    """Bids at `levels` prices, a depth-1 book stream, a sell taking the best `taken` levels: the bids the stream
    rebuilt and those `GET .../book` shows, both at the seq the stream reached."""
    async with AsyncHdexClient(server, DEV_KEYS[5]) as bot, AsyncHdexClient(server, DEV_KEYS[6]) as other:
        tick = (await bot.market(MARKET)).tick_size
        for level in range(levels):
            await bot.place_order(MARKET, "buy", ONE, BEST - level * tick)
        book: dict[str, dict[int, int]] = {"buy": {}, "sell": {}}
        seq = {"at": -1}
        expected_best = BEST - taken * tick

        async def follow() -> None:
            async for message in bot.stream({"channel": "book", "market": MARKET, "depth": 1}):
                if message.get("channel") == "book":
                    rebuild(book, message)
                    seq["at"] = int(message["seq"])
                    if message["type"] == "snapshot" and "taken" not in seq:
                        seq["taken"] = 0
                        await other.place_order(MARKET, "sell", taken * ONE, BEST - (taken - 1) * tick,
                                                time_in_force="IOC")  # fmt: skip
                    if max(book["buy"], default=None) == expected_best:
                        return

        with contextlib.suppress(TimeoutError):  # asserted below: the rebuilt book never showed the best bid left
            await asyncio.wait_for(follow(), 10)
        shown = await bot.book(MARKET)
        while int(shown["seq"]) < seq["at"]:  # the API's view catches up with what the stream sent
            await asyncio.sleep(0.05)
            shown = await bot.book(MARKET)
        rebuilt = [[price, qty] for price, qty in sorted(book["buy"].items(), reverse=True)]
        return rebuilt, [[int(price), int(qty)] for price, qty in shown["bids"]][: len(rebuilt) or 1]


def test_a_depth_1_book_whose_best_bid_is_taken_still_shows_the_next_bid(server: str) -> None:
    rebuilt, shown = asyncio.run(bids_after_taking(server, levels=4, taken=1))
    assert rebuilt and rebuilt == shown
    assert len(rebuilt) == 3


def test_a_book_eaten_past_its_known_levels_is_subscribed_again_for_a_fresh_snapshot(server: str) -> None:
    rebuilt, shown = asyncio.run(bids_after_taking(server, levels=6, taken=4))  # depth 1 asks for 4: all taken
    assert rebuilt and rebuilt == shown
    assert len(rebuilt) == 2
