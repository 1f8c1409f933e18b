"""Commands in the journal's two record forms: field text (what format 3 frames hold) and flat tuples.

Field text (`record_text`, read back by `entries_from_text`): a record is a run of fields, each ended by
`FIELD_END` (the ASCII unit separator, 0x1F), written by one f-string in the compiled core, with no
object per field and nothing the cycle collector tracks. The fields: the sequence number (empty when
it is the previous record's plus one; a journal's first record always names it), a tag, then
  P place   order_id, account, market, kinds, price, qty, stop_price, expires_at, ts
  C cancel  order_id, ts
  M amend   order_id, qty, ts
  E expire  ts
  J any other command (a place with `reference_trigger` or `filled` too), or one whose text holds a FIELD_END: its
            tuple record (below) as JSON, which escapes every control character
`kinds` is four digits, each an index into `_SIDES`, `_ORDER_TYPES`, `_TIFS` (0 for none) and `_STPS`:
the tuples are part of the format, so members may only be appended. Integers are decimal, of any
size (amounts in base units outgrow 64 bits); an empty stop_price or expires_at is None.

Tuples (`command_to_record`, `record_to_command`): `(tag, field, ...)` with enums as their string
values, readable by any serializer of plain tuples; the J record's JSON, and format 1 and 2 journals
(pickles of them). Tags: P place, C cancel, A cancel all, M amend, K add market, S set market state,
E expire orders, R set reference price. A P tuple ends with `reference_trigger` (True or False) and `filled`;
one written before they existed ends at `ts` (False, 0) or at `reference_trigger` (0).
"""

from __future__ import annotations

import json
from typing import Any, Final

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
            command.reference_trigger, command.filled,
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
    if type(command) is SetReferencePrice:
        return ("R", command.market, command.at_least, command.at_most, command.ts)
    return ("E", command.ts)


def record_to_command(record: Record) -> Command:
    """Inverse of `command_to_record`; raises `CommandFormatError` for an unknown or malformed record."""
    try:
        tag, *fields = record
        if tag == "P":
            order_id, account, market, side, order_type, price, qty, stop_price, tif, stp, expires_at, ts, *rest = (
                fields
            )
            if len(rest) > 2 or (rest and type(rest[0]) is not bool) or (len(rest) == 2 and type(rest[1]) is not int):
                raise ValueError(f"a place record ends with {rest!r}, not reference_trigger and filled")
            return PlaceOrder(
                order_id, account, market, Side(side), OrderType(order_type), price, qty, stop_price,
                None if tif is None else TimeInForce(tif), SelfTradePrevention(stp), expires_at, ts,
                bool(rest and rest[0]), rest[1] if len(rest) == 2 else 0,
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
        if tag == "R":
            return SetReferencePrice(*fields)
    except (TypeError, ValueError) as exc:
        raise CommandFormatError(f"malformed journal record {record!r}: {exc}") from exc
    raise CommandFormatError(f"unknown journal record tag in {record!r}")


FIELD_END: Final = "\x1f"
"""Ends every field of the field text (written as a literal `\\x1f` in the f-strings below)."""

# Code tables of the `kinds` field: a code is a position, so members may only ever be appended.
_SIDES: Final[tuple[Side, ...]] = (Side.BUY, Side.SELL)
_ORDER_TYPES: Final[tuple[OrderType, ...]] = (
    OrderType.LIMIT, OrderType.MARKET, OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT,
    OrderType.TAKE_PROFIT_LIMIT,
)  # fmt: skip
_TIFS: Final[tuple[TimeInForce | None, ...]] = (
    None, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.POST_ONLY,
)  # fmt: skip
_STPS: Final[tuple[SelfTradePrevention, ...]] = (
    SelfTradePrevention.CANCEL_TAKER, SelfTradePrevention.CANCEL_MAKER, SelfTradePrevention.CANCEL_BOTH,
)  # fmt: skip
_DIGITS: Final = "0123456789"
_KINDS_FIELDS: Final = tuple(
    f"\x1f{side}{order_type}{tif}{stp}\x1f"
    for side in _DIGITS[: len(_SIDES)]
    for order_type in _DIGITS[: len(_ORDER_TYPES)]
    for tif in _DIGITS[: len(_TIFS)]
    for stp in _DIGITS[: len(_STPS)]
)
"""Every kinds field with the separators around it, in the order `_kinds_field` numbers them."""


def record_text(seq_field: str, command: Command) -> str:
    """The command as field text (see the module docs), `seq_field` being its sequence number field."""
    if type(command) is PlaceOrder:  # the hot path: checked first, by exact type
        order_id, account, market = command.order_id, command.account, command.market
        if (
            FIELD_END not in order_id
            and FIELD_END not in account
            and FIELD_END not in market
            and not command.reference_trigger
            and not command.filled
        ):
            stop_price, expires_at = command.stop_price, command.expires_at
            # fewer pieces make a cheaper f-string: the usual order has neither
            optional = (
                "\x1f\x1f"
                if stop_price is None and expires_at is None
                else f"{_optional(stop_price)}\x1f{_optional(expires_at)}\x1f"
            )
            return (
                f"{seq_field}\x1fP\x1f{order_id}\x1f{account}\x1f{market}{_kinds_field(command)}{command.price}"
                f"\x1f{command.qty}\x1f{optional}{command.ts}\x1f"
            )
    elif type(command) is CancelOrder:
        if FIELD_END not in command.order_id:
            return f"{seq_field}\x1fC\x1f{command.order_id}\x1f{command.ts}\x1f"
    elif type(command) is AmendOrder:
        if FIELD_END not in command.order_id:
            return f"{seq_field}\x1fM\x1f{command.order_id}\x1f{command.qty}\x1f{command.ts}\x1f"
    elif type(command) is ExpireOrders:
        return f"{seq_field}\x1fE\x1f{command.ts}\x1f"
    return f"{seq_field}\x1fJ\x1f{json.dumps(command_to_record(command))}\x1f"


def entries_from_text(text: str, previous_seq: int | None) -> list[tuple[int, Command]]:
    """`(seq, command)` of every record in `text` (one frame's field text); `previous_seq` is the
    sequence number of the record before it, None at the start of a journal. Raises
    `CommandFormatError` if the text is not whole records of known tags with well-formed fields."""
    fields = text.split(FIELD_END)
    if fields.pop() != "":
        raise CommandFormatError("journal field text does not end with a whole field")
    entries: list[tuple[int, Command]] = []
    seq, index, count = previous_seq, 0, len(fields)
    while index < count:
        at = index + 2
        width = _FIELD_COUNTS.get(fields[index + 1], -1) if at <= count else -1
        if width < 0 or at + width > count:
            raise CommandFormatError(f"the journal record after {seq} has an unknown tag or is cut short")
        seq = _record_seq(fields[index], seq)
        entries.append((seq, _command(fields[index + 1], fields[at : at + width])))
        index = at + width
    return entries


_FIELD_COUNTS: Final = {"P": 9, "C": 2, "M": 3, "E": 1, "J": 1}
"""Fields after the tag, per tag."""


def _record_seq(field: str, previous: int | None) -> int:
    if field:
        try:
            return int(field)
        except ValueError:
            raise CommandFormatError(f"journal sequence number {field!r} is not an integer") from None
    if previous is None:
        raise CommandFormatError("the journal's first record does not name its sequence number")
    return previous + 1


def _command(tag: str, values: list[str]) -> Command:
    """The command of one record's fields after its tag."""
    try:
        if tag == "P":
            order_id, account, market, kinds, price, qty, stop_price, expires_at, ts = values
            if len(kinds) != 4:
                raise ValueError(f"kinds {kinds!r} is not four codes")
            return PlaceOrder(
                order_id, account, market, _SIDES[_DIGITS.index(kinds[0])], _ORDER_TYPES[_DIGITS.index(kinds[1])],
                int(price), int(qty), _optional_int(stop_price), _TIFS[_DIGITS.index(kinds[2])],
                _STPS[_DIGITS.index(kinds[3])], _optional_int(expires_at), int(ts),
            )  # fmt: skip
        if tag == "C":
            order_id, ts = values
            return CancelOrder(order_id, int(ts))
        if tag == "M":
            order_id, qty, ts = values
            return AmendOrder(order_id, int(qty), int(ts))
        if tag == "E":
            return ExpireOrders(int(values[0]))
        record = json.loads(values[0])
        if not isinstance(record, list):
            raise ValueError("not a JSON list")
        return record_to_command(tuple(record))
    except CommandFormatError:
        raise
    except (TypeError, ValueError, IndexError) as exc:  # a non-number, an unknown kind code, bad JSON
        raise CommandFormatError(f"malformed journal record {tag} {values!r}: {exc}") from exc


def _kinds_field(command: PlaceOrder) -> str:
    """The kinds field with its separators, from the table: one piece of the record's f-string, not six."""
    side, order_type = _position(command.side, _SIDES), _position(command.order_type, _ORDER_TYPES)
    tif, stp = _position(command.tif, _TIFS), _position(command.stp, _STPS)
    return _KINDS_FIELDS[((side * len(_ORDER_TYPES) + order_type) * len(_TIFS) + tif) * len(_STPS) + stp]


def _position(member: object, members: tuple[object, ...]) -> int:
    """Where `member` is in `members`; raises `ValueError` if it is not there."""
    # the first two by identity (enum members are singletons): quick in the compiled and the pure core
    # alike, where `index` alone costs a method call in one and a Python loop costs in the other
    if members[0] is member:
        return 0
    if members[1] is member:
        return 1
    return members.index(member)


def _optional(value: int | None) -> str:
    return "" if value is None else str(value)


def _optional_int(text: str) -> int | None:
    return None if text == "" else int(text)
