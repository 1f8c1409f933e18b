"""E-mail verification: a single-use, expiring link mailed to a newly given address.

The token is random (256 bits) and stored as its SHA-256; using it deletes it. A new link, a removed address or
a deletion request retires the wallet's links still out: they stop working (only the latest address can be
verified), but each stays, cut from the wallet and with its address kept only as a SHA-256, until it would have
expired. So every link mailed to an inbox counts against its limit (`live_links_to`, by `mailbox`: the SHA-256 of
the address without its +tag, else victim+1@, victim+2@... would each reach the same person as a new address)
whichever wallet asked, and however often a wallet changes or removes its address, or asks for deletion, in
between.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.db.models import AccountProfile, EmailVerification
from backend.errors import ErrorCode, HdexError
from backend.mail.addresses import mailbox_of

VERIFY_PAGE = "/account"
RETIRED = "retired"  # the `address` of a link that no longer works and only counts: never an address


def token_hash(token: str) -> str:
    """What the database keeps of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def verification_link(link_base: str, token: str) -> str:
    """The link the dApp opens: its account page reads `verifyEmail` and posts it back."""
    return f"{link_base.rstrip('/')}{VERIFY_PAGE}?verifyEmail={token}"


def email_digest(email: str) -> str:
    """What a retired link keeps of its address: enough to count it, not to read it."""
    return hashlib.sha256(email.encode()).hexdigest()


def mailbox_digest(email: str) -> str:
    """What a link keeps to count it against the inbox `email` reaches (`mailbox_of`)."""
    return email_digest(mailbox_of(email))


def live_links_to(session: Session, email: str, now_ms: int) -> list[int]:
    """When each link mailed to the inbox `email` reaches (any +tag of it) and not yet expired expires, soonest
    first: the wallet's and other wallets' links, used-up ones excepted, retired ones included."""
    return list(
        session.scalars(
            select(EmailVerification.expires_at_ms)
            .where(EmailVerification.mailbox == mailbox_digest(email), EmailVerification.expires_at_ms > now_ms)
            .order_by(EmailVerification.expires_at_ms)
        )
    )


def has_live_link(session: Session, address: str, email: str, now_ms: int) -> bool:
    """Whether the wallet has a working link for `email`."""
    found = session.scalar(
        select(EmailVerification.token_hash).where(
            EmailVerification.address == address,
            EmailVerification.email == email,
            EmailVerification.expires_at_ms > now_ms,
        )
    )
    return found is not None


def issue_link(session: Session, profile: AccountProfile, ttl_s: int, now_ms: int) -> str:
    """A fresh token for the profile's (unverified) e-mail, retiring any link still out; returned once. The
    caller checks the address's limit first (`live_links_to`)."""
    assert profile.email is not None
    retire_links(session, profile.address, now_ms)
    token = secrets.token_urlsafe(32)
    session.add(
        EmailVerification(
            token_hash=token_hash(token),
            address=profile.address,
            email=profile.email,
            mailbox=mailbox_digest(profile.email),
            expires_at_ms=now_ms + ttl_s * 1000,
        )
    )
    return token


def retire_links(session: Session, address: str, now_ms: int) -> None:
    """Stop every link of the wallet: an expired one is deleted, one still live is cut from the wallet (its
    address kept as `email_digest`) and counts until it expires. Retired links that expired go too."""
    drop_expired_retired_links(session, now_ms)
    session.execute(
        delete(EmailVerification).where(EmailVerification.address == address, EmailVerification.expires_at_ms <= now_ms)
    )
    for row in list(session.scalars(select(EmailVerification).where(EmailVerification.address == address))):
        row.address, row.email = RETIRED, email_digest(row.email)
    session.flush()


def drop_expired_retired_links(session: Session, now_ms: int) -> None:
    """Delete the retired links that expired: they count no more."""
    session.execute(
        delete(EmailVerification).where(EmailVerification.address == RETIRED, EmailVerification.expires_at_ms <= now_ms)
    )


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
