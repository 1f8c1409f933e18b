"""`GET /v1/accounts/{address}/limits`: the wallet's own session sees its level, limits, usage, what
remains, what staff overrode and the next level; another wallet's session is refused."""

from __future__ import annotations

import time

from backend.limits.service import override_limits
from backend.limits.tiers import Overrides

from ..api.exchange_fixtures import USDC, Exchange, wallet
from .conftest import USDC_UNIT, sign_in, withdraw


def test_the_wallets_own_session_sees_its_level_limits_usage_and_the_next_level(limited: Exchange) -> None:
    assert withdraw(limited, 600 * USDC_UNIT).status_code == 202
    sign_in(limited, 5)
    answer = limited.client.get(f"/v1/accounts/{wallet(5).lower()}/limits")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "address": wallet(5),
        "level": 0,
        "reference": {"symbol": "USDC", "token": answer.json()["reference"]["token"], "decimals": 6},
        "limits": {"withdrawalDaily": "1000000000", "withdrawal30d": "5000000000", "maxOrderNotional": "1000000000"},
        "used": {"withdrawalDaily": "600000000", "withdrawal30d": "600000000"},
        "remaining": {"withdrawalDaily": "400000000", "withdrawal30d": "4400000000"},
        "overridden": [],
        "nextLevel": {
            "level": 1,
            "limits": {
                "withdrawalDaily": "20000000000", "withdrawal30d": "100000000000", "maxOrderNotional": "20000000000",
            },
        },
    }  # fmt: skip
    assert answer.json()["reference"]["token"].lower() == USDC


def test_a_staff_override_shows_in_the_limits_and_what_remains(limited: Exchange) -> None:
    with limited.container.uow() as uow:
        override_limits(
            uow.session, limited.container.settings, wallet(5), Overrides(withdrawal_30d=100 * USDC_UNIT),
            reason="under review", actor="staff:ann@hdex.example", ip=None, now_ms=int(time.time() * 1000),
        )  # fmt: skip
        uow.commit()
    sign_in(limited, 5)
    shown = limited.client.get(f"/v1/accounts/{wallet(5)}/limits").json()
    assert shown["overridden"] == ["withdrawal30d"]
    assert (shown["limits"]["withdrawal30d"], shown["remaining"]["withdrawal30d"]) == ("100000000", "100000000")
    assert shown["remaining"]["withdrawalDaily"] == "1000000000"


def test_another_wallets_limits_are_forbidden_and_a_missing_session_is_not_signed_in(limited: Exchange) -> None:
    path = f"/v1/accounts/{wallet(6)}/limits"
    assert limited.client.get(path).json()["error"]["code"] == "NOT_SIGNED_IN"
    sign_in(limited, 5)
    answer = limited.client.get(path)
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "ACCOUNT_FORBIDDEN")
