"""The back office's users: lookup by wallet or e-mail (`GET /v1/staff/users`), one user's whole picture
(`GET /v1/staff/users/{address}`: profile, limits, balances, orders, fills, deposits, withdrawals, screening
decisions) and their limit overrides (`PUT /v1/staff/users/{address}/limits`, audit-logged). Each route
names the permission it needs; the server checks it (403 STAFF_FORBIDDEN)."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes import accounts
from backend.api.routes.account import ProfileOut, profile_json
from backend.api.routes.dependencies import HostDep
from backend.api.routes.limits import LimitsView, limits_json, read_limits
from backend.api.schemas import ERROR, STAFF_ONLY, Address, EpochMs, Input, documented
from backend.errors import ErrorCode, HdexError
from backend.limits.orders import order_limits_for
from backend.limits.service import AccountLimits, override_limits
from backend.limits.tiers import Overrides
from backend.staff.roles import Permission
from backend.trading.rules.accounts import checksum
from backend.trading.rules.orders import parse_address, parse_uint
from backend.trading.usecases.user_lookup import (
    MAX_QUERY_CHARS,
    MAX_USERS,
    ScreeningRecord,
    UserSummary,
    find_users,
    screening_decisions,
    user_profile,
)

router = APIRouter(prefix="/v1/staff", tags=["staff"])

USERS_READ = Annotated[StaffPrincipal, requires(Permission.USERS_READ)]
LIMITS_OVERRIDE = Annotated[StaffPrincipal, requires(Permission.LIMITS_OVERRIDE)]
LATEST = 50  # of each list in a user's picture
LimitAmount = Field(
    default=None, pattern="^[0-9]{1,78}$", description="reference base units; null: the level's own limit"
)


class UserOut(BaseModel):
    address: Address
    email: str | None
    level: int = Field(ge=0, le=2)
    country: str | None
    createdAt: EpochMs | None = Field(description="when the profile was made; null for a wallet without one")


class UserList(BaseModel):
    users: list[UserOut]


class ScreeningOut(BaseModel):
    address: Address
    decision: str = Field(description="clear, blocked or error")
    reason: str | None
    context: str = Field(description="what asked: withdrawal, deposit, cli:screen, ...")
    at: EpochMs


class UserDetail(BaseModel):
    profile: ProfileOut
    limits: LimitsView | None = Field(description="null while no market lists the limits' reference token")
    balances: list[dict[str, Any]] = Field(description="per token: token, symbol, total, available, reserved, ...")
    orders: list[dict[str, Any]] = Field(description=f"the latest {LATEST}, as GET /v1/accounts/{{address}}/orders")
    fills: list[dict[str, Any]]
    deposits: list[dict[str, Any]]
    withdrawals: list[dict[str, Any]]
    screening: list[ScreeningOut]


class LimitOverrideIn(Input):
    withdrawalDaily: str | None = LimitAmount
    withdrawal30d: str | None = LimitAmount
    maxOrderNotional: str | None = LimitAmount
    reason: str = Field(min_length=1, max_length=500, description="why (recorded in the audit log)")


def _wallet(address: str) -> str:
    return checksum(parse_address(address, "address"))


@router.get("/users", response_model=None, responses={
    **documented(UserList, f"at most {MAX_USERS} matches, by e-mail"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def lookup_users(
    staff: USERS_READ,
    container: ContainerDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="a wallet address or e-mail")],
) -> dict[str, Any]:
    """Wallet users by full wallet address, or by (part of) their e-mail (permission users.read)."""

    def read() -> list[UserSummary]:
        with container.uow() as uow:
            return find_users(uow.session, q)

    users = await asyncio.to_thread(read)
    return {
        "users": [
            {
                "address": u.address,
                "email": u.email,
                "level": u.level,
                "country": u.country,
                "createdAt": u.created_at_ms,
            }
            for u in users
        ]
    }


@router.get("/users/{address}", response_model=None, responses={
    **documented(UserDetail, "the user's whole picture"), **STAFF_ONLY, 422: ERROR, 503: ERROR,
})  # fmt: skip
async def user_detail(address: str, staff: USERS_READ, host: HostDep, container: ContainerDep) -> dict[str, Any]:
    """One wallet user (permission users.read): profile, limits, balances, the latest orders, fills,
    deposits and withdrawals, and screening decisions about the wallet."""
    wallet = _wallet(address)
    restricted = frozenset(container.settings.kyc_restricted_countries)

    def read() -> tuple[dict[str, Any], AccountLimits | None, list[ScreeningRecord]]:
        with container.uow() as uow:
            profile = profile_json(user_profile(uow.session, wallet, restricted))
            screening = screening_decisions(uow.session, wallet, LATEST)
        try:
            limits: AccountLimits | None = read_limits(container, wallet)
        except HdexError as exc:
            if exc.code is not ErrorCode.UNAVAILABLE:
                raise
            limits = None
        return profile, limits, screening

    profile, limits, screening = await asyncio.to_thread(read)
    balances = await accounts.balances(wallet, host, container)
    return {
        "profile": profile,
        "limits": None if limits is None else limits_json(limits),
        "balances": [{**b, "total": b["balance"]} for b in balances["balances"]],
        "orders": (await accounts.orders(wallet, host, container, limit=LATEST))["orders"],
        "fills": (await accounts.fills(wallet, host, container, limit=LATEST))["fills"],
        "deposits": (await accounts.deposits(wallet, host, container, limit=LATEST))["deposits"],
        "withdrawals": (await accounts.withdrawals(wallet, host, container, limit=LATEST))["withdrawals"],
        "screening": [
            {"address": s.address, "decision": s.decision, "reason": s.reason, "context": s.context, "at": s.at_ms}
            for s in screening
        ],
    }


@router.put("/users/{address}/limits", response_model=None, responses={
    **documented(LimitsView, "the wallet's limits now"), **STAFF_ONLY, 422: ERROR, 503: ERROR,
})  # fmt: skip
async def override_user_limits(
    address: str, body: LimitOverrideIn, staff: LIMITS_OVERRIDE, container: ContainerDep
) -> dict[str, Any]:
    """Sets the wallet's limits in place of its level's (permission limits.override): each amount in
    reference base units, null for the level's own. Audit-logged ("limits.override") with before and after;
    orders see the change at once."""
    wallet = _wallet(address)
    overrides = Overrides(
        *(
            None if value is None else parse_uint(value, 256, field)
            for field, value in (
                ("withdrawalDaily", body.withdrawalDaily),
                ("withdrawal30d", body.withdrawal30d),
                ("maxOrderNotional", body.maxOrderNotional),
            )
        )
    )
    actor = staff.actor

    def write() -> AccountLimits:
        with container.uow() as uow:
            view = override_limits(
                uow.session, container.settings, wallet, overrides, reason=body.reason, actor=actor.name,
                ip=actor.ip, now_ms=time.time_ns() // 1_000_000,
            )  # fmt: skip
            uow.commit()
            return view

    view = await asyncio.to_thread(write)
    order_limits_for(container).forget(wallet)
    return limits_json(view)
