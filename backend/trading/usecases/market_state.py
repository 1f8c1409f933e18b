"""Open, halt or make a market cancel-only, with its audit-log entry: `hdex market halt|resume|cancel-only`
and the staff API call this one use case. The running engine hosts follow the stored state within a
sync interval."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.audit_log import record_action
from backend.db.models import Market as MarketRow
from backend.engine import MarketState
from backend.errors import ErrorCode, HdexError
from backend.trading.rules.markets import Market
from backend.trading.store.markets import load_markets, set_market_state

# the audit log's action for each state (the CLI's verbs)
VERBS = {MarketState.OPEN: "resume", MarketState.HALTED: "halt", MarketState.CANCEL_ONLY: "cancel-only"}


def change_market_state(
    session: Session, name: str, state: MarketState, *, actor: str, ip: str | None = None, reason: str | None = None
) -> Market:
    """Set market `name` to `state` and audit-log "market.<verb>" with the state before and after (and the
    reason, if given); returns the market, or UNKNOWN_MARKET. The caller commits."""
    row = session.get(MarketRow, name)
    if row is None:
        raise HdexError(ErrorCode.UNKNOWN_MARKET, f"no market {name}", "market")
    before = {"state": row.state}
    set_market_state(session, name, state)
    after: dict[str, str] = {"state": state.value}
    if reason is not None:
        after["reason"] = reason
    record_action(
        session,
        actor=actor,
        action=f"market.{VERBS[state]}",
        target=f"market:{name}",
        before=before,
        after=after,
        ip=ip,
    )
    session.flush()
    return next(market for market in load_markets(session) if market.name == name)
