"""A wallet's tier limits: `GET /v1/accounts/{address}/limits`, for that wallet's own session only.

The limits themselves, their valuation and usage are `backend.limits`'; this door checks the session and
presents them. `limits_json` is also the staff API's view of a user's limits.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, CurrentWallet
from backend.api.schemas import ERROR, Address, documented
from backend.bootstrap import Container
from backend.errors import ErrorCode, HdexError
from backend.limits.service import AccountLimits, account_limits
from backend.limits.store import Usage
from backend.limits.tiers import TierLimits
from backend.trading.rules.accounts import checksum
from backend.trading.rules.orders import parse_address

router = APIRouter(prefix="/v1/accounts", tags=["limits"])

Amount = Field(pattern="^[0-9]{1,78}$", description="reference-token base units, a decimal string")


class LimitAmounts(BaseModel):
    withdrawalDaily: str = Amount
    withdrawal30d: str = Amount
    maxOrderNotional: str = Amount


class UsageAmounts(BaseModel):
    withdrawalDaily: str = Amount
    withdrawal30d: str = Amount


class ReferenceToken(BaseModel):
    symbol: str = Field(examples=["USDC"])
    token: Address
    decimals: int = Field(ge=0)


class NextLevel(BaseModel):
    level: int = Field(ge=1, le=2)
    limits: LimitAmounts


class LimitsView(BaseModel):
    address: Address
    level: int = Field(ge=0, le=2, description="KYC level: 0 wallet only, 1 identity data, 2 documents")
    reference: ReferenceToken
    limits: LimitAmounts = Field(description="withdrawals per rolling 24 h and 30 days, and one order's notional")
    used: UsageAmounts = Field(description="withdrawal requests that did not fail, valued when accepted")
    remaining: UsageAmounts
    overridden: list[str] = Field(description="the limits staff set for this wallet in place of its level's")
    nextLevel: NextLevel | None = Field(description="the next KYC level and its limits; null at the top")


def _limits(limits: TierLimits) -> dict[str, str]:
    return {
        "withdrawalDaily": str(limits.withdrawal_daily),
        "withdrawal30d": str(limits.withdrawal_30d),
        "maxOrderNotional": str(limits.max_order_notional),
    }


def _usage(usage: Usage) -> dict[str, str]:
    return {"withdrawalDaily": str(usage.withdrawal_daily), "withdrawal30d": str(usage.withdrawal_30d)}


def limits_json(view: AccountLimits) -> dict[str, Any]:
    """The API view of a wallet's limits."""
    reference = view.reference
    return {
        "address": view.address,
        "level": view.level,
        "reference": {"symbol": reference.symbol, "token": reference.token, "decimals": reference.decimals},
        "limits": _limits(view.limits),
        "used": _usage(view.used),
        "remaining": _usage(view.remaining),
        "overridden": view.overridden,
        "nextLevel": None
        if view.next_level is None
        else {"level": view.next_level[0], "limits": _limits(view.next_level[1])},
    }


def read_limits(container: Container, wallet: str) -> AccountLimits:
    """The limits of `wallet` (EIP-55), read in one unit of work (call in a worker thread)."""
    with container.uow() as uow:
        return account_limits(uow.session, container.settings, wallet, time.time_ns() // 1_000_000)


def _requested_wallet(address: str) -> str:
    return checksum(parse_address(address, "address"))


# the path's wallet, parsed before the session is looked at: a malformed address is INVALID_FIELD like on
# every other route that takes one
RequestedWallet = Annotated[str, Depends(_requested_wallet)]


@router.get("/{address}/limits", response_model=None, responses={
    **documented(LimitsView, "level, limits, used and remaining"), 401: ERROR, 403: ERROR, 422: ERROR, 503: ERROR,
})  # fmt: skip
async def get_limits(requested: RequestedWallet, wallet: CurrentWallet, container: ContainerDep) -> dict[str, Any]:
    """The wallet's KYC level and its limits in the reference token (`reference`): withdrawals per rolling
    24 hours and 30 days and the largest order, what its withdrawal requests used, what remains, which
    limits staff set for it, and the next level's limits. Only the wallet's own session may read them
    (403 ACCOUNT_FORBIDDEN)."""
    if requested.lower() != wallet.lower():
        raise HdexError(ErrorCode.ACCOUNT_FORBIDDEN, "a session reads only its own wallet's limits", "address")
    return limits_json(await asyncio.to_thread(read_limits, container, requested))
