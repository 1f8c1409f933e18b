"""An attachment's type is what its bytes say, and its size is bounded."""

from __future__ import annotations

import pytest

from backend.errors import ErrorCode, HdexError
from backend.support.attachments import check_attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.mark.parametrize(("data", "mime"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf")])
def test_png_jpeg_and_pdf_are_accepted_as_their_sniffed_type(data: bytes, mime: str) -> None:
    checked = check_attachment(data, 1024)
    assert (checked.content_type, checked.size, len(checked.sha256)) == (mime, len(data), 64)


@pytest.mark.parametrize(
    "data", [b"", b"MZ\x90\x00" + b"\x00" * 60, b"<html><script>x</script>", b"GIF89a" + b"\0" * 9]
)
def test_anything_else_is_refused_by_content(data: bytes) -> None:
    with pytest.raises(HdexError) as refused:
        check_attachment(data, 1024)
    assert (refused.value.code, refused.value.field) == (ErrorCode.UPLOAD_TYPE_REFUSED, "attachment")


def test_one_byte_past_the_limit_is_too_large() -> None:
    assert check_attachment(PNG, len(PNG)).size == len(PNG)
    with pytest.raises(HdexError) as refused:
        check_attachment(PNG, len(PNG) - 1)
    assert refused.value.code is ErrorCode.UPLOAD_TOO_LARGE
