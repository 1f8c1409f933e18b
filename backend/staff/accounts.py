"""Staff accounts: create, list, disable, change role, reset the second factor, send an invitation again. Each is
one unit of work that writes its audit-log entry with the change."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.audit_log import record_action
from backend.bootstrap import Container
from backend.db.models import (
    StaffAccount,
    StaffPasswordReset,
    StaffRecoveryCode,
    StaffSession,
    StaffSignInChallenge,
)
from backend.errors import ErrorCode, HdexError
from backend.mail import Mailer, mailer_for
from backend.mail.addresses import normal_email
from backend.staff import credentials, totp
from backend.staff.links import send_password_link
from backend.staff.roles import PERMISSIONS, Permission, Role

Clock = Callable[[], int]  # epoch ms


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class StaffMember:
    """A member of staff as the back office shows them (no secret in it)."""

    id: int
    email: str
    role: Role
    disabled: bool
    totp_enrolled: bool
    created_at_ms: int
    invitation_pending: bool = False  # invited, and no password set yet: the invitation link is unused

    @property
    def actor(self) -> str:
        """How the audit log names them."""
        return f"staff:{self.email}"

    @property
    def permissions(self) -> frozenset[Permission]:
        return PERMISSIONS[self.role]


@dataclass(frozen=True)
class Actor:
    """Who asks for a change, for the audit log: "staff:<email>" or "cli:<os user>", and from where."""

    name: str
    ip: str | None = None


@dataclass(frozen=True)
class NewStaff:
    """A created account and the secrets shown once: the TOTP set-up and recovery codes when the CLI set a
    password, else the invitation token that the e-mail carries."""

    member: StaffMember
    totp_setup: totp.TotpSetup | None
    recovery_codes: list[str]
    invite_token: str | None


def member_of(row: StaffAccount) -> StaffMember:
    return StaffMember(
        row.id, row.email, Role(row.role), row.disabled, row.totp_enrolled, row.created_at_ms, row.password_hash is None
    )


def revoke_everything(session: Session, staff_id: int) -> None:
    """End the account's sessions, pending sign-ins and password links."""
    for model in (StaffSession, StaffSignInChallenge, StaffPasswordReset):
        session.execute(delete(model).where(model.staff_id == staff_id))


def store_recovery_codes(session: Session, staff_id: int) -> list[str]:
    """Fresh recovery codes for the account, replacing any it had; returned once, stored hashed."""
    session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == staff_id))
    codes = credentials.new_recovery_codes()
    session.add_all(StaffRecoveryCode(code_hash=credentials.recovery_code_hash(c), staff_id=staff_id) for c in codes)
    return codes


class StaffAccounts:
    """The staff list over the container's database."""

    def __init__(self, container: Container, mailer: Mailer | None = None, clock: Clock = now_ms) -> None:
        self._container = container
        self._mailer = mailer or mailer_for(container.settings)
        self._clock = clock

    def invite(self, email: str, role: Role, actor: Actor, link_base: str) -> tuple[StaffMember, bool]:
        """A new account without a password: its owner gets a mail with a set-your-password link, and sets
        up TOTP at the first sign-in. With whether the mail went: the inviter must learn that it did not (the
        link is made once and kept nowhere), so the new member can ask for a reset link instead."""
        created = self.create(email, role, actor)
        assert created.invite_token is not None
        return created.member, self._mail_invitation(created.member, link_base, created.invite_token)

    def resend_invitation(self, staff_id: int, actor: Actor, link_base: str) -> tuple[StaffMember, bool]:
        """A new set-your-password link for a member who has not set a password yet (an invitation expired or
        lost), mailed as the invitation was; the old link stops working. STAFF_EMAIL_TAKEN (409) for an account
        already in use (a password set) or disabled: it has no invitation to send again. With whether the mail
        went, as `invite`."""
        token = credentials.new_token()
        with self._container.uow() as uow:
            row = _account(uow.session, staff_id)
            if row.password_hash is not None or row.disabled:
                state = "is disabled" if row.disabled else "has accepted the invitation (a password is set)"
                raise HdexError(
                    ErrorCode.STAFF_EMAIL_TAKEN,
                    f"{row.email} {state}: there is no invitation to send again; a member who forgot the password "
                    "asks for a reset link on the sign-in page",
                    "id",
                )
            uow.session.execute(delete(StaffPasswordReset).where(StaffPasswordReset.staff_id == row.id))
            uow.session.add(self._invitation(row.id, token))
            record_action(
                uow.session, actor=actor.name, action="staff.invitation_resent", target=f"staff:{row.email}",
                ip=actor.ip,
            )  # fmt: skip
            uow.commit()
            member = member_of(row)
        return member, self._mail_invitation(member, link_base, token)

    def _invitation(self, staff_id: int, token: str) -> StaffPasswordReset:
        """The stored (hashed) set-your-password link of an invitation, valid for the invitation's time."""
        expires = self._clock() + self._container.settings.staff_invite_ttl_s * 1000
        return StaffPasswordReset(token_hash=credentials.token_hash(token), staff_id=staff_id, expires_at_ms=expires)

    def _mail_invitation(self, member: StaffMember, link_base: str, token: str) -> bool:
        """Mail the set-your-password link to an invited member; whether it went."""
        days = self._container.settings.staff_invite_ttl_s // 86_400
        text = (
            f"You have an HDEX back-office account ({member.role.value}). Set your password with the link below "
            f"(it works once, for {days} days or less); at your first sign-in you will set up a TOTP app."
        )
        return send_password_link(self._mailer, member.email, "HDEX staff: your account", text, link_base, token)

    def create(self, email: str, role: Role, actor: Actor, password: str | None = None) -> NewStaff:
        """A new active account. With `password` (the CLI's first admin) the TOTP set-up and recovery codes
        are returned to show once; without, an invitation token for a set-your-password link, and the
        TOTP set-up comes at the first sign-in."""
        email = normal_email(email)
        if password is not None:
            credentials.check_password_policy(password, email)
        now = self._clock()
        with self._container.uow() as uow:
            if uow.session.scalar(select(StaffAccount.id).where(StaffAccount.email == email)) is not None:
                raise HdexError(ErrorCode.STAFF_EMAIL_TAKEN, f"{email} already has a staff account", "email")
            row = StaffAccount(
                email=email,
                role=role.value,
                password_hash=None if password is None else credentials.hash_password(password),
                totp_secret=totp.new_secret(),
                totp_enrolled=password is not None,
                totp_last_step=None,
                disabled=False,
                created_at_ms=now,
            )
            uow.session.add(row)
            uow.session.flush()
            codes: list[str] = []
            setup = invite = None
            if password is not None:
                codes = store_recovery_codes(uow.session, row.id)
                setup = totp.setup_for(row.totp_secret, email)
            else:
                invite = credentials.new_token()
                uow.session.add(self._invitation(row.id, invite))
            record_action(
                uow.session, actor=actor.name, action="staff.create", target=f"staff:{email}",
                after={"email": email, "role": role.value}, ip=actor.ip,
            )  # fmt: skip
            uow.commit()
            return NewStaff(member_of(row), setup, codes, invite)

    def list(self) -> list[StaffMember]:
        """Every account, oldest first."""
        with self._container.uow() as uow:
            return [member_of(r) for r in uow.session.scalars(select(StaffAccount).order_by(StaffAccount.id))]

    def find_by_email(self, email: str) -> StaffMember:
        """The account of `email`, or STAFF_NOT_FOUND."""
        with self._container.uow() as uow:
            row = uow.session.scalar(select(StaffAccount).where(StaffAccount.email == email.strip().lower()))
            if row is None:
                raise HdexError(ErrorCode.STAFF_NOT_FOUND, f"no staff account for {email}", "email")
            return member_of(row)

    def disable(self, staff_id: int, actor: Actor, reason: str) -> StaffMember:
        """Disable the account and end its sessions; STAFF_LAST_ADMIN for the last admin who can sign in."""
        with self._container.uow() as uow:
            row = _account(uow.session, staff_id)
            if row.disabled:
                return member_of(row)
            _keep_an_admin(uow.session, row)
            row.disabled = True
            revoke_everything(uow.session, row.id)
            record_action(
                uow.session, actor=actor.name, action="staff.disable", target=f"staff:{row.email}",
                before={"disabled": False}, after={"disabled": True, "reason": reason}, ip=actor.ip,
            )  # fmt: skip
            uow.commit()
            return member_of(row)

    def change_role(self, staff_id: int, role: Role, actor: Actor, reason: str) -> StaffMember:
        """Give the account `role` (effective on its next request); STAFF_LAST_ADMIN if that demotes the
        last admin who can sign in."""
        with self._container.uow() as uow:
            row = _account(uow.session, staff_id)
            before = row.role
            if before == role.value:
                return member_of(row)
            _keep_an_admin(uow.session, row)
            row.role = role.value
            record_action(
                uow.session, actor=actor.name, action="staff.role_change", target=f"staff:{row.email}",
                before={"role": before}, after={"role": role.value, "reason": reason}, ip=actor.ip,
            )  # fmt: skip
            uow.commit()
            return member_of(row)

    def reset_totp(self, staff_id: int, actor: Actor, reason: str) -> StaffMember:
        """A new TOTP secret, set up again at the next sign-in; recovery codes and sessions end. INVALID_FIELD
        (staffId) for a member who has not set TOTP up yet (invited, or reset already): there is nothing to reset."""
        with self._container.uow() as uow:
            row = _account(uow.session, staff_id)
            if not row.totp_enrolled:
                # a reset would only be an audit entry saying a phone was lost that was never set up
                raise HdexError(
                    ErrorCode.INVALID_FIELD,
                    f"{row.email} has not set up two-step sign-in yet: there is nothing to reset (TOTP is set up "
                    "at the first sign-in)",
                    "staffId",
                )
            row.totp_secret, row.totp_enrolled, row.totp_last_step = totp.new_secret(), False, None
            uow.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == row.id))
            revoke_everything(uow.session, row.id)
            record_action(
                uow.session, actor=actor.name, action="staff.totp_reset", target=f"staff:{row.email}",
                after={"reason": reason}, ip=actor.ip,
            )  # fmt: skip
            uow.commit()
            return member_of(row)


def _account(session: Session, staff_id: int) -> StaffAccount:
    row = session.get(StaffAccount, staff_id)
    if row is None:
        raise HdexError(ErrorCode.STAFF_NOT_FOUND, f"no staff account {staff_id}", "id")
    return row


def _keep_an_admin(session: Session, changing: StaffAccount) -> None:
    """STAFF_LAST_ADMIN if disabling or demoting `changing` would leave no admin who can sign in."""
    if changing.role != Role.ADMIN.value or changing.disabled:
        return
    # Only admins who can sign in count: an invited admin without a password or a TOTP app yet may never come.
    # Locked (PostgreSQL), not only counted: two admins disabling or demoting each other at once would each
    # count two and both commit; the second now waits for the first and counts again.
    admins = session.scalars(
        select(StaffAccount.id)
        .where(
            StaffAccount.role == Role.ADMIN.value,
            StaffAccount.disabled.is_(False),
            StaffAccount.password_hash.is_not(None),
            StaffAccount.totp_enrolled.is_(True),
        )
        .with_for_update()
    ).all()
    if changing.id not in admins:
        return  # an invitation never taken up, say: no admin who can sign in is lost
    if len(admins) <= 1:
        raise HdexError(
            ErrorCode.STAFF_LAST_ADMIN,
            f"{changing.email} is the last admin who can sign in: make another first (an invited admin counts "
            "once they have set a password and signed in with a TOTP code)",
        )
