"""Deposits by blocked addresses, frozen off-chain, in the back office: list (`GET /v1/staff/frozen`, frozen.read)
and release (`POST /v1/staff/frozen/{id}/release`, frozen.release). A release screens the depositor again first:
a wallet still blocked stays frozen. Both are `backend.trading.usecases.frozen_funds`, as `hdex compliance` uses."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.dependencies import HostDep
from backend.api.routes.pagination import IdCursor, Limit, before, next_cursor
from backend.api.schemas import ERROR, STAFF_ONLY, Address, Amount, EpochMs, Hash, Input, documented
from backend.db.types import MAX_ROW_ID
from backend.staff.roles import Permission
from backend.trading.rules.orders import parse_address
from backend.trading.rules.tokens import TokenInfo, token_directory, token_fields
from backend.trading.usecases.frozen_funds import FrozenDeposit, list_frozen, release

router = APIRouter(prefix="/v1/staff/frozen", tags=["staff"])

FROZEN_READ = Annotated[StaffPrincipal, requires(Permission.FROZEN_READ)]
FROZEN_RELEASE = Annotated[StaffPrincipal, requires(Permission.FROZEN_RELEASE)]
FrozenId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="the freeze's id")]


class FrozenOut(BaseModel):
    id: int
    wallet: Address
    token: Address
    symbol: str | None = Field(description="the token's symbol; null for a token no market lists")
    decimals: int | None = Field(description="the token's decimals; null for a token no market lists")
    amount: Amount
    reason: str = Field(description="the screening hits that froze it")
    txHash: Hash
    blockNumber: int
    state: Literal["held", "released", "orphaned"] = Field(
        description="held: it keeps the deposit from trading and withdrawals; orphaned: a reorg deeper than the "
        "confirmations took the deposit out, and its credit with it"
    )
    frozenAt: EpochMs
    releasedAt: EpochMs | None
    releasedBy: str | None
    releaseReason: str | None


class FrozenPage(BaseModel):
    frozen: list[FrozenOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class Release(Input):
    reason: str = Field(min_length=1, max_length=500, description="why (recorded with the freeze and in the audit log)")


def frozen_json(frozen: FrozenDeposit, tokens: dict[str, TokenInfo]) -> dict[str, Any]:
    return {
        "id": frozen.id,
        "wallet": frozen.wallet,
        **token_fields(tokens, frozen.token),
        "amount": str(frozen.amount),
        "reason": frozen.reason,
        "txHash": frozen.tx_hash,
        "blockNumber": frozen.block_number,
        "state": frozen.state,
        "frozenAt": frozen.frozen_at_ms,
        "releasedAt": frozen.released_at_ms,
        "releasedBy": frozen.released_by,
        "releaseReason": frozen.release_reason,
    }


@router.get("", response_model=None, responses={
    **documented(FrozenPage, "frozen deposits, newest first"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def frozen_list(
    staff: FROZEN_READ,
    container: ContainerDep,
    host: HostDep,
    state: Annotated[Literal["held", "released", "orphaned", "all"], Query(description="which; default held")] = "held",
    wallet: Annotated[str | None, Query(max_length=42, description="one depositor, any case")] = None,
    limit: Limit = 100,
    cursor: IdCursor = None,
) -> dict[str, Any]:
    """Deposits by blocked addresses (permission frozen.read), newest first: those still held by default."""
    depositor = None if wallet is None else parse_address(wallet, "wallet")

    wanted = None if state == "all" else state

    def read() -> list[FrozenDeposit]:
        with container.uow() as uow:
            return list_frozen(uow.session, state=wanted, wallet=depositor, limit=limit, below=before(cursor))

    found = await asyncio.to_thread(read)
    tokens = token_directory(host.markets.values())
    return {"frozen": [frozen_json(f, tokens) for f in found], "next": next_cursor(found, limit, lambda f: str(f.id))}


@router.post("/{frozen_id}/release", response_model=None, responses={
    **documented(FrozenOut, "released: trading and withdrawals count it again"), **STAFF_ONLY,
    403: ERROR, 404: ERROR, 409: ERROR, 422: ERROR, 503: ERROR,
})  # fmt: skip
async def release_frozen(
    frozen_id: FrozenId, body: Release, staff: FROZEN_RELEASE, container: ContainerDep, host: HostDep
) -> dict[str, Any]:
    """Releases a frozen deposit (permission frozen.release) once its depositor screens clear now: 403
    ADDRESS_BLOCKED while it is blocked (take it off the deny-list first, if that is why), 503
    SCREENING_UNAVAILABLE when screening could not decide, 409 FROZEN_FUNDS_NOT_HELD when released already or
    its deposit was orphaned, 404 FROZEN_FUNDS_NOT_FOUND. Audit-logged ("frozen.release")."""
    actor = staff.actor
    released = await asyncio.to_thread(release, container, frozen_id, body.reason, actor=actor.name, ip=actor.ip)
    return frozen_json(released, token_directory(host.markets.values()))
