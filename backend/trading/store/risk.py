"""Market risk in the database: each market's own settings (`market_risk`, None columns follow the settings'
`risk_*` defaults) and its current halt (`market_halts`, written only by the engine host that owns the
market: see `backend.trading.hosting.host`)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import MarketHalt, MarketRisk
from backend.errors import ErrorCode, HdexError
from backend.settings import Settings
from backend.trading.rules.risk import RISK_FIELDS, Halt, RiskSettings, risk_setting_error


def risk_defaults(settings: Settings) -> RiskSettings:
    """The exchange-wide defaults (settings `risk_*`)."""
    return RiskSettings(**{name: getattr(settings, f"risk_{name}") for name in RISK_FIELDS})


def _overrides(row: MarketRisk) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RISK_FIELDS}


def load_market_risk(session: Session) -> dict[str, dict[str, Any]]:
    """market -> its own settings (every risk column; None: the default), for the markets that have a row."""
    return {row.market: _overrides(row) for row in session.scalars(select(MarketRisk))}


def load_risk_settings(session: Session, settings: Settings) -> dict[str, RiskSettings]:
    """market -> its settings with every default filled in, for every market that has its own; other markets
    have `risk_defaults(settings)`."""
    defaults = risk_defaults(settings)
    return {market: defaults.overridden(own) for market, own in load_market_risk(session).items()}


def market_risk_settings(session: Session, settings: Settings, market: str) -> RiskSettings:
    """One market's settings with every default filled in."""
    row = session.get(MarketRisk, market)
    defaults = risk_defaults(settings)
    return defaults if row is None else defaults.overridden(_overrides(row))


def set_market_risk(
    session: Session, settings: Settings, market: str, changes: dict[str, Any], actor: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set some of a market's own settings (a None value: back to the default) and return its own settings
    (None: default) before and after; INVALID_RISK_SETTING when the result cannot work, and nothing changes.
    The caller checks the market exists, commits, and writes the audit log."""
    unknown = set(changes) - set(RISK_FIELDS)
    if unknown:
        raise HdexError(ErrorCode.INVALID_RISK_SETTING, f"unknown risk settings: {', '.join(sorted(unknown))}")
    row = session.get(MarketRisk, market)
    before = _overrides(row) if row is not None else dict.fromkeys(RISK_FIELDS)
    after = {**before, **changes}
    problem = risk_setting_error(risk_defaults(settings).overridden(after))
    if problem is not None:
        field, why = problem
        raise HdexError(ErrorCode.INVALID_RISK_SETTING, why, field)
    if row is None:
        row = MarketRisk(market=market)
        session.add(row)
    for name, value in after.items():
        setattr(row, name, value)
    row.updated_by, row.updated_at_ms = actor, time.time_ns() // 1_000_000
    session.flush()
    return before, after


def active_halts(session: Session, now_ms: int) -> dict[str, Halt]:
    """market -> its risk halt still in force at `now_ms` (not ended, not cleared)."""
    rows = session.scalars(select(MarketHalt).where(MarketHalt.until_ms > now_ms, MarketHalt.cleared_by.is_(None)))
    return {
        row.market: Halt(row.market, row.kind, row.reason, row.reference, row.price, row.halted_at_ms, row.until_ms)
        for row in rows
    }
