"""The operator's deny-list in the back office: list (`GET /v1/staff/denylist`, denylist.read), add
(`POST /v1/staff/denylist`) and remove (`POST /v1/staff/denylist/{address}/remove`, both denylist.manage).
Changes are the same audit-logged use case as `hdex compliance deny|allow`; screening follows at once."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.schemas import ERROR, STAFF_ONLY, Address, EpochMs, Input, documented
from backend.compliance.factory import screener_for
from backend.errors import ErrorCode, HdexError
from backend.staff.roles import Permission
from backend.trading.rules.accounts import checksum
from backend.trading.rules.orders import parse_address
from backend.trading.usecases.deny_list import DenyEntry, allow_address, deny_address, deny_list

router = APIRouter(prefix="/v1/staff/denylist", tags=["staff"])

DENYLIST_READ = Annotated[StaffPrincipal, requires(Permission.DENYLIST_READ)]
DENYLIST_MANAGE = Annotated[StaffPrincipal, requires(Permission.DENYLIST_MANAGE)]
Reason = Field(min_length=1, max_length=500, description="why (recorded with the entry and in the audit log)")


class EntryOut(BaseModel):
    address: Address
    reason: str
    addedBy: str = Field(description='who: "staff:<e-mail>", or what `hdex compliance deny --actor` said')
    addedAt: EpochMs


class EntryList(BaseModel):
    entries: list[EntryOut]


class AddEntry(Input):
    address: str = Field(description="a 0x-address, any case")
    reason: str = Reason


class RemoveEntry(Input):
    reason: str = Reason


class Removed(BaseModel):
    removed: Address


def _entry_json(entry: DenyEntry) -> dict[str, Any]:
    return {
        "address": checksum(entry.address),
        "reason": entry.reason,
        "addedBy": entry.added_by,
        "addedAt": entry.added_at_ms,
    }


@router.get("", response_model=None, responses={**documented(EntryList, "newest first"), **STAFF_ONLY})
async def list_entries(staff: DENYLIST_READ, container: ContainerDep) -> dict[str, Any]:
    """Every deny-listed address (permission denylist.read)."""

    def read() -> list[DenyEntry]:
        with container.uow() as uow:
            return deny_list(uow.session)

    return {"entries": [_entry_json(e) for e in await asyncio.to_thread(read)]}


@router.post("", status_code=201, response_model=None, responses={
    **documented(EntryOut, "deny-listed (or its reason changed)", 201), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def add_entry(body: AddEntry, staff: DENYLIST_MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Deny-lists an address (permission denylist.manage): screening blocks it at once, for withdrawals,
    deposits and the relayer. Audit-logged ("denylist.add") with the entry before and after."""
    address = parse_address(body.address, "address")
    actor = staff.actor

    def write() -> DenyEntry:
        with container.uow() as uow:
            entry = deny_address(uow.session, address, body.reason, actor=actor.name, ip=actor.ip)
            uow.commit()
            return entry

    entry = await asyncio.to_thread(write)
    screener_for(container).invalidate()
    return _entry_json(entry)


@router.post("/{address}/remove", response_model=None, responses={
    **documented(Removed, "no longer deny-listed"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def remove_entry(
    address: str, body: RemoveEntry, staff: DENYLIST_MANAGE, container: ContainerDep
) -> dict[str, Any]:
    """Takes an address off the deny-list (permission denylist.manage; NOT_FOUND if it is not on it).
    Audit-logged ("denylist.remove") with the entry before and the reason."""
    wanted = parse_address(address, "address")
    actor = staff.actor

    def write() -> bool:
        with container.uow() as uow:
            removed = allow_address(uow.session, wanted, actor=actor.name, reason=body.reason, ip=actor.ip)
            uow.commit()
            return removed

    if not await asyncio.to_thread(write):
        raise HdexError(ErrorCode.NOT_FOUND, f"{checksum(wanted)} is not deny-listed", "address")
    screener_for(container).invalidate()  # a cached "blocked" must not outlive the entry
    return {"removed": checksum(wanted)}
