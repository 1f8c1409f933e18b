"""Limits and the back office's users, deny-list, frozen deposits and market state through every operation,
successes and typed errors, for the OpenAPI conformance test (tests/integration/api/test_openapi_responses.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp

from backend.bootstrap import Container
from backend.db.models import ChainEvent, FrozenFunds
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

from ..api.siwe_messages import sign_in_body

PASSWORD = "correct horse battery staple"


def a_limits_day(call: Callable[..., Any], container: Container, own: str, other: str, market: str) -> None:
    """`own` signs in and reads its limits (not `other`'s); an admin looks users up, overrides limits,
    manages the deny-list and halts and reopens `market`."""
    limits = "/v1/accounts/{address}/limits"
    call("GET", limits, 401, f"/v1/accounts/{own}/limits")
    call("POST", "/v1/auth/siwe", 200, json=sign_in_body(call("GET", "/v1/auth/nonce", 200)["nonce"]))
    call("GET", limits, 200, f"/v1/accounts/{own}/limits")
    call("GET", limits, 403, f"/v1/accounts/{other}/limits")
    call("GET", limits, 422, "/v1/accounts/0x1234/limits")
    call("POST", "/v1/auth/logout", 200)

    created = StaffAccounts(container).create("limits-admin@hdex.example", Role.ADMIN, Actor("cli:test"), PASSWORD)
    assert created.totp_setup is not None
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": "limits-admin@hdex.example", "password": PASSWORD})
    body = {"challenge": login["challenge"], "code": pyotp.TOTP(created.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=body)["csrfToken"]}

    call("GET", "/v1/staff/users", 200, params={"q": own})
    call("GET", "/v1/staff/users", 422, params={"q": ""})
    call("GET", "/v1/staff/users/{address}", 200, f"/v1/staff/users/{own}")
    call("GET", "/v1/staff/users/{address}", 422, "/v1/staff/users/0x1234")
    user_limits = "/v1/staff/users/{address}/limits"
    override = {"maxOrderNotional": "5000000000", "reason": "market maker"}
    call("PUT", user_limits, 200, f"/v1/staff/users/{own}/limits", json=override, headers=csrf)
    call("PUT", user_limits, 403, f"/v1/staff/users/{own}/limits", json=override)
    call("PUT", user_limits, 422, f"/v1/staff/users/{own}/limits", json={"reason": ""}, headers=csrf)

    listed = "0x" + "5e" * 20
    call("POST", "/v1/staff/denylist", 201, json={"address": listed, "reason": "phishing"}, headers=csrf)
    call("POST", "/v1/staff/denylist", 422, json={"address": "0x12", "reason": "phishing"}, headers=csrf)
    call("GET", "/v1/staff/denylist", 200)
    remove = "/v1/staff/denylist/{address}/remove"
    call("POST", remove, 200, f"/v1/staff/denylist/{listed}/remove", json={"reason": "cleared"}, headers=csrf)
    call("POST", remove, 404, f"/v1/staff/denylist/{listed}/remove", json={"reason": "cleared"}, headers=csrf)

    frozen_id = _frozen_deposit(container, "0x" + "7a" * 20)
    call("GET", "/v1/staff/frozen", 200)
    call("GET", "/v1/staff/frozen", 422, params={"state": "gone"})
    release = "/v1/staff/frozen/{frozen_id}/release"
    call("POST", release, 200, f"/v1/staff/frozen/{frozen_id}/release", json={"reason": "delisted"}, headers=csrf)
    call("POST", release, 409, f"/v1/staff/frozen/{frozen_id}/release", json={"reason": "delisted"}, headers=csrf)
    call("POST", release, 404, "/v1/staff/frozen/999999/release", json={"reason": "delisted"}, headers=csrf)
    call("POST", release, 422, f"/v1/staff/frozen/{frozen_id}/release", json={"reason": ""}, headers=csrf)

    state = "/v1/staff/markets/{market}/state"
    call("POST", state, 200, f"/v1/staff/markets/{market}/state", json={"state": "halted", "reason": "r"}, headers=csrf)
    call("POST", state, 200, f"/v1/staff/markets/{market}/state", json={"state": "open", "reason": "r"}, headers=csrf)
    call("POST", state, 404, "/v1/staff/markets/NOPE-USDC/state", json={"state": "open", "reason": "r"}, headers=csrf)
    call("POST", state, 422, f"/v1/staff/markets/{market}/state", json={"state": "shut", "reason": "r"}, headers=csrf)
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)


def _frozen_deposit(container: Container, depositor: str) -> int:
    """A final deposit by `depositor` frozen when it was listed (it is not any more); the freeze's id."""
    with container.uow() as uow:
        event = ChainEvent(
            chain_id=container.settings.chain_id, block_number=4, block_hash="0x" + "77" * 32, tx_hash="0x" + "78" * 32,
            log_index=0, contract="0x" + "e1" * 20, name="Deposited", status="final", args={},
        )  # fmt: skip
        uow.session.add(event)
        uow.session.flush()
        frozen = FrozenFunds(chain_event_id=event.id, wallet=depositor, token="0x" + "0b" * 20, amount=1, reason="r")
        uow.session.add(frozen)
        uow.commit()
        return frozen.id
