"""Start-up: rebuild the engine from snapshot + journal, then make it agree with the database.

1. Recover the engine from the snapshot and the journal up to the database's `engine_seq` (what
   was committed; later journal entries were never acknowledged). A missing or broken journal
   gives an empty engine at `engine_seq` (the journal's numbering goes on), which step 3 refills.
2. Rotate: write a snapshot of that state and start a new journal segment after it. Book deltas
   are numbered on from the stored `book_seq`, so no client ever sees a book's `seq` go back.
3. Reconcile, through ordinary engine commands (journaled and persisted like any other): markets
   the database has and the engine lacks are added, open until the book is whole (a cancel-only or halted
   market refuses placements, also the re-placing below), then in their states; live engine orders the
   database does not hold open are cancelled; open database orders the engine lacks are placed
   again in their acceptance order (a stop whose trigger was reached as the limit order it became); a
   remaining quantity that differs is brought down to the lower.
4. Risk halts still in force (`market_halts`) are taken up again, after the book is whole (a halted
   market refuses placements, also the re-placing of step 3).
5. Holds are rebuilt from the database (open orders' `reserved`, unreleased fills), which rewrites
   the reservations table; cancel-after deadlines are loaded (the service fires those that passed).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend.db.models import Fill, Reservation, TradingCursor
from backend.db.models import Order as OrderRow
from backend.db.models.trading import BulkCancelStamp, CancelAfter
from backend.engine import (
    AmendOrder,
    CancelOrder,
    CommandFormatError,
    Engine,
    EngineSnapshot,
    JournalGapError,
    MarketState,
    Rejected,
    ResultCode,
    recover,
)
from backend.engine.adapters.file_journal import FileJournal
from backend.statuses import OrderStatus
from backend.trading.hosting.chain_sync import (
    cancelled_on_chain,
    deny_list,
    exiting_wallets,
    fill_holds,
    nonce_floors,
    ruled_out_by_released_skips,
    wallet_balances,
)
from backend.trading.hosting.commands import (
    AdoptOpenOrders,
    CloseOrder,
    HaltMarket,
    Resume,
    ResumeBookSeqs,
    RunEngine,
    SetMarket,
)
from backend.trading.hosting.host import EngineHost, now_ms
from backend.trading.hosting.journal import JournalStore
from backend.trading.hosting.lease import Fence
from backend.trading.hosting.persistence import BOOK_SEQ, CHAIN_EVENT_ID, ENGINE_SEQ
from backend.trading.rules.cancel_after import Deadline
from backend.trading.rules.cancels import BULK_CANCEL_WINDOW_MS
from backend.trading.rules.markets import Market
from backend.trading.rules.orders import SIDES, TrackedOrder, order_from_row, reserved_token
from backend.trading.store.markets import load_markets
from backend.trading.store.risk import active_halts, load_market_risk

log = logging.getLogger(__name__)


def recover_engine(store: JournalStore, committed_seq: int) -> Engine:
    """Step 1 of the module docs."""
    snapshot = store.snapshot()
    if snapshot is not None and snapshot.command_seq > committed_seq:
        log.warning("engine snapshot is ahead of the database; replaying from scratch")
        snapshot = None
    try:
        engine = recover(snapshot, store.entries(committed_seq))
    except (JournalGapError, CommandFormatError) as exc:
        log.warning("engine journal unusable; rebuilding the book from the database", extra={"error": str(exc)})
        return _empty_engine(committed_seq)
    if engine.command_seq != committed_seq:
        log.warning(
            "engine journal ends early; rebuilding the book from the database",
            extra={"journal_seq": engine.command_seq, "database_seq": committed_seq},
        )
        return _empty_engine(committed_seq)
    return engine


def _empty_engine(committed_seq: int) -> Engine:
    """An engine without markets whose next command is `committed_seq + 1`: the snapshot written at
    rotation then agrees with the database, so a crash before the rebuild commits recovers cleanly."""
    return Engine.restore(EngineSnapshot(committed_seq, ()))


def tracked_from_row(row: OrderRow, market: Market) -> TrackedOrder:
    """The host's record of an open order, from its row."""
    order = order_from_row(row, market)
    tracked = TrackedOrder(
        row.hash, order, row.market, row.maker, reserved_token(order), row.signature, row.time_in_force, row.seq,
        row.created_at_ms,
    )  # fmt: skip
    tracked.filled, tracked.filled_quote = row.filled, row.filled_quote
    tracked.reserved, tracked.reason = row.reserved, row.reason
    tracked.status = OrderStatus(row.status)
    tracked.updated_ms, tracked.persisted = row.updated_at_ms, True
    tracked.client_order_id = row.client_order_id
    tracked.triggered, tracked.book_seq = row.triggered, row.book_seq
    return tracked


def restore_host(host: EngineHost, session: Session, store: JournalStore, chain_id: int, fence: Fence) -> FileJournal:
    """Steps 2-5 for a host built around the recovered engine, under the engine lease's `fence`; returns the new
    journal segment."""
    markets = {market.name: market for market in load_markets(session)}
    engine = host.engine
    journal = store.rotate(engine.snapshot())
    try:
        _restore(host, session, chain_id, fence, markets, journal)
    except BaseException:  # the restore failed (the lease lost, the database away): no segment left open
        journal.close()
        raise
    return journal


def _restore(
    host: EngineHost,
    session: Session,
    chain_id: int,
    fence: Fence,
    markets: dict[str, Market],
    journal: FileJournal,
) -> None:
    engine = host.engine
    engine.attach_journal(journal)
    host.handle(ResumeBookSeqs(_cursors(session).get(BOOK_SEQ, 0)))  # before step 3 moves the book
    ts = now_ms()
    risk = load_market_risk(session)
    for market in markets.values():  # open while the book is rebuilt: a closed market refuses the re-placing too
        host.handle(SetMarket(replace(market, state=MarketState.OPEN), ts, risk.get(market.name)))

    open_rows = session.scalars(
        select(OrderRow).where(OrderRow.status == OrderStatus.OPEN).order_by(OrderRow.seq)
    ).all()
    held_by_fills = [
        hold
        for fill in session.scalars(select(Fill).where(Fill.released.is_(False)))
        for hold in fill_holds(fill, markets[fill.market])
    ]
    orders = tuple(tracked_from_row(row, markets[row.market]) for row in open_rows)
    holding = sorted({tracked.maker for tracked in orders} | {wallet for wallet, _token, _amount in held_by_fills})
    host.handle(AdoptOpenOrders(orders, tuple(held_by_fills), wallet_balances(session, holding)))
    _reconcile_book(host, ts)
    for market in markets.values():  # the state staff set, once the book is whole
        if market.state is not MarketState.OPEN:
            host.handle(SetMarket(market, ts, risk.get(market.name)))
    for halt in active_halts(session, host.clock()).values():  # after the book is whole: a halt refuses placing
        host.handle(HaltMarket(halt))

    now_s = int(time.time())
    known_hashes = {
        order_hash: expires_at
        for order_hash, expires_at in session.execute(
            select(OrderRow.hash, OrderRow.expires_at).where(OrderRow.expires_at >= now_s)
        )
    }
    deadlines = tuple(
        Deadline(row.wallet, row.scope, row.deadline_ms, row.timestamp_ms)
        for row in session.scalars(select(CancelAfter))
    )
    # older ones are refused by the window anyway (`check_bulk_timestamp`): they need not be held
    recent = BulkCancelStamp.timestamp_ms >= time.time_ns() // 1_000_000 - BULK_CANCEL_WINDOW_MS
    stamps = {wallet: ts for wallet, ts in session.execute(select(BulkCancelStamp.wallet, BulkCancelStamp.timestamp_ms)
                                                           .where(recent))}  # fmt: skip
    # a fired stop took its book_seq from the same sequence
    next_order_seq = max(session.scalar(select(func.max(OrderRow.seq))) or 0,
                         session.scalar(select(func.max(OrderRow.book_seq))) or 0) + 1  # fmt: skip
    next_fill_id = (session.scalar(select(func.max(Fill.id))) or 0) + 1
    exchange = host.domain.verifying_contract
    floors = nonce_floors(session, chain_id, exchange)
    exiting = frozenset(exiting_wallets(session, chain_id, exchange))
    frozen = deny_list(session)
    cancelled, spent_nonces = cancelled_on_chain(session, chain_id, exchange)
    ruled_out = dict(ruled_out_by_released_skips(session))
    fence(session)
    session.execute(delete(Reservation))
    session.commit()
    host.handle(Resume(known_hashes, next_order_seq, next_fill_id, floors, deadlines, exiting, stamps, frozen,
                       frozenset(cancelled), frozenset(spent_nonces), ruled_out))  # fmt: skip


def chain_cursor(session: Session) -> tuple[int, int]:
    """(committed engine seq, last chain event id consumed)."""
    cursors = _cursors(session)
    return cursors.get(ENGINE_SEQ, 0), cursors.get(CHAIN_EVENT_ID, 0)


def _cursors(session: Session) -> dict[str, int]:
    return {name: value for name, value in session.execute(select(TradingCursor.name, TradingCursor.value))}


def _reconcile_book(host: EngineHost, ts: int) -> None:
    engine = host.engine
    for order_hash in [h for h in _live_ids(engine) if h not in host.orders]:
        host.handle(RunEngine(CancelOrder(order_hash, ts)))
    for tracked in sorted(host.orders.values(), key=lambda t: t.book_position):  # time priority, as the book had it
        live = engine.order(tracked.hash)
        if live is None:
            _place_again(host, tracked, ts)
        elif live.remaining > tracked.remaining:
            host.handle(RunEngine(AmendOrder(tracked.hash, tracked.remaining, ts)))
        elif live.remaining < tracked.remaining:
            log.warning("engine order smaller than the database's; cancelling it", extra={"order": tracked.hash})
            host.handle(RunEngine(CancelOrder(tracked.hash, ts)))


def _live_ids(engine: Engine) -> list[str]:
    ids: list[str] = []
    for market in engine.markets():
        for side in SIDES:
            ids.extend(view.order_id for view in engine.resting_orders(market, side))
        ids.extend(stop.order_id for stop in engine.pending_stops(market))
    return ids


def _place_again(host: EngineHost, tracked: TrackedOrder, ts: int) -> None:
    events = host.handle(RunEngine(tracked.place_command(ts, host.limits.settlement_margin_s)))
    refusals = [event.reason for event in events if type(event) is Rejected]
    if refusals == [ResultCode.ALREADY_EXPIRED]:  # its time ran out while no engine ran: it expired, as it would have
        host.handle(CloseOrder(tracked.hash, OrderStatus.EXPIRED, "expired", ts))
    elif refusals:
        host.handle(CloseOrder(tracked.hash, OrderStatus.CANCELLED, "not_restorable", ts))
