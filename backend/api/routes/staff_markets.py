"""Market state in the back office: `POST /v1/staff/markets/{market}/state` (permission market.state) opens,
halts or makes a market cancel-only, through the same audit-logged use case as `hdex market halt|resume|
cancel-only`. The engine hosts follow within a sync interval."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.dependencies import TradingDep
from backend.api.routes.markets import market_json, price_sources_of
from backend.api.schemas import ERROR, MarketView, documented
from backend.engine import MarketState
from backend.staff.roles import Permission
from backend.trading.rules.markets import Market
from backend.trading.usecases.market_state import change_market_state

router = APIRouter(prefix="/v1/staff/markets", tags=["staff"])

MARKET_STATE = Annotated[StaffPrincipal, requires(Permission.MARKET_STATE)]


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["open", "cancel_only", "halted"] = Field(
        description="open: orders and matching; cancel_only: cancels only; halted: nothing at all"
    )
    reason: str = Field(min_length=1, max_length=500, description="why (recorded in the audit log)")


@router.post("/{market}/state", response_model=None, responses={
    **documented(MarketView, "the market, as in GET /v1/markets"), 401: ERROR, 403: ERROR, 404: ERROR, 422: ERROR,
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
    return market_json(changed, price_sources_of(trading).get(changed.name))
