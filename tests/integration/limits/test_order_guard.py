"""The order guard's kept values: read on a wallet's first order, served while fresh, re-read in the
background once older than `limits_cache_s` (a lowered limit counts then), re-read at once before a
refusal (a raised one counts at the next order), and forgotten by a staff override."""

from __future__ import annotations

import asyncio
import time

from backend.bootstrap import bootstrap
from backend.engine import MarketState
from backend.errors import HdexError
from backend.limits.orders import OrderLimitGuard
from backend.limits.service import override_limits
from backend.limits.tiers import Overrides
from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import Market

from ..api.exchange_fixtures import LOT, MARKET, PRICE, TICK, USDC, WETH, Exchange, wallet
from .conftest import USDC_UNIT

LISTED = Market(MARKET, checksum(WETH), checksum(USDC), "WETH", "USDC", 18, 6, TICK, LOT, 0, 0, 0, MarketState.OPEN)
MARKETS = {MARKET: LISTED}
NO_TRADES: dict[str, int] = {}
WORTH_600 = 2 * 10**17  # WETH at 3,000 USDC


def lower_max_order(exchange: Exchange, to: int) -> None:
    """Set an override behind the guard's back (no `forget`), as another API process would."""
    with exchange.container.uow() as uow:
        override_limits(
            uow.session, exchange.container.settings, wallet(5), Overrides(max_order_notional=to), reason="test",
            actor="staff:test@hdex.example", ip=None, now_ms=int(time.time() * 1000),
        )  # fmt: skip
        uow.commit()


def place(guard: OrderLimitGuard, amount: int) -> str:
    try:
        guard.check(wallet(5), LISTED, amount, PRICE, MARKETS, NO_TRADES.get)
    except HdexError as refused:
        return refused.code.value
    return "accepted"


def test_a_lowered_limit_counts_once_the_kept_values_are_older_than_the_cache_time(limited: Exchange) -> None:
    now = [1_000.0]
    guard = OrderLimitGuard(limited.container, clock=lambda: now[0])

    async def orders() -> list[str]:
        seen = [place(guard, WORTH_600)]  # first sight: level 0, 1,000 USDC
        lower_max_order(limited, 100 * USDC_UNIT)
        seen.append(place(guard, WORTH_600))  # kept, fresh: still 1,000
        now[0] += limited.container.settings.limits_cache_s + 1
        seen.append(place(guard, WORTH_600))  # stale: served, re-read in the background
        for _ in range(200):
            await asyncio.sleep(0.01)
            if place(guard, WORTH_600) != "accepted":
                break
        seen.append(place(guard, WORTH_600))
        return seen

    assert asyncio.run(orders()) == ["accepted", "accepted", "accepted", "ORDER_NOTIONAL_LIMIT_EXCEEDED"]


def test_an_order_over_the_kept_maximum_is_checked_again_on_a_fresh_read_before_it_is_refused(
    limited: Exchange,
) -> None:
    guard = OrderLimitGuard(limited.container)
    assert place(guard, 4 * WORTH_600) == "ORDER_NOTIONAL_LIMIT_EXCEEDED"  # 2,400 USDC at level 0
    lower_max_order(limited, 5_000 * USDC_UNIT)  # a raise, made elsewhere
    assert place(guard, 4 * WORTH_600) == "accepted"


def test_forget_makes_the_next_order_read_the_wallet_again(limited: Exchange) -> None:
    guard = OrderLimitGuard(limited.container)
    assert place(guard, WORTH_600) == "accepted"
    lower_max_order(limited, 100 * USDC_UNIT)
    assert place(guard, WORTH_600) == "accepted"  # kept
    guard.forget(wallet(5))
    assert place(guard, WORTH_600) == "ORDER_NOTIONAL_LIMIT_EXCEEDED"


def test_with_no_cache_time_every_order_reads_the_wallet(limited: Exchange) -> None:
    uncached = bootstrap(limited.container.settings.model_copy(update={"limits_cache_s": 0.0}))  # the same database
    try:
        guard = OrderLimitGuard(uncached)
        assert place(guard, WORTH_600) == "accepted"
        lower_max_order(limited, 100 * USDC_UNIT)
        assert place(guard, WORTH_600) == "ORDER_NOTIONAL_LIMIT_EXCEEDED"
    finally:
        uncached.db_engine.dispose()
