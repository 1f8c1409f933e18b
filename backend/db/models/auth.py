"""Sign-in with Ethereum: the nonces handed out and the wallet sessions they became.

Both rows carry their expiry as epoch ms (compares alike on every database). A session is found by the
SHA-256 of its cookie's token: the token itself is never stored, so a database leak opens no session.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base


class SignInNonce(Base):
    """A nonce from `GET /v1/auth/nonce`, deleted when a sign-in uses it (single use) or once expired."""

    __tablename__ = "auth_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class WalletSession(Base):
    """A signed-in wallet; deleted at sign-out (revoked) or once expired."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's token
    address: Mapped[str] = mapped_column(String(42), index=True)  # EIP-55
    chain_id: Mapped[int] = mapped_column(BigInteger)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
