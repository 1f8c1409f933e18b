"""A market's risk settings, changed by staff (`PUT /v1/staff/markets/{market}/risk`, `hdex market risk set`)
with an audit-log entry ("market.risk.update", its own settings before and after). The running engine hosts
take the change in within a sync interval. Ending a halt early goes through the host that owns the market
(`TradingService.clear_halt`), which writes the halt and its audit entry together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backend.audit_log import record_action
from backend.db.models import Market as MarketRow
from backend.errors import ErrorCode, HdexError
from backend.settings import Settings
from backend.trading.rules.risk import RiskSettings
from backend.trading.store.risk import market_risk_settings, set_market_risk


def update_market_risk(
    session: Session,
    settings: Settings,
    market: str,
    changes: dict[str, Any],
    *,
    actor: str,
    ip: str | None = None,
    reason: str | None = None,
) -> RiskSettings:
    """Set some of `market`'s own risk settings (snake_case names of `RiskSettings`; None: back to the default),
    audit-logged; returns the settings now in force. UNKNOWN_MARKET, INVALID_RISK_SETTING. The caller commits."""
    if session.get(MarketRow, market) is None:
        raise HdexError(ErrorCode.UNKNOWN_MARKET, f"no market {market}", "market")
    before, after = set_market_risk(session, settings, market, changes, actor)
    audited_after: dict[str, Any] = {name: _json(name, value) for name, value in after.items()}
    if reason is not None:
        audited_after["reason"] = reason
    record_action(
        session,
        actor=actor,
        action="market.risk.update",
        target=f"market:{market}",
        before={name: _json(name, value) for name, value in before.items()},
        after=audited_after,
        ip=ip,
    )
    return market_risk_settings(session, settings, market)


def _json(name: str, value: int | None) -> int | str | None:
    # amounts as decimal strings, as everywhere in JSON (they pass 2**53)
    return str(value) if value is not None and name.startswith("max_") else value
