"""Commands as flat tuples of primitives (str, int, None): the journal's record format.

A record is `(tag, field, ...)` with enums as their string values, so any serializer of plain
tuples can store it and a reader needs no classes to load it. Tags: P place, C cancel, A cancel
all, M amend, K add market, S set market state, E expire orders.
"""

from __future__ import annotations

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
)
from backend.engine.errors import CommandFormatError
from backend.engine.types import MarketState, OrderType, SelfTradePrevention, Side, TimeInForce

Record = tuple[Any, ...]


def command_to_record(command: Command) -> Record:
    """The command as a flat tuple of primitives (see the module docs)."""
    if type(command) is PlaceOrder:  # the hot path: checked first, by exact type
        tif = command.tif
        # `_value_` is a plain attribute; `.value` is a property and costs several times more
        return (
            "P", command.order_id, command.account, command.market, command.side._value_,
            command.order_type._value_, command.price, command.qty, command.stop_price,
            None if tif is None else tif._value_, command.stp._value_, command.expires_at, command.ts,
        )  # fmt: skip
    if type(command) is CancelOrder:
        return ("C", command.order_id, command.ts)
    if type(command) is CancelAll:
        return ("A", command.account, command.market, command.ts)
    if type(command) is AmendOrder:
        return ("M", command.order_id, command.qty, command.ts)
    if type(command) is AddMarket:
        return ("K", command.market, command.tick_size, command.lot_size, command.min_notional, command.ts)
    if type(command) is SetMarketState:
        return ("S", command.market, command.state.value, command.ts)
    return ("E", command.ts)


def journal_rows(entries: list[tuple[int, Command]]) -> list[tuple[int, Record]]:
    """`(seq, command_to_record(command))` for every entry: the rows of one journal frame (a loop
    that runs in the compiled core, where a host's batch of commands is encoded)."""
    return [(seq, command_to_record(command)) for seq, command in entries]


def record_to_command(record: Record) -> Command:
    """Inverse of `command_to_record`; raises `CommandFormatError` for an unknown or malformed record."""
    try:
        tag, *fields = record
        if tag == "P":
            order_id, account, market, side, order_type, price, qty, stop_price, tif, stp, expires_at, ts = fields
            return PlaceOrder(
                order_id, account, market, Side(side), OrderType(order_type), price, qty, stop_price,
                None if tif is None else TimeInForce(tif), SelfTradePrevention(stp), expires_at, ts,
            )  # fmt: skip
        if tag == "C":
            return CancelOrder(*fields)
        if tag == "A":
            return CancelAll(*fields)
        if tag == "M":
            return AmendOrder(*fields)
        if tag == "K":
            return AddMarket(*fields)
        if tag == "S":
            market, state, ts = fields
            return SetMarketState(market, MarketState(state), ts)
        if tag == "E":
            return ExpireOrders(*fields)
    except (TypeError, ValueError) as exc:
        raise CommandFormatError(f"malformed journal record {record!r}: {exc}") from exc
    raise CommandFormatError(f"unknown journal record tag in {record!r}")
