"""Wire parsing of signed orders, kinds and flags, holds, and the market grid rules."""

from __future__ import annotations

from typing import Any

import pytest

from backend.engine import MarketState, OrderType, TimeInForce
from backend.errors import HdexError
from backend.trading.rules.markets import PRICE_SCALE, Market, fee, market_rule_error, quote_amount
from backend.trading.rules.orders import parse_hash, parse_order_request, parse_signature, parse_uint, reservation

ORDER = {
    "maker": "0x" + "Aa" * 20, "baseToken": "0x" + "0a" * 20, "quoteToken": "0x" + "0b" * 20, "side": 0,
    "baseAmount": "1000000000000000000", "limitPrice": "3000000000", "triggerPrice": "0", "maxFeeRate": 2000,
    "nonce": "1", "expiry": "2000000000", "flags": 0,
}  # fmt: skip
SIGNATURE = "0x" + "11" * 65


def request(**changes: Any) -> Any:
    return parse_order_request({"order": {**ORDER, **changes}, "signature": SIGNATURE})


def test_numbers_may_be_decimal_strings_or_json_integers_and_addresses_any_case() -> None:
    parsed = request(baseAmount=10**18, nonce="7")
    assert parsed.order.baseAmount == 10**18 and parsed.order.nonce == 7
    assert parsed.order.maker == "0x" + "aa" * 20


@pytest.mark.parametrize(
    "value", ["-1", "1.5", "0x10", "1e18", True, None, 1.0, "", "\uff11"]
)  # the last: a full-width digit
def test_anything_but_a_plain_non_negative_integer_is_an_invalid_field(value: Any) -> None:
    with pytest.raises(HdexError) as error:
        parse_uint(value, 256, "order.limitPrice")
    assert (error.value.code, error.value.field) == ("INVALID_FIELD", "order.limitPrice")


def test_side_is_only_the_signed_0_or_1_and_a_word_is_told_so() -> None:
    assert request(side="1").order.side == 1
    with pytest.raises(HdexError, match=r"side is 0 \(buy\) or 1 \(sell\)") as error:
        request(side="buy")
    assert error.value.field == "order.side"


@pytest.mark.parametrize("value", ["0x" + "ab" * 31 + "  ", "0x" + "ab" * 31 + "\n\n", "ab" * 33, "0x" + "zz" * 32])
def test_a_hash_with_anything_but_64_hex_digits_is_refused_not_shortened(value: str) -> None:
    with pytest.raises(HdexError, match="must be 0x followed by 64 hex digits"):
        parse_hash(value, "orderHash")
    assert parse_hash("0x" + "AB" * 32, "orderHash") == "0x" + "ab" * 32


def test_a_value_beyond_its_solidity_type_is_out_of_range() -> None:
    assert parse_uint(2**128 - 1, 128, "f") == 2**128 - 1
    for value in (str(2**128), -1):
        with pytest.raises(HdexError) as error:
            parse_uint(value, 128, "f")
        assert error.value.code == "AMOUNT_OUT_OF_RANGE"


@pytest.mark.parametrize(
    ("flags", "kind", "tif"),
    [(0, OrderType.LIMIT, None), (1, OrderType.MARKET, None), (2, OrderType.STOP_LIMIT, None),
     (3, OrderType.STOP_MARKET, None), (4, OrderType.LIMIT, TimeInForce.POST_ONLY)],
)  # fmt: skip
def test_flags_give_the_kind_and_post_only(flags: int, kind: OrderType, tif: TimeInForce | None) -> None:
    parsed = request(flags=flags)
    assert (parsed.kind, parsed.engine_tif) == (kind, tif)


def test_a_buy_holds_quote_at_its_limit_and_a_sell_holds_base() -> None:
    buy = request().order
    sell = request(side=1).order
    assert reservation(buy, buy.baseAmount) == 3_000_000_000
    assert reservation(sell, sell.baseAmount) == 10**18


def test_quote_amounts_are_exact_on_the_grid_and_fees_round_down() -> None:
    assert quote_amount(10**15, 3_000_010_000) == 3_000_010  # 0.001 WETH at 3000.01
    assert fee(999, 1_000) == 0 and fee(1_000_000, 1_000) == 1_000


def market(**changes: Any) -> Market:
    values: dict[str, Any] = dict(
        name="WETH-USDC", base_token="0x" + "0a" * 20, quote_token="0x" + "0b" * 20, base_symbol="WETH",
        quote_symbol="USDC", base_decimals=18, quote_decimals=6, tick_size=10**4, lot_size=10**15,
        min_notional=10**7, maker_fee_rate=1_000, taker_fee_rate=2_000, state=MarketState.OPEN,
    )  # fmt: skip
    values.update(changes)
    return Market(**values)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [({}, None), ({"tick_size": 3}, "multiple of 1e18"), ({"taker_fee_rate": 10_001}, "fee rates"),
     ({"quote_token": "0x" + "0A" * 20}, "differ"), ({"lot_size": 0}, ">= 1")],
)  # fmt: skip
def test_market_rules(changes: dict[str, Any], problem: str | None) -> None:
    found = market_rule_error(market(**changes))
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_the_engine_min_notional_is_the_quote_minimum_scaled_by_the_price_scale() -> None:
    command = market().engine_command(ts=5)
    assert (command.tick_size, command.lot_size, command.min_notional) == (10**4, 10**15, 10**7 * PRICE_SCALE)


@pytest.mark.parametrize(("sent", "kept"), [(0, 27), (1, 28), (27, 27), (28, 28), (5, 5)])
def test_a_signature_is_kept_with_v_as_the_contract_takes_it(sent: int, kept: int) -> None:
    """v 0/1 (some wallets) becomes 27/28, the only values the contract's ECDSA takes; any other v is left
    for the signature check to refuse."""
    rs = bytes(range(1, 65))
    assert parse_signature("0x" + (rs + bytes((sent,))).hex()) == rs + bytes((kept,))
