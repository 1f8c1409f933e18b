"""The client's signing and units: its bodies are exactly what the server verifies."""

from __future__ import annotations

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client.core import ClientMarket, HdexClientError, RateLimitedError, Signer, raise_for_error
from backend.signing import Domain, recover_signer
from backend.trading.rules.orders import parse_order_request

DOMAIN = Domain(31337, "0x" + "e1" * 20)
MARKET = ClientMarket(
    "WETH-USDC", "0x" + "0a" * 20, "0x" + "0b" * 20, 18, 6, 10**4, 10**15, 10**7, 1_000, 2_000, "open"
)


def test_a_signed_order_body_parses_on_the_server_and_recovers_to_the_wallet() -> None:
    signer = Signer(DEV_KEYS[5], DOMAIN)
    order_hash, body = signer.order_body(MARKET, "sell", 10**18, 3 * 10**9, post_only=True, time_in_force="GTC")
    request = parse_order_request(body)
    assert request.order.flags == 4 and request.order.maxFeeRate == 2_000
    assert recover_signer(bytes.fromhex(order_hash[2:]), request.signature) == signer.address.lower()


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
