"""`/v1/ws`: book snapshot then numbered deltas, trades, candles, ticker and account streams, over the
in-process bus and (with HDEX_REDIS_URL) through Redis pub/sub."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .exchange_fixtures import MARKET, PRICE, QTY, TICK, Exchange, prepare, running, wallet


@pytest.fixture(params=["in-process", "redis"])
def streaming(request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path) -> Iterator[Exchange]:
    redis_url = None
    if request.param == "redis":
        redis_url = os.environ.get("HDEX_REDIS_URL")
        if not redis_url:
            pytest.skip("no Redis configured (HDEX_REDIS_URL)")
    yield from running(prepare(sqlite_url, tmp_path, redis_url=redis_url))


def receive_until(ws: Any, predicate: Any, limit: int = 50) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if predicate(message):
            return message
    raise AssertionError("expected message never came")


def test_a_book_subscriber_gets_a_snapshot_then_deltas_numbered_without_gaps(streaming: Exchange) -> None:
    streaming.place(5, limitPrice=PRICE - TICK)
    with streaming.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "book", "market": MARKET})
        assert ws.receive_json() == {"op": "subscribed", "channel": f"book:{MARKET}"}
        snapshot = ws.receive_json()
        assert snapshot["type"] == "snapshot"
        assert snapshot["bids"] == [[str(PRICE - TICK), str(QTY)]]
        streaming.place(6, limitPrice=PRICE - TICK)
        streaming.place(7, side=1, limitPrice=PRICE + TICK)
        first = receive_until(ws, lambda m: m.get("type") == "delta")
        second = receive_until(ws, lambda m: m.get("type") == "delta")
        assert first["seq"] == snapshot["seq"] + 1 and second["seq"] == first["seq"] + 1
        assert (first["side"], first["price"], first["qty"]) == ("buy", str(PRICE - TICK), str(2 * QTY))
        assert (second["side"], second["qty"]) == ("sell", str(QTY))


def test_trades_candles_ticker_and_account_channels_follow_a_fill(streaming: Exchange) -> None:
    with streaming.client.websocket_connect("/v1/ws") as ws:
        for message in (
            {"op": "subscribe", "channel": "trades", "market": MARKET},
            {"op": "subscribe", "channel": "candles", "market": MARKET, "interval": "5m"},
            {"op": "subscribe", "channel": "account", "address": wallet(6).lower()},
            {"op": "subscribe", "channel": "ticker", "market": MARKET},
        ):
            ws.send_json(message)
            assert ws.receive_json()["op"] == "subscribed"
        assert ws.receive_json()["channel"] == "ticker"  # the ticker's current state
        maker = streaming.place(5).json()
        streaming.place(6, side=1)
        seen: dict[str, dict[str, Any]] = {}
        tickers: list[dict[str, Any]] = []
        while not {"trades:trade", "candles:", "account:order", "account:fill"} <= seen.keys() or not any(
            t["last"] for t in tickers
        ):
            message = ws.receive_json()
            kind = message["channel"] + ":" + str(message.get("type", ""))
            seen.setdefault(kind, message)
            if kind == "ticker:":
                tickers.append(message)
        assert seen["trades:trade"]["makerOrderHash"] == maker["hash"]
        assert seen["candles:"]["interval"] == "5m" and seen["candles:"]["trades"] == 1
        # the maker's bid moved the best bid before any trade; the fill took it and set the last price
        assert [(t["last"], t["bestBid"], t["bestAsk"]) for t in tickers] == [
            (None, str(PRICE), None),
            (str(PRICE), None, None),
        ]
        assert seen["account:order"]["status"] in ("open", "filled")
        assert seen["account:fill"]["taker"] == wallet(6)


def test_ping_is_answered_and_bad_messages_get_typed_errors(streaming: Exchange) -> None:
    with streaming.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "ping"})
        assert ws.receive_json() == {"op": "pong"}
        ws.send_text("{not json")
        assert ws.receive_json()["error"]["code"] == "MALFORMED_JSON"
        ws.send_json({"op": "subscribe", "channel": "book", "market": "NOPE"})
        assert ws.receive_json()["error"]["code"] == "UNKNOWN_MARKET"
        ws.send_json({"op": "subscribe", "channel": "gossip"})
        assert ws.receive_json()["error"]["field"] == "channel"
        ws.send_json({"op": "subscribe", "channel": "account", "address": "0x12"})
        assert ws.receive_json()["error"]["field"] == "address"


def test_an_unsubscribed_channel_stops(streaming: Exchange) -> None:
    with streaming.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "trades", "market": MARKET})
        ws.receive_json()
        ws.send_json({"op": "unsubscribe", "channel": "trades", "market": MARKET})
        assert ws.receive_json()["op"] == "unsubscribed"
        streaming.place(5)
        streaming.place(6, side=1)
        ws.send_json({"op": "ping"})
        assert ws.receive_json() == {"op": "pong"}  # no trade message came first


def test_another_thread_or_process_can_publish_to_an_account_channel(streaming: Exchange) -> None:
    import threading

    from backend.marketdata.account_updates import AccountNotifier, account_notifier_for

    settings = streaming.container.settings
    with streaming.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "account", "address": wallet(5)})
        ws.receive_json()
        sender = threading.Thread(
            target=account_notifier_for(streaming.container),
            args=(wallet(5), {"type": "fill", "id": "7", "status": "settled"}),
        )
        sender.start()
        sender.join()
        assert receive_until(ws, lambda m: m.get("type") == "fill")["status"] == "settled"
        if settings.redis_url:  # as a separate process would: its own notifier, no hub, through Redis
            assert AccountNotifier(settings)(wallet(5), {"type": "fill", "id": "8"})
            assert receive_until(ws, lambda m: m.get("id") == "8")["channel"] == "account"
