"""The JSON-lines format of `hdex engine replay`: command lines in, event and book lines out.

Command lines (`op` picks the command; unknown fields are refused so typos do not pass silently):
  {"op":"add_market","market":"ETH-USDC","tick_size":5,"lot_size":10,"min_notional":0}
  {"op":"place","id":"o1","account":"a1","market":"ETH-USDC","side":"buy","type":"limit",
   "price":1000,"qty":30,"tif":"GTC","stp":"cancel_taker","stop_price":990,"expires_at":50}
  {"op":"cancel","id":"o1"}   {"op":"cancel_all","account":"a1","market":"ETH-USDC"}
  {"op":"amend","id":"o1","qty":20}   {"op":"set_market_state","market":"ETH-USDC","state":"halted"}
  {"op":"expire","ts":60}   {"op":"reference_price","market":"ETH-USDC","at_least":995,"at_most":995}
`price` is required for every type: for `market`, `stop_market` and `take_profit` it is the worst
acceptable price. `stop_price` is required for the stop and take-profit kinds only; such an order
with `"reference_trigger":true` waits for the reference price instead of the last trade.
Every line may carry `ts` (an integer); a line without one uses its line number, so expiry times
in a replay file can be written as line numbers. Numbers are JSON integers, never floats.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from backend.engine.commands import (
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    ExpireOrders,
    PlaceOrder,
    SetMarketState,
    SetReferencePrice,
)
from backend.engine.errors import CommandFormatError
from backend.engine.events import (
    BookDelta,
    Event,
    MarketAdded,
    MarketStateChanged,
    OrderAccepted,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderTriggered,
    Rejected,
    Trade,
)
from backend.engine.orders import OrderView
from backend.engine.types import MarketState, OrderType, SelfTradePrevention, Side, TimeInForce


def parse_command_line(text: str, line_no: int) -> Command:
    """The command on one line; raises `CommandFormatError` saying what is wrong with it."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandFormatError(f"not JSON: {exc.msg}") from None
    except ValueError as exc:  # an integer past Python's 4,300-digit limit for reading one
        raise CommandFormatError(f"not JSON this reader takes: {exc}") from None
    if not isinstance(obj, dict):
        raise CommandFormatError("a command line must be a JSON object")
    fields = _Fields(obj)
    op = fields.text("op")
    parse = _PARSERS.get(op)
    if parse is None:
        raise CommandFormatError(f"unknown op {op!r}; expected one of {', '.join(_PARSERS)}")
    command = parse(fields, fields.optional_int("ts", line_no))
    fields.refuse_unknown()
    return command


def event_to_json(event: Event) -> dict[str, Any]:
    """One event as a JSON object: `ev` names its kind, then its fields (order ids as `id`)."""
    name, renames = _EVENT_NAMES[type(event)]
    out: dict[str, Any] = {"ev": name}
    for key, value in event._asdict().items():
        out[renames.get(key, key)] = value
    return out


def book_to_json(market: str, side: Side, orders: list[OrderView]) -> dict[str, Any]:
    """The end-of-replay line listing one side's resting orders in priority order."""
    return {
        "ev": "book",
        "market": market,
        "side": side.value,
        "orders": [{"id": o.order_id, "price": o.price, "remaining": o.remaining} for o in orders],
    }


_ID = {"order_id": "id"}
_EVENT_NAMES: dict[type[Any], tuple[str, dict[str, str]]] = {
    MarketAdded: ("market_added", {}),
    MarketStateChanged: ("market_state", {}),
    OrderAccepted: ("accepted", {"order_id": "id", "order_type": "type"}),
    Rejected: ("rejected", _ID),
    Trade: ("trade", {"maker_order_id": "maker", "taker_order_id": "taker"}),
    OrderCancelled: ("cancelled", _ID),
    OrderTriggered: ("triggered", _ID),
    OrderExpired: ("expired", _ID),
    OrderAmended: ("amended", _ID),
    BookDelta: ("book_delta", {}),
}


class _Fields:
    """Typed access to a command object's fields, remembering which were read."""

    def __init__(self, obj: dict[str, Any]) -> None:
        self._obj = obj
        self._seen: set[str] = set()

    def _get(self, key: str) -> Any:
        self._seen.add(key)
        if key not in self._obj:
            raise CommandFormatError(f"missing field {key!r}")
        return self._obj[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value:
            raise CommandFormatError(f"field {key!r} must be a non-empty string")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key)
        # bool is an int subclass, and a float here would smuggle rounding into the money model
        if type(value) is not int:
            raise CommandFormatError(f"field {key!r} must be an integer")
        return value

    def optional_int(self, key: str, default: int | None) -> Any:
        self._seen.add(key)
        return default if self._obj.get(key) is None else self.integer(key)

    def optional_bool(self, key: str) -> bool:
        self._seen.add(key)
        value = self._obj.get(key, False)
        if type(value) is not bool:
            raise CommandFormatError(f"field {key!r} must be true or false")
        return value

    def optional_text(self, key: str) -> str | None:
        self._seen.add(key)
        return None if self._obj.get(key) is None else self.text(key)

    def choice(self, key: str, enum: Callable[[str], Any]) -> Any:
        return self._member(key, enum, self.text(key))

    def optional_choice(self, key: str, enum: Callable[[str], Any], default: Any) -> Any:
        raw = self.optional_text(key)
        return default if raw is None else self._member(key, enum, raw)

    def _member(self, key: str, enum: Callable[[str], Any], raw: str) -> Any:
        try:
            return enum(raw)
        except ValueError:
            raise CommandFormatError(f"field {key!r} has unknown value {raw!r}") from None

    def refuse_unknown(self) -> None:
        unknown = sorted(set(self._obj) - self._seen)
        if unknown:
            raise CommandFormatError(f"unknown field(s) {', '.join(unknown)}")


def _place(f: _Fields, ts: int) -> Command:
    return PlaceOrder(
        order_id=f.text("id"),
        account=f.text("account"),
        market=f.text("market"),
        side=f.choice("side", Side),
        order_type=f.choice("type", OrderType),
        price=f.integer("price"),
        qty=f.integer("qty"),
        stop_price=f.optional_int("stop_price", None),
        tif=f.optional_choice("tif", TimeInForce, None),
        stp=f.optional_choice("stp", SelfTradePrevention, SelfTradePrevention.CANCEL_TAKER),
        expires_at=f.optional_int("expires_at", None),
        ts=ts,
        reference_trigger=f.optional_bool("reference_trigger"),
    )


_PARSERS: dict[str, Callable[[_Fields, int], Command]] = {
    "add_market": lambda f, ts: AddMarket(
        f.text("market"), f.integer("tick_size"), f.integer("lot_size"), f.optional_int("min_notional", 0), ts
    ),
    "set_market_state": lambda f, ts: SetMarketState(f.text("market"), f.choice("state", MarketState), ts),
    "place": _place,
    "cancel": lambda f, ts: CancelOrder(f.text("id"), ts),
    "cancel_all": lambda f, ts: CancelAll(f.text("account"), f.optional_text("market"), ts),
    "amend": lambda f, ts: AmendOrder(f.text("id"), f.integer("qty"), ts),
    "expire": lambda f, ts: ExpireOrders(ts),
    "reference_price": lambda f, ts: SetReferencePrice(
        f.text("market"), f.integer("at_least"), f.integer("at_most"), ts
    ),
}
