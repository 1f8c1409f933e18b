"""The document store's interface and the shape of its keys."""

from __future__ import annotations

import re
from typing import Protocol

# Keys are made by HDEX ("kyc/<random>"), never taken from a request; checked anyway, so no key
# can climb out of a folder or name an odd object.
KEY = re.compile(r"^[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*$")
MAX_KEY_CHARS = 255


class DocumentMissing(LookupError):
    """No document is stored under the key."""


class DocumentStore(Protocol):
    """Bytes by key. Writes replace; deleting a missing key is not an error (the purge may run twice)."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`."""

    def get(self, key: str) -> bytes:
        """The bytes under `key`, or DocumentMissing."""

    def delete(self, key: str) -> None:
        """Remove `key` if it is there."""


def check_key(key: str) -> str:
    """`key` if it is a well-formed store key (segments of letters, digits, `_`, `-`, `.`; no `..`), else
    ValueError."""
    if len(key) > MAX_KEY_CHARS or not KEY.match(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"not a document key: {key!r}")
    return key
