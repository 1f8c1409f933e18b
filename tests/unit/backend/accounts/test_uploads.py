"""Uploads (KYC documents, ticket attachments) are judged by their bytes: PDF, PNG and JPEG pass; anything else,
whatever its name, does not."""

from __future__ import annotations

import hashlib

import pytest

from backend.accounts.uploads import Upload, check_file, check_upload
from backend.errors import HdexError

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PDF = b"%PDF-1.7\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 57
ZIP = b"PK\x03\x04" + b"\x00" * 40
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
GIF = b"GIF89a" + b"\x00" * 20


@pytest.mark.parametrize(("data", "content_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf")])
def test_accepted_types_are_sniffed_from_the_content(data: bytes, content_type: str) -> None:
    checked = check_file(data, 1024, "attachment")
    assert checked.content_type == content_type and checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("data", [EXE, ELF, ZIP, SVG, HTML, GIF, b"", b"just text"])
def test_everything_else_is_refused_whatever_it_is_called(data: bytes) -> None:
    with pytest.raises(HdexError) as refused:
        check_file(data, 1024, "attachment")
    assert (refused.value.code, refused.value.field) == ("UPLOAD_TYPE_REFUSED", "attachment")


def test_a_file_over_the_limit_is_refused_before_its_type_is_looked_at() -> None:
    assert check_file(PDF + b"0" * (100 - len(PDF)), 100, "f").size == 100
    with pytest.raises(HdexError) as refused:
        check_file(PDF + b"0" * (101 - len(PDF)), 100, "f")
    assert refused.value.code == "UPLOAD_TOO_LARGE"


def test_a_document_keeps_its_kind_and_names_its_field_when_refused() -> None:
    checked = check_upload(Upload("identity", PNG, "identityDocument"), 1024)
    assert (checked.kind, checked.content_type) == ("identity", "image/png")
    with pytest.raises(HdexError) as refused:
        check_upload(Upload("proof_of_address", EXE, "proofOfAddress"), 1024)
    assert (refused.value.code, refused.value.field) == ("UPLOAD_TYPE_REFUSED", "proofOfAddress")


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(HdexError) as refused:
        check_upload(Upload("selfie", PNG, "selfie"), 1024)
    assert refused.value.code == "INVALID_FIELD"
