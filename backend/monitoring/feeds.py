"""Price feeds: for each market whose Exchange has a price source (`priceFeed(base, quote)`, a Chainlink
`AggregatorV3Interface`), one pass compares the feed with the market.

- FEED_STALE (warning): the feed's round is older than the source's `maxAge` at the chain head's time (the
  clock the Exchange judges it by), from the future, or the feed cannot be read or answers zero or less: the
  Exchange would not trust it, so stop orders waiting on it do not settle.
- FEED_DEVIATION (warning): the market's last trade price and the feed's, on the market's price grid, differ
  by more than the market's `feed_alert_bps` of the feed's price (its risk settings; `risk_*` by default).
- Beyond `feed_halt_bps` the market halts for its `cooldown_s` (critical FEED_DEVIATION, stored with the halt by
  the engine host), once per trade that deviates: a market that reopens and has not traded since is not halted
  again on the same old price, and a market staff halted or reopened (a risk halt cleared, its state set) is
  left to them until it trades again. A market left alone so, or seen by a process that runs no engine host
  (`hdex monitor run-once`, a standby engine process: the process that runs the market halts it), raises the
  warning, saying why it is not halted. A halt the engine host refuses raises a critical FEED_DEVIATION
  "NOT halted" of its own.

A broken feed is an alert, never an exception: nothing one feed answers stops the pass for another market.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.alerts import AlertKind, PendingAlert, Severity
from backend.chain.jsonrpc import RpcError
from backend.chain.price_sources import (
    FeedUnusable,
    RpcCall,
    feed_view,
    latest_block,
    read_latest_round,
    read_price_feed,
)
from backend.db.models import AuditLogEntry, Fill, MarketHalt
from backend.engine import MarketState
from backend.metrics import FEED_AGE, FEED_ALERT_BPS, FEED_DEVIATION, FEED_HALT_BPS, FEED_MAX_AGE, FEED_UP
from backend.monitoring.report import PassReport
from backend.settings import Settings
from backend.trading.rules.markets import Market
from backend.trading.store.markets import load_markets
from backend.trading.store.risk import market_risk_settings
from backend.trading.usecases.market_state import VERBS

log = logging.getLogger(__name__)
BPS = 10_000
_DECIMALS = "0x" + keccak(text="decimals()")[:4].hex()


class HaltUnavailable(RuntimeError):
    """No engine host runs the market in this process (none here, or it stands by for another's lease): the
    process that runs it halts it."""


class MarketHalts(Protocol):
    """The door that halts a market: the engine host's owner (`TradingService.halt_market`), which stores `alert`
    in the same transaction as the halt; HaltUnavailable when this process runs no engine host."""

    def halt_market(
        self,
        market: str,
        kind: str,
        reason: str,
        until_ms: int,
        *,
        reference: int | None,
        price: int | None,
        alert: PendingAlert,
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
    through `halts` before this pass writes anything; the halting door stores each halt's alert with the halt
    on its own connection, so a pass that fails after a halt loses neither. Without a door that can halt (no
    engine host runs here) a deviation past the halt limit raises the warning and says so."""
    report = PassReport()
    try:
        _, chain_now = latest_block(call)
        markets = load_markets(session)
    except RpcError as exc:
        report.failed("feeds", str(exc))
        return report
    pending: list[PendingAlert] = []  # alerts, raised once every halt is done
    for market in markets:
        try:
            pending.extend(_check_market(session, call, exchange, settings, market, chain_now, now_ms, halts, report))
        except Exception as exc:  # whatever one market's feed does, the others are still watched
            log.exception("feed check failed", extra={"market": market.name})
            report.failed(f"feeds:{market.name}", f"{exc.__class__.__name__}: {exc}")
    for alert in pending:
        report.alert(
            session, alert.kind, alert.severity, alert.message, subject=alert.subject, dedup_key=alert.dedup_key,
            details=alert.details, now_ms=alert.now_ms,
        )  # fmt: skip
    return report


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
) -> list[PendingAlert]:
    """The alerts one market's feed calls for (its halt, if any, already done with its own alert)."""
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
        return [_stale(market, feed, max_age, f"feed {feed} is unreadable: {exc}", {"error": str(exc)}, now_ms)]
    except RpcError as exc:
        report.failed(f"feeds:{market.name}", exc.message)
        return []
    FEED_UP.labels(market=market.name).set(1)
    age = chain_now - round_.updated_at
    FEED_AGE.labels(market=market.name).set(max(0, age))
    if round_.updated_at == 0 or age < 0 or age > max_age:
        words = "from the future" if age < 0 else f"{age} s old"
        details = {"updatedAt": round_.updated_at, "chainTime": chain_now, "ageS": age}
        message = f"feed {feed}'s answer is {words} (trusted {max_age} s)"
        return [_stale(market, feed, max_age, message, details, now_ms)]
    limits = market_feed_limits(session, settings, market.name)
    return _deviation(session, market, feed, round_, limits, now_ms, halts, report)


def _stale(market: Market, feed: str, max_age: int, message: str, details: dict[str, Any], now_ms: int) -> PendingAlert:
    return PendingAlert(
        AlertKind.FEED_STALE,
        Severity.WARNING,
        f"{market.name}: {message}; stop orders waiting on it do not settle",
        f"market:{market.name}",
        f"{AlertKind.FEED_STALE.value}:{market.name}",
        {"market": market.name, "feed": feed, "maxAgeS": max_age, **details},
        now_ms,
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
) -> list[PendingAlert]:
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
    deviation = _Deviation(market.name, feed, reference, price, traded_at_ms, limits, now_ms)
    if not beyond_halt:
        return [deviation.warning()]
    left_alone = _why_not_halt(session, market, traded_at_ms, now_ms)
    if left_alone is not None:
        return [deviation.past_halt_limit(f"not halted: {left_alone}")]
    return _halt(halts, deviation, report)


@dataclass(frozen=True, slots=True)
class _Deviation:
    """A market's last trade away from its feed, past the alert limit, and the alerts that say so."""

    market: str
    feed: str
    reference: int
    price: int
    traded_at_ms: int
    limits: FeedLimits
    now_ms: int

    @property
    def bps(self) -> int:
        return deviation_bps(self.reference, self.price)

    @property
    def words(self) -> str:
        return f"last trade {self.price} is {self.bps} bps from the feed's {self.reference}"

    @property
    def until_ms(self) -> int:
        """When a halt on it ends."""
        return self.now_ms + self.limits.halt_s * 1000

    def warning(self, note: str = "") -> PendingAlert:
        """The warning, one open per market whatever the trade."""
        message = f"{self.market}: {self.words} (alert at {self.limits.alert_bps}){note}"
        return self._alert(Severity.WARNING, message, f"{AlertKind.FEED_DEVIATION.value}:{self.market}", {})

    def past_halt_limit(self, why_not_halted: str) -> PendingAlert:
        """The warning, for a deviation past the halt limit that this pass does not halt on."""
        return self.warning(f"; past the halt limit {self.limits.halt_bps}, {why_not_halted}")

    def halted(self) -> PendingAlert:
        """The critical alert the halting door stores with the halt: one per deviating trade."""
        message = f"{self.market}: {self.words}: halted until {self.until_ms}"
        halted = {"halted": True, "haltedUntilMs": self.until_ms, "haltError": None}
        return self._alert(Severity.CRITICAL, message, self._trade_key("halt"), halted)

    def not_halted(self, why: str) -> PendingAlert:
        """The critical alert of a halt the door refused; its own key, so that a later halt of the same trade
        opens a new alert (and is delivered) instead of counting on this one."""
        refused = {"halted": False, "haltedUntilMs": None, "haltError": why}
        return self._alert(Severity.CRITICAL, f"{self.market}: {self.words}: NOT halted ({why})",
                           self._trade_key("halt-refused"), refused)  # fmt: skip

    def _trade_key(self, what: str) -> str:
        return f"{AlertKind.FEED_DEVIATION.value}:{what}:{self.market}:{self.traded_at_ms}"

    def _alert(self, severity: Severity, message: str, dedup_key: str, extra: dict[str, Any]) -> PendingAlert:
        details: dict[str, Any] = {
            "market": self.market, "feed": self.feed, "reference": str(self.reference), "lastPrice": str(self.price),
            "deviationBps": self.bps, "alertBps": self.limits.alert_bps,
            "haltBps": self.limits.halt_bps, **extra,
        }  # fmt: skip
        return PendingAlert(
            AlertKind.FEED_DEVIATION, severity, message, f"market:{self.market}", dedup_key, details, self.now_ms
        )


def _why_not_halt(session: Session, market: Market, traded_at_ms: int, now_ms: int) -> str | None:
    """None when the deviating trade may halt the market; else why it is left alone (see the module docs)."""
    if market.state is not MarketState.OPEN:
        return f"staff set it {market.state.value}"
    halt = session.get(MarketHalt, market.name)
    if halt is not None and halt.cleared_by is None and halt.until_ms > now_ms:
        return f"halted until {halt.until_ms}"
    if halt is not None and traded_at_ms <= halt.halted_at_ms:
        return "halted once since this trade"
    resumed_at_ms = _staff_resumed_at_ms(session, market.name)
    if resumed_at_ms is not None and traded_at_ms <= resumed_at_ms:
        return "staff reopened it since this trade"
    return None


def _staff_resumed_at_ms(session: Session, market: str) -> int | None:
    """When staff last set the market open (`hdex market resume`, the staff API: the audit log's "market.resume")."""
    return session.scalar(
        select(func.max(AuditLogEntry.at_ms)).where(
            AuditLogEntry.action == f"market.{VERBS[MarketState.OPEN]}", AuditLogEntry.target == f"market:{market}"
        )
    )


def _halt(halts: MarketHalts | None, deviation: _Deviation, report: PassReport) -> list[PendingAlert]:
    """Halt the market through `halts`, its critical alert stored with the halt; else the alerts that say why
    not: the warning where no engine host here can halt (the process running the market halts it), a critical
    one for a halt the door refused."""
    market, alert = deviation.market, deviation.halted()
    reason = f"{deviation.words} (halt at {deviation.limits.halt_bps} bps)"
    if halts is None:
        return [deviation.past_halt_limit("not halted from here: no engine host in this process")]
    try:
        halts.halt_market(market, "feed", reason, deviation.until_ms, reference=deviation.reference,
                          price=deviation.price, alert=alert)  # fmt: skip
    except HaltUnavailable as exc:
        return [deviation.past_halt_limit(f"not halted from here: {exc}")]
    except Exception as exc:  # the door's refusal must not stop the pass: the alert carries it
        log.exception("feed halt failed", extra={"market": market})
        return [deviation.not_halted(f"{exc.__class__.__name__}: {exc}")]
    log.warning("market halted on its price feed", extra={"market": market, "until_ms": deviation.until_ms})
    report.halted.append(market)
    report.raised_elsewhere(alert)
    return []
