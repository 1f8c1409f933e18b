"""Staff overrides of a wallet's limits were given for the level it held: a wallet whose declared country is
restricted counts at level 0 without them, and declaring a restricted country or asking for deletion ends them
(audit-logged) and makes the order guard read the wallet again."""

from __future__ import annotations

import time

from sqlalchemy import select

from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import bootstrap
from backend.db.models import LimitOverride
from backend.limits.orders import order_limits_for
from backend.limits.service import account_limits, override_limits
from backend.limits.tiers import Overrides

from ..api.exchange_fixtures import Exchange, wallet
from .conftest import USDC_UNIT, raise_level, sign_in, withdraw
from .test_order_guard import WORTH_600, place

GENEROUS = Overrides(
    withdrawal_daily=200_000 * USDC_UNIT, withdrawal_30d=1_000_000 * USDC_UNIT, max_order_notional=50_000 * USDC_UNIT
)


def trusted(exchange: Exchange) -> None:
    """Dev wallet 5 at level 2 with staff's generous overrides."""
    raise_level(exchange, 5, 2)
    with exchange.container.uow() as uow:
        override_limits(
            uow.session, exchange.container.settings, wallet(5), GENEROUS, reason="trusted desk",
            actor="staff:ann@hdex.example", ip=None, now_ms=int(time.time() * 1000),
        )  # fmt: skip
        uow.commit()


def overrides_and_their_log(exchange: Exchange) -> tuple[list[str], list[tuple[str, dict[str, object] | None]]]:
    with exchange.container.uow() as uow:
        rows = list(uow.session.scalars(select(LimitOverride.wallet)))
        entries = list_entries(uow.session, AuditFilter(action="limits.override"), 10)
    return rows, [(entry.actor, entry.after) for entry in entries]


def ended_by(reason: str) -> tuple[str, dict[str, object]]:
    after = {"withdrawal_daily": None, "withdrawal_30d": None, "max_order_notional": None, "reason": reason}
    return f"wallet:{wallet(5)}", after


def test_declaring_a_restricted_country_ends_the_overrides_and_withdraws_at_level_0_limits(limited: Exchange) -> None:
    trusted(limited)
    guard = order_limits_for(limited.container)
    assert place(guard, 40 * WORTH_600) == "accepted"  # 24,000 USDC under the override; the guard keeps it
    sign_in(limited, 5)
    restricted = limited.container.settings.kyc_restricted_countries[0]
    assert limited.client.put("/v1/account/profile", json={"country": restricted}).json()["level"] == 0
    refused = withdraw(limited, 5_000 * USDC_UNIT)
    assert refused.json()["error"]["code"] == "WITHDRAWAL_LIMIT_EXCEEDED"
    assert "remaining allowance is 1,000.00 USDC" in refused.json()["error"]["message"]
    assert place(guard, 40 * WORTH_600) == "ORDER_NOTIONAL_LIMIT_EXCEEDED"  # forgotten, read again
    rows, log = overrides_and_their_log(limited)
    assert rows == [] and log[0] == ended_by("declared a restricted country")


def test_a_deletion_request_ends_the_overrides(limited: Exchange) -> None:
    trusted(limited)
    guard = order_limits_for(limited.container)
    assert place(guard, 40 * WORTH_600) == "accepted"
    sign_in(limited, 5)
    assert limited.client.post("/v1/account/deletion").status_code == 200
    assert withdraw(limited, 5_000 * USDC_UNIT).json()["error"]["code"] == "WITHDRAWAL_LIMIT_EXCEEDED"
    assert place(guard, 40 * WORTH_600) == "ORDER_NOTIONAL_LIMIT_EXCEEDED"
    rows, log = overrides_and_their_log(limited)
    assert rows == [] and log[0] == ended_by("deletion request")


def test_a_country_restricted_after_the_overrides_counts_at_level_0_without_them_until_it_is_lifted(
    limited: Exchange,
) -> None:
    trusted(limited)
    sign_in(limited, 5)
    assert limited.client.put("/v1/account/profile", json={"country": "GB"}).json()["level"] == 2
    settings = limited.container.settings
    listed = bootstrap(settings.model_copy(update={"kyc_restricted_countries": [*settings.kyc_restricted_countries,
                                                                                  "GB"]}))  # fmt: skip
    try:
        with listed.uow() as uow:
            now = int(time.time() * 1000)
            seen = account_limits(uow.session, listed.settings, wallet(5), now)
        assert (seen.level, seen.overridden, seen.limits.withdrawal_daily) == (0, [], 1_000 * USDC_UNIT)
        assert place(order_limits_for(listed), 40 * WORTH_600) == "ORDER_NOTIONAL_LIMIT_EXCEEDED"
    finally:
        listed.db_engine.dispose()
    with limited.container.uow() as uow:  # GB off the list again: the level and the overrides count as before
        kept = account_limits(uow.session, settings, wallet(5), int(time.time() * 1000))
    assert (kept.level, kept.limits.withdrawal_daily) == (2, 200_000 * USDC_UNIT)
