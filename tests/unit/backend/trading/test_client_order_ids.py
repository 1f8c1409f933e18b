"""The optional, unsigned client order id of a placement request."""

from __future__ import annotations

from typing import Any

import pytest

from backend.errors import ErrorCode, HdexError
from backend.trading.rules.orders import parse_client_order_id, parse_order_request

BODY: dict[str, Any] = {
    "order": {
        "maker": "0x" + "11" * 20, "baseToken": "0x" + "0a" * 20, "quoteToken": "0x" + "0b" * 20, "side": 0,
        "baseAmount": "1", "limitPrice": "1", "triggerPrice": "0", "maxFeeRate": 0, "nonce": "1", "expiry": "1",
        "flags": 0,
    },
    "signature": "0x" + "00" * 65,
}  # fmt: skip


@pytest.mark.parametrize("value", ["a", "A-z_09", "x" * 36, "0123456789abcdef0123456789abcdef0123"])
def test_ids_of_one_to_36_letters_digits_underscores_and_dashes_are_accepted(value: str) -> None:
    assert parse_client_order_id(value) == value
    assert parse_order_request({**BODY, "clientOrderId": value}).client_order_id == value


@pytest.mark.parametrize("value", ["", "x" * 37, "a b", "a.b", "é", "a\n", "\u0661", 7, True, ["a"], {"a": 1}])
def test_anything_else_is_refused_as_an_invalid_field(value: Any) -> None:
    with pytest.raises(HdexError) as raised:
        parse_client_order_id(value)
    assert (raised.value.code, raised.value.field) == (ErrorCode.INVALID_FIELD, "clientOrderId")


def test_the_id_is_optional() -> None:
    assert parse_order_request(BODY).client_order_id is None
    assert parse_order_request({**BODY, "clientOrderId": None}).client_order_id is None
