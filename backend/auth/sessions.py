"""The sign-in use cases: a nonce handed out, a message accepted into a session, found and revoked.

Every method is one unit of work and blocks on the database (the API runs them in a thread). A
session's token goes to the client once, in its cookie; the database keeps only its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from backend.auth.siwe import SignInRules, verify_sign_in
from backend.bootstrap import Container
from backend.db.models import SignInNonce, WalletSession
from backend.errors import ErrorCode, HdexError

NONCE_TTL_MS = 10 * 60 * 1000  # time to read and sign the message in the wallet


@dataclass(frozen=True)
class SessionView:
    """Who is signed in, on which chain, until when (epoch ms)."""

    address: str
    chain_id: int
    expires_at_ms: int


@dataclass(frozen=True)
class NewSession:
    token: str  # for the cookie only: never stored, never logged
    view: SessionView


class Sessions:
    """Sign-in with Ethereum over the container's database, for the exchange's chain."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._chain_id = container.settings.chain_id
        self._ttl_ms = container.settings.session_ttl_s * 1000

    def issue_nonce(self) -> str:
        """A fresh nonce for one sign-in message, valid for NONCE_TTL_MS; expired ones are dropped."""
        now = _now_ms()
        nonce = secrets.token_hex(16)
        with self._container.uow() as uow:
            uow.session.execute(delete(SignInNonce).where(SignInNonce.expires_at_ms <= now))
            uow.session.add(SignInNonce(nonce=nonce, expires_at_ms=now + NONCE_TTL_MS))
            uow.commit()
        return nonce

    def sign_in(self, message: str, signature: str, domains: Collection[str]) -> NewSession:
        """A session for the signer of `message`, once the message fits the rules (`verify_sign_in`) and
        its nonce is one we handed out, unexpired and unused; the nonce is used up in the same step."""
        now = datetime.now(UTC)
        now_ms = int(now.timestamp() * 1000)
        accepted = verify_sign_in(message, signature, SignInRules(domains, self._chain_id), now)
        expires_at_ms = min(now_ms + self._ttl_ms, accepted.expires_at_ms or now_ms + self._ttl_ms)
        token = secrets.token_urlsafe(32)
        with self._container.uow() as uow:
            used = uow.session.execute(
                delete(SignInNonce).where(SignInNonce.nonce == accepted.nonce, SignInNonce.expires_at_ms > now_ms)
            )
            if cast(CursorResult[Any], used).rowcount != 1:
                raise HdexError(
                    ErrorCode.SIWE_NONCE_INVALID,
                    "the message's nonce is unknown, expired or already used: get a new one from "
                    "GET /v1/auth/nonce and sign again",
                    "message",
                )
            uow.session.execute(delete(WalletSession).where(WalletSession.expires_at_ms <= now_ms))
            uow.session.add(
                WalletSession(
                    token_hash=_token_hash(token),
                    address=accepted.address,
                    chain_id=accepted.chain_id,
                    created_at_ms=now_ms,
                    expires_at_ms=expires_at_ms,
                )
            )
            uow.commit()
        return NewSession(token, SessionView(accepted.address, accepted.chain_id, expires_at_ms))

    def find(self, token: str) -> SessionView | None:
        """The unexpired, unrevoked session of `token`, if there is one."""
        with self._container.uow() as uow:
            row = uow.session.scalar(
                select(WalletSession).where(
                    WalletSession.token_hash == _token_hash(token), WalletSession.expires_at_ms > _now_ms()
                )
            )
            return None if row is None else SessionView(row.address, row.chain_id, row.expires_at_ms)

    def revoke(self, token: str) -> None:
        """End the session of `token` (nothing to do if there is none)."""
        with self._container.uow() as uow:
            uow.session.execute(delete(WalletSession).where(WalletSession.token_hash == _token_hash(token)))
            uow.commit()

    def revoke_all(self, address: str) -> int:
        """End every session of the wallet `address` (any case), on every device; how many there were."""
        with self._container.uow() as uow:
            owned = func.lower(WalletSession.address) == address.lower()
            ended = uow.session.execute(delete(WalletSession).where(owned))
            uow.commit()
            return cast(CursorResult[Any], ended).rowcount


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
