"""Alerts and cases in the back office (issue 14): the alert store's list and live stream, closing an alert,
cases opened from alerts, assigned, noted, moved through their states (`backend.alerts.cases` says which
moves exist) and exported as the regulator's report. Reads need alerts.read, changes cases.manage; the server
checks each (403 STAFF_FORBIDDEN). Every change and every export is in the audit log.

`GET /v1/staff/alerts/stream` is Server-Sent Events: `event: alert`, `id: <alert id>`, `data: <Alert JSON>`
for each alert stored after the stream opened (or after `Last-Event-ID` on a reconnect), found by polling
the store every HDEX_ALERT_STREAM_POLL_S, so it works behind any number of API processes; a comment line
every 15 s keeps proxies from closing it. The stream ends when the staff session would, and at the first poll
after its member signed out, was disabled or lost alerts.read (the browser's EventSource then reconnects, and
is asked to sign in again, or refused, as any request).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, Field

from backend.alerts.cases import (
    CaseView,
    NoteView,
    add_note,
    assign_case,
    case_notes,
    change_status,
    close_alert,
    get_case,
    list_cases,
    open_case,
)
from backend.alerts.queries import AlertFilter, alerts_after, case_alerts, latest_alert_id, list_alerts
from backend.alerts.report import case_json, export_case_report, note_json
from backend.alerts.report_html import render_report_html
from backend.alerts.store import AlertView, alert_json, alert_view
from backend.api.deps import ContainerDep, StaffPrincipal, StaffSignInDep, requires
from backend.api.routes.pagination import IdCursor, Limit, before, next_cursor
from backend.api.routes.staff import AuditEntryOut
from backend.api.routes.staff_origin import SAME_ORIGIN_READ
from backend.api.schemas import ERROR, STAFF_ONLY, EpochMs, Input, documented
from backend.bootstrap import Container
from backend.db.types import MAX_ROW_ID
from backend.staff.assignees import assignee_check, holders_of
from backend.staff.roles import Permission

router = APIRouter(prefix="/v1/staff", tags=["staff"])

ALERTS_READ = Annotated[StaffPrincipal, requires(Permission.ALERTS_READ)]
CASES_MANAGE = Annotated[StaffPrincipal, requires(Permission.CASES_MANAGE)]
AlertId = Annotated[int, Path(alias="alertId", ge=1, le=MAX_ROW_ID)]
CaseId = Annotated[int, Path(alias="caseId", ge=1, le=MAX_ROW_ID)]
AlertStatus = Literal["open", "acknowledged", "closed"]
CaseStatus = Literal["open", "investigating", "escalated", "closed"]
Severity = Literal["info", "warning", "critical"]
KEEPALIVE_S = 15.0
STREAM_MAX_S = 3_600.0  # reconnecting now and then re-checks the session and the role
STREAM_LOOKBACK = 50  # ids re-read behind the cursor: transactions may commit out of id order


class AlertOut(BaseModel):
    id: int
    kind: str = Field(description='what raised it, e.g. "market.circuit_breaker", "aml.structuring"')
    severity: Severity
    subject: str | None = Field(description='"wallet:0x..", "market:WETH-USDC", "system:relayer"; null: none')
    message: str = Field(description="for people; show it as text, never as HTML")
    details: dict[str, Any] = Field(description="the monitor's evidence (amounts as decimal strings)")
    status: AlertStatus
    caseId: int | None
    occurrences: int = Field(ge=1, description="how many times its cause was seen while it was open")
    createdAt: EpochMs | None
    lastSeenAt: EpochMs | None


class AlertPage(BaseModel):
    alerts: list[AlertOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class CaseOut(BaseModel):
    id: int
    title: str
    subject: str | None
    status: CaseStatus
    assignee: str | None = Field(description="a staff e-mail; null: nobody")
    closeReason: str | None
    createdBy: str = Field(description='"staff:<e-mail>"')
    createdAt: EpochMs
    updatedAt: EpochMs
    alertIds: list[int]


class CasePage(BaseModel):
    cases: list[CaseOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class NoteOut(BaseModel):
    id: int
    author: str = Field(description='"staff:<e-mail>"')
    body: str = Field(description="as typed: show it as text, never as HTML")
    createdAt: EpochMs


class CaseDetail(BaseModel):
    case: CaseOut
    alerts: list[AlertOut]
    notes: list[NoteOut]


class BalanceOut(BaseModel):
    token: str
    amount: str = Field(pattern="^[0-9]+$", description="the ledger's final balance, base units")


class WalletSummaryOut(BaseModel):
    address: str
    kycLevel: int = Field(ge=0, le=2)
    balances: list[BalanceOut]


class CaseReport(BaseModel):
    reportVersion: int
    generatedAt: EpochMs
    generatedBy: str = Field(description='"staff:<e-mail>": who exported it (audit-logged "case.export")')
    case: CaseOut
    alerts: list[AlertOut]
    notes: list[NoteOut]
    auditLog: list[AuditEntryOut] = Field(description="entries about the case and its alerts, oldest first")
    wallet: WalletSummaryOut | None = Field(description='for a "wallet:0x.." subject; null otherwise')


class CaseAssignees(BaseModel):
    assignees: list[str] = Field(description="e-mails of active staff whose role may manage cases, oldest first")


class CloseAlert(Input):
    reason: str = Field(min_length=1, max_length=1000, description="why (audit log)")


class NewCase(Input):
    alertIds: list[Annotated[int, Field(ge=1, le=MAX_ROW_ID)]] = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=300)


class Assign(Input):
    assignee: str | None = Field(max_length=254, description="a staff e-mail (role with cases.manage); null: nobody")


class NewNote(Input):
    body: str = Field(min_length=1, max_length=10_000)


class StatusChange(Input):
    status: CaseStatus = Field(description='"open" only reopens a closed case')
    reason: str | None = Field(default=None, max_length=1000, description="required to close or reopen")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@router.get("/alerts", response_model=None, responses={
    **documented(AlertPage, "alerts, newest first"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def alerts(
    staff: ALERTS_READ,
    container: ContainerDep,
    status: Annotated[AlertStatus | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    severity: Annotated[Severity | None, Query()] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 100,
    cursor: IdCursor = None,
) -> dict[str, Any]:
    """The alert store (permission alerts.read), filtered by status, kind, severity, subject, newest first."""
    where = AlertFilter(status, kind, severity, subject)

    def read() -> list[AlertView]:
        with container.uow() as uow:
            return list_alerts(uow.session, where, limit, before(cursor))

    views = await asyncio.to_thread(read)
    return {"alerts": [alert_json(v) for v in views], "next": next_cursor(views, limit, lambda v: str(v.id))}


def _alert_id(last_event_id: str | None) -> int | None:
    """The alert id a reconnecting stream resumes after, or None (start from now) for a header that is none:
    ASCII digits only ("²" is a digit to `str.isdigit`, not to `int`) and within the 32-bit ids of alerts."""
    if not last_event_id or not (last_event_id.isascii() and last_event_id.isdigit()):
        return None
    resume = int(last_event_id)
    return resume if resume <= MAX_ROW_ID else None


@router.get("/alerts/stream", response_model=None, response_class=StreamingResponse, responses={
    200: {"description": "Server-Sent Events: `event: alert`, `id`, `data`: Alert JSON",
          "content": {"text/event-stream": {"schema": {"type": "string"}}}},
    **STAFF_ONLY,
})  # fmt: skip
async def alert_stream(
    request: Request,
    staff: ALERTS_READ,
    container: ContainerDep,
    sign_in: StaffSignInDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> StreamingResponse:
    """New alerts as they are stored (permission alerts.read); see the module docs."""
    resume = _alert_id(last_event_id)
    cursor = resume if resume is not None else await asyncio.to_thread(_latest_id, container)
    session = staff.session
    ends_at_ms = min(session.expires_at_ms, session.idle_expires_at_ms, _now_ms() + int(STREAM_MAX_S * 1000))

    def allowed() -> bool:
        """Whether the stream may go on: the member still signed in, active and allowed to read alerts (a
        sign-out, a disabled account or a role without alerts.read ends it at the next poll)."""
        live = sign_in.find(staff.token, touch=False)  # streaming is not the member's activity: idling runs on
        return live is not None and Permission.ALERTS_READ in live.member.permissions

    return StreamingResponse(
        _events(request, container, cursor, ends_at_ms, allowed),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _latest_id(container: Container) -> int:
    with container.uow() as uow:
        return latest_alert_id(uow.session)


def _read_after(container: Container, after_id: int, allowed: Callable[[], bool]) -> list[AlertView] | None:
    """The alerts with ids above `after_id`; None once the stream's member may no longer read them."""
    if not allowed():
        return None
    with container.uow() as uow:
        return alerts_after(uow.session, after_id)


async def _events(
    request: Request, container: Container, cursor: int, ends_at_ms: int, allowed: Callable[[], bool]
) -> AsyncIterator[str]:
    """The stream's text: alerts with ids above `cursor`, then any that commit later within the lookback
    window behind the newest sent (PostgreSQL may commit id 11 before id 10); it ends when the session would,
    or at the first poll that finds its member no longer allowed."""
    poll_s = container.settings.alert_stream_poll_s
    views = await asyncio.to_thread(_read_after, container, max(0, cursor - STREAM_LOOKBACK), allowed)
    if views is None:
        return
    seen = {view.id for view in views if view.id <= cursor}  # what the client has, or need not have
    yield "retry: 3000\n: connected\n\n"
    quiet_since = time.monotonic()
    while views is not None and _now_ms() < ends_at_ms and not await request.is_disconnected():
        fresh = [view for view in views if view.id not in seen]
        for view in fresh:
            seen.add(view.id)
            cursor = max(cursor, view.id)
            yield f"id: {view.id}\nevent: alert\ndata: {json.dumps(alert_json(view), separators=(',', ':'))}\n\n"
        seen = {i for i in seen if i > cursor - STREAM_LOOKBACK}
        if fresh:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= KEEPALIVE_S:
            quiet_since = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(poll_s)
        views = await asyncio.to_thread(_read_after, container, max(0, cursor - STREAM_LOOKBACK), allowed)


@router.post("/alerts/{alertId}/close", response_model=None, responses={
    **documented(AlertOut, "closed"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def close(alert_id: AlertId, body: CloseAlert, staff: CASES_MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Closes an alert that is in no case, with a reason (permission cases.manage; audit-logged
    "alert.close"). An alert in a case closes with its case (409 CASE_TRANSITION_INVALID)."""
    actor = staff.actor

    def write() -> AlertView:
        with container.uow() as uow:
            view = alert_view(close_alert(uow.session, alert_id, body.reason, actor=actor.name, ip=actor.ip))
            uow.commit()
            return view

    return alert_json(await asyncio.to_thread(write))


@router.post("/cases", status_code=201, response_model=None, responses={
    **documented(CaseOut, "the new case, open", 201), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def create_case(body: NewCase, staff: CASES_MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Opens a case over alerts that are neither closed nor in a case (permission cases.manage); they become
    acknowledged. Audit-logged "case.open"."""
    actor = staff.actor

    def write() -> CaseView:
        with container.uow() as uow:
            case = open_case(uow.session, body.alertIds, body.title, actor=actor.name, ip=actor.ip, now_ms=_now_ms())
            uow.commit()
            return case

    return case_json(await asyncio.to_thread(write))


@router.get("/cases", response_model=None, responses={
    **documented(CasePage, "cases, newest first"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def cases(
    staff: ALERTS_READ,
    container: ContainerDep,
    status: Annotated[CaseStatus | None, Query()] = None,
    assignee: Annotated[str | None, Query(max_length=254, description="a staff e-mail")] = None,
    limit: Limit = 100,
    cursor: IdCursor = None,
) -> dict[str, Any]:
    """Cases (permission alerts.read), of one status and/or assignee, newest first."""

    def read() -> list[CaseView]:
        with container.uow() as uow:
            return list_cases(uow.session, status=status, assignee=assignee, limit=limit, below_id=before(cursor))

    views = await asyncio.to_thread(read)
    return {"cases": [case_json(c) for c in views], "next": next_cursor(views, limit, lambda c: str(c.id))}


# Before /cases/{caseId}, which would take "assignees" for a case id.
@router.get("/cases/assignees", response_model=None, responses={
    **documented(CaseAssignees, "who may be given a case"), **STAFF_ONLY,
})  # fmt: skip
async def case_assignees(staff: CASES_MANAGE, container: ContainerDep) -> dict[str, Any]:
    """The e-mails of active staff a case may be given to (their role holds cases.manage), for the assign picker
    (permission cases.manage: only who assigns needs the list)."""

    def read() -> list[str]:
        with container.uow() as uow:
            return holders_of(uow.session, Permission.CASES_MANAGE)

    return {"assignees": await asyncio.to_thread(read)}


@router.get("/cases/{caseId}", response_model=None, responses={
    **documented(CaseDetail, "the case, its alerts and its notes"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def case_detail(case_id: CaseId, staff: ALERTS_READ, container: ContainerDep) -> dict[str, Any]:
    """One case with its alerts (oldest first) and notes (oldest first) (permission alerts.read)."""

    def read() -> tuple[CaseView, list[AlertView], list[NoteView]]:
        with container.uow() as uow:
            case = get_case(uow.session, case_id)
            views = case_alerts(uow.session, case_id)
            return case, views, case_notes(uow.session, case_id)

    case, views, notes = await asyncio.to_thread(read)
    return {"case": case_json(case), "alerts": [alert_json(v) for v in views], "notes": [note_json(n) for n in notes]}


@router.post("/cases/{caseId}/assign", response_model=None, responses={
    **documented(CaseOut, "assigned"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def assign(case_id: CaseId, body: Assign, staff: CASES_MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Gives the case to an active member of staff whose role may manage cases, or to nobody (permission
    cases.manage; audit-logged "case.assign" with before and after)."""
    actor = staff.actor

    def write() -> CaseView:
        with container.uow() as uow:
            case = assign_case(
                uow.session, case_id, body.assignee, check_assignee=assignee_check(Permission.CASES_MANAGE),
                actor=actor.name, ip=actor.ip, now_ms=_now_ms(),
            )  # fmt: skip
            uow.commit()
            return case

    return case_json(await asyncio.to_thread(write))


@router.post("/cases/{caseId}/notes", status_code=201, response_model=None, responses={
    **documented(NoteOut, "the note", 201), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def note(case_id: CaseId, body: NewNote, staff: CASES_MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Adds a note to a case that is not closed (permission cases.manage; audit-logged "case.note")."""
    actor = staff.actor

    def write() -> NoteView:
        with container.uow() as uow:
            added = add_note(uow.session, case_id, body.body, actor=actor.name, ip=actor.ip, now_ms=_now_ms())
            uow.commit()
            return added

    return note_json(await asyncio.to_thread(write))


@router.post("/cases/{caseId}/status", response_model=None, responses={
    **documented(CaseOut, "the case in its new state"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def status_change(
    case_id: CaseId, body: StatusChange, staff: CASES_MANAGE, container: ContainerDep
) -> dict[str, Any]:
    """Moves a case (permission cases.manage): open -> investigating | escalated | closed; investigating ->
    escalated | closed; escalated -> investigating | closed; closed -> open (reopen). Closing and reopening
    need a reason. Anything else is 409 CASE_TRANSITION_INVALID. Audit-logged "case.status"."""
    actor = staff.actor

    def write() -> CaseView:
        with container.uow() as uow:
            case = change_status(
                uow.session, case_id, body.status, body.reason, actor=actor.name, ip=actor.ip, now_ms=_now_ms()
            )
            uow.commit()
            return case

    return case_json(await asyncio.to_thread(write))


@router.get("/cases/{caseId}/report", response_model=None, dependencies=[SAME_ORIGIN_READ], responses={
    200: {"model": CaseReport, "description": "the report: JSON, or (format=html) a printable page (print to PDF)",
          "content": {"text/html": {"schema": {"type": "string"}}}},
    **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def report(
    case_id: CaseId,
    staff: ALERTS_READ,
    container: ContainerDep,
    report_format: Annotated[Literal["json", "html"], Query(alias="format")] = "json",
) -> Any:
    """The regulator's report of a case (permission alerts.read): the case, its alerts with their details, its
    notes, the audit log about them, and a wallet subject's KYC level and balances. Each export is
    audit-logged ("case.export") before it is sent. HTML is self-contained and printable: a PDF is the
    browser's "print to PDF" of it."""
    actor = staff.actor

    def write() -> dict[str, Any]:
        with container.uow() as uow:
            built = export_case_report(
                uow.session, case_id, report_format=report_format, actor=actor.name, ip=actor.ip, now_ms=_now_ms()
            )
            uow.commit()
            return built

    built = await asyncio.to_thread(write)
    if report_format == "json":
        return built
    return HTMLResponse(
        render_report_html(built),
        headers={
            "Content-Disposition": f'inline; filename="case-{case_id}-report.html"',
            # nothing in the page runs or loads: its own inline style only
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
