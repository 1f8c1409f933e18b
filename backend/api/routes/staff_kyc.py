"""The KYC review queue behind staff sign-in: list and read submissions (kyc.read), open a document
(kyc.documents.read; every view audit-logged), approve or reject (kyc.review; audit-logged with the level
change). The server checks each permission (403 STAFF_FORBIDDEN), whatever the page shows.

A document is sent as its stored, content-sniffed type, inline, with `X-Content-Type-Options: nosniff`,
`Content-Security-Policy: sandbox` (a PDF's scripts or an image's tricks run in no origin) and no-store.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from backend.accounts.review import ReviewItem
from backend.api.deps import KycReviewDep, StaffPrincipal, requires
from backend.api.files import FILE_TYPES, inline_file
from backend.api.routes.account_kyc import SubmissionOut, submission_json
from backend.api.routes.pagination import IdCursor, Limit, before, next_cursor
from backend.api.routes.staff_origin import SAME_ORIGIN_READ
from backend.api.schemas import ERROR, STAFF_ONLY, Address, Input, documented
from backend.db.types import MAX_ROW_ID
from backend.staff.roles import Permission

router = APIRouter(prefix="/v1/staff/kyc", tags=["staff"])

SubmissionId = Annotated[int, Path(alias="submissionId", ge=1, le=MAX_ROW_ID)]
DocumentId = Annotated[int, Path(alias="documentId", ge=1, le=MAX_ROW_ID)]
KYC_READ = Annotated[StaffPrincipal, requires(Permission.KYC_READ)]
KYC_DOCUMENTS_READ = Annotated[StaffPrincipal, requires(Permission.KYC_DOCUMENTS_READ)]
KYC_REVIEW = Annotated[StaffPrincipal, requires(Permission.KYC_REVIEW)]


class PostalAddressOut(BaseModel):
    line1: str
    line2: str | None
    city: str
    postalCode: str
    region: str | None


class IdentityOut(BaseModel):
    legalName: str = Field(description="as typed: show it as text, never as HTML")
    dateOfBirth: str = Field(description="YYYY-MM-DD")
    country: str
    address: PostalAddressOut


class StaffSubmissionRow(SubmissionOut):
    address: Address
    email: str | None = Field(description="the wallet's e-mail, if it gave one")
    reviewer: str | None = Field(description='who decided: "staff:<e-mail>", "vendor"; null while pending')


class StaffSubmissionOut(StaffSubmissionRow):
    data: IdentityOut | None = Field(
        description="level 1's identity data; null for level 2, and for a role without kyc.documents.read"
    )


class StaffSubmissionPage(BaseModel):
    submissions: list[StaffSubmissionRow] = Field(
        description="without identity data: a queue is no way to read people's details in bulk (open one)"
    )
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class Approve(Input):
    reason: str | None = Field(default=None, max_length=500, description="optional note (audit log)")


class Reject(Input):
    reason: str = Field(min_length=1, max_length=500, description="why; the user reads it")


def _row_json(item: ReviewItem) -> dict[str, Any]:
    submission = item.submission
    return {
        **submission_json(submission),
        "address": submission.address,
        "email": item.email,
        "reviewer": submission.reviewer,
    }


def _staff_json(item: ReviewItem) -> dict[str, Any]:
    return {**_row_json(item), "data": item.submission.data}


@router.get("/submissions", response_model=None, responses={
    **documented(StaffSubmissionPage, "submissions, newest first"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def list_submissions(
    staff: KYC_READ,
    review: KycReviewDep,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None,
    limit: Limit = 100,
    cursor: IdCursor = None,
) -> dict[str, Any]:
    """The review queue (permission kyc.read): submissions of one status or all, newest first, without their
    identity data (one submission's, with its reading audit-logged: `GET .../submissions/{submissionId}`)."""
    items = await asyncio.to_thread(review.list, status, limit, before(cursor))
    return {
        "submissions": [_row_json(item) for item in items],
        "next": next_cursor(items, limit, lambda item: str(item.submission.id)),
    }


@router.get("/submissions/{submissionId}", response_model=None, dependencies=[SAME_ORIGIN_READ], responses={
    **documented(StaffSubmissionOut, "the submission"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def get_submission(submission_id: SubmissionId, staff: KYC_READ, review: KycReviewDep) -> dict[str, Any]:
    """One submission with its documents' descriptions (permission kyc.read), and its identity data for a role
    that may read identity documents (kyc.documents.read; `data` null for the others); a reading of identity
    data is audit-logged ("kyc.submission_view")."""
    actor = staff.actor
    identity = Permission.KYC_DOCUMENTS_READ in staff.member.permissions
    return _staff_json(await asyncio.to_thread(review.get, submission_id, actor.name, actor.ip, identity=identity))


@router.get("/documents/{documentId}", response_model=None, response_class=Response, responses={
    200: {"description": "the file, as its content-sniffed type", "content": FILE_TYPES}, **STAFF_ONLY,
    404: ERROR, 422: ERROR,
}, dependencies=[SAME_ORIGIN_READ])  # fmt: skip
async def open_document(document_id: DocumentId, staff: KYC_DOCUMENTS_READ, review: KycReviewDep) -> Response:
    """A document's bytes (permission kyc.documents.read); each view is written to the audit log first."""
    actor = staff.actor
    opened = await asyncio.to_thread(review.open_document, document_id, actor.name, actor.ip)
    info = opened.info
    return inline_file(opened.data, info.content_type, f"{info.kind}-{info.id}")


@router.post("/submissions/{submissionId}/approve", response_model=None, responses={
    **documented(StaffSubmissionOut, "approved: the wallet's level is raised now"), **STAFF_ONLY, 404: ERROR,
    409: ERROR, 422: ERROR,
})  # fmt: skip
async def approve(
    submission_id: SubmissionId, body: Approve, staff: KYC_REVIEW, review: KycReviewDep
) -> dict[str, Any]:
    """Approves a pending submission (permission kyc.review): the wallet holds its level from now on."""
    actor = staff.actor
    item = await asyncio.to_thread(review.decide, submission_id, True, body.reason, actor.name, actor.ip)
    return _staff_json(item)


@router.post("/submissions/{submissionId}/reject", response_model=None, responses={
    **documented(StaffSubmissionOut, "rejected: the user sees the reason and may submit again"), **STAFF_ONLY,
    404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def reject(submission_id: SubmissionId, body: Reject, staff: KYC_REVIEW, review: KycReviewDep) -> dict[str, Any]:
    """Rejects a pending submission with a reason (permission kyc.review)."""
    actor = staff.actor
    item = await asyncio.to_thread(review.decide, submission_id, False, body.reason, actor.name, actor.ip)
    return _staff_json(item)
