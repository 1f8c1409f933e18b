"""Withdrawal risk in the back office: whether withdrawals are paused (and why), resuming them once staff
have cleared the cause, and the travel-rule data a withdrawal was sent with.

- `GET /v1/staff/risk/withdrawals` (permission alerts.read): the open pauses;
- `POST /v1/staff/risk/withdrawals/resume` (permission risk.manage): ends them, audit-logged as
  "withdrawals.resume" (as `hdex risk withdrawals resume`);
- `GET /v1/staff/withdrawals/{withdrawalHash}/travel-rule` (kyc.documents.read): the originator and
  beneficiary, each reading audit-logged as "withdrawals.travel_rule_view" (personal data, like KYC documents).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.dependencies import WithdrawalHashPath
from backend.api.routes.staff_origin import SAME_ORIGIN_READ
from backend.api.schemas import ERROR, EpochMs, Hash, Input, documented
from backend.audit_log import record_action
from backend.bootstrap import Container
from backend.db.models import TravelRuleRecord, WithdrawalRequest
from backend.errors import ErrorCode, HdexError
from backend.risk.withdrawal_pause import Pause, clear_withdrawal_pause, open_pauses
from backend.staff.roles import Permission
from backend.trading.rules.orders import parse_hash

router = APIRouter(prefix="/v1/staff", tags=["staff"])

ALERTS_READ = Annotated[StaffPrincipal, requires(Permission.ALERTS_READ)]
RISK_MANAGE = Annotated[StaffPrincipal, requires(Permission.RISK_MANAGE)]
# The originator's name, address, national id and date of birth: identity data, read as KYC documents are
# (each route module names the permissions it uses, as staff_kyc does this one)
KYC_DOCUMENTS_READ = Annotated[StaffPrincipal, requires(Permission.KYC_DOCUMENTS_READ)]


class PauseOut(BaseModel):
    id: int
    reason: str = Field(description="why withdrawals were paused, e.g. a ledger and chain difference")
    details: dict[str, Any] = Field(description="what the check that paused them found")
    raisedAt: EpochMs


class WithdrawalPauseView(BaseModel):
    paused: bool = Field(description="true while any pause is open: no withdrawal is accepted")
    pauses: list[PauseOut] = Field(description="the open pauses, oldest first")


class Resume(Input):
    reason: str = Field(min_length=1, max_length=500, description="why it is safe again (recorded in the audit log)")


class TravelRuleOut(BaseModel):
    hash: Hash = Field(description="the withdrawal request's hash")
    wallet: str
    recipient: str
    value: str = Field(pattern="^[0-9]{1,78}$", description="the withdrawal's value in reference base units")
    originator: dict[str, Any] = Field(description="IVMS101 originator, as validated (see POST /v1/withdrawals)")
    beneficiary: dict[str, Any] = Field(description="IVMS101 beneficiary, its account number and VASP")
    createdAt: EpochMs


def _pauses_json(pauses: list[Pause]) -> dict[str, Any]:
    views = [{"id": p.id, "reason": p.reason, "details": p.details, "raisedAt": p.raised_at_ms} for p in pauses]
    return {"paused": bool(views), "pauses": views}


def _pauses(container: Container) -> dict[str, Any]:
    with container.uow() as uow:
        return _pauses_json(open_pauses(uow.session))


@router.get("/risk/withdrawals", response_model=None, responses={
    **documented(WithdrawalPauseView, "whether withdrawals are paused, and why"), 401: ERROR, 403: ERROR,
})  # fmt: skip
async def get_withdrawal_pause(staff: ALERTS_READ, container: ContainerDep) -> dict[str, Any]:
    """Whether withdrawals are paused and the open pauses (permission alerts.read)."""
    return await asyncio.to_thread(_pauses, container)


@router.post("/risk/withdrawals/resume", response_model=None, responses={
    **documented(WithdrawalPauseView, "withdrawals accepted again"), 401: ERROR, 403: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def resume_withdrawals(body: Resume, staff: RISK_MANAGE, container: ContainerDep) -> dict[str, Any]:
    """End every open withdrawal pause (permission risk.manage; 409 NO_WITHDRAWAL_PAUSE when there is none),
    audit-logged as "withdrawals.resume" with the reason, the actor and the IP."""
    actor = staff.actor

    def write() -> dict[str, Any]:
        with container.uow() as uow:
            clear_withdrawal_pause(uow.session, actor=actor.name, reason=body.reason, ip=actor.ip)
            uow.commit()
            return _pauses_json(open_pauses(uow.session))  # none: it ended them all

    return await asyncio.to_thread(write)


@router.get("/withdrawals/{withdrawalHash}/travel-rule", response_model=None, responses={
    **documented(TravelRuleOut, "the travel-rule data stored with the withdrawal"), 401: ERROR, 403: ERROR,
    404: ERROR, 422: ERROR,
}, dependencies=[SAME_ORIGIN_READ])  # fmt: skip
async def get_travel_rule_record(
    withdrawal_hash: WithdrawalHashPath, staff: KYC_DOCUMENTS_READ, container: ContainerDep
) -> dict[str, Any]:
    """The originator and beneficiary a withdrawal was sent with (permission kyc.documents.read: identity data,
    compliance and admin); 404 NOT_FOUND when the withdrawal carried none. Each reading is audit-logged."""
    key = parse_hash(withdrawal_hash, "withdrawalHash")
    actor = staff.actor

    def read() -> dict[str, Any]:
        with container.uow() as uow:
            request = uow.session.get(WithdrawalRequest, key)
            record = uow.session.get(TravelRuleRecord, key)
            if request is None or record is None:
                raise HdexError(ErrorCode.NOT_FOUND, f"no travel-rule data for withdrawal {key}", "withdrawalHash")
            record_action(
                uow.session, actor=actor.name, action="withdrawals.travel_rule_view", target=request.wallet,
                after={"withdrawal": key}, ip=actor.ip,
            )  # fmt: skip
            view = {
                "hash": request.hash, "wallet": request.wallet, "recipient": request.recipient,
                "value": str(record.value), "originator": record.originator, "beneficiary": record.beneficiary,
                "createdAt": record.created_at_ms,
            }  # fmt: skip
            uow.commit()  # the reading is on record before the data leaves
            return view

    return await asyncio.to_thread(read)
