"""The JSON shapes the staff routes share: a member of staff."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from backend.api.schemas import EpochMs
from backend.staff.accounts import StaffMember
from backend.staff.roles import Permission, Role


class StaffOut(BaseModel):
    id: int
    email: str
    role: Role
    permissions: list[Permission] = Field(description="what the role may do, from the one permission table")
    disabled: bool
    totpEnrolled: bool = Field(description="false until the first sign-in with a TOTP code after creation or reset")
    invitationPending: bool = Field(description="invited and no password set yet: the invitation link is unused")
    createdAt: EpochMs


class InvitedStaffOut(StaffOut):
    invitationMailed: bool = Field(
        description="false: the set-your-password mail could not be sent; the owner asks for a reset link instead"
    )


def staff_json(member: StaffMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "email": member.email,
        "role": member.role.value,
        "permissions": sorted(p.value for p in member.permissions),
        "disabled": member.disabled,
        "totpEnrolled": member.totp_enrolled,
        "invitationPending": member.invitation_pending,
        "createdAt": member.created_at_ms,
    }
