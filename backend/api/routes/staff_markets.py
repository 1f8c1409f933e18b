"""Markets in the back office.

- `POST /v1/staff/markets/{market}/state` (permission market.state) opens, halts or makes a market cancel-only,
  through the same audit-logged use case as `hdex market halt|resume|cancel-only`.
- `GET /v1/staff/markets/{market}/risk` (permission risk.manage): its band, breaker and limits, and its halt.
- `PUT /v1/staff/markets/{market}/risk` (risk.manage) sets some of them (null: back to the exchange-wide default),
  audit-logged "market.risk.update", as `hdex market risk set` does.
- `DELETE /v1/staff/markets/{market}/halt` (risk.manage) ends a risk halt early, audit-logged "market.halt.clear".

The engine hosts follow stored states and settings within a sync interval; a halt ends at once.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import Field

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.dependencies import TradingDep
from backend.api.routes.markets import markets_json
from backend.api.schemas import ERROR, Input, MarketRiskState, MarketView, documented
from backend.bootstrap import Container
from backend.engine import MarketState
from backend.errors import ErrorCode, HdexError
from backend.staff.roles import Permission
from backend.trading.hosting.service import TradingService
from backend.trading.rules.markets import Market
from backend.trading.usecases.market_risk import update_market_risk
from backend.trading.usecases.market_state import change_market_state

router = APIRouter(prefix="/v1/staff/markets", tags=["staff"])

MARKET_STATE = Annotated[StaffPrincipal, requires(Permission.MARKET_STATE)]
RISK_MANAGE = Annotated[StaffPrincipal, requires(Permission.RISK_MANAGE)]
STAFF_ERRORS: dict[int | str, dict[str, Any]] = {401: ERROR, 403: ERROR, 404: ERROR, 422: ERROR}


class StateChange(Input):
    state: Literal["open", "cancel_only", "halted"] = Field(
        description="open: orders and matching; cancel_only: cancels only; halted: nothing at all"
    )
    reason: str = Field(min_length=1, max_length=500, description="why (recorded in the audit log)")


async def _market_view(container: Container, trading: TradingService, market: str) -> dict[str, Any]:
    views = await markets_json(container, trading, {market})
    if not views:
        raise HdexError(ErrorCode.UNKNOWN_MARKET, f"no market {market}", "market")
    return views[0]


@router.post("/{market}/state", response_model=None, responses={
    **documented(MarketView, "the market, as in GET /v1/markets"), **STAFF_ERRORS,
})  # fmt: skip
async def set_state(
    market: str, body: StateChange, staff: MARKET_STATE, container: ContainerDep, trading: TradingDep
) -> dict[str, Any]:
    """Opens, halts or makes `market` cancel-only (permission market.state). Audit-logged ("market.resume",
    "market.halt", "market.cancel-only") with the state before and after, the reason, the actor and the IP."""
    actor = staff.actor

    def write() -> Market:
        with container.uow() as uow:
            changed = change_market_state(
                uow.session, market, MarketState(body.state), actor=actor.name, ip=actor.ip, reason=body.reason
            )
            uow.commit()
            return changed

    changed = await asyncio.to_thread(write)
    await trading.follow_market(changed.name)
    return await _market_view(container, trading, changed.name)


Bps = Annotated[int | None, Field(description="basis points (0..10000; 0: off); null: the exchange-wide default")]
Limit = Annotated[
    str | int | None, Field(description="base units as a decimal string; null: the default (none unless set)")
]
# the body's names -> the settings' (RiskSettings, market_risk columns)
RISK_NAMES = {
    "bandBps": "band_bps", "breakerBps": "breaker_bps", "alertBps": "alert_bps", "windowS": "window_s",
    "cooldownS": "cooldown_s", "feedAlertBps": "feed_alert_bps", "feedHaltBps": "feed_halt_bps",
    "maxOrderBase": "max_order_base", "maxOrderNotional": "max_order_notional", "maxOpenNotional": "max_open_notional",
}  # fmt: skip
BODY_NAMES = {setting: name for name, setting in RISK_NAMES.items()}


class RiskChange(Input):
    """Any of a market's risk settings; a field sent as null goes back to the default, one left out stays."""

    bandBps: Bps = None
    breakerBps: Bps = None
    alertBps: Bps = None
    windowS: int | None = Field(default=None, description="seconds (1..86400); null: the default")
    cooldownS: int | None = Field(default=None, description="seconds (1..86400); null: the default")
    feedAlertBps: Bps = None
    feedHaltBps: Bps = None
    maxOrderBase: Limit = None
    maxOrderNotional: Limit = None
    maxOpenNotional: Limit = None
    reason: str | None = Field(default=None, max_length=500, description="why (recorded in the audit log)")


def _changes(body: RiskChange) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in body.model_fields_set - {"reason"}:
        value = getattr(body, name)
        if isinstance(value, str):
            if re.fullmatch("[0-9]{1,78}", value) is None:
                raise HdexError(ErrorCode.INVALID_RISK_SETTING, f"{name} must be a whole number of base units", name)
            value = int(value)
        changes[RISK_NAMES[name]] = value
    if not changes:
        raise HdexError(ErrorCode.INVALID_RISK_SETTING, f"send at least one of {', '.join(RISK_NAMES)}")
    return changes


async def _risk_state(container: Container, trading: TradingService, market: str) -> dict[str, Any]:
    view = await _market_view(container, trading, market)
    return {"market": market, "settings": view["risk"], "halt": view["halt"]}


@router.get("/{market}/risk", response_model=None, responses={
    **documented(MarketRiskState, "the market's risk settings and halt"), **STAFF_ERRORS,
})  # fmt: skip
async def get_risk(market: str, staff: RISK_MANAGE, container: ContainerDep, trading: TradingDep) -> dict[str, Any]:
    """`market`'s price band, circuit breaker and limits (defaults filled in), its reference price and its risk
    halt (permission risk.manage)."""
    return await _risk_state(container, trading, market)


@router.put("/{market}/risk", response_model=None, responses={
    **documented(MarketRiskState, "the market's risk settings and halt, after the change"), **STAFF_ERRORS,
})  # fmt: skip
async def put_risk(
    market: str, body: RiskChange, staff: RISK_MANAGE, container: ContainerDep, trading: TradingDep
) -> dict[str, Any]:
    """Sets some of `market`'s risk settings (permission risk.manage); null sends one back to the exchange-wide
    default. INVALID_RISK_SETTING for settings that cannot work (an alert at or above the breaker, a band outside
    0..10000 bps, a negative limit...), and nothing changes. Audit-logged "market.risk.update" with the market's
    own settings before and after. Order entry in this process follows at once, in others within a sync interval."""
    actor, changes = staff.actor, _changes(body)

    def write() -> None:
        with container.uow() as uow:
            try:
                update_market_risk(
                    uow.session, container.settings, market, changes, actor=actor.name, ip=actor.ip, reason=body.reason
                )
            except HdexError as exc:  # name the field as the body does
                raise HdexError(exc.code, exc.message, BODY_NAMES.get(exc.field or "", exc.field)) from None
            uow.commit()

    await asyncio.to_thread(write)
    await trading.follow_market(market)
    return await _risk_state(container, trading, market)


@router.delete("/{market}/halt", response_model=None, responses={
    **documented(MarketRiskState, "the market's risk settings, and no halt"), 503: ERROR, **STAFF_ERRORS,
})  # fmt: skip
async def clear_halt(market: str, staff: RISK_MANAGE, container: ContainerDep, trading: TradingDep) -> dict[str, Any]:
    """Ends `market`'s risk halt now (permission risk.manage), audit-logged "market.halt.clear" with the halt
    it ended; a market without one is left as it is. A state staff set (`POST .../state`) is not a risk halt."""
    await _market_view(container, trading, market)  # UNKNOWN_MARKET first
    await trading.clear_halt(market, staff.actor.name, staff.actor.ip)
    return await _risk_state(container, trading, market)
