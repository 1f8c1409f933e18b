"""The JSON shapes of orders, fills and balance changes, shared by REST responses and WebSocket messages.

A `Publication` is `(channel key, message)`: `book:<market>`, `trades:<market>`, `account:<wallet>`, and
`markets` (a market's status when a risk halt starts or ends).
The engine host hands its batch's publications to the market-data hub after the batch is durable.
"""

from __future__ import annotations

from typing import Any

from backend.statuses import OrderStatus
from backend.trading.rules.accounts import AccountBook, available, checksum
from backend.trading.rules.markets import Market
from backend.trading.rules.orders import TrackedOrder, order_to_json
from backend.trading.rules.risk import Halt
from backend.trading.rules.tokens import token_directory, token_fields

Publication = tuple[str, dict[str, Any]]

SIDE_NAMES = ("buy", "sell")


def order_message(tracked: TrackedOrder, event: str | None = None) -> dict[str, Any]:
    """An order's public view (the REST body of GET /v1/orders/{hash}, the account channel's `order`)."""
    return {
        "type": "order",
        "event": event or tracked.status,
        "hash": tracked.hash,
        "clientOrderId": tracked.client_order_id,
        "market": tracked.market,
        "side": SIDE_NAMES[tracked.order.side],
        "status": tracked.status,
        "reason": tracked.reason,
        "filled": str(tracked.filled),
        "filledQuote": str(tracked.filled_quote),  # what it traded for: its average price is this over `filled`
        "remaining": str(tracked.remaining if tracked.status == OrderStatus.OPEN else 0),  # still on the book
        "unfilled": str(tracked.remaining),  # never filled, whatever the status (cancelled: what was left)
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
        "signature": "0x" + tracked.signature.hex(),
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


def account_fill_message(
    row: dict[str, Any], market: Market, wallet: str, client_order_id: str | None
) -> dict[str, Any]:
    """A fill as one of its parties sees it: `liquidity` (maker or taker), its `side`, its `fee` and the
    token the fee is in (`feeToken`, `feeTokenSymbol`, `feeTokenDecimals`): the token it received; the
    `clientOrderId` of the party's own order; and for a failed fill why, as recorded (`failure`) and in
    words (`failureReason`)."""
    liquidity = "maker" if wallet == row["maker"] else "taker"
    side = int(row["maker_side"]) if liquidity == "maker" else 1 - int(row["maker_side"])
    # A buyer receives base and a seller quote; fees are taken from what is received (IExchange).
    token, symbol, decimals = (
        (market.base_token, market.base_symbol, market.base_decimals)
        if side == 0
        else (market.quote_token, market.quote_symbol, market.quote_decimals)
    )
    return {
        **fill_message(row),
        "liquidity": liquidity,
        "side": SIDE_NAMES[side],
        "fee": str(row[f"{liquidity}_fee"]),
        "feeToken": token,
        "feeTokenSymbol": symbol,
        "feeTokenDecimals": decimals,
        "clientOrderId": client_order_id,
        "failure": row.get("failure"),
        "failureReason": row.get("failure_reason"),
    }


def balance_publications(accounts: AccountBook, markets: dict[str, Market]) -> list[Publication]:
    """The account channel's `balance` message of every (wallet, token) that moved since the last call:
    `total` (the ledger balance less unfinished withdrawals and frozen funds: what the wallet can use),
    `reserved` (held by open orders and unsettled fills) and `available` (total - reserved)."""
    changed = accounts.take_changed()
    if not changed:
        return []
    tokens = token_directory(markets.values())
    publications: list[Publication] = []
    for wallet, token in changed:
        total, reserved = accounts.position(wallet, token)
        message = {
            "type": "balance",
            **token_fields(tokens, token),
            "total": str(total),
            "reserved": str(reserved),
            "available": str(available(total, reserved)),
        }
        publications.append((f"account:{wallet}", message))
    return publications


def halt_json(halt: Halt | None) -> dict[str, Any] | None:
    """A risk halt's public view (`GET /v1/markets`, the `markets` channel): null when there is none."""
    if halt is None:
        return None
    return {
        "kind": halt.kind,
        "reason": halt.reason,
        "reference": None if halt.reference is None else str(halt.reference),
        "price": None if halt.price is None else str(halt.price),
        "haltedAt": halt.halted_at_ms,
        "until": halt.until_ms,
    }


def market_status_message(market: str, state: str, halt: Halt | None) -> dict[str, Any]:
    """The `markets` channel's message: a market's state (cancel_only during a risk halt) and its halt."""
    return {"type": "marketStatus", "market": market, "state": state, "halt": halt_json(halt)}
