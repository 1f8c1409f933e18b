"""The checks every KYC document passes before anything is stored: its size, and its type as its bytes
say (a renamed executable is still an executable, whatever its name or declared type)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype

from backend.errors import ErrorCode, HdexError

ACCEPTED_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
DOCUMENT_KINDS = ("identity", "proof_of_address")


@dataclass(frozen=True)
class Upload:
    """A file as received: its kind ("identity", "proof_of_address"), its bytes, the form field it came in.
    A name or declared type is not kept: neither is trusted."""

    kind: str
    data: bytes
    field: str


@dataclass(frozen=True)
class CheckedDocument:
    """An upload that passed: the type sniffed from its content, its size and SHA-256."""

    kind: str
    data: bytes
    content_type: str
    size: int
    sha256: str


def check_upload(upload: Upload, max_bytes: int) -> CheckedDocument:
    """The upload as a document, or UPLOAD_TOO_LARGE / UPLOAD_TYPE_REFUSED naming its field."""
    if upload.kind not in DOCUMENT_KINDS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a document is one of {', '.join(DOCUMENT_KINDS)}", upload.field)
    if len(upload.data) > max_bytes:
        raise HdexError(ErrorCode.UPLOAD_TOO_LARGE, f"a document is at most {max_bytes} bytes", upload.field)
    sniffed = filetype.guess(upload.data) if upload.data else None
    content_type = None if sniffed is None else sniffed.mime
    if content_type not in ACCEPTED_TYPES:
        raise HdexError(
            ErrorCode.UPLOAD_TYPE_REFUSED, "a document is a PDF, PNG or JPEG file (checked by content)", upload.field
        )
    assert content_type is not None
    return CheckedDocument(
        upload.kind, upload.data, content_type, len(upload.data), hashlib.sha256(upload.data).hexdigest()
    )
