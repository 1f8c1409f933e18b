"""Price feeds: for each market whose Exchange has a price source (`priceFeed(base, quote)`, a Chainlink
`AggregatorV3Interface`), one pass compares the feed with the market.

- FEED_STALE (warning): the feed's round is older than the source's `maxAge` at the chain head's time (the
  clock the Exchange judges it by), from the future, or the feed cannot be read or answers zero or less: the
  Exchange would not trust it, so stop orders waiting on it do not settle.
- FEED_DEVIATION (warning): the market's last trade price and the feed's, on the market's price grid, differ
  by more than the market's `feed_alert_bps` of the feed's price (its risk settings; `risk_*` by default).
- Beyond `feed_halt_bps` the market halts for its `cooldown_s` (critical FEED_DEVIATION), once per trade
  that deviates: a market that reopens and has not traded since is not halted again on the same old price,
  and a market staff halted or reopened is left to them until it trades again.

A broken feed is an alert, never an exception: nothing one feed answers stops the pass for another market.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.alerts import AlertKind, Severity
from backend.chain.jsonrpc import RpcError
from backend.chain.price_sources import (
    FeedUnusable,
    RpcCall,
    feed_view,
    latest_block,
    read_latest_round,
    read_price_feed,
)
from backend.db.models import Fill, MarketHalt
from backend.engine import MarketState
from backend.metrics import FEED_AGE, FEED_ALERT_BPS, FEED_DEVIATION, FEED_HALT_BPS, FEED_MAX_AGE, FEED_UP
from backend.monitoring.report import PassReport
from backend.settings import Settings
from backend.trading.rules.markets import Market
from backend.trading.store.markets import load_markets
from backend.trading.store.risk import market_risk_settings

log = logging.getLogger(__name__)
BPS = 10_000
_DECIMALS = "0x" + keccak(text="decimals()")[:4].hex()


class MarketHalts(Protocol):
    """The door that halts a market: the engine host's owner (`TradingService.halt_market`)."""

    def halt_market(
        self, market: str, kind: str, reason: str, until_ms: int, *, reference: int | None, price: int | None
    ) -> object: ...


@dataclass(frozen=True, slots=True)
class FeedLimits:
    """How far a market's last trade may stray from its feed before an alert, before a halt (0: off), and how
    long a halt lasts: the market's risk settings (`feed_alert_bps`, `feed_halt_bps`, `cooldown_s`)."""

    alert_bps: int
    halt_bps: int
    halt_s: int


def market_feed_limits(session: Session, settings: Settings, market: str) -> FeedLimits:
    """The market's own feed limits (staff's market risk settings), each one unset following `risk_*`."""
    risk = market_risk_settings(session, settings, market)
    return FeedLimits(risk.feed_alert_bps, risk.feed_halt_bps, risk.cooldown_s)


@dataclass(frozen=True, slots=True)
class FeedRound:
    answer: int  # > 0
    updated_at: int  # seconds
    decimals: int


def read_feed_round(call: RpcCall, feed: str) -> FeedRound:
    """The feed's latest round and its decimals, as `PriceSourceLib.latest` accepts them; FeedUnusable
    otherwise (RpcError when the node itself fails)."""
    answer, updated_at = read_latest_round(call, feed)
    try:
        (decimals,) = decode(["uint8"], feed_view(call, feed, _DECIMALS))
    except (DecodingError, OverflowError) as exc:
        raise FeedUnusable(f"unexpected answer: {exc}") from None
    return FeedRound(answer, updated_at, int(decimals))


def reference_price(answer: int, feed_decimals: int, market: Market) -> int:
    """The feed's answer on the market's price grid (quote base units per 1e18 base base-units), rounded down as
    the Exchange's `PriceSourceLib.referencePrice`: answer * 10^(18 + quoteDecimals - baseDecimals - feedDecimals)."""
    exponent = 18 + market.quote_decimals - market.base_decimals - feed_decimals
    scale: int = 10 ** abs(exponent)
    return answer * scale if exponent >= 0 else answer // scale


def deviation_bps(reference: int, price: int) -> int:
    """|price - reference| in basis points of `reference` (> 0), rounded down."""
    return abs(price - reference) * BPS // reference


def check_feeds(
    session: Session,
    call: RpcCall,
    exchange: str,
    settings: Settings,
    now_ms: int,
    halts: MarketHalts | None,
) -> PassReport:
    """One pass over every market's price feed in the caller's unit of work (the caller commits). Halts go
    through `halts` before this pass writes anything (the halting door writes on its own connection); without a
    door (no engine host in this process) a deviation past the halt limit raises its alert and says so."""
    report = PassReport()
    try:
        _, chain_now = latest_block(call)
        markets = load_markets(session)
    except RpcError as exc:
        report.failed("feeds", str(exc))
        return report
    pending: list[_Pending] = []  # alerts, raised once every halt is done
    for market in markets:
        try:
            pending.extend(_check_market(session, call, exchange, settings, market, chain_now, now_ms, halts, report))
        except Exception as exc:  # whatever one market's feed does, the others are still watched
            log.exception("feed check failed", extra={"market": market.name})
            report.failed(f"feeds:{market.name}", f"{exc.__class__.__name__}: {exc}")
    for alert in pending:
        report.alert(
            session, alert.kind, alert.severity, alert.message, subject=alert.subject, dedup_key=alert.dedup_key,
            details=alert.details, now_ms=now_ms,
        )  # fmt: skip
    return report


@dataclass(frozen=True, slots=True)
class _Pending:
    kind: AlertKind
    severity: Severity
    message: str
    subject: str
    dedup_key: str
    details: dict[str, Any]


def _check_market(
    session: Session,
    call: RpcCall,
    exchange: str,
    settings: Settings,
    market: Market,
    chain_now: int,
    now_ms: int,
    halts: MarketHalts | None,
    report: PassReport,
) -> list[_Pending]:
    """The alerts one market's feed calls for (its halt, if any, already done)."""
    try:
        source = read_price_feed(call, exchange, market.base_token, market.quote_token)
    except RpcError as exc:
        report.failed(f"feeds:{market.name}", exc.message)
        return []
    if source is None:
        return []
    feed, max_age = source
    FEED_MAX_AGE.labels(market=market.name).set(max_age)
    try:
        round_ = read_feed_round(call, feed)
    except FeedUnusable as exc:
        FEED_UP.labels(market=market.name).set(0)
        return [_stale(market, feed, max_age, f"feed {feed} is unreadable: {exc}", {"error": str(exc)})]
    except RpcError as exc:
        report.failed(f"feeds:{market.name}", exc.message)
        return []
    FEED_UP.labels(market=market.name).set(1)
    age = chain_now - round_.updated_at
    FEED_AGE.labels(market=market.name).set(max(0, age))
    if round_.updated_at == 0 or age < 0 or age > max_age:
        words = "from the future" if age < 0 else f"{age} s old"
        details = {"updatedAt": round_.updated_at, "chainTime": chain_now, "ageS": age}
        return [_stale(market, feed, max_age, f"feed {feed}'s answer is {words} (trusted {max_age} s)", details)]
    limits = market_feed_limits(session, settings, market.name)
    return _deviation(session, market, feed, round_, limits, now_ms, halts, report)


def _stale(market: Market, feed: str, max_age: int, message: str, details: dict[str, Any]) -> _Pending:
    return _Pending(
        AlertKind.FEED_STALE,
        Severity.WARNING,
        f"{market.name}: {message}; stop orders waiting on it do not settle",
        f"market:{market.name}",
        f"{AlertKind.FEED_STALE.value}:{market.name}",
        {"market": market.name, "feed": feed, "maxAgeS": max_age, **details},
    )


def _deviation(
    session: Session,
    market: Market,
    feed: str,
    round_: FeedRound,
    limits: FeedLimits,
    now_ms: int,
    halts: MarketHalts | None,
    report: PassReport,
) -> list[_Pending]:
    FEED_ALERT_BPS.labels(market=market.name).set(limits.alert_bps)
    FEED_HALT_BPS.labels(market=market.name).set(limits.halt_bps)
    last = session.execute(
        select(Fill.price, Fill.created_at_ms).where(Fill.market == market.name).order_by(Fill.id.desc()).limit(1)
    ).first()
    reference = reference_price(round_.answer, round_.decimals, market)
    if last is None or reference <= 0:
        FEED_DEVIATION.labels(market=market.name).set(0)
        return []  # nothing traded yet, or a feed too coarse for this grid: nothing to compare
    price, traded_at_ms = int(last[0]), int(last[1])
    apart = abs(price - reference) * BPS
    FEED_DEVIATION.labels(market=market.name).set(deviation_bps(reference, price))
    beyond_alert = limits.alert_bps > 0 and apart > limits.alert_bps * reference
    beyond_halt = limits.halt_bps > 0 and apart > limits.halt_bps * reference
    if not beyond_alert and not beyond_halt:
        return []
    bps = deviation_bps(reference, price)
    details: dict[str, Any] = {
        "market": market.name, "feed": feed, "reference": str(reference), "lastPrice": str(price),
        "deviationBps": bps, "alertBps": limits.alert_bps, "haltBps": limits.halt_bps,
    }  # fmt: skip
    words = f"last trade {price} is {bps} bps from the feed's {reference}"
    subject = f"market:{market.name}"
    if not beyond_halt:
        message = f"{market.name}: {words} (alert at {limits.alert_bps})"
        dedup_key = f"{AlertKind.FEED_DEVIATION.value}:{market.name}"
        return [_Pending(AlertKind.FEED_DEVIATION, Severity.WARNING, message, subject, dedup_key, details)]
    if not _may_halt(session, market, traded_at_ms, now_ms):
        return []  # halted already, or this trade already halted it once (see the module docs)
    until_ms = now_ms + limits.halt_s * 1000
    reason = f"{words} (halt at {limits.halt_bps} bps)"
    outcome = _halt(halts, market.name, reason, until_ms, reference, price)
    if outcome is None:
        report.halted.append(market.name)
    details.update(halted=outcome is None, haltedUntilMs=until_ms if outcome is None else None, haltError=outcome)
    action = f"halted until {until_ms}" if outcome is None else f"NOT halted ({outcome})"
    dedup_key = f"{AlertKind.FEED_DEVIATION.value}:halt:{market.name}:{traded_at_ms}"  # one per deviating trade
    message = f"{market.name}: {words}: {action}"
    return [_Pending(AlertKind.FEED_DEVIATION, Severity.CRITICAL, message, subject, dedup_key, details)]


def _may_halt(session: Session, market: Market, traded_at_ms: int, now_ms: int) -> bool:
    """Open, not under a halt, and the deviating trade came after the last halt began (see the module docs)."""
    if market.state is not MarketState.OPEN:
        return False
    halt = session.get(MarketHalt, market.name)
    if halt is None:
        return True
    if halt.cleared_by is None and halt.until_ms > now_ms:
        return False
    return traded_at_ms > halt.halted_at_ms


def _halt(halts: MarketHalts | None, market: str, reason: str, until_ms: int, reference: int, price: int) -> str | None:
    """None when the market halted; else why it could not be."""
    if halts is None:
        return "no engine host in this process"
    try:
        halts.halt_market(market, "feed", reason, until_ms, reference=reference, price=price)
    except Exception as exc:  # the door's refusal must not stop the pass: the alert carries it
        log.exception("feed halt failed", extra={"market": market})
        return f"{exc.__class__.__name__}: {exc}"
    log.warning("market halted on its price feed", extra={"market": market, "until_ms": until_ms})
    return None
