"""What HDEX accepts as an e-mail address, for staff accounts and wallet users alike (pure, no I/O)."""

from __future__ import annotations

import re

from backend.errors import ErrorCode, HdexError

MAX_EMAIL_CHARS = 254
# No control character either: a NUL, which PostgreSQL cannot store (a 500), nor any other.
_PART = r"[^@\s<>\"'()\[\]\\,;:\x00-\x1f\x7f]+"
EMAIL = re.compile(rf"^{_PART}@{_PART}\.{_PART}$")


def mailbox_of(email: str) -> str:
    """The inbox a normalised address (`normal_email`) reaches as far as every provider agrees: its `+tag` dropped,
    as victim+1@example.com and victim@example.com reach one person (a provider's other aliases, such as
    Gmail's dots, are its own)."""
    local, _, domain = email.rpartition("@")
    return f"{local.partition('+')[0]}@{domain}"


def normal_email(email: str) -> str:
    """`email` trimmed and lower-cased, or INVALID_FIELD if it is not an address."""
    email = email.strip().lower()
    if len(email) > MAX_EMAIL_CHARS or not EMAIL.match(email):
        raise HdexError(ErrorCode.INVALID_FIELD, "not an e-mail address", "email")
    return email
