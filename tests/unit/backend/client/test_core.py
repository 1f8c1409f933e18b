"""The client's signing and units: its bodies are exactly what the server verifies."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client.core import ClientMarket, Signer, price_units, units
from backend.client.errors import HdexClientError, NotExact, RateLimitedError, raise_for_error
from backend.signing import Domain, recover_signer
from backend.trading.rules.markets import PriceSource
from backend.trading.rules.orders import parse_order_request

DOMAIN = Domain(31337, "0x" + "e1" * 20)
MARKET = ClientMarket(
    "WETH-USDC", "0x" + "0a" * 20, "0x" + "0b" * 20, 18, 6, 10**4, 10**15, 10**7, 1_000, 2_000, "open"
)


def signer_from(first_nonce: int) -> Signer:
    signer = Signer(DEV_KEYS[5], DOMAIN)
    signer.number_orders_from(first_nonce)
    return signer


def test_a_signed_order_body_parses_on_the_server_and_recovers_to_the_wallet() -> None:
    signer = signer_from(7)
    order_hash, body = signer.order_body(MARKET, "sell", 10**18, 3 * 10**9, post_only=True, time_in_force="GTC")
    request = parse_order_request(body)
    assert request.order.flags == 4 and request.order.maxFeeRate == 2_000
    assert recover_signer(bytes.fromhex(order_hash[2:]), request.signature) == signer.address.lower()


def test_orders_carry_consecutive_nonces_from_the_one_the_exchange_gave() -> None:
    signer = Signer(DEV_KEYS[5], DOMAIN)
    with pytest.raises(ValueError, match="number_orders_from"):
        signer.order_body(MARKET, "buy", 10**18, 3 * 10**9)
    signer.number_orders_from(41)
    nonces = [parse_order_request(signer.order_body(MARKET, "buy", 10**18, 3 * 10**9)[1]).order.nonce for _ in "abc"]
    assert nonces == [41, 42, 43]
    assert parse_order_request(signer.order_body(MARKET, "buy", 10**18, 3 * 10**9, nonce=7)[1]).order.nonce == 7
    assert parse_order_request(signer.order_body(MARKET, "buy", 10**18, 3 * 10**9)[1]).order.nonce == 44


@pytest.mark.parametrize(("time_in_force", "flags"), [("FOK", 8), ("IOC", 0)])
def test_fok_signs_its_flag_and_immediate_orders_expire_within_half_a_minute(time_in_force: str, flags: int) -> None:
    _, body = signer_from(1).order_body(MARKET, "buy", 10**18, 3 * 10**9, time_in_force=time_in_force)
    request = parse_order_request(body)
    assert request.order.flags == flags and request.time_in_force == time_in_force
    assert time.time() + 25 < request.order.expiry <= time.time() + 30
    _, resting = signer_from(1).order_body(MARKET, "buy", 10**18, 3 * 10**9, time_in_force="GTC")
    assert parse_order_request(resting).order.expiry > time.time() + 86_000


def test_a_stop_order_without_a_price_source_must_accept_the_operators_trigger() -> None:
    signer = signer_from(1)
    with pytest.raises(ValueError, match="accept_operator_trigger=True"):
        signer.order_body(MARKET, "buy", 10**18, 3 * 10**9, kind="stop_limit", trigger_price=31 * 10**8)
    _, body = signer.order_body(
        MARKET, "buy", 10**18, 3 * 10**9, kind="stop_limit", trigger_price=31 * 10**8, accept_operator_trigger=True
    )
    assert parse_order_request(body).order.flags == 2 | 16
    assert parse_order_request(body).order.nonce == 1  # the refused one took no nonce
    with_feed = replace(MARKET, price_source=PriceSource("0x" + "fe" * 20, 3_600))
    _, body = signer.order_body(with_feed, "sell", 10**18, 3 * 10**9, kind="stop_market", trigger_price=29 * 10**8)
    assert parse_order_request(body).order.flags == 3
    # the consent means nothing to an order that is no stop: signed on one, the exchange refused it (FLAGS_CONFLICT)
    _, body = signer.order_body(MARKET, "buy", 10**18, 3 * 10**9, accept_operator_trigger=True)
    assert parse_order_request(body).order.flags == 0


def test_a_market_reads_its_price_source_from_the_api() -> None:
    listed = {
        "name": "WETH-USDC", "baseToken": {"address": MARKET.base_token, "decimals": 18},
        "quoteToken": {"address": MARKET.quote_token, "decimals": 6}, "tickSize": "10000",
        "lotSize": "1000000000000000", "minNotional": "10000000", "makerFeeRate": 1_000, "takerFeeRate": 2_000,
        "state": "open", "priceSource": None,
    }  # fmt: skip
    assert ClientMarket.from_json(listed) == MARKET
    feed = {"feed": "0x" + "fe" * 20, "maxAge": "3600"}
    assert ClientMarket.from_json({**listed, "priceSource": feed}).price_source == PriceSource("0x" + "fe" * 20, 3_600)


def test_prices_and_amounts_round_down_to_the_grid() -> None:
    assert MARKET.round_price(3_000_012_345) == 3_000_010_000
    assert MARKET.round_amount(1_234_567_890_123_456_789) == 1_234_000_000_000_000_000


def test_api_errors_become_typed_exceptions() -> None:
    with pytest.raises(RateLimitedError) as limited:
        raise_for_error(429, {"error": {"code": "RATE_LIMITED", "message": "slow down"}}, {"Retry-After": "3"})
    assert limited.value.retry_after == 3.0
    with pytest.raises(HdexClientError) as refused:
        raise_for_error(422, {"error": {"code": "PRICE_OFF_TICK", "message": "m", "field": "order.limitPrice"}}, {})
    assert (refused.value.code, refused.value.field) == ("PRICE_OFF_TICK", "order.limitPrice")
    raise_for_error(201, {}, {})


def test_amounts_convert_exactly_however_many_digits_they_have() -> None:
    assert units("12345678901.123456789012345678", 18) == 12_345_678_901_123_456_789_012_345_678
    assert units(Decimal("98765432109876543210.5"), 1) == 987_654_321_098_765_432_105
    assert price_units("123456789.123456", 18, 6) == 123_456_789_123_456


@pytest.mark.parametrize(
    ("convert", "refused"),
    [
        (lambda: units("1.0000000000000000000000000001", 18), "more than 18 decimals"),  # was rounded to 1e18
        (lambda: price_units("2999.9999999999999999999999999", 18, 6), "finer than the price grid"),  # was 3000
        (lambda: price_units("3000.0000001", 18, 6), "finer than the price grid"),
        (lambda: units("abc", 18), "not a finite decimal number"),
        (lambda: units("NaN", 18), "not a finite decimal number"),
        (lambda: price_units("Infinity", 18, 6), "not a finite decimal number"),
    ],
)
def test_what_does_not_convert_exactly_is_refused_never_rounded(convert: Callable[[], int], refused: str) -> None:
    with pytest.raises(NotExact, match=refused) as error:
        convert()
    assert isinstance(error.value, ValueError) and isinstance(error.value, HdexClientError)
