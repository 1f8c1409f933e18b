"""The Exchange events trading follows: those of the recorded Exchange (a database kept across a redeployment holds
a former one's too, which are not this one's) that no reorg took out, pending or final."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from backend.db.models import ChainEvent
from backend.statuses import ChainEventStatus


def exchange_events(chain_id: int, exchange: str) -> tuple[ColumnElement[bool], ...]:
    """The conditions of an event of `exchange` on `chain_id` that stands (not orphaned), for a `where`."""
    return (
        ChainEvent.chain_id == chain_id,
        ChainEvent.contract == exchange,
        ChainEvent.status != ChainEventStatus.ORPHANED,
    )
