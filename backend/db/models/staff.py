"""Staff of the back office (accounts, second factors, sessions, reset links) and the audit log.

Secrets are stored as hashes only: passwords as argon2id, session, challenge and reset tokens and
recovery codes as SHA-256 (they are random and long, so a fast hash loses nothing). Times are epoch ms.
The TOTP secret is the one secret kept as it is: checking a code needs it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base


class StaffAccount(Base):
    """A member of staff: one role, a password and a TOTP second factor; never deleted, only disabled."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower case
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None until an invitation link is used
    totp_secret: Mapped[str] = mapped_column(String(64))  # base32
    totp_enrolled: Mapped[bool] = mapped_column(Boolean)  # a first code was accepted (or the CLI showed the secret)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # the last accepted code's time step: no replay
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class StaffRecoveryCode(Base):
    """A single-use recovery code, in place of a TOTP code; `used_at_ms` set when spent."""

    __tablename__ = "staff_recovery_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    used_at_ms: Mapped[int | None] = mapped_column(BigInteger)


class StaffSignInChallenge(Base):
    """A password accepted, waiting for the second factor; deleted when used or with the account's lock-out."""

    __tablename__ = "staff_sign_in_challenges"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class StaffSignInFailures(Base):
    """Consecutive failed sign-ins to one e-mail, counted and locked together (backend.staff.lockout): a wrong
    password per client (its key: an IPv4 address, an IPv6 /64), so a stranger's guesses lock out the stranger and
    not the member signing in from elsewhere; a wrong second factor, which takes the password, for the whole
    account (`client` "*"). Kept whether or not an active account has the e-mail, so a lock tells nobody who is
    staff. A complete sign-in clears its client's and the account's; forgotten a day after the last failure."""

    __tablename__ = "staff_sign_in_failures"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # lower case
    client: Mapped[str] = mapped_column(String(80), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer)
    locked_until_ms: Mapped[int | None] = mapped_column(BigInteger)
    last_failed_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class StaffSession(Base):
    """A signed-in member of staff; ends when idle too long, at its absolute expiry, or at sign-out."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    last_seen_at_ms: Mapped[int] = mapped_column(BigInteger)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)  # absolute
    ip: Mapped[str] = mapped_column(String(64))


class StaffPasswordReset(Base):
    """A password link (reset or invitation) sent by e-mail; deleted when used, refused once expired."""

    __tablename__ = "staff_password_resets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger)


class AuditLogEntry(Base):
    """One action, chained to the one before by `prev_hash` (see backend.audit_log.chain).

    `before` and `after` are canonical JSON text, hashed as stored: a JSON column type could reorder keys.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    actor: Mapped[str] = mapped_column(String(320), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(320))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditLogHead(Base):
    """One row: the last entry's number and hash. Appends lock it (so the chain never forks) and
    `hdex audit-log verify` checks it (so deleting the newest entries shows)."""

    __tablename__ = "audit_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
