"""Wallet users: profiles keyed by wallet, e-mail verification links, KYC submissions and their
documents, and the vendor webhook's seen event ids.

Times are epoch ms. Addresses are EIP-55. A document's bytes live in the document store (backend.storage),
the row keeps only its key, sniffed type, size and digest. Verification tokens are stored as SHA-256.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base


class AccountProfile(Base):
    """A wallet user: made at first sign-in or first profile read; `level` is the KYC level (0, 1, 2).

    A deletion request blanks the personal fields and sets `deletion_requested_at_ms`; the row stays as the
    wallet's level (0 again) and as the anchor of KYC records kept for the retention period.
    """

    __tablename__ = "account_profiles"

    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # lower case
    email_verified: Mapped[bool] = mapped_column(Boolean)
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2, upper case
    # the country of the identity data staff (or the vendor) approved for level 1: a KYC record, kept as the level is
    identity_country: Mapped[str | None] = mapped_column(String(2))
    notify_fills: Mapped[bool] = mapped_column(Boolean)
    notify_withdrawals: Mapped[bool] = mapped_column(Boolean)
    notify_news: Mapped[bool] = mapped_column(Boolean)
    # en | zh-CN: the language of its e-mails, the dApp's whenever it saves the profile (backend.accounts.languages)
    language: Mapped[str] = mapped_column(String(8), default="en")
    level: Mapped[int] = mapped_column(Integer)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    # indexed: each statistics pass reads the deletion requests since its cursor, the retention purge old ones
    deletion_requested_at_ms: Mapped[int | None] = mapped_column(BigInteger, index=True)


class EmailVerification(Base):
    """A single-use link mailed to a new address; deleted when used or replaced, refused once expired."""

    __tablename__ = "account_email_verifications"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(42), index=True)
    email: Mapped[str] = mapped_column(String(254))  # the address the link proves
    mailbox: Mapped[str] = mapped_column(
        String(64), index=True
    )  # what it counts against (`email_links.mailbox_digest`)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger)


class KycSubmission(Base):
    """One application for a level: pending until staff (or the vendor) approve or reject it.

    `data` is the level-1 identity data as JSON text (None for level 2, whose evidence is its documents).
    `retain_until_ms` is set by a deletion request: the purge job removes the row after it.
    """

    __tablename__ = "kyc_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(42), index=True)
    level: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | approved | rejected
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[str | None] = mapped_column(Text)
    submitted_at_ms: Mapped[int] = mapped_column(BigInteger)
    reviewed_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    reviewer: Mapped[str | None] = mapped_column(String(320))  # "staff:<email>" or "vendor"
    retain_until_ms: Mapped[int | None] = mapped_column(BigInteger, index=True)


class KycDocument(Base):
    """An uploaded file of a level-2 submission; `content_type` is what its bytes are, not what was claimed."""

    __tablename__ = "kyc_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("kyc_submissions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # identity | proof_of_address
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)


class KycWebhookEvent(Base):
    """A vendor event id already accepted: the same id again is a replay."""

    __tablename__ = "kyc_webhook_events"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    submission_id: Mapped[int] = mapped_column(Integer)
    received_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class AccountMail(Base):
    """An e-mail owed to a wallet about its fills, its withdrawals, the exchange's news or a support reply to its
    ticket: the account-mail outbox
    (`backend.notices`). Written in the transaction that takes in what it tells; sent at least once, to the
    address the wallet has verified when it is sent, and only if the wallet still wants that kind of mail then.
    `reference` names what it tells, once: a second pass over the same event finds it taken."""

    __tablename__ = "account_mail"
    __table_args__ = (
        Index(
            "ix_account_mail_unsent",
            "id",
            postgresql_where=text("sent_at_ms IS NULL"),
            sqlite_where=text("sent_at_ms IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(120), unique=True)
    wallet: Mapped[str] = mapped_column(String(42))
    kind: Mapped[str] = mapped_column(String(16))  # fills | withdrawals | news (the choice that lets it out) | support
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    sent_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    # sent | unwanted (no verified address, or opted out) | unsendable (the mail library refused the mail itself) |
    # undeliverable (the recipient's server refused the mailbox MAX_REFUSED_ATTEMPTS times)
    outcome: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(500))
