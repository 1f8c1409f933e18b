"""Passwords (argon2id), random tokens and recovery codes: how each is made, stored and checked.

Pure rules, no database. Tokens and recovery codes are random and long, so a single SHA-256 is as
good as a slow hash for them; passwords are chosen by people and get argon2id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.errors import ErrorCode, HdexError

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256  # argon2 takes any length; a cap keeps a request's cost bounded
RECOVERY_CODES = 10

_hasher = PasswordHasher()  # argon2id with RFC 9106's low-memory profile (t=3, 64 MiB, p=4)


def check_password_policy(password: str, email: str) -> None:
    """STAFF_WEAK_PASSWORD unless `password` is 12 to 256 characters and not the e-mail address."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise HdexError(
            ErrorCode.STAFF_WEAK_PASSWORD,
            f"a password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters; a long passphrase is best",
            "password",
        )
    local = email.split("@")[0]
    if email in password.lower() or (len(local) >= 4 and local in password.lower()):
        raise HdexError(ErrorCode.STAFF_WEAK_PASSWORD, "the password must not contain the e-mail address", "password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether `password` is the one of `stored_hash`. Without a hash (unknown account, no password set)
    the same work is done against a dummy, so the answer takes as long either way."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when `stored_hash` was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


def new_token() -> str:
    """A random token for a cookie, a challenge or a link: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token or a recovery code."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: derived from its (HttpOnly) cookie, so nothing more is stored and no
    other site can compute it."""
    return hmac.new(session_token.encode(), b"hdex staff csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, presented: str | None) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters (TypeError), and a header may carry any.
    return presented is not None and hmac.compare_digest(csrf_token(session_token).encode(), presented.encode())


def new_recovery_codes() -> list[str]:
    """RECOVERY_CODES fresh codes, `xxxxx-xxxxx` in lower-case base32 (50 bits each)."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """The stored form of a recovery code, however it was typed (case, spaces, dashes)."""
    return token_hash(re.sub(r"[\s-]", "", code.lower()))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))
