"""The limits' rows: overrides, withdrawal valuations and usage, and the price book
of the markets table with each market's last trade price. Everything runs in the caller's unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import Fill, LimitOverride, Market, WithdrawalRequest, WithdrawalValuation
from backend.limits.tiers import NO_OVERRIDES, Overrides
from backend.limits.valuation import PriceBook
from backend.settings import Settings
from backend.statuses import WithdrawalStatus

DAY_MS = 86_400_000
MONTH_MS = 30 * DAY_MS


@dataclass(frozen=True, slots=True)
class Usage:
    """Reference base units a wallet's withdrawal requests used in the last 24 hours and 30 days."""

    withdrawal_daily: int
    withdrawal_30d: int


def load_overrides(session: Session, wallet: str) -> Overrides:
    """The wallet's (EIP-55) overrides, or none."""
    row = session.get(LimitOverride, wallet)
    if row is None:
        return NO_OVERRIDES
    return Overrides(row.withdrawal_daily, row.withdrawal_30d, row.max_order_notional)


def save_overrides(session: Session, wallet: str, overrides: Overrides, reason: str, actor: str, now_ms: int) -> None:
    """Make `overrides` the wallet's (none at all: the row goes)."""
    row = session.get(LimitOverride, wallet)
    if not overrides:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = LimitOverride(wallet=wallet)
        session.add(row)
    row.withdrawal_daily = overrides.withdrawal_daily
    row.withdrawal_30d = overrides.withdrawal_30d
    row.max_order_notional = overrides.max_order_notional
    row.reason, row.updated_by, row.updated_at_ms = reason, actor, now_ms


def usage(session: Session, wallet: str, now_ms: int) -> Usage:
    """What the wallet's withdrawal requests that have not failed used, valued when each was accepted."""
    rows = session.execute(
        select(WithdrawalValuation.value, WithdrawalValuation.created_at_ms)
        .join(WithdrawalRequest, WithdrawalRequest.hash == WithdrawalValuation.request_hash)
        .where(
            WithdrawalValuation.wallet == wallet,
            WithdrawalValuation.created_at_ms > now_ms - MONTH_MS,
            WithdrawalRequest.status != WithdrawalStatus.FAILED,
        )
    ).all()
    # Amount columns are text on SQLite: summed here, not in SQL
    return Usage(
        sum(value for value, at in rows if at > now_ms - DAY_MS),
        sum(value for value, _ in rows),
    )


def record_valuation(session: Session, request_hash: str, wallet: str, value: int, now_ms: int) -> None:
    """Count a stored withdrawal request's `value` against its wallet's limits."""
    session.add(WithdrawalValuation(request_hash=request_hash, wallet=wallet, value=value, created_at_ms=now_ms))


def stored_price_book(session: Session, settings: Settings, sourced: Mapping[str, int] | None = None) -> PriceBook:
    """The price book of the markets table, each market at its price in `sourced` (market name -> the price its
    price source was last read at, by the engine host) if it has one, else at the price of its latest stored fill.
    A fill anyone can print; a price source's reading is what the Exchange itself trusts."""
    # one query; each market's latest fill is one step down ix_fills_market_id, not a scan of every fill
    latest = select(Fill.price).where(Fill.market == Market.name).order_by(Fill.id.desc()).limit(1).scalar_subquery()
    rows = session.execute(select(Market, latest)).all()
    prices = {market.name: price for market, price in rows if price is not None}
    prices.update(sourced or {})
    return PriceBook(
        [market for market, _ in rows], prices.get, settings.limits_reference_symbol, settings.limits_fixed_prices
    )
