"""The KYC review: staff list, read and decide submissions and open their documents; the vendor's
webhook decides them too. Every decision, level change and document view is audit-logged in the unit of
work that makes it. Permissions are the door's to check (backend.staff.roles: kyc.read,
kyc.documents.read, kyc.review); this service trusts the actor it is given."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.accounts import kyc
from backend.accounts.kyc import DocumentInfo, Submission
from backend.accounts.service import Clock, now_ms
from backend.accounts.vendor import VENDOR_ACTOR, remember_event, verify_webhook
from backend.audit_log import record_action
from backend.bootstrap import Container
from backend.db.models import AccountProfile, KycDocument, KycSubmission
from backend.errors import ErrorCode, HdexError
from backend.storage import DocumentMissing, DocumentStore, document_store_for

VENDOR_REJECTION = "rejected by the identity-verification service"


@dataclass(frozen=True)
class ReviewItem:
    """A submission with what the reviewer needs beside it: the wallet's e-mail."""

    submission: Submission
    email: str | None


@dataclass(frozen=True)
class OpenedDocument:
    info: DocumentInfo
    address: str
    data: bytes


class KycReview:
    """The review queue over the container's database and the document store."""

    def __init__(self, container: Container, store: DocumentStore | None = None, clock: Clock = now_ms) -> None:
        self._container = container
        self._store = store or document_store_for(container.settings)
        self._clock = clock

    @property
    def _restricted(self) -> frozenset[str]:
        return frozenset(self._container.settings.kyc_restricted_countries)

    def list(self, status: str | None, limit: int, below_id: int | None) -> list[ReviewItem]:
        """Submissions, newest first, of one status or all."""
        with self._container.uow() as uow:
            rows = kyc.list_submissions(uow.session, status, limit, below_id)
            addresses = {row.address for row in rows}
            emails = select(AccountProfile.address, AccountProfile.email).where(AccountProfile.address.in_(addresses))
            email_of = dict(uow.session.execute(emails).tuples().all())  # one query for the page, not one per row
            return [ReviewItem(row, email_of.get(row.address)) for row in rows]

    def get(self, submission_id: int, actor: str, ip: str | None, *, identity: bool) -> ReviewItem:
        """One submission for a member of staff, or KYC_SUBMISSION_NOT_FOUND; its identity data (level 1) only
        when `identity` (the member may read identity documents), else `data` None. A reading of identity data
        is audit-logged as "kyc.submission_view", committed before the data is handed out, as a document's
        opening is: who read a person's name, birth date and home address is on record."""
        with self._container.uow() as uow:
            row = kyc.submission_of(uow.session, kyc.find_submission(uow.session, submission_id))
            if not identity:
                row = replace(row, data=None)
            item = ReviewItem(row, _email(uow.session.get(AccountProfile, row.address)))
            if row.data is not None:
                record_action(
                    uow.session, actor=actor, action="kyc.submission_view", target=row.address,
                    after={"submission": row.id}, ip=ip,
                )  # fmt: skip
                uow.commit()
            return item

    def decide(self, submission_id: int, approve: bool, reason: str | None, actor: str, ip: str | None) -> ReviewItem:
        """Approve (the wallet's level rises at once) or reject with a reason; see `kyc.decide`."""
        with self._container.uow() as uow:
            row = kyc.decide(
                uow.session, submission_id, approve, reason,
                reviewer=actor, ip=ip, restricted=self._restricted, now_ms=self._clock(),
            )  # fmt: skip
            uow.commit()
            return ReviewItem(row, _email(uow.session.get(AccountProfile, row.address)))

    def open_document(self, document_id: int, actor: str, ip: str | None) -> OpenedDocument:
        """A document's bytes for a member of staff, audit-logged as "kyc.document_view" (committed before
        the bytes are handed out: no view goes unrecorded)."""
        with self._container.uow() as uow:
            row = uow.session.get(KycDocument, document_id)
            submission = None if row is None else uow.session.get(KycSubmission, row.submission_id)
            if row is None or submission is None:
                raise HdexError(ErrorCode.KYC_DOCUMENT_NOT_FOUND, f"no document {document_id}", "documentId")
            try:
                data = self._store.get(row.storage_key)
            except DocumentMissing:
                raise HdexError(
                    ErrorCode.KYC_DOCUMENT_NOT_FOUND, f"document {document_id} was purged", "documentId"
                ) from None
            record_action(
                uow.session, actor=actor, action="kyc.document_view", target=submission.address,
                after={"document": row.id, "submission": submission.id, "kind": row.kind}, ip=ip,
            )  # fmt: skip
            uow.commit()
            return OpenedDocument(DocumentInfo(row.id, row.kind, row.content_type, row.size), submission.address, data)

    def apply_webhook(self, timestamp: str | None, signature: str | None, body: bytes, ip: str | None) -> Submission:
        """Verify the vendor's webhook (HDEX_KYC_WEBHOOK_SECRET) and apply its decision; nothing changes
        unless all of it holds."""
        configured = self._container.settings.kyc_webhook_secret
        secret = None if configured is None else configured.get_secret_value()
        now = self._clock()
        decision = verify_webhook(secret, timestamp, signature, body, now // 1000)
        reason = decision.reason or (None if decision.approve else VENDOR_REJECTION)
        try:
            with self._container.uow() as uow:
                remember_event(uow.session, decision, now)
                row = kyc.decide(
                    uow.session, decision.submission_id, decision.approve, reason,
                    reviewer=VENDOR_ACTOR, ip=ip, restricted=self._restricted, now_ms=now,
                )  # fmt: skip
                uow.commit()
                return row
        except IntegrityError:  # the same event committed by a concurrent delivery
            raise HdexError(
                ErrorCode.WEBHOOK_REPLAYED, f"event {decision.event_id} was already received", "eventId"
            ) from None


def _email(profile: AccountProfile | None) -> str | None:
    return None if profile is None else profile.email
