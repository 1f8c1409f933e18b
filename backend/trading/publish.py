"""The JSON shapes of orders and fills, shared by REST responses and WebSocket messages.

A `Publication` is `(channel key, message)`: `book:<market>`, `trades:<market>`, `account:<wallet>`.
The engine host hands its batch's publications to the market-data hub after the batch is durable.
"""

from __future__ import annotations

from typing import Any

from backend.trading.accounts import checksum
from backend.trading.orders import TrackedOrder, order_to_json

Publication = tuple[str, dict[str, Any]]

SIDE_NAMES = ("buy", "sell")


def order_message(tracked: TrackedOrder, event: str | None = None) -> dict[str, Any]:
    """An order's public view (the REST body of GET /v1/orders/{hash}, the account channel's `order`)."""
    return {
        "type": "order",
        "event": event or tracked.status,
        "hash": tracked.hash,
        "market": tracked.market,
        "side": SIDE_NAMES[tracked.order.side],
        "status": tracked.status,
        "reason": tracked.reason,
        "filled": str(tracked.filled),
        "remaining": str(tracked.remaining if tracked.status == "open" else 0),
        "reserved": str(tracked.reserved),
        "timeInForce": tracked.time_in_force,
        "createdAt": tracked.created_ms,
        "updatedAt": tracked.updated_ms,
        "order": {
            **order_to_json(tracked.order),
            "maker": tracked.maker,
            "baseToken": checksum(tracked.order.baseToken),
            "quoteToken": checksum(tracked.order.quoteToken),
        },
        "signature": tracked.signature,
    }


def fill_message(row: dict[str, Any]) -> dict[str, Any]:
    """A fill's public view from its row (columns as in `backend.db.models.Fill`)."""
    taker_side = 1 - int(row["maker_side"])
    return {
        "type": "trade",
        "id": str(row["id"]),
        "market": row["market"],
        "price": str(row["price"]),
        "baseAmount": str(row["base_amount"]),
        "quoteAmount": str(row["quote_amount"]),
        "takerSide": SIDE_NAMES[taker_side],
        "maker": row["maker"],
        "taker": row["taker"],
        "makerOrderHash": row["maker_order_hash"],
        "takerOrderHash": row["taker_order_hash"],
        "makerFee": str(row["maker_fee"]),
        "takerFee": str(row["taker_fee"]),
        "status": row["status"],
        "time": row["created_at_ms"],
    }
