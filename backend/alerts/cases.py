"""Cases: staff work alerts in them, from opened to closed with a reason, every change in the audit log.

States and the moves between them (anything else is CASE_TRANSITION_INVALID):

    open          -> investigating | escalated | closed
    investigating -> escalated | closed
    escalated     -> investigating (sent back after review) | closed
    closed        -> open (reopened, with a reason: back in the queue, assignee kept)

Closing and reopening need a reason (the close reason is kept on the case; both are in the audit log); the
other moves take an optional one. A closed case is read-only (no assignment, no note) until reopened.

Alerts: opening a case takes alerts that are neither closed nor in another case; they become "acknowledged"
with the case's id. Closing the case closes them (so a monitor seeing the same cause again raises a new
alert); reopening it acknowledges them again (an alert whose cause has a newer open alert gives it its key). An
alert may also be closed on its own, with a reason, if it is in no case.

Each function changes the caller's unit of work and writes its audit-log entry there (actions "case.open",
"case.assign", "case.note", "case.status", "alert.close"; targets "case:<id>", "alert:<id>"); the caller
commits.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.alerts.queries import get_alert
from backend.audit_log import record_action
from backend.db.locks import get_for_change
from backend.db.models import Alert, Case, CaseNote
from backend.errors import ErrorCode, HdexError

OPEN, INVESTIGATING, ESCALATED, CLOSED = "open", "investigating", "escalated", "closed"
STATUSES = (OPEN, INVESTIGATING, ESCALATED, CLOSED)
TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({INVESTIGATING, ESCALATED, CLOSED}),
    INVESTIGATING: frozenset({ESCALATED, CLOSED}),
    ESCALATED: frozenset({INVESTIGATING, CLOSED}),
    CLOSED: frozenset({OPEN}),
}
NEEDS_REASON = frozenset({CLOSED, OPEN})  # closing, and reopening (the only move into open)
MAX_ALERTS_PER_CASE = 100
MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as doors show it, with the ids of its alerts (oldest first)."""

    id: int
    title: str
    subject: str | None
    status: str
    assignee: str | None
    close_reason: str | None
    created_by: str
    created_at_ms: int
    updated_at_ms: int
    alert_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NoteView:
    id: int
    author: str
    body: str
    created_at_ms: int


def check_transition(current: str, wanted: str, reason: str | None) -> None:
    """CASE_TRANSITION_INVALID unless a case in `current` may move to `wanted` with this reason (pure)."""
    if wanted not in TRANSITIONS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"status is one of {', '.join(STATUSES)}", "status")
    if wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current]))
        raise HdexError(
            ErrorCode.CASE_TRANSITION_INVALID, f"a case that is {current} can move to {allowed}, not {wanted}", "status"
        )
    if wanted in NEEDS_REASON and not (reason and reason.strip()):
        verb = "closing" if wanted == CLOSED else "reopening"
        raise HdexError(ErrorCode.CASE_TRANSITION_INVALID, f"{verb} a case needs a reason", "reason")


def open_case(
    session: Session, alert_ids: Collection[int], title: str, *, actor: str, ip: str | None, now_ms: int
) -> CaseView:
    """A new open case over `alert_ids` (ALERT_NOT_FOUND for an unknown one; CASE_TRANSITION_INVALID for one
    that is closed or already in a case). Its subject is the alerts' common subject, if they share one."""
    ids = sorted(set(alert_ids))
    if not 1 <= len(ids) <= MAX_ALERTS_PER_CASE:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a case holds 1 to {MAX_ALERTS_PER_CASE} alerts", "alertIds")
    alerts = [_alert_for_change(session, alert_id) for alert_id in ids]  # in id order: two opens never deadlock
    for alert in alerts:
        if alert.case_id is not None:
            raise HdexError(
                ErrorCode.CASE_TRANSITION_INVALID, f"alert {alert.id} is already in case {alert.case_id}", "alertIds"
            )
        if alert.status == CLOSED:
            raise HdexError(ErrorCode.CASE_TRANSITION_INVALID, f"alert {alert.id} is closed", "alertIds")
    subjects = {alert.subject for alert in alerts}
    case = Case(
        title=title.strip()[:300],
        subject=subjects.pop() if len(subjects) == 1 else None,
        status=OPEN,
        assignee=None,
        close_reason=None,
        created_by=actor,
        created_at_ms=now_ms,
        updated_at_ms=now_ms,
    )
    session.add(case)
    session.flush()
    for alert in alerts:
        alert.case_id, alert.status = case.id, "acknowledged"
    record_action(
        session, actor=actor, action="case.open", target=f"case:{case.id}", before=None,
        after={"title": case.title, "subject": case.subject, "status": OPEN, "alertIds": ids}, ip=ip,
    )  # fmt: skip
    return _view(case, ids)


def assign_case(
    session: Session,
    case_id: int,
    assignee: str | None,
    *,
    check_assignee: Callable[[Session, str | None], str | None],
    actor: str,
    ip: str | None,
    now_ms: int,
) -> CaseView:
    """Give the case to `assignee` (a staff e-mail; None: nobody) if `check_assignee` lets them have it (the
    caller knows who holds cases.manage: backend.staff.assignees), which answers the e-mail as stored."""
    case = _case(session, case_id, for_change=True)
    _refuse_if_closed(case, "assigned")
    email = check_assignee(session, assignee)
    if email != case.assignee:
        before = case.assignee
        case.assignee, case.updated_at_ms = email, now_ms
        record_action(
            session, actor=actor, action="case.assign", target=f"case:{case.id}", before={"assignee": before},
            after={"assignee": email}, ip=ip,
        )  # fmt: skip
    return _view(case, _alert_ids(session, case.id))


def add_note(session: Session, case_id: int, body: str, *, actor: str, ip: str | None, now_ms: int) -> NoteView:
    """Append a note by `actor` to the case (notes are never edited)."""
    case = _case(session, case_id, for_change=True)
    _refuse_if_closed(case, "noted")
    if not body.strip() or len(body) > MAX_NOTE_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a note is 1 to {MAX_NOTE_CHARS} characters", "body")
    note = CaseNote(case_id=case.id, author=actor, body=body, created_at_ms=now_ms)
    session.add(note)
    case.updated_at_ms = now_ms
    session.flush()
    record_action(
        session, actor=actor, action="case.note", target=f"case:{case.id}", before=None,
        after={"noteId": note.id, "body": body}, ip=ip,
    )  # fmt: skip
    return NoteView(note.id, note.author, note.body, note.created_at_ms)


def change_status(
    session: Session, case_id: int, status: str, reason: str | None, *, actor: str, ip: str | None, now_ms: int
) -> CaseView:
    """Move the case to `status` (see the module docs for the moves and reasons); its alerts follow a close
    (closed) and a reopen (acknowledged)."""
    case = _case(session, case_id, for_change=True)
    check_transition(case.status, status, reason)
    reason = reason.strip() if reason and reason.strip() else None
    before = {"status": case.status, "closeReason": case.close_reason}
    case.status, case.updated_at_ms = status, now_ms
    if status == CLOSED:
        case.close_reason = reason
    elif before["status"] == CLOSED:
        case.close_reason = None
    alerts = list(session.scalars(select(Alert).where(Alert.case_id == case.id).order_by(Alert.id)))
    if status == CLOSED:
        for alert in alerts:
            alert.status = CLOSED
    elif before["status"] == CLOSED:
        for alert in alerts:
            _reopen(session, alert)
    record_action(
        session, actor=actor, action="case.status", target=f"case:{case.id}", before=before,
        after={"status": status, "reason": reason}, ip=ip,
    )  # fmt: skip
    return _view(case, [alert.id for alert in alerts])


def _reopen(session: Session, alert: Alert) -> None:
    """Acknowledge a closed alert again. One alert not closed holds a key: when the monitor has opened a new alert
    of the same cause since, that one keeps counting it and this one gives the key up."""
    newer = select(Alert.id).where(Alert.dedup_key == alert.dedup_key, Alert.status != CLOSED, Alert.id != alert.id)
    if alert.dedup_key is not None and session.scalar(newer) is not None:
        alert.dedup_key = None
    alert.status = "acknowledged"


def close_alert(session: Session, alert_id: int, reason: str, *, actor: str, ip: str | None) -> Alert:
    """Close one alert that is in no case (a false positive, say), with a reason; ALERT_NOT_FOUND, or
    CASE_TRANSITION_INVALID if it is closed already or belongs to a case (close the case instead)."""
    alert = _alert_for_change(session, alert_id)
    if alert.case_id is not None:
        raise HdexError(
            ErrorCode.CASE_TRANSITION_INVALID, f"alert {alert.id} is in case {alert.case_id}: close the case", "alertId"
        )
    if alert.status == CLOSED:
        raise HdexError(ErrorCode.CASE_TRANSITION_INVALID, f"alert {alert.id} is closed already", "alertId")
    if not reason.strip():
        raise HdexError(ErrorCode.INVALID_FIELD, "closing an alert needs a reason", "reason")
    before = alert.status
    alert.status = CLOSED
    record_action(
        session, actor=actor, action="alert.close", target=f"alert:{alert.id}", before={"status": before},
        after={"status": CLOSED, "reason": reason.strip()}, ip=ip,
    )  # fmt: skip
    return alert


def get_case(session: Session, case_id: int) -> CaseView:
    """The case, or CASE_NOT_FOUND."""
    case = _case(session, case_id)
    return _view(case, _alert_ids(session, case.id))


def case_notes(session: Session, case_id: int) -> list[NoteView]:
    """The case's notes, oldest first."""
    query = select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id)
    return [NoteView(n.id, n.author, n.body, n.created_at_ms) for n in session.scalars(query)]


def list_cases(
    session: Session, *, status: str | None, assignee: str | None, limit: int, below_id: int | None = None
) -> list[CaseView]:
    """Cases newest first, of one status and/or assignee if given, with ids below `below_id` if given."""
    query = select(Case).order_by(Case.id.desc()).limit(limit)
    if below_id is not None:
        query = query.where(Case.id < below_id)
    if status is not None:
        query = query.where(Case.status == status)
    if assignee is not None:
        query = query.where(Case.assignee == assignee.strip().lower())
    cases = list(session.scalars(query))
    members: dict[int, list[int]] = {case.id: [] for case in cases}
    if cases:
        rows = session.execute(select(Alert.case_id, Alert.id).where(Alert.case_id.in_(members)).order_by(Alert.id))
        for case_id, alert_id in rows:
            if case_id is not None:
                members[case_id].append(alert_id)
    return [_view(case, members[case.id]) for case in cases]


def _case(session: Session, case_id: int, *, for_change: bool = False) -> Case:
    """The case, or CASE_NOT_FOUND; with `for_change`, locked first and read after (`get_for_change`)."""
    case = get_for_change(session, Case, case_id) if for_change else session.get(Case, case_id)
    if case is None:
        raise HdexError(ErrorCode.CASE_NOT_FOUND, f"there is no case {case_id}", "caseId")
    return case


def _alert_for_change(session: Session, alert_id: int) -> Alert:
    """The alert, locked first and read after (`get_for_change`), or ALERT_NOT_FOUND: two staff putting one alert in
    two cases at once both saw it in none."""
    return get_for_change(session, Alert, alert_id) or get_alert(session, alert_id)  # get_alert: ALERT_NOT_FOUND


def _refuse_if_closed(case: Case, what: str) -> None:
    if case.status == CLOSED:
        raise HdexError(ErrorCode.CASE_TRANSITION_INVALID, f"case {case.id} is closed: reopen it to be {what}")


def _alert_ids(session: Session, case_id: int) -> list[int]:
    return list(session.scalars(select(Alert.id).where(Alert.case_id == case_id).order_by(Alert.id)))


def _view(case: Case, alert_ids: Iterable[int]) -> CaseView:
    return CaseView(
        case.id, case.title, case.subject, case.status, case.assignee, case.close_reason, case.created_by,
        case.created_at_ms, case.updated_at_ms, tuple(alert_ids),
    )  # fmt: skip
