"""A subject is one line of bounded length; a message holds some text and is bounded."""

from __future__ import annotations

import pytest

from backend.errors import ErrorCode, HdexError
from backend.support.tickets import MAX_BODY_CHARS, MAX_SUBJECT_CHARS, check_body, check_subject


def test_a_subject_is_trimmed_and_kept_as_typed() -> None:
    assert check_subject("  <b>Help</b> with KYC  ") == "<b>Help</b> with KYC"
    assert check_subject("x" * MAX_SUBJECT_CHARS) == "x" * MAX_SUBJECT_CHARS


@pytest.mark.parametrize("subject", ["", "   ", "x" * (MAX_SUBJECT_CHARS + 1), "a\nb", "a\rBcc: x", "tab\there",
                                     "help\u2028Bcc: x@evil", "a\u2029b", "next\x85line"])  # fmt: skip
def test_a_bad_subject_is_refused(subject: str) -> None:
    with pytest.raises(HdexError) as refused:
        check_subject(subject)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_FIELD, "subject")


def test_a_message_keeps_its_lines_and_is_bounded() -> None:
    assert check_body("line 1\n\nline 2") == "line 1\n\nline 2"
    for bad in ("", " \n\t ", "x" * (MAX_BODY_CHARS + 1), "nul\x00"):
        with pytest.raises(HdexError):
            check_body(bad)
