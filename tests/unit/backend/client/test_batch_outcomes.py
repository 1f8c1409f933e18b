"""A batch's answer read order by order: the order placed, or the refusal the single door would have raised."""

from __future__ import annotations

import pytest

from backend.client.core import batch_order, batch_outcome
from backend.client.errors import BAD_RESPONSE, HdexClientError, InvalidArgument, RateLimitedError


def test_each_outcome_is_the_order_or_the_typed_refusal() -> None:
    assert batch_outcome({"status": 201, "order": {"hash": "0x01"}, "error": None}) == {"hash": "0x01"}
    refused = batch_outcome({"status": 422, "order": None, "error": {"code": "PRICE_OFF_TICK", "message": "off",
                                                                      "field": "order.limitPrice"}})  # fmt: skip
    assert isinstance(refused, HdexClientError)
    assert (refused.status, refused.code, refused.field) == (422, "PRICE_OFF_TICK", "order.limitPrice")
    limited = batch_outcome({"status": 429, "order": None, "error": {"code": "RATE_LIMITED", "message": "slow"}})
    assert isinstance(limited, RateLimitedError) and limited.retry_after == 1.0
    with pytest.raises(HdexClientError) as odd:  # not an answer of HDEX's: the whole batch's answer is unreadable
        batch_outcome({"status": 201, "order": None, "error": None})
    assert odd.value.code == BAD_RESPONSE


def test_an_order_of_a_batch_takes_place_orders_arguments() -> None:
    order = {"market": "WETH-USDC", "side": "buy", "amount": 5, "price": 7, "post_only": True}
    assert batch_order(order) == ("WETH-USDC", "buy", 5, 7, {"post_only": True})
    with pytest.raises(InvalidArgument) as missing:
        batch_order({"market": "WETH-USDC", "side": "buy"})
    assert missing.value.field == "amount"
