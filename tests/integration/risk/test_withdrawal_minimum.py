"""The minimum withdrawal: each relayed withdrawal costs the operator a transaction's gas, so one worth less than
`withdrawal_min_value` in the reference token (valued as the tier limits value it; default 10 USDC) is refused
as WITHDRAWAL_TOO_SMALL, storing and holding nothing; `GET /v1/withdrawals/quote` tells it beforehand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.settings import Settings

from ..api.exchange_fixtures import WETH, Exchange, prepare, running
from .withdrawal_fixtures import USDC_UNIT, body, error, untouched, withdrawal

MINIMUM = Settings.model_fields["withdrawal_min_value"].default  # the documented default


@pytest.fixture
def exchange(sqlite_url: str, tmp_path: Path) -> Iterator[Exchange]:
    """The exchange at the default minimum (the shared fixtures lift it out of the way)."""
    yield from running(prepare(sqlite_url, tmp_path, withdrawal_min_value=MINIMUM))


def test_the_default_minimum_is_10_usdc() -> None:
    assert MINIMUM == 10 * USDC_UNIT


def test_a_withdrawal_worth_less_than_the_minimum_is_refused_and_changes_nothing(exchange: Exchange) -> None:
    before = untouched(exchange)
    refused = exchange.client.post("/v1/withdrawals", json=body(withdrawal(amount=MINIMUM - 1)))
    assert error(refused) == (422, "WITHDRAWAL_TOO_SMALL", "withdrawal.amount")
    message = refused.json()["error"]["message"]
    assert "worth 9.999999 USDC" in message and "minimum withdrawal of 10.00 USDC" in message, message
    # Another token is valued in the reference token: 0.003 WETH at the fixtures' 3,000 USDC is 9 USDC.
    dust = exchange.client.post("/v1/withdrawals", json=body(withdrawal(token=WETH, amount=3 * 10**15)))
    assert error(dust)[:2] == (422, "WITHDRAWAL_TOO_SMALL")
    assert untouched(exchange) == before
    assert exchange.client.post("/v1/withdrawals", json=body(withdrawal(amount=MINIMUM))).status_code == 202


def test_the_quote_tells_the_minimum_and_whether_an_amount_is_below_it(exchange: Exchange) -> None:
    def quote(token: str, amount: int) -> tuple[str, str, bool]:
        answer = exchange.client.get("/v1/withdrawals/quote", params={"token": token, "amount": str(amount)}).json()
        return answer["minimum"], answer["value"], answer["belowMinimum"]

    assert quote(WETH, 3 * 10**15) == (str(MINIMUM), str(9 * USDC_UNIT), True)
    assert quote(WETH, 4 * 10**15) == (str(MINIMUM), str(12 * USDC_UNIT), False)
