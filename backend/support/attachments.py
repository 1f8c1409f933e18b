"""The checks a ticket's attachment passes before it is stored: its size, and its type as its bytes say
(the same types KYC documents accept: a PNG, a JPEG or a PDF, whatever the file is called)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype

from backend.accounts.uploads import ACCEPTED_TYPES
from backend.errors import ErrorCode, HdexError

FIELD = "attachment"


@dataclass(frozen=True, slots=True)
class CheckedAttachment:
    """An attachment that passed: its bytes, the type sniffed from them, its size and SHA-256."""

    data: bytes
    content_type: str
    size: int
    sha256: str


def check_attachment(data: bytes, max_bytes: int) -> CheckedAttachment:
    """`data` as an attachment, or UPLOAD_TOO_LARGE / UPLOAD_TYPE_REFUSED on the "attachment" field."""
    if len(data) > max_bytes:
        raise HdexError(ErrorCode.UPLOAD_TOO_LARGE, f"an attachment is at most {max_bytes} bytes", FIELD)
    sniffed = filetype.guess(data) if data else None
    content_type = None if sniffed is None else sniffed.mime
    if content_type not in ACCEPTED_TYPES:
        raise HdexError(
            ErrorCode.UPLOAD_TYPE_REFUSED, "an attachment is a PNG, JPEG or PDF file (checked by content)", FIELD
        )
    assert content_type is not None
    return CheckedAttachment(data, content_type, len(data), hashlib.sha256(data).hexdigest())
