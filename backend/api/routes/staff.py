"""The staff API behind staff sign-in: `GET /v1/staff/me`, `GET /v1/staff/audit-log`, and the staff list
(`/v1/staff/staff`: list, create, disable, change role, reset TOTP, send an invitation again). Each route names the
permission it needs; the server checks it (403 STAFF_FORBIDDEN), whatever the page shows."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, CurrentStaff, StaffAccountsDep, StaffPrincipal, requires
from backend.api.routes.pagination import Cursor, Limit, before, next_cursor
from backend.api.routes.staff_schemas import InvitedStaffOut, StaffOut, staff_json
from backend.api.schemas import ERROR, STAFF_ONLY, EpochMs, Input, documented
from backend.audit_log import AuditEntry, AuditFilter, as_named, entry_json, list_entries
from backend.db.types import MAX_ROW_ID
from backend.mail.addresses import MAX_EMAIL_CHARS
from backend.staff.roles import Permission, Role

router = APIRouter(prefix="/v1/staff", tags=["staff"])

StaffId = Annotated[int, Path(alias="staffId", ge=1, le=MAX_ROW_ID)]
Reason = Field(min_length=1, max_length=500, description="why (recorded in the audit log)")
AUDIT_READ = Annotated[StaffPrincipal, requires(Permission.AUDIT_READ)]
STAFF_READ = Annotated[StaffPrincipal, requires(Permission.STAFF_READ)]
STAFF_MANAGE = Annotated[StaffPrincipal, requires(Permission.STAFF_MANAGE)]
ActorFilter = Annotated[
    str | None, Query(max_length=320, description='"staff:<e-mail>" or a bare e-mail, "cli:<user>"')
]
ActionFilter = Annotated[str | None, Query(max_length=64, description='an action, or its first parts ("case": case.*)')]
TargetFilter = Annotated[str | None, Query(max_length=320, description='as listed ("case:12"); a bare e-mail is staff')]


class AuditEntryOut(BaseModel):
    seq: int = Field(description="position in the chain, from 1")
    at: EpochMs
    actor: str = Field(description='who: "staff:<e-mail>", "cli:<os user>"')
    action: str = Field(description='what, dotted: "staff.sign_in", "market.halt"')
    target: str | None
    before: Any = Field(description="the state before (JSON), null if none")
    after: Any = Field(description="the state after, or details (JSON)")
    ip: str | None = Field(description="where from; null for the CLI")
    prevHash: str = Field(description="SHA-256 of the entry before (64 zeros for the first)")
    hash: str = Field(description="SHA-256 over this entry's canonical encoding and prevHash")


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class StaffList(BaseModel):
    staff: list[StaffOut]


class CreateStaff(Input):
    email: str = Field(max_length=MAX_EMAIL_CHARS)
    role: Role


class WithReason(Input):
    reason: str = Reason


class ChangeRole(Input):
    role: Role
    reason: str = Reason


@router.get(
    "/me", response_model=None, responses={**documented(StaffOut, "the signed-in member of staff"), **STAFF_ONLY}
)
async def me(staff: CurrentStaff) -> dict[str, Any]:
    """The signed-in member of staff, their role and its permissions."""
    return staff_json(staff.member)


@router.get(
    "/audit-log", response_model=None, responses={**documented(AuditPage, "entries, newest first"), **STAFF_ONLY}
)
async def audit_log(
    staff: AUDIT_READ,
    container: ContainerDep,
    actor: ActorFilter = None,
    action: ActionFilter = None,
    target: TargetFilter = None,
    since: Annotated[int | None, Query(ge=0, le=2**62, description="from (epoch ms, inclusive)")] = None,
    until: Annotated[int | None, Query(ge=0, le=2**62, description="to (epoch ms, exclusive)")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The audit log (permission audit.read), filtered by actor, action (or its first dotted parts), target and time
    range. A bare e-mail as actor or target is that member of staff ("staff:<e-mail>")."""
    where = AuditFilter(
        actor=None if actor is None else as_named(actor),
        action=None if action is None else action.strip().rstrip("."),
        since_ms=since, until_ms=until,
        targets=None if target is None else (as_named(target),),
    )  # fmt: skip

    def read() -> list[AuditEntry]:
        with container.uow() as uow:
            return list_entries(uow.session, where, limit, before(cursor))

    entries = await asyncio.to_thread(read)
    return {"entries": [entry_json(e) for e in entries], "next": next_cursor(entries, limit, lambda e: str(e.seq))}


@router.get("/staff", response_model=None, responses={**documented(StaffList, "every account"), **STAFF_ONLY})
async def list_staff(staff: STAFF_READ, accounts: StaffAccountsDep) -> dict[str, Any]:
    """Every staff account, oldest first (permission staff.read)."""
    return {"staff": [staff_json(m) for m in await asyncio.to_thread(accounts.list)]}


@router.post("/staff", status_code=201, response_model=None, responses={
    **documented(InvitedStaffOut, "created; a set-your-password link is mailed", 201), **STAFF_ONLY, 409: ERROR,
    422: ERROR,
})  # fmt: skip
async def create_staff(
    body: CreateStaff, request: Request, staff: STAFF_MANAGE, accounts: StaffAccountsDep, container: ContainerDep
) -> dict[str, Any]:
    """A new account (permission staff.manage). Its owner gets a set-your-password mail and sets up TOTP at
    the first sign-in: no one else ever sees their secrets. `invitationMailed` false: the mail could not be sent
    (the account exists; its owner asks for a password reset link on the sign-in page)."""
    base = container.settings.link_base(str(request.base_url))
    member, mailed = await asyncio.to_thread(accounts.invite, body.email, body.role, staff.actor, base)
    return {**staff_json(member), "invitationMailed": mailed}


@router.post("/staff/{staffId}/invitation", response_model=None, responses={
    **documented(InvitedStaffOut, "a new set-your-password link is mailed; the old one no longer works"),
    **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def resend_invitation(
    staff_id: StaffId, request: Request, staff: STAFF_MANAGE, accounts: StaffAccountsDep, container: ContainerDep
) -> dict[str, Any]:
    """Sends an invitation again (permission staff.manage, as inviting): a new link for a member who has not set
    a password yet, replacing the old (an expired or lost one); audit-logged "staff.invitation_resent". 409
    STAFF_EMAIL_TAKEN for an account already in use or disabled."""
    base = container.settings.link_base(str(request.base_url))
    member, mailed = await asyncio.to_thread(accounts.resend_invitation, staff_id, staff.actor, base)
    return {**staff_json(member), "invitationMailed": mailed}


@router.post("/staff/{staffId}/disable", response_model=None, responses={
    **documented(StaffOut, "disabled; its sessions have ended"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def disable_staff(
    staff_id: StaffId, body: WithReason, staff: STAFF_MANAGE, accounts: StaffAccountsDep
) -> dict[str, Any]:
    """Disables an account (permission staff.manage); never the last admin who can sign in."""
    return staff_json(await asyncio.to_thread(accounts.disable, staff_id, staff.actor, body.reason))


@router.post("/staff/{staffId}/role", response_model=None, responses={
    **documented(StaffOut, "the new role, effective at the account's next request"),
    **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def change_role(
    staff_id: StaffId, body: ChangeRole, staff: STAFF_MANAGE, accounts: StaffAccountsDep
) -> dict[str, Any]:
    """Changes an account's role (permission staff.manage); never demotes the last admin who can sign in."""
    return staff_json(await asyncio.to_thread(accounts.change_role, staff_id, body.role, staff.actor, body.reason))


@router.post("/staff/{staffId}/totp-reset", response_model=None, responses={
    **documented(StaffOut, "a new TOTP secret, set up at the next sign-in; sessions ended"),
    **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def reset_totp(
    staff_id: StaffId, body: WithReason, staff: STAFF_MANAGE, accounts: StaffAccountsDep
) -> dict[str, Any]:
    """Resets an account's second factor (a lost phone; permission staff.manage); 422 INVALID_FIELD (staffId) for
    a member who has not set it up yet: an invitation not taken up has nothing to reset."""
    return staff_json(await asyncio.to_thread(accounts.reset_totp, staff_id, staff.actor, body.reason))
