"""The checks every KYC document passes before anything is stored: its size, and its type as its bytes
say (a renamed executable is still an executable, whatever its name or declared type)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal, get_args

import filetype

from backend.errors import ErrorCode, HdexError

ContentType = Literal["application/pdf", "image/png", "image/jpeg"]
ACCEPTED_TYPES = frozenset(get_args(ContentType))
DOCUMENT_KINDS = ("identity", "proof_of_address")


@dataclass(frozen=True)
class Upload:
    """A file as received: its kind ("identity", "proof_of_address"), its bytes, the form field it came in.
    A name or declared type is not kept: neither is trusted."""

    kind: str
    data: bytes
    field: str


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed: its bytes, the type sniffed from them, its size and SHA-256."""

    data: bytes
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CheckedDocument(CheckedFile):
    """An upload that passed, with its kind."""

    kind: str


def check_file(data: bytes, max_bytes: int, field: str, noun: str = "a file") -> CheckedFile:
    """`data` if it is at most `max_bytes` and a PDF, PNG or JPEG by its content, else UPLOAD_TOO_LARGE /
    UPLOAD_TYPE_REFUSED naming `field` (the messages call the file `noun`)."""
    if len(data) > max_bytes:
        raise HdexError(ErrorCode.UPLOAD_TOO_LARGE, f"{noun} is at most {max_bytes} bytes", field)
    sniffed = filetype.guess(data) if data else None
    content_type = None if sniffed is None else sniffed.mime
    if content_type not in ACCEPTED_TYPES:
        raise HdexError(ErrorCode.UPLOAD_TYPE_REFUSED, f"{noun} is a PDF, PNG or JPEG file (checked by content)", field)
    assert content_type is not None
    return CheckedFile(data, content_type, len(data), hashlib.sha256(data).hexdigest())


def check_upload(upload: Upload, max_bytes: int) -> CheckedDocument:
    """The upload as a document, or INVALID_FIELD (an unknown kind) / UPLOAD_TOO_LARGE / UPLOAD_TYPE_REFUSED
    naming its field."""
    if upload.kind not in DOCUMENT_KINDS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a document is one of {', '.join(DOCUMENT_KINDS)}", upload.field)
    checked = check_file(upload.data, max_bytes, upload.field, "a document")
    return CheckedDocument(checked.data, checked.content_type, checked.size, checked.sha256, upload.kind)
