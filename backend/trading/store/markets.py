"""Markets in the database: load, add, change state. Used by `hdex market` and the engine host."""

from __future__ import annotations

import time
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import ChainEvent
from backend.db.models import Market as MarketRow
from backend.engine import MarketState
from backend.errors import CodedError, ErrorCode
from backend.statuses import ChainEventStatus
from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import Market, market_rule_error
from backend.trading.rules.tokens import ETH


class MarketError(CodedError, ValueError):
    """A market definition or change the exchange refuses; the message says why."""

    CODE = ErrorCode.INVALID_MARKET


def _to_domain(row: MarketRow) -> Market:
    return Market(
        name=row.name,
        base_token=row.base_token,
        quote_token=row.quote_token,
        base_symbol=row.base_symbol,
        quote_symbol=row.quote_symbol,
        base_decimals=row.base_decimals,
        quote_decimals=row.quote_decimals,
        tick_size=row.tick_size,
        lot_size=row.lot_size,
        min_notional=row.min_notional,
        maker_fee_rate=row.maker_fee_rate,
        taker_fee_rate=row.taker_fee_rate,
        state=MarketState(row.state),
    )


def load_markets(session: Session) -> list[Market]:
    """Every market, by name, its fee rates no higher than the Exchange's fee schedule: the contract refuses a
    fee above the schedule (a trade charged more is skipped on-chain), and Custody may lower the schedule (or
    a market be added with rates above it) at any time."""
    markets = [_to_domain(row) for row in session.scalars(select(MarketRow).order_by(MarketRow.name))]
    schedule = fee_schedule(session)
    if schedule is None:
        return markets
    maker, taker = schedule
    return [
        replace(m, maker_fee_rate=min(m.maker_fee_rate, maker), taker_fee_rate=min(m.taker_fee_rate, taker))
        for m in markets
    ]


def fee_schedule(session: Session) -> tuple[int, int] | None:
    """The Exchange's (maker, taker) fee rates in millionths, from its latest `FeeScheduleSet` the indexer has
    seen (the constructor emits the first), pending ones included: a new schedule binds the next block's
    settlements. None before the indexer has seen one."""
    latest = session.scalar(
        select(ChainEvent)
        .where(ChainEvent.name == "FeeScheduleSet", ChainEvent.status != ChainEventStatus.ORPHANED)
        .order_by(ChainEvent.id.desc())
        .limit(1)
    )
    return None if latest is None else (int(latest.args["makerFeeRate"]), int(latest.args["takerFeeRate"]))


def add_market(session: Session, market: Market) -> Market:
    """Record a new market (the caller commits) and return it as stored: its fee rates no higher than the
    Exchange's fee schedule, as `load_markets` would cap them anyway. Raises `MarketError` for a bad or
    duplicate one."""
    market = replace(market, base_token=checksum(market.base_token), quote_token=checksum(market.quote_token))
    problem = market_rule_error(market)
    if problem is not None:
        raise MarketError(problem)
    for side, token, decimals in (("base", market.base_token, market.base_decimals),
                                  ("quote", market.quote_token, market.quote_decimals)):  # fmt: skip
        if token == ETH and decimals != 18:  # token zero is the Exchange's ether balance: wei, 18 decimals
            raise MarketError(f"the {side} token is ether (the zero address): --{side}-decimals must be 18")
    schedule = fee_schedule(session)
    if schedule is not None:
        market = replace(
            market, maker_fee_rate=min(market.maker_fee_rate, schedule[0]),
            taker_fee_rate=min(market.taker_fee_rate, schedule[1]),
        )  # fmt: skip
    if not market.name or len(market.name) > 40 or "/" in market.name:
        raise MarketError("a market name is 1-40 characters without '/'")
    if session.get(MarketRow, market.name) is not None:
        raise MarketError(f"market {market.name} exists")
    pair = session.scalar(
        select(MarketRow).where(MarketRow.base_token == market.base_token, MarketRow.quote_token == market.quote_token)
    )
    if pair is not None:
        raise MarketError(f"market {pair.name} already trades this pair")
    session.add(
        MarketRow(
            name=market.name,
            base_token=market.base_token,
            quote_token=market.quote_token,
            base_symbol=market.base_symbol,
            quote_symbol=market.quote_symbol,
            base_decimals=market.base_decimals,
            quote_decimals=market.quote_decimals,
            tick_size=market.tick_size,
            lot_size=market.lot_size,
            min_notional=market.min_notional,
            maker_fee_rate=market.maker_fee_rate,
            taker_fee_rate=market.taker_fee_rate,
            state=market.state.value,
            created_at_ms=time.time_ns() // 1_000_000,
        )
    )
    return market


def set_market_state(session: Session, name: str, state: MarketState) -> None:
    """Open, halt or make a market cancel-only (the caller commits); the running engine follows."""
    row = session.get(MarketRow, name)
    if row is None:
        raise MarketError(f"no market {name}")
    row.state = state.value


DEV_MARKET = "WETH-USDC"


def ensure_dev_market(session: Session, contracts: dict[str, str]) -> Market | None:
    """The development chain's market over the two demo tokens, created once (the caller commits).

    Grid: tick 0.01 USDC per WETH (1e4), lot 0.001 WETH (1e15), min notional 10 USDC; fees as the
    dev Exchange's fee schedule, so every fill the engine makes is one the contract accepts.
    """
    from backend.chain.deploy import DEV_MAKER_FEE_RATE, DEV_TAKER_FEE_RATE

    if "WETH" not in contracts or "USDC" not in contracts or session.get(MarketRow, DEV_MARKET) is not None:
        return None
    return add_market(
        session,
        Market(
            DEV_MARKET, contracts["WETH"], contracts["USDC"], "WETH", "USDC", 18, 6, 10**4, 10**15, 10 * 10**6,
            DEV_MAKER_FEE_RATE, DEV_TAKER_FEE_RATE, MarketState.OPEN,
        ),
    )  # fmt: skip
