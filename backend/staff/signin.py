"""Staff sign-in: password, then a TOTP or recovery code, into a session with idle and absolute
timeouts; sign-out; password links by e-mail. Each method is one unit of work (the API runs them in
a thread) and writes its audit-log entry, failures included, before it raises.

Failures count towards a lock-out (`StaffSignInFailures`), and only a complete sign-in clears them: a wrong
password per e-mail and client (the door's key of the client's address), so a stranger guessing locks out the
stranger, not the member signing in from elsewhere; a wrong second factor for the whole account, as it takes
the password: knowing it does not buy unlimited guesses at the second factor, from however many addresses.
Failures for an e-mail without an active account are counted and locked the same way, so that neither the
answers nor their timing tell anyone which e-mails are staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn, cast

from sqlalchemy import ColumnElement, CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit_log import record_action
from backend.bootstrap import Container
from backend.db.models import (
    StaffAccount,
    StaffPasswordReset,
    StaffRecoveryCode,
    StaffSession,
    StaffSignInChallenge,
    StaffSignInFailures,
)
from backend.errors import ErrorCode, HdexError, retry_after_s
from backend.mail import Mailer, mailer_for
from backend.mail.addresses import normal_email
from backend.staff import credentials, totp
from backend.staff.accounts import Clock, StaffMember, member_of, now_ms, revoke_everything, store_recovery_codes
from backend.staff.links import send_password_link
from backend.staff.lockout import LockoutPolicy

CHALLENGE_TTL_MS = 5 * 60 * 1000  # time to open the authenticator app
FAILURE_MEMORY_MS = 24 * 3600 * 1000  # failures are forgotten after a quiet day
ACCOUNT = "*"  # the `client` of the second factor's failures: the whole account's
TOUCH_EVERY_MS = 15_000  # a session's last-seen time is written at most this often


@dataclass(frozen=True)
class Challenge:
    """The password step passed: send `token` with a code within CHALLENGE_TTL_MS. `totp_setup` is set when
    the account has no second factor yet (first sign-in, or after a reset)."""

    token: str
    expires_at_ms: int
    totp_setup: totp.TotpSetup | None


@dataclass(frozen=True)
class StaffSessionView:
    """A live session: who, until when (the earlier of its absolute and idle expiry)."""

    member: StaffMember
    expires_at_ms: int
    idle_expires_at_ms: int


@dataclass(frozen=True)
class NewStaffSession:
    token: str  # for the cookie only: never stored, never logged
    csrf_token: str
    view: StaffSessionView
    recovery_codes: list[str]  # set once, when this sign-in completed the TOTP set-up


class StaffSignIn:
    """Sign-in, sessions and password links over the container's database."""

    def __init__(self, container: Container, mailer: Mailer | None = None, clock: Clock = now_ms) -> None:
        settings = container.settings
        self._container = container
        self._mailer = mailer or mailer_for(settings)
        self._clock = clock
        self._lockout = LockoutPolicy(
            settings.staff_lockout_after, settings.staff_lockout_base_s, settings.staff_lockout_max_s
        )
        self._idle_ms = settings.staff_session_idle_s * 1000
        self._max_ms = settings.staff_session_max_s * 1000

    # -- the password step

    def start(self, email: str, password: str, ip: str, client: str | None = None) -> Challenge:
        """A challenge for the second factor, once `password` is the account's; STAFF_BAD_CREDENTIALS
        (unknown, disabled or wrong, never saying which) or STAFF_LOCKED otherwise. Failures count under `client`
        (the key of the client's address; `ip` itself if not given) and `ip` goes to the audit log."""
        email = normal_email(email)  # INVALID_FIELD before any lookup: a NUL or control character is no address
        client = (client or ip)[:80]
        now = self._clock()
        with self._container.uow() as uow:
            # Locked for the attempt (PostgreSQL): one account's sign-ins run one at a time.
            row = uow.session.scalar(select(StaffAccount).where(StaffAccount.email == email).with_for_update())
            self._refuse_if_locked(uow.session, email, client, now, ip)
            if row is None or row.disabled:
                credentials.password_matches(None, password)  # the same work as for a real account
                self._fail(uow.session, email, client, now, ip, "unknown or disabled account")
            if not credentials.password_matches(row.password_hash, password):
                self._fail(uow.session, email, client, now, ip, "wrong password")
            assert row.password_hash is not None  # it matched
            if credentials.needs_rehash(row.password_hash):
                row.password_hash = credentials.hash_password(password)
            token = credentials.new_token()
            uow.session.execute(delete(StaffSignInChallenge).where(StaffSignInChallenge.expires_at_ms <= now))
            uow.session.add(
                StaffSignInChallenge(
                    token_hash=credentials.token_hash(token), staff_id=row.id, expires_at_ms=now + CHALLENGE_TTL_MS
                )
            )
            setup = None if row.totp_enrolled else totp.setup_for(row.totp_secret, row.email)
            uow.commit()
            return Challenge(token, now + CHALLENGE_TTL_MS, setup)

    # -- the second step

    def finish(
        self,
        challenge: str,
        ip: str,
        code: str | None = None,
        recovery_code: str | None = None,
        client: str | None = None,
    ) -> NewStaffSession:
        """A session, once `code` (TOTP) or `recovery_code` is right for the challenge's account. A TOTP
        code is accepted once (its time step is remembered), a recovery code is spent. A wrong one counts for the
        whole account; a complete sign-in clears the account's failures and `client`'s (as `start`)."""
        client = (client or ip)[:80]
        now = self._clock()
        with self._container.uow() as uow:
            pending = uow.session.get(StaffSignInChallenge, credentials.token_hash(challenge))
            row = None if pending is None else uow.session.get(StaffAccount, pending.staff_id, with_for_update=True)
            if pending is None or pending.expires_at_ms <= now or row is None or row.disabled:
                raise HdexError(
                    ErrorCode.STAFF_CHALLENGE_INVALID,
                    "the sign-in has expired or was already used: start again with your password",
                    "challenge",
                )
            self._refuse_if_locked(uow.session, row.email, client, now, ip)
            method = self._second_factor(uow.session, row, now, ip, code, recovery_code)
            uow.session.execute(delete(StaffSignInFailures).where(*_failures_of(row.email, client)))
            uow.session.delete(pending)
            codes: list[str] = []
            if not row.totp_enrolled:
                row.totp_enrolled = True
                codes = store_recovery_codes(uow.session, row.id)
            token = credentials.new_token()
            uow.session.execute(delete(StaffSession).where(StaffSession.expires_at_ms <= now))
            uow.session.add(
                StaffSession(
                    token_hash=credentials.token_hash(token),
                    staff_id=row.id,
                    created_at_ms=now,
                    last_seen_at_ms=now,
                    expires_at_ms=now + self._max_ms,
                    ip=ip[:64],
                )
            )
            record_action(
                uow.session,
                actor=f"staff:{row.email}",
                action="staff.sign_in",
                after={"method": method, **({"totp_enrolled": True} if codes else {})},
                ip=ip,
            )
            uow.commit()
            view = StaffSessionView(member_of(row), now + self._max_ms, now + self._idle_ms)
            return NewStaffSession(token, credentials.csrf_token(token), view, codes)

    def _second_factor(
        self, session: Session, row: StaffAccount, now: int, ip: str, code: str | None, recovery_code: str | None
    ) -> str:
        if code is not None:
            step = totp.accepted_step(row.totp_secret, code, row.totp_last_step, now / 1000)
            # Conditional, so two requests racing with one code cannot both pass (SQLite has no row lock).
            if step is None or not _updated(
                session.execute(
                    update(StaffAccount)
                    .where(
                        StaffAccount.id == row.id,
                        StaffAccount.totp_last_step.is_(None) | (StaffAccount.totp_last_step < step),
                    )
                    .values(totp_last_step=step)
                )
            ):
                self._fail_second_factor(session, row, now, ip, "wrong or already used TOTP code")
            return "totp"
        if recovery_code is not None and row.totp_enrolled:
            spent = session.execute(
                update(StaffRecoveryCode)
                .where(
                    StaffRecoveryCode.code_hash == credentials.recovery_code_hash(recovery_code),
                    StaffRecoveryCode.staff_id == row.id,
                    StaffRecoveryCode.used_at_ms.is_(None),
                )
                .values(used_at_ms=now)
            )
            if _updated(spent):
                return "recovery_code"
        self._fail_second_factor(session, row, now, ip, "wrong or spent recovery code")

    # -- failures and lock-out

    def _refuse_if_locked(self, session: Session, email: str, client: str, now: int, ip: str) -> None:
        """STAFF_LOCKED (recorded) while `email` is locked for `client` or for the whole account."""
        until = session.scalar(
            select(func.max(StaffSignInFailures.locked_until_ms)).where(*_failures_of(email, client))
        )
        if until is not None and until > now:
            record_action(session, actor=f"staff:{email}", action="staff.sign_in_refused",
                          after={"reason": "locked", "locked_until_ms": until}, ip=ip)  # fmt: skip
            session.commit()
            raise _locked(until, now)

    def _fail_second_factor(self, session: Session, row: StaffAccount, now: int, ip: str, reason: str) -> NoReturn:
        """A wrong second factor: it needed the password, so it counts for the whole account (`_fail`)."""
        self._fail(session, row.email, ACCOUNT, now, ip, reason, ErrorCode.STAFF_TOTP_INVALID, row.id)

    def _fail(
        self,
        session: Session,
        email: str,
        client: str,
        now: int,
        ip: str,
        reason: str,
        code: ErrorCode = ErrorCode.STAFF_BAD_CREDENTIALS,
        staff_id: int | None = None,
    ) -> NoReturn:
        """Count a failure of `email` from `client` (locking them past the threshold, and then ending the account's
        (`staff_id`) pending challenges), record it, commit, raise. Counts a quiet day old are forgotten first:
        pruned here, where rows are added, so a sign-in that fails nothing writes nothing for them."""
        session.execute(
            delete(StaffSignInFailures).where(StaffSignInFailures.last_failed_at_ms < now - FAILURE_MEMORY_MS)
        )
        failures = session.get(StaffSignInFailures, (email, client), with_for_update=True)
        if failures is None:
            failures = StaffSignInFailures(email=email, client=client, failed_attempts=0, last_failed_at_ms=now)
            session.add(failures)
        failures.failed_attempts += 1
        failures.last_failed_at_ms = now
        lock_s = self._lockout.lock_s(failures.failed_attempts)
        after: dict[str, Any] = {"reason": reason, "failed_attempts": failures.failed_attempts}
        if lock_s:
            failures.locked_until_ms = after["locked_until_ms"] = now + lock_s * 1000
            if staff_id is not None:
                session.execute(delete(StaffSignInChallenge).where(StaffSignInChallenge.staff_id == staff_id))
        record_action(session, actor=f"staff:{email}", action="staff.sign_in_failed", after=after, ip=ip)
        try:
            session.commit()
        except IntegrityError:  # the first failure of an e-mail without an account twice at once: one is counted
            session.rollback()
            raise _bad_credentials() from None
        if lock_s:
            raise _locked(now + lock_s * 1000, now)
        if code is ErrorCode.STAFF_TOTP_INVALID:
            raise HdexError(code, "the code is wrong or was already used: wait for the next one", "code")
        raise _bad_credentials()

    # -- sessions

    def find(self, token: str, touch: bool = True) -> StaffSessionView | None:
        """The live session of `token`: unexpired, not idle too long, of an active account. With `touch` its
        last-seen time moves on (at most every TOUCH_EVERY_MS, to spare the database a write per request);
        a check that is not the member's doing (an open stream asking whether it may go on) leaves it."""
        now = self._clock()
        with self._container.uow() as uow:
            row = uow.session.get(StaffSession, credentials.token_hash(token))
            if row is None or row.expires_at_ms <= now or row.last_seen_at_ms + self._idle_ms <= now:
                return None
            account = uow.session.get(StaffAccount, row.staff_id)
            if account is None or account.disabled:
                return None
            if touch and now - row.last_seen_at_ms >= TOUCH_EVERY_MS:
                row.last_seen_at_ms = now
                uow.commit()
            return StaffSessionView(member_of(account), row.expires_at_ms, row.last_seen_at_ms + self._idle_ms)

    def sign_out(self, token: str, member: StaffMember, ip: str) -> None:
        """End the session of `token`."""
        with self._container.uow() as uow:
            uow.session.execute(delete(StaffSession).where(StaffSession.token_hash == credentials.token_hash(token)))
            record_action(uow.session, actor=member.actor, action="staff.sign_out", ip=ip)
            uow.commit()

    # -- password links

    def request_reset(self, email: str, link_base: str, ip: str) -> None:
        """Mail a single-use reset link to `email` if it is an active account's; nothing otherwise (the
        answer is the same, so the form tells nobody who is staff)."""
        email = normal_email(email)  # INVALID_FIELD before any lookup: a NUL or control character is no address
        now = self._clock()
        token = credentials.new_token()
        with self._container.uow() as uow:
            row = uow.session.scalar(select(StaffAccount).where(StaffAccount.email == email))
            if row is None or row.disabled:
                return
            uow.session.execute(delete(StaffPasswordReset).where(StaffPasswordReset.staff_id == row.id))
            uow.session.add(
                StaffPasswordReset(
                    token_hash=credentials.token_hash(token),
                    staff_id=row.id,
                    expires_at_ms=now + self._container.settings.staff_reset_ttl_s * 1000,
                )
            )
            record_action(uow.session, actor=f"staff:{email}", action="staff.password_reset_requested", ip=ip)
            uow.commit()
        minutes = self._container.settings.staff_reset_ttl_s // 60
        text = (
            f"Someone (we hope you) asked to reset your HDEX staff password. The link works once, "
            f"for {minutes} minutes. If it was not you, ignore this mail."
        )
        send_password_link(self._mailer, email, "HDEX staff: reset your password", text, link_base, token)

    def confirm_reset(self, token: str, password: str, ip: str) -> StaffMember:
        """Set the password of the link's account, once the link is known and unexpired; the link and the
        account's sessions end. STAFF_RESET_LINK_INVALID otherwise. The lock-out stays: only a complete sign-in
        clears it, or whoever reads the mailbox could reset between every few TOTP guesses."""
        now = self._clock()
        with self._container.uow() as uow:
            # Used up in the statement that finds it: of two confirms with one link, one gets the row (the other
            # waits on its lock, then finds none). A refusal below rolls back, so the link still works.
            staff_id = uow.session.execute(
                delete(StaffPasswordReset)
                .where(
                    StaffPasswordReset.token_hash == credentials.token_hash(token),
                    StaffPasswordReset.expires_at_ms > now,
                )
                .returning(StaffPasswordReset.staff_id)
            ).scalar_one_or_none()
            row = None if staff_id is None else uow.session.get(StaffAccount, staff_id, with_for_update=True)
            if row is None or row.disabled:
                raise HdexError(
                    ErrorCode.STAFF_RESET_LINK_INVALID,
                    "the link is unknown, expired or already used: ask for a new one",
                    "token",
                )
            credentials.check_password_policy(password, row.email)
            row.password_hash = credentials.hash_password(password)
            revoke_everything(uow.session, row.id)
            record_action(uow.session, actor=f"staff:{row.email}", action="staff.password_reset", ip=ip)
            uow.commit()
            return member_of(row)


def _updated(result: Any) -> bool:
    """Whether an UPDATE changed exactly one row."""
    return cast(CursorResult[Any], result).rowcount == 1


def _bad_credentials() -> HdexError:
    return HdexError(ErrorCode.STAFF_BAD_CREDENTIALS, "the e-mail address or the password is wrong", "password")


def _failures_of(email: str, client: str) -> tuple[ColumnElement[bool], ...]:
    """The failure counts that lock `email` out for `client`: its own, and the whole account's (`ACCOUNT`)."""
    return StaffSignInFailures.email == email, StaffSignInFailures.client.in_((client, ACCOUNT))


def _locked(until_ms: int, now: int) -> HdexError:
    retry_s = retry_after_s(until_ms, now)
    return HdexError(
        ErrorCode.STAFF_LOCKED,
        f"too many failed sign-ins: the account is locked for {retry_s} s; each further failure doubles the wait",
        None,
        {"Retry-After": str(retry_s)},
    )
