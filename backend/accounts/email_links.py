"""E-mail verification: a single-use, expiring link mailed to a newly given address.

The token is random (256 bits) and stored as its SHA-256; using it deletes it. A new address replaces
any link still out, so only the latest address can be verified.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session

from backend.db.models import AccountProfile, EmailVerification
from backend.errors import ErrorCode, HdexError

VERIFY_PAGE = "/account"


def token_hash(token: str) -> str:
    """What the database keeps of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def verification_link(link_base: str, token: str) -> str:
    """The link the dApp opens: its account page reads `verifyEmail` and posts it back."""
    return f"{link_base.rstrip('/')}{VERIFY_PAGE}?verifyEmail={token}"


def issue_link(session: Session, profile: AccountProfile, ttl_s: int, now_ms: int) -> str:
    """A fresh token for the profile's (unverified) e-mail, replacing any link still out; returned once."""
    assert profile.email is not None
    forget_links(session, profile.address)
    token = secrets.token_urlsafe(32)
    session.add(
        EmailVerification(
            token_hash=token_hash(token),
            address=profile.address,
            email=profile.email,
            expires_at_ms=now_ms + ttl_s * 1000,
        )
    )
    return token


def forget_links(session: Session, address: str) -> None:
    """Delete every link still out for the wallet."""
    session.execute(delete(EmailVerification).where(EmailVerification.address == address))


def use_link(session: Session, profile: AccountProfile, token: str, now_ms: int) -> None:
    """Mark the profile's e-mail verified if `token` is a live link of this wallet for that very address;
    EMAIL_LINK_INVALID otherwise (unknown, used, expired, another wallet's, or an address since replaced)."""
    row = session.get(EmailVerification, token_hash(token)) if token else None
    if row is None or row.address != profile.address:
        raise HdexError(ErrorCode.EMAIL_LINK_INVALID, "this link is unknown or was already used", "token")
    if row.expires_at_ms <= now_ms or row.email != profile.email:
        raise HdexError(
            ErrorCode.EMAIL_LINK_INVALID, "this link has expired: save your e-mail again for a new one", "token"
        )
    session.delete(row)
    profile.email_verified = True
