"""CSV of a statistics table: a header of the row's keys, one line per row (a cohort's weeks as columns)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from backend.audit_log.store import record_action
from backend.errors import ErrorCode, HdexError
from backend.stats.days import DayRange
from backend.stats.queries import COLUMNS, TABLES

# a leading one makes a spreadsheet run the cell as a formula (a tab or carriage return it drops first)...
_FORMULA = re.compile(r"[=+@\t\r-]")
_NEGATIVE = re.compile(r"-[0-9]+(\.[0-9]+)?")  # ...but a whole negative amount (a net flow) must stay a number


def _cell(value: Any) -> Any:
    """A cell as written: None empty, a would-be formula made text by a leading quote mark (as the dApp's CSV)."""
    if value is None:
        return ""
    if isinstance(value, str) and _FORMULA.match(value) and not _NEGATIVE.fullmatch(value):
        return "'" + value
    return value


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    flat = {}
    for key, value in row.items():
        if isinstance(value, list):
            flat.update({f"{key}_{i}": _cell(item) for i, item in enumerate(value)})
        else:
            flat[key] = _cell(value)
    return flat


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] = ()) -> str:
    """The rows as CSV text (RFC 4180, `\\r\\n` line ends); `columns` is the header when there are no rows."""
    flat = [_flat(row) for row in rows]
    header: list[str] = list(columns) if not flat else []
    for row in flat:
        header += [key for key in row if key not in header]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, restval="")
    writer.writeheader()
    writer.writerows(flat)
    return out.getvalue()


def export_table(session: Session, table: str, days: DayRange, *, actor: str, ip: str | None = None) -> tuple[str, int]:
    """A statistics table as CSV for a range, audit-logged as "stats.export" in the caller's unit of work (the
    caller commits: no export leaves without its entry). (csv text, rows); STATS_TABLE_UNKNOWN for another name."""
    rows = read_table(session, table, days)
    record_action(
        session,
        actor=actor,
        action="stats.export",
        target=f"stats:{table}",
        after={"from": days.first, "to": days.last, "rows": len(rows)},
        ip=ip,
    )
    return to_csv(rows, COLUMNS[table]), len(rows)


def read_table(session: Session, table: str, days: DayRange) -> list[dict[str, Any]]:
    """The rows of a statistics table (`backend.stats.queries.TABLES`); STATS_TABLE_UNKNOWN for another name."""
    reader = TABLES.get(table)
    if reader is None:
        message = f"no statistics table {table!r}: one of {', '.join(sorted(TABLES))}"
        raise HdexError(ErrorCode.STATS_TABLE_UNKNOWN, message, "table")
    return reader(session, days)
