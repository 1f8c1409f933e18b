"""Newest-first lists: `limit` plus an opaque `cursor`, the `next` of the previous page (null at the end).

Every account list pages the same way: the same query parameters, the same validation (a bad one is
INVALID_FIELD on `limit` or `cursor`), and `next` set only when the page came back full.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import Query
from pydantic import AfterValidator

from backend.db.types import MAX_ROW_ID

T = TypeVar("T")


def _a_row_id(cursor: str | None) -> str | None:
    if cursor is not None and int(cursor) > MAX_ROW_ID:
        raise ValueError(f"cursor is `next` of the previous page (at most {MAX_ROW_ID})")
    return cursor


Limit = Annotated[int, Query(ge=1, le=500, description="page size, 1-500")]
# Lists keyed by a 64-bit sequence (orders, fills, the audit log) page with `Cursor`; lists keyed by a table's
# 32-bit id (deposits, tickets, alerts, ...) with `IdCursor`, which refuses a key no such id can have.
Cursor = Annotated[str | None, Query(pattern="^[0-9]{1,18}$", description="opaque: `next` of the previous page")]
IdCursor = Annotated[
    str | None,
    Query(pattern="^[0-9]{1,10}$", description="opaque: `next` of the previous page"),
    AfterValidator(_a_row_id),
]
# Lists keyed by time have no unique integer: the key is (milliseconds, hash), both in the cursor.
TimeCursor = Annotated[
    str | None, Query(pattern="^[0-9]{1,18}-0x[0-9a-f]{64}$", description="opaque: `next` of the previous page")
]


def before(cursor: str | None) -> int | None:
    """The key a `Cursor` page starts below (None: the first page)."""
    return None if cursor is None else int(cursor)


def before_time(cursor: str | None) -> tuple[int, str] | None:
    """The (milliseconds, hash) key a `TimeCursor` page starts below (None: the first page)."""
    if cursor is None:
        return None
    millis, _, key = cursor.partition("-")
    return int(millis), key


def time_key(millis: int, key: str) -> str:
    """The `TimeCursor` of an item keyed by (milliseconds, hash)."""
    return f"{millis}-{key}"


def next_cursor(items: Sequence[T], limit: int, key: Callable[[T], str]) -> str | None:
    """The cursor of the page after `items`: the last item's key if the page is full, else None."""
    return key(items[-1]) if len(items) == limit else None
