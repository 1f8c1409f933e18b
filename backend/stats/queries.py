"""The statistics tables as the doors show them (API JSON, CSV exports, the CLI): one row shape per table,
amounts as decimal strings, counts as integers, days as `YYYY-MM-DD`.

Public: `markets` (per market per day) and `volume` (per day and quote token). Staff: `tokens` (deposits,
withdrawals, net flow, value locked), `users` (new, daily / weekly / monthly active, first reaching each funnel
step), `fees` (per market, day and fee token), `funnel` and `cohorts` (retention by the week of first trade).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import StatsMarketDay, StatsTokenDay, StatsUserDay, StatsWallet, StatsWalletDay
from backend.stats.days import DayRange, add_days, day_bounds, day_of, week_of
from backend.stats.figures import active_over, cohorts
from backend.trading.rules.markets import Market
from backend.trading.rules.tokens import token_directory, token_fields
from backend.trading.store.markets import load_markets

Row = dict[str, Any]
STAFF_TABLES = ("markets", "volume", "tokens", "users", "fees", "funnel", "cohorts")


def _listed(session: Session) -> dict[str, Market]:
    """name -> market: every market a rollup row names (markets are never removed)."""
    return {market.name: market for market in load_markets(session)}


def _market_rows(session: Session, days: DayRange) -> list[StatsMarketDay]:
    """The market days with trades (a row of only failed fills is the rollup's own bookkeeping: nothing traded)."""
    return list(
        session.scalars(
            select(StatsMarketDay)
            .where(StatsMarketDay.day >= days.first, StatsMarketDay.day <= days.last, StatsMarketDay.trades > 0)
            .order_by(StatsMarketDay.day, StatsMarketDay.market)
        )
    )


def markets(session: Session, days: DayRange) -> list[Row]:
    """Per market per day: trades, distinct traders, volume in base and quote, the taker buy/sell split, fees."""
    listed = _listed(session)
    rows = []
    for r in _market_rows(session, days):
        market = listed[r.market]
        rows.append(
            {
                "day": r.day,
                "market": r.market,
                "base": market.base_symbol,
                "quote": market.quote_symbol,
                "baseDecimals": market.base_decimals,
                "quoteDecimals": market.quote_decimals,
                "trades": r.trades,
                "traders": r.traders,
                "baseVolume": str(r.base_volume),
                "quoteVolume": str(r.quote_volume),
                "takerBuyBase": str(r.taker_buy_base),
                "takerSellBase": str(r.taker_sell_base),
                "makerFeeBase": str(r.maker_fee_base),
                "makerFeeQuote": str(r.maker_fee_quote),
                "takerFeeBase": str(r.taker_fee_base),
                "takerFeeQuote": str(r.taker_fee_quote),
            }
        )
    return rows


def volume(session: Session, days: DayRange) -> list[Row]:
    """Per day and quote token: trades and quote volume summed over the markets quoted in it."""
    listed = _listed(session)
    directory = token_directory(listed.values())
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in _market_rows(session, days):
        quote = listed[r.market].quote_token
        totals[(r.day, quote)][0] += r.trades
        totals[(r.day, quote)][1] += r.quote_volume
    return [
        {
            "day": day,
            "quoteToken": quote,
            "quote": directory[quote].symbol,
            "quoteDecimals": directory[quote].decimals,
            "trades": trades,
            "quoteVolume": str(amount),
        }
        for (day, quote), (trades, amount) in sorted(totals.items())
    ]


def fees(session: Session, days: DayRange) -> list[Row]:
    """Fee revenue per day, market and fee token (buyers pay in base, sellers in quote), maker and taker."""
    listed = _listed(session)
    directory = token_directory(listed.values())
    rows = []
    for r in _market_rows(session, days):
        market = listed[r.market]
        for token, maker_fee, taker_fee in (
            (market.base_token, r.maker_fee_base, r.taker_fee_base),
            (market.quote_token, r.maker_fee_quote, r.taker_fee_quote),
        ):
            if maker_fee or taker_fee:
                rows.append(
                    {
                        "day": r.day,
                        "market": r.market,
                        **token_fields(directory, token),
                        "makerFee": str(maker_fee),
                        "takerFee": str(taker_fee),
                        "total": str(maker_fee + taker_fee),
                    }
                )
    return rows


def tokens(session: Session, days: DayRange) -> list[Row]:
    """Per token per day: deposits and withdrawals (count, amount), net flow, and the chain's value locked; a
    token no market lists has a null symbol and decimals (ETH is always known)."""
    directory = token_directory(load_markets(session))
    rows = session.scalars(
        select(StatsTokenDay)
        .where(StatsTokenDay.day >= days.first, StatsTokenDay.day <= days.last)
        .order_by(StatsTokenDay.day, StatsTokenDay.token)
    )
    return [
        {
            "day": r.day,
            **token_fields(directory, r.token),
            "deposits": r.deposits,
            "depositAmount": str(r.deposit_amount),
            "withdrawals": r.withdrawals,
            "withdrawalAmount": str(r.withdrawal_amount),
            "netFlow": str(r.net_flow),
            "valueLocked": None if r.value_locked is None else str(r.value_locked),
        }
        for r in rows
    ]


def users(session: Session, days: DayRange) -> list[Row]:
    """Every day of the range: new wallets, daily / weekly (7 days) / monthly (30 days) active wallets, and the
    wallets first connecting, signing in, depositing and trading that day."""
    stored = {
        r.day: r
        for r in session.scalars(
            select(StatsUserDay).where(StatsUserDay.day >= days.first, StatsUserDay.day <= days.last)
        )
    }
    active: dict[str, set[str]] = defaultdict(set)
    for wallet, day in session.execute(
        select(StatsWalletDay.wallet, StatsWalletDay.day).where(
            StatsWalletDay.day >= add_days(days.first, -29), StatsWalletDay.day <= days.last
        )
    ).all():
        active[day].add(wallet)
    all_days = list(days.days())
    dau, wau, mau = (active_over(all_days, active, window) for window in (1, 7, 30))
    rows = []
    for day in all_days:
        r = stored.get(day)
        rows.append(
            {
                "day": day,
                "newWallets": r.new_wallets if r else 0,
                "dau": dau[day],
                "wau": wau[day],
                "mau": mau[day],
                "connected": r.connected if r else 0,
                "signedIn": r.signed_in if r else 0,
                "deposited": r.deposited if r else 0,
                "traded": r.traded if r else 0,
            }
        )
    return rows


def funnel(session: Session, days: DayRange) -> list[Row]:
    """The wallets first seen in the range ("seen"), and how many of them have connected, signed in, deposited,
    traded (a bot trades without ever connecting the dApp)."""
    start, end = day_bounds(days.first)[0], day_bounds(days.last)[1]
    wallets = list(
        session.scalars(select(StatsWallet).where(StatsWallet.first_seen_ms >= start, StatsWallet.first_seen_ms < end))
    )
    return [{"step": "seen", "wallets": len(wallets)}] + [
        {"step": step, "wallets": sum(1 for w in wallets if getattr(w, column) is not None)}
        for step, column in (
            ("connected", "connected_ms"),
            ("signed_in", "signed_in_ms"),
            ("deposited", "deposited_ms"),
            ("traded", "traded_ms"),
        )
    ]


def cohorts_table(session: Session, days: DayRange) -> list[Row]:
    """Retention by the week of first trade (cohorts whose week is in the range, each whole: a range starting
    mid-week still counts the wallets that first traded earlier that week): for each cohort its size and how many
    of its wallets traded in week 0, 1, 2, ... up to the range's last week."""
    start, end = day_bounds(week_of(days.first))[0], day_bounds(days.last)[1]
    first = {
        wallet: day_of(ms)
        for wallet, ms in session.execute(
            select(StatsWallet.wallet, StatsWallet.traded_ms).where(
                StatsWallet.traded_ms >= start, StatsWallet.traded_ms < end
            )
        ).all()
        if ms is not None
    }
    trading = session.execute(
        select(StatsWalletDay.wallet, StatsWalletDay.day).where(
            StatsWalletDay.traded.is_(True), StatsWalletDay.day >= week_of(days.first), StatsWalletDay.day <= days.last
        )
    ).all()
    return [{"week": c.week, "size": c.size, "retained": c.retained} for c in cohorts(first, list(trading), days.last)]


# Each table's columns, in its rows' order: the header of an export with no rows (a test holds the rows to them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "markets": (
        "day", "market", "base", "quote", "baseDecimals", "quoteDecimals", "trades", "traders", "baseVolume",
        "quoteVolume", "takerBuyBase", "takerSellBase", "makerFeeBase", "makerFeeQuote", "takerFeeBase",
        "takerFeeQuote",
    ),
    "volume": ("day", "quoteToken", "quote", "quoteDecimals", "trades", "quoteVolume"),
    "tokens": (
        "day", "token", "symbol", "decimals", "deposits", "depositAmount", "withdrawals", "withdrawalAmount",
        "netFlow", "valueLocked",
    ),
    "users": ("day", "newWallets", "dau", "wau", "mau", "connected", "signedIn", "deposited", "traded"),
    "fees": ("day", "market", "token", "symbol", "decimals", "makerFee", "takerFee", "total"),
    "funnel": ("step", "wallets"),
    "cohorts": ("week", "size", "retained"),
}  # fmt: skip

TABLES: dict[str, Callable[[Session, DayRange], list[Row]]] = {
    "markets": markets,
    "volume": volume,
    "tokens": tokens,
    "users": users,
    "fees": fees,
    "funnel": funnel,
    "cohorts": cohorts_table,
}
