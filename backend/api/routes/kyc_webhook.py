"""The KYC vendor's webhook: `POST /v1/kyc/vendor/webhook`, no session, authenticated by an HMAC.

Headers: X-HDEX-Timestamp (unix seconds, within 300 s of ours) and X-HDEX-Signature (hex HMAC-SHA256 with
the shared secret HDEX_KYC_WEBHOOK_SECRET over "<timestamp>.<raw body>"). Body: {eventId, submissionId,
decision: "approved"|"rejected", reason?}. An event id is accepted once. A refused call changes nothing.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field

from backend.api.deps import KycReviewDep, client_ip, limited
from backend.api.schemas import ERROR, documented

router = APIRouter(prefix="/v1/kyc/vendor", tags=["kyc vendor"])
SIGNATURE_HEADER = "X-HDEX-Signature"
TIMESTAMP_HEADER = "X-HDEX-Timestamp"


class WebhookAccepted(BaseModel):
    submissionId: int
    status: Literal["approved", "rejected"] = Field(description="the submission's status now")


@router.post("/webhook", response_model=None, dependencies=[limited("kyc_webhook")], responses={
    **documented(WebhookAccepted, "the decision is applied"), 400: ERROR, 401: ERROR, 404: ERROR, 409: ERROR,
    422: ERROR, 429: ERROR,
})  # fmt: skip
async def vendor_webhook(
    request: Request,
    review: KycReviewDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER, max_length=128)] = None,
    timestamp: Annotated[str | None, Header(alias=TIMESTAMP_HEADER, max_length=32)] = None,
) -> dict[str, Any]:
    """A vendor's decision on a submission. WEBHOOK_SIGNATURE_INVALID or WEBHOOK_STALE (401),
    WEBHOOK_REPLAYED or KYC_NOT_PENDING (409), WEBHOOK_NOT_CONFIGURED (404) without a secret."""
    body = await request.body()
    submission = await asyncio.to_thread(review.apply_webhook, timestamp, signature, body, client_ip(request))
    return {"submissionId": submission.id, "status": submission.status}
