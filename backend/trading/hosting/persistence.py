"""Group commit: the engine host's changes, written in one transaction per batch by one thread.

While one batch is being written, new commands pile up in the next one, so under load a commit
carries hundreds of orders (one fsync for all of them) and when idle a batch is a single order.
Order of durability for a batch: journal flush (+ fsync) first, then the database transaction,
which also stores the engine command sequence it covers (`engine_seq`), so a restart can replay the
journal up to exactly what the database holds (see backend.trading.hosting.restore). The transaction
starts with the engine lease's fence (`backend.trading.hosting.lease`): a host that lost the lease
commits nothing.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.alerts.store import raise_alert
from backend.audit_log import record_action
from backend.db.models import Fill, MarketHalt, Order, Reservation, StoredCandle, TradingCursor
from backend.db.models.trading import BulkCancelStamp, CancelAfter
from backend.db.types import Amount
from backend.marketdata.candle_store import candle_rows
from backend.trading.hosting.lease import Fence
from backend.trading.rules.orders import TrackedOrder

log = logging.getLogger(__name__)

ENGINE_SEQ = "engine_seq"
CHAIN_EVENT_ID = "chain_event_id"
# The highest book-channel seq in any batch so far; one value for every market, as a cursor name
# holds no market name of up to 40 characters. After a restart all books continue above it.
BOOK_SEQ = "book_seq"
# A number drawn for each batch written, stored with it: a commit whose answer was lost (the connection dropped
# during COMMIT) is found to have landed or not. engine_seq cannot tell: a batch without commands repeats it.
BATCH_MARK = "batch_mark"
WRITE_ATTEMPTS = 5
CANDLE_KEY = ("market", "span", "start_ms")


@dataclass
class BatchRows:
    """A batch as plain rows, captured on the host's thread so later changes cannot leak in."""

    new_orders: list[dict[str, Any]] = field(default_factory=list)
    order_updates: list[dict[str, Any]] = field(default_factory=list)
    fills: list[dict[str, Any]] = field(default_factory=list)
    reservations: list[dict[str, Any]] = field(default_factory=list)
    cursors: dict[str, int] = field(default_factory=dict)
    cancel_after: list[dict[str, Any]] = field(default_factory=list)  # upserts by (wallet, scope)
    bulk_cancel_stamps: list[dict[str, Any]] = field(default_factory=list)  # upserts by wallet
    halts: list[dict[str, Any]] = field(default_factory=list)  # market_halts upserts by market
    alerts: list[dict[str, Any]] = field(default_factory=list)  # `raise_alert` keyword arguments
    audit: list[dict[str, Any]] = field(default_factory=list)  # `record_action` keyword arguments


def order_row(order: TrackedOrder) -> dict[str, Any]:
    """Every column of an order's row."""
    signed = order.order
    return {
        "hash": order.hash,
        "seq": order.seq,
        "market": order.market,
        "maker": order.maker,
        "side": signed.side,
        "base_amount": signed.baseAmount,
        "limit_price": signed.limitPrice,
        "trigger_price": signed.triggerPrice,
        "max_fee_rate": signed.maxFeeRate,
        "nonce": signed.nonce,
        "expiry": signed.expiry,
        "expires_at": min(signed.expiry, 2**63 - 1),
        "flags": signed.flags,
        "signature": order.signature,
        "client_order_id": order.client_order_id,
        "time_in_force": order.time_in_force,
        "status": order.status,
        "filled": order.filled,
        "filled_quote": order.filled_quote,
        "reserved": order.reserved,
        "reason": order.reason,
        "triggered": order.triggered,
        "book_seq": order.book_seq,
        "created_at_ms": order.created_ms,
        "updated_at_ms": order.updated_ms,
    }


def order_state_row(order: TrackedOrder) -> dict[str, Any]:
    """The columns that change after acceptance."""
    return {
        "hash": order.hash,
        "status": order.status,
        "filled": order.filled,
        "filled_quote": order.filled_quote,
        "reserved": order.reserved,
        "reason": order.reason,
        "triggered": order.triggered,
        "book_seq": order.book_seq,
        "updated_at_ms": order.updated_ms,
    }


def write_batch(session: Session, rows: BatchRows) -> None:
    """Apply one batch (the caller commits)."""
    if rows.new_orders:
        _executemany(session, Order.__table__, rows.new_orders)
    if rows.order_updates:
        _executemany(session, Order.__table__, rows.order_updates, key="hash")
    if rows.fills:
        _executemany(session, Fill.__table__, rows.fills)
        _executemany(session, StoredCandle.__table__, candle_rows(session, rows.fills), conflict=CANDLE_KEY)
    if rows.reservations:
        _executemany(session, Reservation.__table__, rows.reservations, conflict=("wallet", "token"))
    if rows.cursors:
        cursors = [{"name": name, "value": value} for name, value in rows.cursors.items()]
        _executemany(session, TradingCursor.__table__, cursors, conflict=("name",))
    if rows.cancel_after:
        _executemany(session, CancelAfter.__table__, rows.cancel_after, conflict=("wallet", "scope"))
    if rows.bulk_cancel_stamps:
        _executemany(session, BulkCancelStamp.__table__, rows.bulk_cancel_stamps, conflict=("wallet",))
    if rows.halts:
        _executemany(session, MarketHalt.__table__, rows.halts, conflict=("market",))
    for alert in rows.alerts:  # market risk: rare, so the ORM's way is fine here
        raise_alert(session, **alert)
    for action in rows.audit:
        record_action(session, **action)


def _executemany(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]],
    key: str | None = None,
    conflict: tuple[str, ...] = (),
) -> None:
    """INSERT every row (an upsert on `conflict`; with `key`, UPDATE ... WHERE key = ...) in one DBAPI
    executemany: the same SQL on SQLite and PostgreSQL.

    The group commit's hot path: SQLAlchemy's per-row bind processing cost more CPU than the rest
    of an order's handling, so values are converted here once (Amount columns: the decimal text on
    SQLite, the int itself on PostgreSQL, as `backend.db.types.Amount` stores them).
    """
    connection = session.connection()
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = list(rows[0])
    money = {c.name for c in table.columns if isinstance(c.type, Amount)} if dialect.name != "postgresql" else set()
    if key is None:
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
        if conflict:
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in conflict)
            sql += f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}"
    else:
        columns.remove(key)
        columns.append(key)
        sets = ", ".join(f"{column} = {marker}" for column in columns[:-1])
        sql = f"UPDATE {table.name} SET {sets} WHERE {key} = {marker}"
    params = [tuple(str(row[c]) if c in money and row[c] is not None else row[c] for c in columns) for row in rows]
    connection.exec_driver_sql(sql, params)


Job = tuple[BatchRows, Callable[[BaseException | None], None]]


class BatchWriter:
    """One thread that makes batches durable in order: `flush_journal()`, then one transaction."""

    def __init__(self, session_factory: sessionmaker[Session], flush_journal: Callable[[], None], fence: Fence) -> None:
        self._session_factory = session_factory
        self._flush_journal = flush_journal
        self._fence = fence
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="trading-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, rows: BatchRows, done: Callable[[BaseException | None], None]) -> None:
        """Write `rows` after every earlier batch; `done(error)` runs on the writer thread."""
        self._jobs.put((rows, done))

    def stop(self) -> None:
        """Finish the queued batches, then end the thread."""
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            rows, done = job
            try:
                self._flush_journal()
                self._write(rows)
            except Exception as exc:  # reported to the waiting requests; the host stops taking orders
                log.exception("trading batch write failed")
                done(exc)
            else:
                done(None)

    def _write(self, rows: BatchRows) -> None:
        mark = secrets.randbits(62)
        marked = replace(rows, cursors={**rows.cursors, BATCH_MARK: mark})
        committed_before = False  # an earlier attempt's COMMIT failed: it may have gone through all the same
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            committing = False
            try:
                with self._session_factory() as session:
                    self._fence(session)
                    write_batch(session, marked)
                    committing = True
                    session.commit()
                return
            except IntegrityError:
                # the earlier COMMIT went through but was not yet seen when looked for (a server still finishing
                # it): this attempt's rows met that one's
                if committed_before and self._landed(mark):
                    return
                raise
            except OperationalError:
                # Written again after a commit that went through, its new orders and fills would be refused as
                # duplicates, and the host stop as though nothing had been stored.
                if committing and self._landed(mark):
                    return
                committed_before = committed_before or committing
                if attempt == WRITE_ATTEMPTS:
                    raise
                log.warning("trading batch write retried", extra={"attempt": attempt})
                time.sleep(0.05 * attempt)

    def _landed(self, mark: int) -> bool:
        """Whether the batch marked `mark` is stored though its COMMIT answered an error; False when that cannot be
        read now (the write is tried again, as for any other failure)."""
        try:
            with self._session_factory() as session:
                stored = session.scalar(select(TradingCursor.value).where(TradingCursor.name == BATCH_MARK)) == mark
        except OperationalError:
            return False
        if stored:
            log.warning("trading batch commit answered with an error but stored")
        return stored
