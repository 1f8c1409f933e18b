"""The queries behind the API's lists: newest first by a key that only grows, one page below the cursor's key,
narrowed by the filters a reader gave (None means any)."""

from __future__ import annotations

from typing import Any, TypeVarTuple

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

_Row = TypeVarTuple("_Row")


def newest_first(query: Select[*_Row], key: InstrumentedAttribute[int], limit: int, below: int | None) -> Select[*_Row]:
    """`query` ordered by `key` (an id or sequence number) descending, at most `limit` rows, with keys below
    `below` if given: the page after the one whose last key was `below`."""
    query = query.order_by(key.desc()).limit(limit)
    if below is not None:
        query = query.where(key < below)
    return query


LIKE_ESCAPE = "\\"


def like_literal(text: str) -> str:
    """`text` for a LIKE pattern (with `escape=LIKE_ESCAPE`), matching itself only: a reader's "%" or "_" is a
    character to find, not a wildcard."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def where_given(query: Select[*_Row], *column_values: tuple[InstrumentedAttribute[Any], object]) -> Select[*_Row]:
    """`query` kept to the rows whose column equals the value, for each (column, value) whose value is not None."""
    for column, value in column_values:
        if value is not None:
            query = query.where(column == value)
    return query
