"""External KYC vendors beside the built-in manual review, and the vendor's signed webhook.

A `KycVendor` is told of each new submission (`start_check`); its decision comes back later through
`POST /v1/kyc/vendor/webhook`, verified here: HMAC-SHA256 with the shared secret over
"<timestamp>.<raw body>", the timestamp within `WINDOW_S` of our clock, each event id accepted once
(kept in `kyc_webhook_events`, so a replay is refused even after a restart).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

from sqlalchemy.orm import Session

from backend.accounts.kyc import Submission
from backend.db.models import KycWebhookEvent
from backend.db.types import MAX_ROW_ID
from backend.errors import ErrorCode, HdexError
from backend.signing.webhook import WINDOW_S, signature_matches, timestamp_fresh, webhook_mac

MAX_EVENT_ID_CHARS = 128
MAX_REASON_CHARS = 500
DECISIONS = ("approved", "rejected")
VENDOR_ACTOR = "vendor"  # how the audit log and the submission name the vendor's decisions


class KycVendor(Protocol):
    """An identity-verification service that decides submissions on its own and reports by webhook."""

    name: str

    def start_check(self, submission: Submission) -> None:
        """Hand a new pending submission to the vendor (after it is committed)."""


class ManualReview:
    """The built-in "vendor": nothing leaves HDEX; staff decide from the review queue."""

    name = "manual"

    def start_check(self, submission: Submission) -> None:
        """Nothing to do: the submission waits in the staff queue (GET /v1/staff/kyc/submissions)."""


@dataclass(frozen=True)
class VendorDecision:
    """A verified webhook's content."""

    event_id: str
    submission_id: int
    approve: bool
    reason: str | None


def verify_webhook(
    secret: str | None, timestamp: str | None, signature: str | None, body: bytes, now_s: int
) -> VendorDecision:
    """The decision a webhook carries, if it is signed with `secret` and fresh; else WEBHOOK_NOT_CONFIGURED,
    WEBHOOK_SIGNATURE_INVALID (checked first: an unsigned caller learns nothing more), WEBHOOK_STALE or
    INVALID_FIELD. Replays are refused by `remember_event`."""
    if not secret:
        raise HdexError(ErrorCode.WEBHOOK_NOT_CONFIGURED, "no KYC vendor is configured (HDEX_KYC_WEBHOOK_SECRET)")
    stamp = timestamp.strip() if timestamp else ""
    if not signature_matches(secret, stamp, body, signature):
        raise HdexError(ErrorCode.WEBHOOK_SIGNATURE_INVALID, "the signature does not match", "X-HDEX-Signature")
    if not timestamp_fresh(stamp, now_s):
        raise HdexError(
            ErrorCode.WEBHOOK_STALE, f"the timestamp is more than {WINDOW_S} s from ours", "X-HDEX-Timestamp"
        )
    return _decision(body)


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """The X-HDEX-Signature of `body` sent at `timestamp` (what a vendor computes; used by tests and tools)."""
    return webhook_mac(secret, str(timestamp), body)


def remember_event(session: Session, decision: VendorDecision, now_ms: int) -> None:
    """Record the event id, or WEBHOOK_REPLAYED if it was accepted before. (Two deliveries racing each
    other both pass this check; the primary key lets only one commit.)"""
    if session.get(KycWebhookEvent, decision.event_id) is not None:
        raise HdexError(ErrorCode.WEBHOOK_REPLAYED, f"event {decision.event_id} was already received", "eventId")
    session.add(
        KycWebhookEvent(event_id=decision.event_id, submission_id=decision.submission_id, received_at_ms=now_ms)
    )
    session.flush()


def _decision(body: bytes) -> VendorDecision:
    try:
        value: Any = json.loads(body)
    except (ValueError, RecursionError):  # nesting deeper than the parser's stack is no decision either
        raise HdexError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise HdexError(ErrorCode.INVALID_FIELD, "the body is a JSON object")
    event_id, submission_id = value.get("eventId"), value.get("submissionId")
    decision, reason = value.get("decision"), value.get("reason")
    if not _storable(event_id) or not 1 <= len(event_id) <= MAX_EVENT_ID_CHARS:
        raise HdexError(
            ErrorCode.INVALID_FIELD, f"eventId is a string of 1 to {MAX_EVENT_ID_CHARS} characters", "eventId"
        )
    if not isinstance(submission_id, int) or isinstance(submission_id, bool) or not 1 <= submission_id <= MAX_ROW_ID:
        raise HdexError(ErrorCode.INVALID_FIELD, "submissionId is a submission's id", "submissionId")
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise HdexError(ErrorCode.INVALID_FIELD, "decision is approved or rejected", "decision")
    if reason is not None and (not _storable(reason) or len(reason) > MAX_REASON_CHARS):
        raise HdexError(
            ErrorCode.INVALID_FIELD, f"reason is a string of at most {MAX_REASON_CHARS} characters", "reason"
        )
    return VendorDecision(event_id, submission_id, decision == "approved", reason or None)


def _storable(value: Any) -> TypeGuard[str]:
    """A string both databases can store: no NUL (PostgreSQL's text refuses it) and no lone surrogate (no UTF-8)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True
