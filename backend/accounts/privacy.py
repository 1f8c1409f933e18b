"""Data-protection requests: a wallet's export of everything held about it, its deletion request, and
the retention purge.

Deletion blanks the profile at once (e-mail, country, choices; the level falls to 0 and staff's overrides of its
limits end), stops its e-mail links (each still live stays only as a SHA-256 of its address that counts against the
address's limit until it would have expired: backend.accounts.email_links), ends its sessions on every device,
deletes its account mail (sent or not) and withdraws a pending KYC submission. What the wallet wrote is
erased at once too: the subjects of its support tickets, its messages on them, its forum threads' titles, its
posts and the reasons of its reports become `ERASED`, and its ticket attachments are deleted (the tickets, their
times and staff's replies and notes stay; so do the threads, in place for other wallets' replies, and the
reports). Its behaviour events are deleted: the next statistics pass notices the request and recounts the
wallet's days and first times without them (its trades, deposits and withdrawals still count: they are the
ledger's); its sessions from before the request are not copied back as sign-ins (backend.stats.rollup).

KYC records (identity data, documents) and the travel-rule records of the wallet's withdrawals (originator and
beneficiary: names, addresses, national ids, dates of birth) are what AML law says must be kept: each KYC record
gets `retain_until_ms` = request + `kyc_retention_days`, each travel-rule record request +
`travel_rule_retention_days`, and `purge_expired` removes them after it, a KYC record's stored files first (so a
crash between the two leaves rows that the next run purges again, never orphaned personal files). The withdrawal
requests themselves stay: they are the ledger's.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from backend.accounts.email_links import drop_expired_retired_links, retire_links
from backend.accounts.identity import IdentityData
from backend.accounts.kyc import APPROVED, PENDING, REJECTED
from backend.accounts.levels import drop_to_level_0
from backend.accounts.profiles import blank_personal_data, ensure_profile, profile_for_change, profile_of
from backend.audit_log import record_action
from backend.db.models import (
    AccountMail,
    AccountProfile,
    Base,
    ChainEvent,
    EmailVerification,
    Fill,
    ForumPost,
    ForumReport,
    ForumThread,
    KycDocument,
    KycSubmission,
    LedgerBalance,
    LimitOverride,
    Order,
    StatsEvent,
    SupportAttachment,
    SupportMessage,
    SupportTicket,
    TravelRuleRecord,
    WalletSession,
    WithdrawalRequest,
)
from backend.db.types import Amount
from backend.forum.threads import erase_writing_of
from backend.storage import DocumentMissing, DocumentStore
from backend.support.tickets import USER, erase_wallet_writing, public_messages

DAY_MS = 86_400_000
RETENTION_ACTOR = "system:retention"
WITHDRAWN_REASON = "withdrawn: the user asked for the deletion of their data"
ERASED = "[erased at the author's request]"  # what stays of a support message or forum post a deletion erased
# Never exported: session token hashes and order signatures are secrets or bulk, not information about the user;
# which member of staff works a ticket, reviewed a KYC submission or resolved a forum report is staff's (their
# sign-in e-mail: a list of back-office logins for anyone who asks), as are their internal notes (never shown to
# the user either). The user still gets what was decided and when.
UNEXPORTED_COLUMNS = frozenset(
    {"token_hash", "signature", "storage_key", "search_text", "assignee", "reviewer", "resolved_by", "updated_by"}
)
EXPORTED_MAILS = 1_000  # the newest: a trader mailed after every pass would otherwise make the export unbounded


@dataclass(frozen=True)
class DeletionReceipt:
    requested_at_ms: int
    kyc_retained_until_ms: int | None
    travel_rule_retained_until_ms: int | None


def export(
    session: Session, store: DocumentStore, address: str, restricted: frozenset[str], now_ms: int
) -> dict[str, Any]:
    """Everything HDEX holds about the wallet, as one JSON value: its profile, KYC submissions with their
    identity data and documents (base64), its e-mail links not yet used, sessions, orders, fills, deposits,
    withdrawal requests and the travel-rule data sent with them, balances, staff's overrides of its limits (not who
    set them), support tickets with their conversations and the wallet's attachments (base64), the account mail
    (the newest `EXPORTED_MAILS`: subjects, bodies, outcomes), forum threads and posts, and the behaviour events the
    statistics keep.
    (Screening results are not part of it: AML law forbids telling a user what screening found.)"""
    row = ensure_profile(session, address, now_ms)
    profile = profile_of(row, restricted)
    submissions = []
    query = select(KycSubmission).where(KycSubmission.address == profile.address).order_by(KycSubmission.id.desc())
    for submission in session.scalars(query):
        documents = [
            {**_columns(row), "contentBase64": _content(store, row.storage_key)}
            for row in session.scalars(select(KycDocument).where(KycDocument.submission_id == submission.id))
        ]
        data = None if submission.data is None else IdentityData.from_json(submission.data)
        # a rejection's reason is the user's; a note on an approval was staff's (stored so before it went to the audit
        # log alone, which the export leaves out)
        reason = submission.reason if submission.status == REJECTED else None
        submissions.append({**_columns(submission), "reason": reason, "data": data, "documents": documents})
    lowered = profile.address.lower()
    return {
        "address": profile.address,
        "exportedAt": now_ms,
        "profile": {
            "email": profile.email,
            "emailVerified": profile.email_verified,
            "country": profile.country,
            "notifications": profile.notifications,
            "language": profile.language,
            "level": profile.level,
            "identityCountry": row.identity_country,  # of the approved identity data: the limits follow it too
            "createdAt": profile.created_at_ms,
        },
        "kycSubmissions": submissions,
        "emailLinks": [
            {"email": link.email, "expiresAt": link.expires_at_ms}
            for link in session.scalars(
                select(EmailVerification).where(
                    EmailVerification.address == profile.address, EmailVerification.expires_at_ms > now_ms
                )
            )
        ],
        "sessions": _rows(session.scalars(select(WalletSession).where(func.lower(WalletSession.address) == lowered))),
        "orders": _rows(session.scalars(select(Order).where(func.lower(Order.maker) == lowered).order_by(Order.seq))),
        "fills": _rows(
            session.scalars(
                select(Fill)
                .where((func.lower(Fill.maker) == lowered) | (func.lower(Fill.taker) == lowered))
                .order_by(Fill.id)
            )
        ),
        "deposits": _rows(
            session.scalars(
                select(ChainEvent)
                .where(ChainEvent.name == "Deposited", ChainEvent.args["wallet"].as_string() == profile.address)
                .order_by(ChainEvent.id)
            )
        ),
        "withdrawals": _rows(
            session.scalars(select(WithdrawalRequest).where(func.lower(WithdrawalRequest.wallet) == lowered))
        ),
        "travelRuleRecords": _rows(
            session.scalars(_travel_rule_records(lowered).order_by(TravelRuleRecord.created_at_ms))
        ),
        "balances": _rows(session.scalars(select(LedgerBalance).where(func.lower(LedgerBalance.account) == lowered))),
        "limitOverrides": _rows(session.scalars(select(LimitOverride).where(LimitOverride.wallet == profile.address))),
        "supportTickets": _tickets(session, lowered),
        "supportAttachments": [
            {**_columns(row), "contentBase64": _content(store, row.storage_key)}
            for row in session.scalars(
                select(SupportAttachment)
                .join(SupportMessage, SupportMessage.id == SupportAttachment.message_id)
                .join(SupportTicket, SupportTicket.id == SupportAttachment.ticket_id)
                .where(SupportMessage.kind == USER, func.lower(SupportTicket.address) == lowered)
                .order_by(SupportAttachment.id)
            )
        ],
        "accountMail": _rows(
            session.scalars(
                select(AccountMail)
                .where(AccountMail.wallet == profile.address)
                .order_by(AccountMail.id.desc())
                .limit(EXPORTED_MAILS)
            )
        ),
        "forumThreads": _rows(session.scalars(select(ForumThread).where(func.lower(ForumThread.author) == lowered))),
        "forumPosts": _rows(session.scalars(select(ForumPost).where(func.lower(ForumPost.author) == lowered))),
        "forumReports": _rows(session.scalars(select(ForumReport).where(func.lower(ForumReport.reporter) == lowered))),
        "behaviourEvents": _rows(session.scalars(select(StatsEvent).where(func.lower(StatsEvent.wallet) == lowered))),
    }


def _travel_rule_records(lowered: str) -> Select[TravelRuleRecord]:
    """The travel-rule records of the withdrawals of the wallet `lowered` (its address in lower case)."""
    return (
        select(TravelRuleRecord)
        .join(WithdrawalRequest, WithdrawalRequest.hash == TravelRuleRecord.request_hash)
        .where(func.lower(WithdrawalRequest.wallet) == lowered)
    )


def _tickets(session: Session, lowered: str) -> list[dict[str, Any]]:
    """The wallet's tickets with what it was shown of them: its messages and staff's public replies."""
    tickets = list(
        session.scalars(
            select(SupportTicket).where(func.lower(SupportTicket.address) == lowered).order_by(SupportTicket.id)
        )
    )
    conversations: dict[int, list[dict[str, Any]]] = {ticket.id: [] for ticket in tickets}
    for message in public_messages(session, conversations):
        conversations[message.ticket_id].append(
            {"kind": message.kind, "body": message.body, "createdAtMs": message.created_at_ms}
        )
    return [{**_columns(ticket), "messages": conversations[ticket.id]} for ticket in tickets]


def request_deletion(
    session: Session,
    store: DocumentStore,
    address: str,
    retention_days: int,
    *,
    now_ms: int,
    travel_rule_retention_days: int,
) -> DeletionReceipt:
    """Erase the profile's personal data and what the wallet wrote in the support desk and the forum now, delete
    its behaviour events and its account mail, end its sessions on every device and its staff limit overrides
    (level 0 again), withdraw a pending submission, and schedule the purge of the KYC records after
    `retention_days` and of its withdrawals' travel-rule records after `travel_rule_retention_days`
    (audit-logged as "account.deletion_request", with how many of each were erased). A second request erases
    what came since and counts only that."""
    profile = profile_for_change(session, address, now_ms)  # before its submissions: a decision waits or is seen
    actor = f"wallet:{profile.address}"
    blank_personal_data(profile)
    profile.deletion_requested_at_ms = now_ms
    retire_links(session, profile.address, now_ms)
    # every device signs in again: a session left open elsewhere (a lost phone) must not read the retained KYC data
    session.execute(delete(WalletSession).where(func.lower(WalletSession.address) == profile.address.lower()))
    # the outbox's copies of what the wallet was told (ticket subjects, its fills) and where it went
    session.execute(delete(AccountMail).where(func.lower(AccountMail.wallet) == profile.address.lower()))
    drop_to_level_0(session, profile.address, actor=actor, now_ms=now_ms, reason="deletion request")
    erased = _erase_writing_and_events(session, store, profile.address)
    retain_until = now_ms + retention_days * DAY_MS
    rows = list(session.scalars(select(KycSubmission).where(KycSubmission.address == profile.address)))
    for row in rows:
        if row.status == PENDING:
            row.status, row.reason, row.reviewed_at_ms, row.reviewer = REJECTED, WITHDRAWN_REASON, now_ms, actor
        row.retain_until_ms = retain_until
    travel_rule_until = now_ms + travel_rule_retention_days * DAY_MS
    records = list(session.scalars(_travel_rule_records(profile.address.lower())))
    for record in records:
        record.retain_until_ms = travel_rule_until
    record_action(
        session,
        actor=actor,
        action="account.deletion_request",
        target=profile.address,
        after={
            "kycSubmissions": [row.id for row in rows],
            "kycRetainedUntil": retain_until if rows else None,
            "travelRuleRecords": [record.request_hash for record in records],
            "travelRuleRetainedUntil": travel_rule_until if records else None,
            "erased": erased,
        },
    )
    return DeletionReceipt(now_ms, retain_until if rows else None, travel_rule_until if records else None)


def _erase_writing_and_events(session: Session, store: DocumentStore, address: str) -> dict[str, int]:
    """Erase the wallet's support and forum writing (each domain's own function) and delete its behaviour events
    (here: backend.stats sits above accounts in the layers); how many of each, as the audit record says it."""
    tickets = erase_wallet_writing(session, store, address, ERASED)
    threads, posts, reports = erase_writing_of(session, address, ERASED)
    events = list(session.scalars(select(StatsEvent).where(StatsEvent.wallet == address)))
    for event in events:
        session.delete(event)
    session.flush()
    return {
        "supportSubjects": tickets.subjects,
        "supportMessages": tickets.messages,
        "supportAttachments": tickets.attachments,
        "forumThreads": threads,
        "forumPosts": posts,
        "forumReports": reports,
        "behaviourEvents": len(events),
    }


@dataclass(frozen=True)
class Purged:
    """What a retention purge removed."""

    kyc_submissions: int
    travel_rule_records: int


def purge_expired(session: Session, store: DocumentStore, now_ms: int) -> Purged:
    """Delete the KYC submissions (and their stored documents) and the travel-rule records whose retention
    period has ended, and the retired e-mail links that expired; returns how many of each record went.
    Audit-logged per wallet as "kyc.purge" and "travel_rule.purge"."""
    due = list(
        session.scalars(
            select(KycSubmission).where(
                KycSubmission.retain_until_ms.is_not(None), KycSubmission.retain_until_ms <= now_ms
            )
        )
    )
    for row in due:
        for document in list(session.scalars(select(KycDocument).where(KycDocument.submission_id == row.id))):
            store.delete(document.storage_key)
            session.delete(document)
        session.flush()
        session.delete(row)
    session.flush()
    for address in sorted({row.address for row in due}):
        ids = [row.id for row in due if row.address == address]
        record_action(session, actor=RETENTION_ACTOR, action="kyc.purge", target=address, after={"kycSubmissions": ids})
        _forget_identity_country(session, address)
    records = _purge_travel_rule_records(session, now_ms)
    drop_expired_retired_links(session, now_ms)
    session.flush()
    return Purged(len(due), records)


def _forget_identity_country(session: Session, address: str) -> None:
    """The profile's copy of the identity data's country goes with the last approved level 1 it came from."""
    approved = select(KycSubmission.id).where(
        KycSubmission.address == address, KycSubmission.level == 1, KycSubmission.status == APPROVED
    )
    profile = session.get(AccountProfile, address)
    if profile is not None and session.scalar(approved.limit(1)) is None:
        profile.identity_country = None


def _purge_travel_rule_records(session: Session, now_ms: int) -> int:
    """Delete the travel-rule records whose retention period has ended (the withdrawal requests stay)."""
    due = [
        (record, wallet)
        for record, wallet in session.execute(
            select(TravelRuleRecord, WithdrawalRequest.wallet)
            .join(WithdrawalRequest, WithdrawalRequest.hash == TravelRuleRecord.request_hash)
            .where(TravelRuleRecord.retain_until_ms.is_not(None), TravelRuleRecord.retain_until_ms <= now_ms)
            .order_by(TravelRuleRecord.created_at_ms)
        )
    ]
    for record, _ in due:
        session.delete(record)
    for wallet in sorted({wallet for _, wallet in due}):
        hashes = [record.request_hash for record, owner in due if owner == wallet]
        record_action(
            session, actor=RETENTION_ACTOR, action="travel_rule.purge", target=wallet, after={"withdrawals": hashes}
        )
    return len(due)


def _content(store: DocumentStore, key: str) -> str | None:
    try:
        return base64.b64encode(store.get(key)).decode()
    except DocumentMissing:  # purged from the store by a purge whose commit failed; the next run ends it
        return None


def _rows(rows: Iterable[Base]) -> list[dict[str, Any]]:
    return [_columns(row) for row in rows]


def _columns(row: Base) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for column in row.__table__.columns:
        if column.key in UNEXPORTED_COLUMNS:
            continue
        raw = getattr(row, column.key)
        value[column.key] = str(raw) if isinstance(column.type, Amount) and raw is not None else _json(raw)
    return value


def _json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str | dict | list):  # a JSON column's value is JSON already
        return value
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)
