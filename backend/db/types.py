"""Column types for money: exact integers up to 2**256 on every database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

# The largest id an `Integer` key holds: 32 bits on PostgreSQL, which refuses to compare the column with a larger
# number (a query error, not an empty answer). Every id or cursor a door takes for such a table stays below it.
MAX_ROW_ID = 2**31 - 1


class Amount(TypeDecorator[int]):
    """A signed integer of up to 78 digits (any uint256, negated or not).

    PostgreSQL stores NUMERIC(78, 0). SQLite would turn big NUMERICs into floats, so it stores the
    decimal text; never SUM() this column in SQL on SQLite: add in Python.
    """

    impl = String(80)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(78, 0))
        return dialect.type_descriptor(String(80))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"amounts are ints, got {type(value).__name__}")
        return Decimal(value) if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)
