"""`/v1/ws` checks every inbound message against one schema: a bad one gets an error frame with a code,
subscribes nothing, and the socket stays open (it still answers ping)."""

from __future__ import annotations

import json
from typing import Any

from backend.api.routes.ws import MAX_MESSAGE_BYTES

from .exchange_fixtures import MARKET, PRICE, TICK, Exchange

BOOK = {"op": "subscribe", "channel": "book", "market": MARKET}


def assert_refused_then_still_open(ws: Any, code: str, field: str | None) -> None:
    """The next frame is an error with `code` and `field`; the next after a ping is its pong (nothing else)."""
    reply = ws.receive_json()
    assert reply.get("op") == "error", reply
    assert (reply["error"]["code"], reply["error"]["field"]) == (code, field), reply
    ws.send_json({"op": "ping"})
    assert ws.receive_json() == {"op": "pong"}


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({**BOOK, "market": [MARKET]}, "market"),
    ({**BOOK, "market": {"x": 1}}, "market"),
    ({"op": "subscribe", "channel": "candles", "market": MARKET, "interval": ["1m"]}, "interval"),
    ({"op": "subscribe", "channel": ["book"], "market": MARKET}, "channel"),
    ({"op": "subscribe", "channel": "account", "address": ["0x" + "12" * 20]}, "address"),
    ({**BOOK, "depth": -1}, "depth"),
    ({**BOOK, "depth": 0}, "depth"),
    ({**BOOK, "depth": 1001}, "depth"),
    ({**BOOK, "depth": "abc"}, "depth"),
    ({**BOOK, "depth": "5"}, "depth"),
    ({**BOOK, "depth": 5.0}, "depth"),
    ({**BOOK, "depth": True}, "depth"),
    ({**BOOK, "dpeth": 5}, "dpeth"),
    ({"op": ["ping"]}, "op"),
    ({"op": "publish"}, "op"),
    ({"channel": "book", "market": MARKET}, "op"),
    ({"op": "subscribe", "channel": "book"}, "market"),
]


def test_a_message_with_a_bad_field_is_refused_with_that_field_and_the_socket_stays_open(
    sqlite_exchange: Exchange,
) -> None:
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        for message, field in BAD_FIELDS:
            ws.send_json(message)
            assert_refused_then_still_open(ws, "INVALID_FIELD", field)


def test_a_frame_that_is_not_a_json_object_is_refused_as_malformed(sqlite_exchange: Exchange) -> None:
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        for text in ("{not json", "[]", '"ping"', "null", "5"):
            ws.send_text(text)
            assert_refused_then_still_open(ws, "MALFORMED_JSON", None)


def test_a_binary_frame_is_refused_as_malformed_and_the_socket_stays_open(sqlite_exchange: Exchange) -> None:
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_bytes(json.dumps({"op": "ping"}).encode())
        assert_refused_then_still_open(ws, "MALFORMED_JSON", None)


def test_a_frame_over_the_message_limit_is_refused_unparsed_and_the_socket_stays_open(
    sqlite_exchange: Exchange,
) -> None:
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        padded = json.dumps({**BOOK, "market": "X" * MAX_MESSAGE_BYTES})
        ws.send_text(padded)
        assert_refused_then_still_open(ws, "BODY_TOO_LARGE", None)
        # Multi-byte characters count as the bytes they take on the wire.
        ws.send_text(json.dumps({**BOOK, "market": "€" * (MAX_MESSAGE_BYTES // 3)}, ensure_ascii=False))
        assert_refused_then_still_open(ws, "BODY_TOO_LARGE", None)


def test_a_book_depth_within_bounds_limits_the_snapshot(sqlite_exchange: Exchange) -> None:
    sqlite_exchange.place(5, limitPrice=PRICE - TICK)
    sqlite_exchange.place(6, limitPrice=PRICE - 2 * TICK)
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({**BOOK, "depth": 1})
        assert ws.receive_json()["op"] == "subscribed"
        assert ws.receive_json()["bids"] == [[str(PRICE - TICK), str(10**18)]]
