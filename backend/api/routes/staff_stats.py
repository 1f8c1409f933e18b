"""Statistics in the back office (issue 16): every statistics table for a range of UTC days, as JSON or as a
CSV export (permission stats.read; 403 STAFF_FORBIDDEN otherwise). Each CSV export is in the audit log
("stats.export", with the range and the row count) before it is sent.

Tables: markets, volume, tokens (deposits, withdrawals, net flow, value locked), users (new, DAU/WAU/MAU, funnel
steps per day), fees (per market, day and fee token), funnel (of the wallets first seen in the range), cohorts
(retention by the week of first trade). Ranges as the public ones: 422 STATS_RANGE_INVALID.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.staff_origin import SAME_ORIGIN_READ
from backend.api.routes.stats import From, To
from backend.api.schemas import ERROR
from backend.staff.roles import Permission
from backend.stats.days import day_of, parse_range
from backend.stats.export import export_table, read_table
from backend.stats.queries import STAFF_TABLES

router = APIRouter(prefix="/v1/staff/stats", tags=["staff"])

STATS_READ = Annotated[StaffPrincipal, requires(Permission.STATS_READ)]
Table = Annotated[str, Path(description=f"one of {', '.join(STAFF_TABLES)}", max_length=32)]
RESPONSES: dict[int | str, dict[str, Any]] = {401: ERROR, 403: ERROR, 404: ERROR, 422: ERROR}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class TableRows(BaseModel):
    from_: str = Field(alias="from", description="first UTC day, YYYY-MM-DD")
    to: str = Field(description="last UTC day, YYYY-MM-DD")
    table: str
    rows: list[dict[str, Any]] = Field(
        description="the table's rows: amounts as decimal strings of base units, counts as integers, days as "
        'YYYY-MM-DD (README "Statistics" lists each table\'s columns)'
    )


@router.get(
    "/{table}",
    dependencies=[SAME_ORIGIN_READ],
    responses={
        **RESPONSES,
        200: {
            "model": TableRows,
            "description": "the rows as JSON or, with format=csv, as a CSV download (audit-logged)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
    },
)
async def table_rows(
    table: Table,
    staff: STATS_READ,
    container: ContainerDep,
    first: From = None,
    last: To = None,
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Any:
    """A statistics table for the range (permission stats.read); `format=csv` downloads it as CSV (audit-logged
    "stats.export")."""
    days = parse_range(first, last, day_of(_now_ms()))
    actor = staff.actor

    if output == "json":

        def read() -> list[dict[str, Any]]:
            with container.uow() as uow:
                return read_table(uow.session, table, days)

        rows = await asyncio.to_thread(read)
        return {"from": days.first, "to": days.last, "table": table, "rows": rows}

    def export() -> str:
        with container.uow() as uow:
            text, _ = export_table(uow.session, table, days, actor=actor.name, ip=actor.ip)
            uow.commit()
            return text

    text = await asyncio.to_thread(export)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="hdex-{table}-{days.first}-{days.last}.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
