"""The withdrawal door's risk operations, successes and typed errors, for the OpenAPI conformance test
(tests/integration/api/test_openapi_responses.py): the travel-rule threshold, a withdrawal with travel-rule
data through the bot client's signer, a pause refusing withdrawals, and staff reading the data and resuming."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp

from backend.chain.devkeys import DEV_KEYS
from backend.client.core import Signer
from backend.risk.withdrawal_pause import pause_withdrawals
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role
from backend.trading.rules.accounts import checksum

from ..api.exchange_fixtures import USDC, Exchange
from .withdrawal_fixtures import travel_rule

PASSWORD = "correct horse battery staple"


def a_withdrawal_risk_day(call: Callable[..., Any], exchange: Exchange) -> None:
    """Dev wallet 5 asks about the threshold and withdraws with travel-rule data; withdrawals are paused and
    refused; an admin sees the pause, reads the data and resumes them."""
    quote = "/v1/withdrawals/quote"
    call("GET", quote, 200, params={"token": USDC, "amount": "5000000"})
    call("GET", quote, 422, params={"token": USDC})
    signer = Signer(DEV_KEYS[5], exchange.domain)
    withdrawal_hash, body = signer.withdrawal_body(checksum(USDC), 5 * 10**6, 0, travel_rule=travel_rule())
    call("POST", "/v1/withdrawals", 202, json=body)
    _, elsewhere = signer.withdrawal_body(checksum(USDC), 5 * 10**6, 0, travel_rule=travel_rule(6))
    call("POST", "/v1/withdrawals", 422, json=elsewhere)
    with exchange.container.uow() as uow:
        pause_withdrawals(uow.session, "ledger differs from chain", {"differences": 1})
        uow.commit()
    call("POST", "/v1/withdrawals", 503, json=signer.withdrawal_body(checksum(USDC), 5 * 10**6, 0)[1])

    call("GET", "/v1/staff/risk/withdrawals", 401)
    created = StaffAccounts(exchange.container).create(
        "risk-admin@hdex.example", Role.ADMIN, Actor("cli:test"), PASSWORD
    )
    assert created.totp_setup is not None
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": "risk-admin@hdex.example", "password": PASSWORD})
    totp = {"challenge": login["challenge"], "code": pyotp.TOTP(created.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=totp)["csrfToken"]}

    call("GET", "/v1/staff/risk/withdrawals", 200)
    record = "/v1/staff/withdrawals/{withdrawalHash}/travel-rule"
    call("GET", record, 200, f"/v1/staff/withdrawals/{withdrawal_hash}/travel-rule")
    call("GET", record, 404, "/v1/staff/withdrawals/0x" + "00" * 32 + "/travel-rule")
    call("GET", record, 422, "/v1/staff/withdrawals/0x12/travel-rule")
    resume = "/v1/staff/risk/withdrawals/resume"
    call("POST", resume, 422, json={"reason": ""}, headers=csrf)
    call("POST", resume, 200, json={"reason": "explained"}, headers=csrf)
    call("POST", resume, 409, json={"reason": "explained"}, headers=csrf)
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)
