"""`POST /v1/withdrawals` refuses recipients that would own nothing: the zero address and the Exchange itself."""

from __future__ import annotations

import pytest

from backend.trading.rules.accounts import checksum

from .exchange_fixtures import EXCHANGE, Exchange
from .test_withdrawal_requests import available_usdc, body, requests, withdrawal

UNOWNED = [
    ("zero address", "0x" + "00" * 20),
    ("the exchange", checksum(EXCHANGE)),
    ("the exchange in lower case", EXCHANGE),
]


@pytest.mark.parametrize("recipient", [r[1] for r in UNOWNED], ids=[r[0] for r in UNOWNED])
def test_a_withdrawal_to_an_address_nobody_owns_is_refused_and_changes_nothing(
    sqlite_exchange: Exchange, recipient: str
) -> None:
    before = (sqlite_exchange.state(), requests(sqlite_exchange), available_usdc(sqlite_exchange))
    response = sqlite_exchange.client.post("/v1/withdrawals", json=body(withdrawal(recipient=recipient)))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("INVALID_RECIPIENT", "withdrawal.recipient")
    assert (sqlite_exchange.state(), requests(sqlite_exchange), available_usdc(sqlite_exchange)) == before
