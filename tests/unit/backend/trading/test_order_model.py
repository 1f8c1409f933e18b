"""The order model derives everything about an order from its signed fields, once: the token it holds,
its kind, the time in force it is stored with, the engine command that places it, and the signed order
back from its database row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from backend.engine import OrderType, PlaceOrder, Side, TimeInForce
from backend.signing import Order
from backend.trading.rules.orders import (
    TrackedOrder,
    order_from_row,
    order_kind,
    parse_order_request,
    place_command,
    reserved_token,
)

BASE, QUOTE = "0x" + "0a" * 20, "0x" + "0b" * 20
ORDER = Order("0x" + "aa" * 20, BASE, QUOTE, 0, 10**18, 3_000_000_000, 0, 2000, 7, 2_000_000_000, 0)


def signed(**changes: Any) -> Order:
    return ORDER._replace(**changes)


def request(tif: str | None = None, **changes: Any) -> Any:
    fields = signed(**changes)._asdict()
    order = {name: str(value) if isinstance(value, int) else value for name, value in fields.items()}
    body = {"order": order, "signature": "0x" + "11" * 65, **({"timeInForce": tif} if tif else {})}
    return parse_order_request(body)


def test_a_buy_holds_the_quote_token_and_a_sell_the_base_token() -> None:
    assert reserved_token(signed(side=0)) == QUOTE
    assert reserved_token(signed(side=1)) == BASE


@pytest.mark.parametrize(
    ("flags", "kind"),
    [(0, OrderType.LIMIT), (1, OrderType.MARKET), (2, OrderType.STOP_LIMIT), (3, OrderType.STOP_MARKET),
     (4, OrderType.LIMIT)],
)  # fmt: skip
def test_the_low_two_flag_bits_sign_the_kind_and_post_only_does_not_change_it(flags: int, kind: OrderType) -> None:
    assert order_kind(signed(flags=flags)) is kind


@pytest.mark.parametrize(
    ("flags", "tif", "stored"),
    [
        (0, None, TimeInForce.GTC),
        (1, None, TimeInForce.IOC),
        (2, None, TimeInForce.GTC),
        (3, None, TimeInForce.IOC),
        (0, "FOK", TimeInForce.FOK),
        (0, "IOC", TimeInForce.IOC),
        (4, "IOC", TimeInForce.POST_ONLY),
    ],
)
def test_the_stored_time_in_force_is_the_requested_one_post_only_or_the_kinds_default(
    flags: int, tif: str | None, stored: TimeInForce
) -> None:
    assert request(tif, flags=flags).stored_time_in_force is stored


def test_the_engine_command_carries_the_signed_side_kind_prices_and_an_expiry_after_the_signed_second() -> None:
    order = signed(side=1, flags=2, triggerPrice=2_900_000_000)
    command = place_command(order, "0xhash", "0xMaker", "ETH-USDC", 5, TimeInForce.GTC, 123, 0)
    assert command == PlaceOrder(
        "0xhash", "0xMaker", "ETH-USDC", Side.SELL, OrderType.STOP_LIMIT, 3_000_000_000, 5, 2_900_000_000,
        TimeInForce.GTC, expires_at=2_000_000_001_000, ts=123, reference_trigger=True,
    )  # fmt: skip
    assert place_command(ORDER, "0xhash", "0xMaker", "ETH-USDC", 5, None, 1, 0).stop_price is None


@pytest.mark.parametrize(("flags", "on_reference"), [(2, True), (3, True), (18, False), (19, False), (0, False)])
def test_a_stop_waits_for_the_price_source_the_contract_checks_unless_it_accepts_the_operators_trigger(
    flags: int, on_reference: bool
) -> None:
    order = signed(side=1, flags=flags, triggerPrice=2_900_000_000 if flags else 0)
    assert place_command(order, "0xhash", "0xMaker", "ETH-USDC", 5, None, 1, 0).reference_trigger is on_reference


def test_the_engine_takes_an_order_off_the_settlement_margin_before_its_signed_expiry() -> None:
    """The contract skips a trade mined after the expiry: the last seconds are not matched."""
    command = place_command(ORDER, "0xhash", "0xMaker", "ETH-USDC", 5, TimeInForce.GTC, 123, 10)
    assert command.expires_at == (ORDER.expiry - 10 + 1) * 1000


def test_a_tracked_order_places_only_its_remaining_part_again_with_its_stored_time_in_force() -> None:
    tracked = TrackedOrder("0xhash", ORDER, "ETH-USDC", "0xMaker", QUOTE, b"\x11", "IOC", 1, 0)
    tracked.filled = 4 * 10**17
    command = tracked.place_command(99, 10)
    assert (command.qty, command.tif, command.side, command.ts) == (6 * 10**17, TimeInForce.IOC, Side.BUY, 99)
    assert command.expires_at == (ORDER.expiry - 10 + 1) * 1000  # restored with the same margin


@dataclass
class Row:
    maker: str
    side: int
    base_amount: int
    limit_price: int
    trigger_price: int
    max_fee_rate: int
    nonce: int
    expiry: int
    flags: int


@dataclass
class Pair:
    base_token: str
    quote_token: str


def test_an_order_row_and_its_market_give_back_the_signed_order_field_for_field() -> None:
    order = signed(side=1, triggerPrice=5, flags=6)
    row = Row(order.maker, order.side, order.baseAmount, order.limitPrice, order.triggerPrice, order.maxFeeRate,
              order.nonce, order.expiry, order.flags)  # fmt: skip
    assert order_from_row(row, Pair(BASE, QUOTE)) == order
