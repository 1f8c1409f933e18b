"""The arithmetic of the rollups, on plain rows: one market's day from its fills, active wallets over
windows, retention cohorts. Pure: the rollup pass and the read queries feed it rows from the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from backend.stats.days import add_days, week_of
from backend.statuses import FillStatus

BUY = 0


@dataclass(frozen=True, slots=True)
class FillRow:
    """What a rollup needs of a fill (`maker_side`: 0 buy, 1 sell; fees in the token each party received)."""

    maker: str
    taker: str
    maker_side: int
    base_amount: int
    quote_amount: int
    maker_fee: int
    taker_fee: int
    status: str


@dataclass(slots=True)
class MarketDayFigures:
    trades: int = 0
    traders: int = 0
    base_volume: int = 0
    quote_volume: int = 0
    taker_buy_base: int = 0
    taker_sell_base: int = 0
    maker_fee_base: int = 0
    maker_fee_quote: int = 0
    taker_fee_base: int = 0
    taker_fee_quote: int = 0
    failed_trades: int = 0

    @property
    def empty(self) -> bool:
        return self.trades == 0 and self.failed_trades == 0


def market_day(fills: Iterable[FillRow]) -> MarketDayFigures:
    """A market's day from its fills: a fill whose settlement failed moved nothing, so it is only counted."""
    figures = MarketDayFigures()
    wallets: set[str] = set()
    for fill in fills:
        if fill.status == FillStatus.FAILED:
            figures.failed_trades += 1
            continue
        figures.trades += 1
        wallets.update((fill.maker, fill.taker))
        figures.base_volume += fill.base_amount
        figures.quote_volume += fill.quote_amount
        if fill.maker_side == BUY:  # the taker sold: the maker (buyer) paid its fee in base, the taker in quote
            figures.taker_sell_base += fill.base_amount
            figures.maker_fee_base += fill.maker_fee
            figures.taker_fee_quote += fill.taker_fee
        else:
            figures.taker_buy_base += fill.base_amount
            figures.maker_fee_quote += fill.maker_fee
            figures.taker_fee_base += fill.taker_fee
    figures.traders = len(wallets)
    return figures


def active_over(days: Iterable[str], active: Mapping[str, set[str]], window: int) -> dict[str, int]:
    """For each day, the distinct wallets active on it and the `window - 1` days before (1: DAU, 7: WAU, 30: MAU)."""
    result = {}
    for day in days:
        wallets: set[str] = set()
        for back in range(window):
            wallets |= active.get(add_days(day, -back), set())
        result[day] = len(wallets)
    return result


@dataclass(frozen=True, slots=True)
class Cohort:
    week: str  # the Monday of the week of its wallets' first trade
    size: int
    retained: list[int] = field(default_factory=list)  # wallets trading in week 0, 1, 2, ... after it


def cohorts(first_trade: Mapping[str, str], trading_days: Iterable[tuple[str, str]], last_week: str) -> list[Cohort]:
    """Retention by the week of first trade: `first_trade` wallet -> day of its first trade (only the wallets of
    the cohorts wanted), `trading_days` (wallet, day) pairs it traded on, up to the week of `last_week`."""
    members: dict[str, set[str]] = defaultdict(set)
    for wallet, day in first_trade.items():
        members[week_of(day)].add(wallet)
    traded_in: dict[tuple[str, str], set[str]] = defaultdict(set)  # (cohort week, week) -> wallets
    for wallet, day in trading_days:
        if wallet in first_trade:
            traded_in[(week_of(first_trade[wallet]), week_of(day))].add(wallet)
    result = []
    for week in sorted(members):
        retained = []
        current = week
        while current <= week_of(last_week):
            retained.append(len(traded_in.get((week, current), set())))
            current = add_days(current, 7)
        result.append(Cohort(week, len(members[week]), retained))
    return result
