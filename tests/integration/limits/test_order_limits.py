"""Orders against the maximum order notional: one worth more than the maker's maximum is refused (after
its signature is checked) and changes nothing; a raised level counts at the next order; a sell is worth at
least its base amount once the market has a price; an exchange whose reference token no market lists
refuses every order rather than leave them unchecked."""

from __future__ import annotations

from pathlib import Path

from ..api.exchange_fixtures import PRICE, QTY, Exchange, prepare, running
from .conftest import DEFAULT_LIMITS, raise_level


def refusal(response: object) -> tuple[int, str, str]:
    body = response.json()["error"]  # type: ignore[attr-defined]
    return response.status_code, body["code"], body["message"]  # type: ignore[attr-defined]


def test_an_order_above_the_level_0_maximum_notional_is_refused_and_changes_nothing(limited: Exchange) -> None:
    before = limited.state()
    status, code, message = refusal(limited.place(5))  # 1 WETH at 3,000 USDC
    assert (status, code) == (422, "ORDER_NOTIONAL_LIMIT_EXCEEDED")
    assert "worth 3,000.00 USDC; your maximum order is 1,000.00 USDC (level 0)" in message
    assert limited.state() == before


def test_an_order_worth_exactly_the_maximum_is_accepted_and_one_lot_more_is_not(limited: Exchange) -> None:
    at_2000 = 2_000 * 10**6
    assert limited.place(5, baseAmount=501 * 10**15, limitPrice=at_2000).status_code == 422  # 1,002 USDC
    assert limited.place(5, baseAmount=500 * 10**15, limitPrice=at_2000).status_code == 201  # 1,000 USDC


def test_a_raised_level_counts_at_the_next_order(limited: Exchange) -> None:
    assert limited.place(5).status_code == 422
    raise_level(limited, 5, 1)
    assert limited.place(5).status_code == 201  # 3,000 USDC: within level 1's 20,000


def test_a_signature_that_is_not_the_makers_is_refused_before_any_limit_is_told(limited: Exchange) -> None:
    status, code, message = refusal(
        limited.client.post("/v1/orders", json=limited.signed(limited.order(5), key_index=6))
    )
    assert (status, code) == (401, "SIGNER_NOT_MAKER")
    assert "maximum" not in message


def test_a_sell_is_worth_at_least_its_base_amount_once_the_market_has_a_price(limited: Exchange) -> None:
    assert limited.place(6, side=1, baseAmount=QTY // 10).status_code == 201
    assert limited.place(5, baseAmount=QTY // 10).status_code == 201  # a trade at 3,000
    # 0.4 WETH at 2,500: its quote leg is 1,000 USDC, its WETH is worth 1,200 at the last price
    status, code, message = refusal(limited.place(6, side=1, baseAmount=4 * QTY // 10, limitPrice=2_500 * 10**6))
    assert (status, code) == (422, "ORDER_NOTIONAL_LIMIT_EXCEEDED")
    assert "worth 1,200.00 USDC" in message
    assert PRICE == 3_000 * 10**6


def test_no_order_is_accepted_unchecked_while_no_market_lists_the_reference_token(
    sqlite_url: str, tmp_path: Path
) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, **DEFAULT_LIMITS, limits_reference_symbol="EURC")):
        status, code, message = refusal(exchange.place(5, baseAmount=QTY // 100))
        assert (status, code) == (422, "ORDER_NOTIONAL_LIMIT_EXCEEDED")
        assert "no market lists the limits' reference token EURC" in message


AT_100 = 100 * 10**6  # USDC per WETH


def test_a_sell_into_bids_is_worth_what_the_bids_pay_while_the_market_has_no_price(limited: Exchange) -> None:
    """No trade yet, no fixed price for WETH: the sell's limit alone would value 1 WETH at 100 USDC."""
    raise_level(limited, 6, 1)
    assert limited.place(6, baseAmount=QTY).status_code == 201  # a bid of 1 WETH at 3,000 USDC
    before = limited.state()
    status, code, message = refusal(limited.place(5, side=1, baseAmount=QTY, limitPrice=AT_100))
    assert (status, code) == (422, "ORDER_NOTIONAL_LIMIT_EXCEEDED")
    assert "worth 3,000.00 USDC" in message
    assert limited.state() == before
    assert limited.place(5, side=1, baseAmount=QTY // 10, limitPrice=AT_100).status_code == 201  # 300 USDC
