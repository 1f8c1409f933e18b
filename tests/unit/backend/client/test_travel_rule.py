"""The bot client sends travel-rule data beside the signed withdrawal (never inside what is signed) and asks
the exchange whether an amount needs it."""

from __future__ import annotations

import json
from typing import Any

import httpx

from backend.api.routes.withdrawals import parse_withdrawal, travel_rule_of
from backend.chain.devkeys import DEV_KEYS
from backend.client.core import Signer
from backend.client.sync import HdexClient
from backend.signing import Domain

DOMAIN = Domain(31337, "0x" + "e1" * 20)
USDC = "0x" + "0b" * 20
DATA: dict[str, Any] = {
    "originator": {"legalPerson": {"name": "Analytical Engines Ltd", "countryOfRegistration": "GB"}},
    "beneficiary": {"legalPerson": {"name": "Analytical Engines Ltd"}, "accountNumber": "0x" + "ab" * 20},
}


def test_travel_rule_data_rides_beside_the_signed_withdrawal_and_changes_nothing_signed() -> None:
    signer = Signer(DEV_KEYS[5], DOMAIN)
    plain_hash, plain = signer.withdrawal_body(USDC, 5 * 10**9, 0, nonce=7, expiry=2**40)
    with_hash, with_data = signer.withdrawal_body(USDC, 5 * 10**9, 0, nonce=7, expiry=2**40, travel_rule=DATA)
    assert "travelRule" not in plain and travel_rule_of(plain) is None
    assert travel_rule_of(with_data) == DATA
    assert with_hash == plain_hash and with_data["signature"] == plain["signature"]
    assert parse_withdrawal(with_data) == parse_withdrawal(plain)


def test_the_sync_client_withdraws_with_travel_rule_data_and_asks_for_a_quote() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/fees"):
            return httpx.Response(200, json={"withdrawalFeeRate": 0})
        if request.url.path == "/v1/withdrawals/quote":
            return httpx.Response(200, json={"travelRuleThreshold": "1000000000", "travelRuleRequired": True})
        return httpx.Response(202, json={"status": "accepted"})

    client = HdexClient("http://hdex.test", DEV_KEYS[5])
    client._http = httpx.Client(base_url="http://hdex.test", transport=httpx.MockTransport(answer))
    client._signer = Signer(DEV_KEYS[5], DOMAIN)
    assert client.withdrawal_quote(USDC, 5 * 10**9)["travelRuleRequired"] is True
    assert dict(seen[-1].url.params) == {"token": USDC, "amount": "5000000000"}
    assert client.withdraw(USDC, 5 * 10**9, travel_rule=DATA) == {"status": "accepted"}
    assert json.loads(seen[-1].content)["travelRule"] == DATA
    client.withdraw(USDC, 10**6)
    assert "travelRule" not in json.loads(seen[-1].content)
