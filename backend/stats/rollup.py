"""The rollup pass: read forward from the cursors, find the days the new rows touch, recompute those days.

Each pass reads the rows added since the last one (fills by id, the ledger's transactions by id, behaviour
events by time, wallet sessions by creation time: copied into `stats_events`, since a session is deleted at
sign-out) and also notices fills whose settlement failed since (a day's stored count of failed fills against
the fills table). A touched day is recomputed whole from its raw rows, so a pass run twice changes nothing, and
`rebuild` (delete the rollups, cursors at zero, passes until caught up) gives what the passes gave.

Events, sessions and deletion requests have several writers, which commit out of time order: a pass re-reads
`OVERLAP_MS` behind their time cursors and passes over what the rollups already hold.

A wallet's deletion request deletes its behaviour events (backend.accounts.privacy); the next pass notices the
request and recomputes every stored day of the wallet and its first times without them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.db.models import (
    AccountProfile,
    Fill,
    LedgerTransaction,
    Market,
    StatsChainBalance,
    StatsCursor,
    StatsEvent,
    StatsMarketDay,
    StatsTokenDay,
    StatsUserDay,
    StatsWallet,
    StatsWalletDay,
    WalletSession,
)
from backend.stats import sources
from backend.stats.days import day_bounds, day_of
from backend.stats.figures import market_day
from backend.statuses import FillStatus

FILLS, LEDGER, EVENTS, SESSIONS = "stats.fills", "stats.ledger", "stats.events", "stats.sessions"
DELETIONS = "stats.deletions"
READ_LIMIT = 5_000  # new rows of each source per pass: a backlog is worked through pass after pass
OVERLAP_MS = 60_000  # re-read behind a time cursor: its rows may commit out of time order
FIRST_TIMES = {sources.WALLET_CONNECTED: "connected_ms", sources.SIGNED_IN: "signed_in_ms"}  # event -> StatsWallet

# (block number, token -> the Exchange's balance) for the given tokens, read from the chain
ChainBalances = Callable[[list[str]], tuple[int, dict[str, int]]]


@dataclass
class Touched:
    """What a pass must recompute."""

    market_days: set[tuple[str, str]] = field(default_factory=set)
    token_days: set[tuple[str, str]] = field(default_factory=set)
    wallet_days: set[tuple[str, str]] = field(default_factory=set)
    user_days: set[str] = field(default_factory=set)

    @property
    def wallets(self) -> set[str]:
        return {wallet for wallet, _ in self.wallet_days}


@dataclass(frozen=True, slots=True)
class PassResult:
    """What one pass recomputed, and whether a source still has rows beyond its read limit."""

    market_days: int
    token_days: int
    wallets: int
    user_days: int
    more: bool


def run_pass(
    session: Session, now_ms: int, chain_balances: ChainBalances | None = None, *, all_chain_readings: bool = False
) -> PassResult:
    """One pass in the caller's unit of work (the caller commits: rollups and cursors land together).

    `chain_balances`, if given, reads the Exchange's balance of every listed token: today's reading is kept and
    today's token rows show it. `all_chain_readings` recomputes the token days of every stored reading (rebuild).
    """
    touched = Touched()
    more = False
    _copy_sign_ins(session, touched)
    _read_deletions(session, touched)
    more |= _read_fills(session, touched)
    _notice_failed_fills(session, touched)
    more |= _read_ledger(session, touched)
    more |= _read_events(session, touched)
    if chain_balances is not None:
        _read_chain(session, chain_balances, now_ms, touched)
    if all_chain_readings:
        readings = session.execute(select(StatsChainBalance.token, StatsChainBalance.day)).all()
        touched.token_days |= {(token, day) for token, day in readings}

    for market, day in sorted(touched.market_days):
        _recompute_market_day(session, market, day)
    for token, day in sorted(touched.token_days):
        _recompute_token_day(session, token, day)
    for wallet, day in sorted(touched.wallet_days):
        _recompute_wallet_day(session, wallet, day)
        touched.user_days.add(day)
    wallets = touched.wallets
    for wallet in sorted(wallets):
        touched.user_days |= _recompute_wallet(session, wallet)
    session.flush()
    for day in sorted(touched.user_days):
        _recompute_user_day(session, day)
    return PassResult(len(touched.market_days), len(touched.token_days), len(wallets), len(touched.user_days), more)


def rebuild(session: Session) -> None:
    """Delete every rollup and cursor (events and chain readings stay: they are observations), then pass until
    caught up. The caller commits."""
    for model in (StatsMarketDay, StatsTokenDay, StatsWallet, StatsWalletDay, StatsUserDay, StatsCursor):
        session.execute(delete(model))
    first = True
    while True:
        result = run_pass(session, 0, all_chain_readings=first)
        first = False
        if not result.more:
            return


# ---------------------------------------------------------------- reading the sources


def _read_fills(session: Session, touched: Touched) -> bool:
    after = _cursor(session, FILLS)
    rows = session.execute(
        select(Fill.id, Fill.market, Fill.maker, Fill.taker, Fill.created_at_ms)
        .where(Fill.id > after)
        .order_by(Fill.id)
        .limit(READ_LIMIT)
    ).all()
    for _, market, maker, taker, at_ms in rows:
        day = day_of(at_ms)
        touched.market_days.add((market, day))
        touched.wallet_days |= {(maker, day), (taker, day)}
    if rows:
        _advance(session, FILLS, rows[-1][0])
    return len(rows) == READ_LIMIT


def _notice_failed_fills(session: Session, touched: Touched) -> None:
    """Market days whose failed fills differ from what their row counted: a settlement failed since."""
    failed = session.execute(
        select(Fill.market, Fill.maker, Fill.taker, Fill.created_at_ms).where(
            Fill.status == FillStatus.FAILED, Fill.id <= _cursor(session, FILLS)
        )
    ).all()
    counts = Counter((market, day_of(at_ms)) for market, _, _, at_ms in failed)
    stored = {
        (row.market, row.day): row.failed_trades
        for row in session.scalars(select(StatsMarketDay).where(StatsMarketDay.failed_trades > 0))
    }
    changed = {key for key in set(counts) | set(stored) if counts.get(key, 0) != stored.get(key, 0)}
    for market, maker, taker, at_ms in failed:
        day = day_of(at_ms)
        if (market, day) in changed:
            touched.market_days.add((market, day))
            touched.wallet_days |= {(maker, day), (taker, day)}


def _read_ledger(session: Session, touched: Touched) -> bool:
    after = _cursor(session, LEDGER)
    rows = session.execute(
        select(LedgerTransaction.id, LedgerTransaction.reason, LedgerTransaction.reverses_id)
        .where(LedgerTransaction.id > after)
        .order_by(LedgerTransaction.id)
        .limit(READ_LIMIT)
    ).all()
    wanted = [tx_id for tx_id, reason, _ in rows if reason in sources.FLOW_REASONS]
    wanted += [reverses for _, reason, reverses in rows if reason == sources.REVERSAL and reverses is not None]
    for flow in sources.flows_of_transactions(session, wanted):
        day = day_of(flow.at_ms)
        touched.token_days.add((flow.token, day))
        touched.wallet_days.add((flow.wallet, day))
    if rows:
        _advance(session, LEDGER, rows[-1][0])
    return len(rows) == READ_LIMIT


def _copy_sign_ins(session: Session, touched: Touched) -> None:
    """Copy new wallet sessions into `stats_events` as `signed_in` (sessions are deleted at sign-out), but not a
    session from before its wallet's deletion request: the request deleted the wallet's events, and the session
    it was made from is still live. A copy touches its day here: it may be older than the events cursor."""
    since = _reread_from(session, SESSIONS)
    sessions = session.execute(
        select(WalletSession.address, WalletSession.created_at_ms)
        .outerjoin(AccountProfile, AccountProfile.address == WalletSession.address)
        .where(
            WalletSession.created_at_ms > since,
            or_(
                AccountProfile.deletion_requested_at_ms.is_(None),
                WalletSession.created_at_ms > AccountProfile.deletion_requested_at_ms,
            ),
        )
    ).all()
    if not sessions:
        return
    stored = session.execute(
        select(StatsEvent.wallet, StatsEvent.created_at_ms).where(
            StatsEvent.event == sources.SIGNED_IN, StatsEvent.created_at_ms > since
        )
    ).all()
    known = {(wallet, at_ms) for wallet, at_ms in stored}
    for address, at_ms in sorted({(address, at_ms) for address, at_ms in sessions}):
        if (address, at_ms) not in known:
            session.add(StatsEvent(wallet=address, event=sources.SIGNED_IN, created_at_ms=at_ms))
            touched.wallet_days.add((address, day_of(at_ms)))
    session.flush()
    _advance(session, SESSIONS, max(at_ms for _, at_ms in sessions))


def _read_events(session: Session, touched: Touched) -> bool:
    """Events by time: the newer ones, and those behind the cursor that the rollups do not hold yet (committed
    after a pass read past their time). Not by id: ids are handed out before commit, in another order."""
    since = _cursor(session, EVENTS)
    columns = (StatsEvent.wallet, StatsEvent.event, StatsEvent.created_at_ms)
    rows = session.execute(
        select(*columns).where(StatsEvent.created_at_ms > since).order_by(StatsEvent.created_at_ms).limit(READ_LIMIT)
    ).all()
    behind = session.execute(
        select(*columns).where(
            StatsEvent.created_at_ms > _reread_from(session, EVENTS), StatsEvent.created_at_ms <= since
        )
    ).all()
    touched.wallet_days |= {(wallet, day_of(at_ms)) for wallet, _, at_ms in rows}
    touched.wallet_days |= _not_rolled_up(session, [(wallet, event, at_ms) for wallet, event, at_ms in behind])
    if rows:
        _advance(session, EVENTS, rows[-1].created_at_ms)
    return len(rows) == READ_LIMIT


def _not_rolled_up(session: Session, events: list[tuple[str, str, int]]) -> set[tuple[str, str]]:
    """The (wallet, day) of each event the rollups do not hold: its day is not an active day of the wallet, or
    the wallet's first time of its kind is unset or later (recomputing an event the rollups hold changes nothing)."""
    if not events:
        return set()
    wallets = {wallet for wallet, _, _ in events}
    days = {day_of(at_ms) for _, _, at_ms in events}
    firsts = {row.wallet: row for row in session.scalars(select(StatsWallet).where(StatsWallet.wallet.in_(wallets)))}
    active = {
        (wallet, day)
        for wallet, day in session.execute(
            select(StatsWalletDay.wallet, StatsWalletDay.day).where(
                StatsWalletDay.wallet.in_(wallets), StatsWalletDay.day.in_(days)
            )
        )
    }
    missing = set()
    for wallet, event, at_ms in events:
        row = firsts.get(wallet)
        first = None if row is None else getattr(row, FIRST_TIMES[event])
        if (wallet, day_of(at_ms)) not in active or first is None or first > at_ms:
            missing.add((wallet, day_of(at_ms)))
    return missing


def _read_deletions(session: Session, touched: Touched) -> None:
    """Wallets whose deletion request deleted events the rollups still hold (a first connection or sign-in at or
    before the request): every stored day of theirs is recomputed, and with it their first times."""
    rows = session.execute(
        select(AccountProfile.address, AccountProfile.deletion_requested_at_ms).where(
            AccountProfile.deletion_requested_at_ms > _reread_from(session, DELETIONS)
        )
    )
    requests = {address: at_ms for address, at_ms in rows if at_ms is not None}
    if not requests:
        return
    stale = [
        row.wallet
        for row in session.scalars(select(StatsWallet).where(StatsWallet.wallet.in_(requests)))
        if any(t is not None and t <= requests[row.wallet] for t in (row.connected_ms, row.signed_in_ms))
    ]
    if stale:
        days = select(StatsWalletDay.wallet, StatsWalletDay.day).where(StatsWalletDay.wallet.in_(stale))
        touched.wallet_days |= {(wallet, day) for wallet, day in session.execute(days)}
    _advance(session, DELETIONS, max(requests.values()))


def _read_chain(session: Session, chain_balances: ChainBalances, now_ms: int, touched: Touched) -> None:
    today = day_of(now_ms)
    tokens = sorted({t for pair in session.execute(select(Market.base_token, Market.quote_token)).all() for t in pair})
    if not tokens:
        return
    block, amounts = chain_balances(tokens)
    for token, amount in amounts.items():
        row = session.get(StatsChainBalance, (token, today))
        if row is None:
            session.add(StatsChainBalance(token=token, day=today, amount=amount, block_number=block, read_at_ms=now_ms))
        elif row.amount != amount or row.block_number != block:
            row.amount, row.block_number, row.read_at_ms = amount, block, now_ms
        touched.token_days.add((token, today))


# ---------------------------------------------------------------- recomputing a day


def _recompute_market_day(session: Session, market: str, day: str) -> None:
    figures = market_day(sources.market_fills_on(session, market, day))
    row = session.get(StatsMarketDay, (market, day))
    if figures.empty:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = StatsMarketDay(market=market, day=day)
        session.add(row)
    for name in (
        "trades", "traders", "base_volume", "quote_volume", "taker_buy_base", "taker_sell_base", "maker_fee_base",
        "maker_fee_quote", "taker_fee_base", "taker_fee_quote", "failed_trades",
    ):  # fmt: skip
        setattr(row, name, getattr(figures, name))


def _recompute_token_day(session: Session, token: str, day: str) -> None:
    flows = sources.token_flows_on(session, token, day)
    deposits = [f.amount for f in flows if f.kind == "deposit"]
    withdrawals = [f.amount for f in flows if f.kind == "withdrawal"]
    reading = session.get(StatsChainBalance, (token, day))
    row = session.get(StatsTokenDay, (token, day))
    if not flows and reading is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = StatsTokenDay(token=token, day=day)
        session.add(row)
    row.deposits, row.deposit_amount = len(deposits), sum(deposits)
    row.withdrawals, row.withdrawal_amount = len(withdrawals), sum(withdrawals)
    row.net_flow = row.deposit_amount - row.withdrawal_amount
    row.value_locked = None if reading is None else reading.amount


def _recompute_wallet_day(session: Session, wallet: str, day: str) -> None:
    traded = sources.traded_on(session, wallet, day)
    active = traded or sources.had_event_on(session, wallet, day) or bool(sources.wallet_flows(session, wallet, day))
    row = session.get(StatsWalletDay, (wallet, day))
    if not active:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(StatsWalletDay(wallet=wallet, day=day, traded=traded))
    else:
        row.traded = traded


def _recompute_wallet(session: Session, wallet: str) -> set[str]:
    """The wallet's first times; returns the days whose user figures that changes (old and new days)."""
    row = session.get(StatsWallet, wallet)
    deposits = [f.at_ms for f in sources.wallet_flows(session, wallet) if f.kind == "deposit"]
    times = {column: sources.first_event_ms(session, wallet, event) for event, column in FIRST_TIMES.items()}
    times["deposited_ms"] = min(deposits) if deposits else None
    times["traded_ms"] = sources.first_trade_ms(session, wallet)
    known = [t for t in times.values() if t is not None]
    days: set[str] = set()
    if row is not None:
        days |= {day_of(t) for t in _times(row) if t is not None}
    if not known:
        if row is not None:
            session.delete(row)
        return days
    if row is None:
        row = StatsWallet(wallet=wallet)
        session.add(row)
    row.first_seen_ms = min(known)
    for name, value in times.items():
        setattr(row, name, value)
    days |= {day_of(t) for t in _times(row) if t is not None}
    return days


def _times(row: StatsWallet) -> list[int | None]:
    return [row.first_seen_ms, row.connected_ms, row.signed_in_ms, row.deposited_ms, row.traded_ms]


def _recompute_user_day(session: Session, day: str) -> None:
    start, end = day_bounds(day)

    def first_on(column: InstrumentedAttribute[int | None] | InstrumentedAttribute[int]) -> int:
        query = select(func.count()).select_from(StatsWallet).where(column >= start, column < end)
        return int(session.scalar(query) or 0)

    figures = {
        "new_wallets": first_on(StatsWallet.first_seen_ms),
        "connected": first_on(StatsWallet.connected_ms),
        "signed_in": first_on(StatsWallet.signed_in_ms),
        "deposited": first_on(StatsWallet.deposited_ms),
        "traded": first_on(StatsWallet.traded_ms),
    }
    row = session.get(StatsUserDay, day)
    if not any(figures.values()):
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = StatsUserDay(day=day)
        session.add(row)
    for name, value in figures.items():
        setattr(row, name, value)


# ---------------------------------------------------------------- cursors


def _cursor(session: Session, name: str) -> int:
    row = session.get(StatsCursor, name)
    return 0 if row is None else row.value


def _reread_from(session: Session, name: str) -> int:
    """Where a pass reads a time cursor's source from: `OVERLAP_MS` behind it, for rows committed late."""
    return _cursor(session, name) - OVERLAP_MS


def _advance(session: Session, name: str, value: int) -> None:
    row = session.get(StatsCursor, name)
    if row is None:
        session.add(StatsCursor(name=name, value=value))
    elif value > row.value:
        row.value = value
