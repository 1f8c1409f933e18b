"""`AsyncHdexClient.stream` against a real WebSocket server on localhost: an abnormal close is a typed error, never a
silent end or a raw websockets exception, and the book's `seq` skips what the book holds and catches real gaps."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from backend.client import AsyncHdexClient, HdexClientError, StreamClosed, SubscriptionRefused

Script = Callable[[ServerConnection], Awaitable[None]]


def book(kind: str, seq: int, **fields: Any) -> str:
    """A book message; a delta sets a bid level, a snapshot holds no level unless given."""
    level: dict[str, Any] = {"side": "buy", "price": "1", "qty": "1"} if kind == "delta" else {"bids": [], "asks": []}
    return json.dumps({"channel": "book", "market": "WETH-USDC", "type": kind, "seq": seq, **level, **fields})


async def _follow(script: Script) -> tuple[list[dict[str, Any]], BaseException | None]:
    """Every message the client's stream yields while the server plays `script`, and what ended it."""
    seen: list[dict[str, Any]] = []
    async with serve(script, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with AsyncHdexClient(f"http://127.0.0.1:{port}") as client:
            try:
                async for message in client.stream({"channel": "book", "market": "WETH-USDC"}):
                    seen.append(message)
            except Exception as exc:
                return seen, exc
    return seen, None


def follow(script: Script) -> tuple[list[dict[str, Any]], BaseException | None]:
    return asyncio.run(asyncio.wait_for(_follow(script), 10))


@pytest.mark.parametrize(("code", "reason"), [(1013, "too slow: resubscribe"), (1011, "fault"), (1001, "")])
def test_a_stream_the_server_closes_abnormally_raises_stream_closed_with_the_code(code: int, reason: str) -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.recv()  # the subscription
        await ws.send(book("snapshot", 5))
        await ws.close(code, reason)

    seen, ended = follow(script)
    assert [m["seq"] for m in seen] == [5]
    assert isinstance(ended, StreamClosed) and isinstance(ended, HdexClientError)
    assert (ended.code, ended.close_code, ended.reason) == ("STREAM_CLOSED", code, reason)


def test_a_connection_lost_without_a_close_frame_raises_stream_closed_1006() -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(book("snapshot", 5))
        ws.transport.abort()

    _, ended = follow(script)
    assert isinstance(ended, StreamClosed) and ended.close_code == 1006


def test_a_normal_close_ends_the_stream() -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(book("snapshot", 5))
        await ws.close(1000)

    seen, ended = follow(script)
    assert ended is None and len(seen) == 1


def test_a_server_that_cannot_be_reached_is_a_network_error() -> None:
    async def scenario() -> None:
        async with AsyncHdexClient("http://127.0.0.1:1") as client:
            async for _ in client.stream({"channel": "trades", "market": "WETH-USDC"}):
                pass

    with pytest.raises(HdexClientError) as refused:
        asyncio.run(scenario())
    assert refused.value.code == "NETWORK"


def test_book_deltas_the_book_holds_are_skipped_and_a_real_gap_raises_book_gap() -> None:
    async def script(ws: ServerConnection) -> None:
        # a delta sent before the snapshot that already holds it, twice (a resubscribe's newer snapshot too)
        # and deltas before the first snapshot, which holds them: alone they would read as the whole book
        for kind, seq in [("delta", 3), ("delta", 4), ("snapshot", 5), ("delta", 4), ("delta", 5), ("delta", 6),
                          ("snapshot", 10), ("delta", 8), ("delta", 11), ("delta", 13)]:  # fmt: skip
            await ws.send(book(kind, seq))
        await ws.wait_closed()

    seen, ended = follow(script)
    assert [(m["type"], m["seq"]) for m in seen] == [("snapshot", 5), ("delta", 6), ("snapshot", 10), ("delta", 11)]
    assert isinstance(ended, HdexClientError) and ended.code == "BOOK_GAP" and "11 to 13" in ended.message


def test_the_servers_gap_notice_is_passed_on_for_an_account_and_raises_book_gap_for_a_book() -> None:
    account_gap = {"op": "gap", "channel": "account:0x" + "ab" * 20}

    async def script(ws: ServerConnection) -> None:
        await ws.send(book("snapshot", 5))
        await ws.send(json.dumps(account_gap))  # a wallet's settlements may have been lost: read them again
        await ws.send(json.dumps({"op": "gap", "channel": "book:WETH-USDC"}))
        await ws.wait_closed()

    seen, ended = follow(script)
    assert seen == [json.loads(book("snapshot", 5)), account_gap]
    assert isinstance(ended, HdexClientError) and ended.code == "BOOK_GAP" and "book:WETH-USDC" in ended.message


def test_a_refused_subscription_raises_subscription_refused_naming_it() -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(json.dumps({"op": "error", "error": {"code": "UNKNOWN_MARKET", "message": "no such market"}}))
        await ws.wait_closed()

    seen, ended = follow(script)
    assert seen == [] and isinstance(ended, SubscriptionRefused) and ended.code == "UNKNOWN_MARKET"
    assert ended.subscription == {"channel": "book", "market": "WETH-USDC"}


def test_a_cut_book_passes_on_only_deltas_in_its_range_and_is_subscribed_again_when_its_known_levels_run_out() -> None:
    asked: list[dict[str, Any]] = []
    bids = [[str(price), "1"] for price in (100, 99, 98, 97)]  # depth 1 is asked as 4: the bids are cut at 97

    async def script(ws: ServerConnection) -> None:
        asked.append(json.loads(await ws.recv()))
        await ws.send(json.dumps({"op": "subscribed", "channel": "book:WETH-USDC"}))
        await ws.send(book("snapshot", 5, bids=bids, asks=[["101", "1"]]))
        await ws.send(book("delta", 6, side="buy", price="96", qty="7"))  # past 97: the levels around it unknown
        await ws.send(book("delta", 7, side="sell", price="105", qty="2"))  # the asks are whole (1 of 4): known
        for seq, price in enumerate((100, 99, 98), start=8):  # 1 known bid left: not fewer than depth 1
            await ws.send(book("delta", seq, side="buy", price=str(price), qty="0"))
        await ws.send(book("delta", 11, side="buy", price="97", qty="0"))  # none left: a fresh snapshot is asked
        asked.append(json.loads(await ws.recv()))
        await ws.send(json.dumps({"op": "subscribed", "channel": "book:WETH-USDC"}))  # the stream's own: not passed
        await ws.send(book("snapshot", 11, bids=[["96", "7"]], asks=[["101", "1"], ["105", "2"]]))
        await ws.close(1000)

    async def scenario() -> list[dict[str, Any]]:
        async with serve(script, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            async with AsyncHdexClient(f"http://127.0.0.1:{port}") as client:
                return [m async for m in client.stream({"channel": "book", "market": "WETH-USDC", "depth": 1})]

    seen = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert [(a["op"], a["depth"]) for a in asked] == [("subscribe", 4), ("subscribe", 4)]
    assert [m.get("op") or (m["type"], m["seq"]) for m in seen] == [
        "subscribed", ("snapshot", 5), ("delta", 7), ("delta", 8), ("delta", 9), ("delta", 10), ("delta", 11),
        ("snapshot", 11),
    ]  # fmt: skip
