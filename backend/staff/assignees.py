"""Who may be given work (a case, a ticket): an active member of staff whose role holds the permission the
work needs. One check for every queue that assigns; the domains that assign take it as an `AssigneeCheck`
(they sit below the permission table and do not read it)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import StaffAccount
from backend.errors import ErrorCode, HdexError
from backend.staff.roles import Permission, Role, may

AssigneeCheck = Callable[[Session, str | None], str | None]


def holders_of(session: Session, permission: Permission) -> list[str]:
    """The e-mails of active staff whose role holds `permission`, oldest account first."""
    rows = session.scalars(select(StaffAccount).where(StaffAccount.disabled.is_(False)).order_by(StaffAccount.id))
    return [row.email for row in rows if may(Role(row.role), permission)]


def assignee_of(session: Session, assignee: str | None, permission: Permission) -> str | None:
    """`assignee` (a staff e-mail in any letter case; None: nobody) as stored, if it is an active member of
    staff whose role holds `permission`; else INVALID_FIELD on "assignee"."""
    if assignee is None:
        return None
    email = assignee.strip().lower()
    member = session.scalar(select(StaffAccount).where(StaffAccount.email == email))
    if member is None or member.disabled or not may(Role(member.role), permission):
        raise HdexError(
            ErrorCode.INVALID_FIELD, f"the assignee is an active member of staff whose role holds {permission.value}",
            "assignee",
        )  # fmt: skip
    return email


def assignee_check(permission: Permission) -> AssigneeCheck:
    """`assignee_of` for one permission, for the domain code that assigns."""
    return lambda session, assignee: assignee_of(session, assignee, permission)
