"""KYC submissions: a wallet applies for level 1 (identity data) or level 2 (documents); staff or the
vendor approve or reject it with a reason; an approval raises the wallet's level at once.

A wallet has at most one pending submission. A rejected one stays on record; the wallet submits again.
Everything here runs inside the caller's unit of work; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.countries import is_restricted
from backend.accounts.identity import IdentityData
from backend.accounts.levels import set_level
from backend.accounts.profiles import profile_for_change
from backend.accounts.uploads import CheckedDocument
from backend.audit_log import record_action
from backend.db.locks import get_for_change
from backend.db.models import AccountProfile, KycDocument, KycSubmission
from backend.errors import ErrorCode, HdexError

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document's description (never its bytes)."""

    id: int
    kind: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Submission:
    """A submission as staff see it; the wallet sees it without `reviewer` and `data`."""

    id: int
    address: str
    level: int
    status: str
    reason: str | None
    submitted_at_ms: int
    reviewed_at_ms: int | None
    reviewer: str | None
    data: dict[str, Any] | None
    documents: tuple[DocumentInfo, ...]


def check_can_submit(session: Session, profile: AccountProfile, level: int, restricted: frozenset[str]) -> None:
    """Refuse a submission for `level` with JURISDICTION_RESTRICTED, KYC_ALREADY_APPROVED, KYC_LEVEL_REQUIRED
    or KYC_ALREADY_PENDING. `profile` comes locked (`profile_for_change`), so two submissions racing each other
    cannot both find nothing pending."""
    if is_restricted(profile.country, restricted):
        raise HdexError(
            ErrorCode.JURISDICTION_RESTRICTED,
            f"HDEX cannot verify residents of {profile.country}: trading stays at level 0",
            "country",
        )
    if profile.level >= level:
        raise HdexError(ErrorCode.KYC_ALREADY_APPROVED, f"this wallet already holds level {profile.level}", "level")
    if profile.level < level - 1:
        raise HdexError(
            ErrorCode.KYC_LEVEL_REQUIRED, f"level {level} needs an approved level {level - 1} first", "level"
        )
    pending = session.scalar(
        select(KycSubmission.id).where(KycSubmission.address == profile.address, KycSubmission.status == PENDING)
    )
    if pending is not None:
        raise HdexError(ErrorCode.KYC_ALREADY_PENDING, f"submission {pending} is still being reviewed", "level")


def add_identity(session: Session, profile: AccountProfile, identity: IdentityData, now_ms: int) -> KycSubmission:
    """A pending level-1 submission of `identity` (already checked)."""
    row = KycSubmission(
        address=profile.address, level=1, status=PENDING, data=identity.to_json(), submitted_at_ms=now_ms
    )
    session.add(row)
    session.flush()
    return row


def add_documents(
    session: Session, profile: AccountProfile, documents: list[tuple[CheckedDocument, str]], now_ms: int
) -> KycSubmission:
    """A pending level-2 submission of `documents`, each already stored under its key."""
    row = KycSubmission(address=profile.address, level=2, status=PENDING, submitted_at_ms=now_ms)
    session.add(row)
    session.flush()
    for document, key in documents:
        session.add(
            KycDocument(
                submission_id=row.id,
                kind=document.kind,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                storage_key=key,
            )
        )
    session.flush()
    return row


def decide(
    session: Session,
    submission_id: int,
    approve: bool,
    reason: str | None,
    *,
    reviewer: str,
    ip: str | None,
    restricted: frozenset[str],
    now_ms: int,
) -> Submission:
    """Approve or reject a pending submission; an approval raises the wallet's level. Both are audit-logged
    (the decision as "kyc.approve"/"kyc.reject", the level change as "account.level"). KYC_NOT_PENDING if
    it was decided already; JURISDICTION_RESTRICTED for an approval of a wallet whose declared country or identity
    data's country (the submission's, or for level 2 the approved level 1's) is restricted now;
    KYC_LEVEL_REQUIRED for an approval of a level the wallet no longer stands next to."""
    # The wallet's profile first, then the submission (every change of both takes them in that order): two
    # reviewers, or a reviewer and the vendor or a deletion request, decide it one after the other.
    profile = profile_for_change(session, find_submission(session, submission_id).address, now_ms)
    row = get_for_change(session, KycSubmission, submission_id)
    if row is None:  # purged (its retention ran out) since it was looked up
        raise HdexError(ErrorCode.KYC_SUBMISSION_NOT_FOUND, f"no submission {submission_id}", "submissionId")
    if row.status != PENDING:
        raise HdexError(
            ErrorCode.KYC_NOT_PENDING, f"submission {submission_id} was already {row.status}", "submissionId"
        )
    if not approve and not reason:
        raise HdexError(ErrorCode.INVALID_FIELD, "a rejection says why (the user reads it)", "reason")
    if approve and is_restricted(profile.country, restricted):
        raise HdexError(
            ErrorCode.JURISDICTION_RESTRICTED, f"the wallet declares {profile.country}, a restricted country", "country"
        )
    identity_country = _identity_country(session, row)
    if approve and is_restricted(identity_country, restricted):  # restricted since it was submitted
        raise HdexError(
            ErrorCode.JURISDICTION_RESTRICTED,
            f"the wallet's identity data give {identity_country}, a restricted country",
            "country",
        )
    if approve and profile.level < row.level - 1:  # dropped since it was submitted (a restricted country declared)
        raise HdexError(
            ErrorCode.KYC_LEVEL_REQUIRED,
            f"the wallet holds level {profile.level} now: level {row.level} needs an approved level {row.level - 1} "
            "first, so reject this submission",
            "submissionId",
        )
    row.status, row.reason, row.reviewed_at_ms, row.reviewer = (
        (APPROVED if approve else REJECTED),
        # A rejection's reason is the user's to read; an approval's note is staff's, kept in the audit log only
        None if approve else reason,
        now_ms,
        reviewer,
    )
    record_action(
        session,
        actor=reviewer,
        action="kyc.approve" if approve else "kyc.reject",
        target=row.address,
        before={"submission": row.id, "level": row.level, "status": PENDING},
        after={"submission": row.id, "level": row.level, "status": row.status, "reason": reason},
        ip=ip,
    )
    if approve:
        if identity_country is not None:  # what the level stands on: the limits follow its country from now on
            profile.identity_country = identity_country  # upper case, as `check_identity` stored it
        held = profile.level
        set_level(
            session,
            row.address,
            max(held, row.level),
            actor=reviewer,
            now_ms=now_ms,
            reason=f"submission {row.id}",
            ip=ip,
        )
    return submission_of(session, row)


def _identity_country(session: Session, row: KycSubmission) -> str | None:
    """The country of the identity data behind `row`: its own (level 1), else the wallet's approved level 1's."""
    data = row.data
    if data is None:
        data = session.scalar(
            select(KycSubmission.data)
            .where(KycSubmission.address == row.address, KycSubmission.level == 1, KycSubmission.status == APPROVED)
            .order_by(KycSubmission.id.desc())
            .limit(1)
        )
    country = None if data is None else IdentityData.from_json(data).get("country")
    return country if isinstance(country, str) else None


def find_submission(session: Session, submission_id: int) -> KycSubmission:
    """The submission, or KYC_SUBMISSION_NOT_FOUND."""
    row = session.get(KycSubmission, submission_id)
    if row is None:
        raise HdexError(ErrorCode.KYC_SUBMISSION_NOT_FOUND, f"no submission {submission_id}", "submissionId")
    return row


def submissions_of(session: Session, address: str) -> list[Submission]:
    """The wallet's submissions, newest first."""
    query = select(KycSubmission).where(KycSubmission.address == address).order_by(KycSubmission.id.desc())
    return views_of(session, list(session.scalars(query)))


def list_submissions(session: Session, status: str | None, limit: int, below_id: int | None) -> list[Submission]:
    """Every wallet's submissions, newest first, optionally of one status, numbered below `below_id`."""
    query = select(KycSubmission).order_by(KycSubmission.id.desc()).limit(limit)
    if status is not None:
        query = query.where(KycSubmission.status == status)
    if below_id is not None:
        query = query.where(KycSubmission.id < below_id)
    return views_of(session, list(session.scalars(query)))


def submission_of(session: Session, row: KycSubmission) -> Submission:
    """The view of a submission row, with its documents."""
    return views_of(session, [row])[0]


def views_of(session: Session, rows: list[KycSubmission]) -> list[Submission]:
    """The views of submission rows, in their order; their documents come in one query, not one per row."""
    documents: dict[int, list[DocumentInfo]] = {row.id: [] for row in rows}
    if rows:
        query = select(KycDocument).where(KycDocument.submission_id.in_(documents)).order_by(KycDocument.id)
        for d in session.scalars(query):
            documents[d.submission_id].append(DocumentInfo(d.id, d.kind, d.content_type, d.size))
    return [
        Submission(
            id=row.id,
            address=row.address,
            level=row.level,
            status=row.status,
            reason=row.reason,
            submitted_at_ms=row.submitted_at_ms,
            reviewed_at_ms=row.reviewed_at_ms,
            reviewer=row.reviewer,
            data=None if row.data is None else IdentityData.from_json(row.data),
            documents=tuple(documents[row.id]),
        )
        for row in rows
    ]
