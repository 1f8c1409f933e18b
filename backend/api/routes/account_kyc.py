"""The signed-in wallet's KYC: `GET /v1/account/kyc`, `POST /v1/account/kyc/level1` (identity data),
`POST /v1/account/kyc/level2` (an identity document and a proof of address, multipart/form-data).

Uploads are read up to the size limit and no further, their type is taken from their bytes (PDF, PNG or
JPEG), and nothing is stored unless both files pass. The files are never served back to the wallet or
publicly: only staff with kyc.documents.read open them (backend/api/routes/staff_kyc.py).
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from backend.accounts.identity import IdentityData, PostalAddress
from backend.accounts.kyc import Submission
from backend.accounts.service import KycStatus
from backend.accounts.uploads import Upload
from backend.api.deps import AccountsDep, ContainerDep, CurrentWallet, limited
from backend.api.forms import files_body, required_files
from backend.api.schemas import ERROR, SIGNED_IN, SIGNED_IN_CHANGE, EpochMs, Input, documented
from backend.settings import Settings

router = APIRouter(prefix="/v1/account/kyc", tags=["account"])
LEVEL2_PATH = "/v1/account/kyc/level2"
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the two files
LEVEL2_FILES = {
    "identityDocument": "passport or identity card: PDF, PNG or JPEG",
    "proofOfAddress": "a recent bill or bank statement: PDF, PNG or JPEG",
}


class DocumentOut(BaseModel):
    id: int
    kind: Literal["identity", "proof_of_address"]
    contentType: Literal["application/pdf", "image/png", "image/jpeg"] = Field(description="sniffed from the bytes")
    size: int = Field(ge=0, description="bytes")


class SubmissionOut(BaseModel):
    id: int
    level: Literal[1, 2]
    status: Literal["pending", "approved", "rejected"]
    reason: str | None = Field(description="the reviewer's reason (always given for a rejection)")
    submittedAt: EpochMs
    reviewedAt: EpochMs | None
    documents: list[DocumentOut] = Field(description="level 2 only")


class KycOut(BaseModel):
    level: int = Field(ge=0, le=2)
    submissions: list[SubmissionOut] = Field(description="newest first")


class AddressIn(Input):
    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=100)
    postalCode: str = Field(max_length=20)
    region: str | None = Field(default=None, max_length=100)


class Level1In(Input):
    legalName: str = Field(max_length=200)
    dateOfBirth: str = Field(max_length=10, description="YYYY-MM-DD; 18 or older")
    country: str = Field(max_length=2, description="country of residence, ISO 3166-1 alpha-2")
    address: AddressIn


def submission_json(submission: Submission) -> dict[str, Any]:
    """The wallet's view of a submission (staff add the address, e-mail, reviewer and data)."""
    return {
        "id": submission.id,
        "level": submission.level,
        "status": submission.status,
        # a rejection's reason only: an approval stored staff's note here before it went to the audit log alone
        "reason": submission.reason if submission.status == "rejected" else None,
        "submittedAt": submission.submitted_at_ms,
        "reviewedAt": submission.reviewed_at_ms,
        "documents": [
            {"id": d.id, "kind": d.kind, "contentType": d.content_type, "size": d.size} for d in submission.documents
        ],
    }


def level2_max_body(settings: Settings) -> int:
    """The request body the level-2 upload may carry: two files at the limit and the multipart framing."""
    return 2 * settings.kyc_max_upload_bytes + MULTIPART_OVERHEAD


def _kyc_json(status: KycStatus) -> dict[str, Any]:
    return {"level": status.level, "submissions": [submission_json(s) for s in status.submissions]}


@router.get("", response_model=None, responses={
    **documented(KycOut, "the wallet's level and its submissions"), **SIGNED_IN,
})  # fmt: skip
async def kyc_status(wallet: CurrentWallet, accounts: AccountsDep) -> dict[str, Any]:
    """The signed-in wallet's KYC level and submissions, newest first."""
    return _kyc_json(await asyncio.to_thread(accounts.kyc_status, wallet))


@router.post("/level1", status_code=201, response_model=None, responses={
    **documented(SubmissionOut, "submitted: pending review", 201), **SIGNED_IN_CHANGE, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def submit_level1(body: Level1In, wallet: CurrentWallet, accounts: AccountsDep) -> dict[str, Any]:
    """Identity data for level 1. JURISDICTION_RESTRICTED (403) for a restricted country; KYC_ALREADY_PENDING
    or KYC_ALREADY_APPROVED (409)."""
    address = body.address
    identity = IdentityData(
        legal_name=body.legalName,
        date_of_birth=body.dateOfBirth,
        country=body.country,
        address=PostalAddress(address.line1, address.city, address.postalCode, address.line2, address.region),
    )
    return submission_json(await asyncio.to_thread(accounts.submit_identity, wallet, identity))


@router.post(LEVEL2_PATH.removeprefix("/v1/account/kyc"), status_code=201, response_model=None,
             dependencies=[limited("kyc_upload")], openapi_extra=files_body(LEVEL2_FILES), responses={
    **documented(SubmissionOut, "submitted: pending review", 201), **SIGNED_IN_CHANGE, 409: ERROR, 413: ERROR,
    415: ERROR, 422: ERROR, 429: ERROR,
})  # fmt: skip
async def submit_level2(
    request: Request, wallet: CurrentWallet, accounts: AccountsDep, container: ContainerDep
) -> dict[str, Any]:
    """Documents for level 2 (needs an approved level 1: KYC_LEVEL_REQUIRED), as multipart/form-data. Each file at
    most HDEX_KYC_MAX_UPLOAD_BYTES (UPLOAD_TOO_LARGE, 413) and a PDF, PNG or JPEG by its content, whatever its name
    or declared type (UPLOAD_TYPE_REFUSED, 415)."""
    names = list(LEVEL2_FILES)
    identity, proof = await required_files(request, names, container.settings.kyc_max_upload_bytes)
    uploads = [Upload("identity", identity, names[0]), Upload("proof_of_address", proof, names[1])]
    return submission_json(await asyncio.to_thread(accounts.submit_documents, wallet, uploads))
