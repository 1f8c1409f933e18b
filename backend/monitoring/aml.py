"""The AML pass: what happened since the last pass (new fills, final deposits, withdrawal requests) -> the
touched wallets' recent history from the database -> the pure rules of `backend.risk.aml` -> alerts.

Each pass reads forward from its cursors (`monitor_cursors`: the last fill id, the last deposit's ledger
transaction id, the last withdrawal request's time) and looks at the wallets those rows touch, with their
history over the rules' lookback. A finding is raised only when some of its evidence is new in this pass, and
under a dedup key made of the rule and the finding's identity: a rerun over the same rows raises nothing, and
a scheme that goes on counts occurrences on its open alert instead of opening another.

Amounts are valued in the limits' reference token at the stored prices (`backend.limits`); a pass with no
market listing the reference token values nothing, so it waits (its cursors stay) and logs why.

One pass runs at a time across processes: the job's thread (`hdex up`) and its Celery task (`hdex worker`) take
the `aml` lease (`LeasedLoop`), so two copies never re-screen, read the same rows or raise at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from backend.alerts import AlertKind, Severity, raise_alert
from backend.bootstrap import Container
from backend.db.leased_loop import LeaseTakenOver
from backend.db.models import Fill, LedgerEntry, LedgerTransaction, Market, WithdrawalRequest, WithdrawalValuation
from backend.db.models.risk import MonitorCursor
from backend.ledger.postings import EXTERNAL
from backend.limits.service import counted_limits
from backend.limits.store import stored_price_book
from backend.limits.tiers import tier_limits
from backend.limits.valuation import PriceBook, larger
from backend.metrics import MONITOR_LAST_PASS
from backend.monitoring.leased_pass import monitoring_loop
from backend.monitoring.rescreen import Rescreening, rescreen_if_lists_changed
from backend.risk.aml import (
    AmlRules,
    AmlThresholds,
    Deposit,
    Finding,
    Funding,
    Rule,
    Trade,
    Withdrawal,
    load_aml_rules,
    rapid_in_out,
    structuring,
    velocity,
    wash_trading,
)
from backend.settings import Settings
from backend.statuses import WithdrawalStatus
from backend.trading.rules.accounts import checksum

log = logging.getLogger(__name__)

KINDS = {
    Rule.STRUCTURING: AlertKind.STRUCTURING,
    Rule.VELOCITY: AlertKind.VELOCITY,
    Rule.RAPID_IN_OUT: AlertKind.RAPID_IN_OUT,
    Rule.WASH_TRADING: AlertKind.WASH_TRADING,
}
FILLS, DEPOSITS = "aml.fills", "aml.deposits"  # withdrawals: `WithdrawalRequest.aml_checked`
LEASE = "aml"
RESCREEN_INTERVAL_S = 60.0  # a one-off re-screening never ticks again: only its lease's term (the minimum) counts
READ_LIMIT = 10_000  # new rows of each kind per pass: a backlog is worked through pass after pass
CHUNK = 500  # wallets per IN (...) query


@dataclass(frozen=True, slots=True)
class AmlPass:
    """What one pass did: wallets looked at, findings with new evidence, alerts newly opened."""

    wallets: int
    findings: list[Finding]
    raised: int


@dataclass
class _History:
    trades: list[Trade]
    withdrawals: list[Withdrawal]
    deposits: list[Deposit]
    fundings: list[Funding]


def run_aml_pass(session: Session, settings: Settings, rules: AmlRules, now_ms: int) -> AmlPass:
    """One AML pass in the caller's unit of work (the caller commits: alerts and cursors land together)."""
    book = stored_price_book(session, settings)
    decimals = book.reference.decimals
    if decimals is None:
        log.warning("AML pass skipped: no market lists the reference token", extra={"symbol": book.reference.symbol})
        return AmlPass(0, [], 0)
    thresholds = rules.thresholds(decimals)
    cursors = {name: _cursor(session, name) for name in (FILLS, DEPOSITS)}
    new_fills = session.scalars(select(Fill).where(Fill.id > cursors[FILLS]).order_by(Fill.id).limit(READ_LIMIT)).all()
    new_deposits = _deposit_rows(session, LedgerTransaction.id > cursors[DEPOSITS], limit=READ_LIMIT)
    new_withdrawals = session.scalars(
        select(WithdrawalRequest)
        .where(WithdrawalRequest.aml_checked.is_(False))
        .order_by(WithdrawalRequest.created_at_ms)
        .limit(READ_LIMIT)
    ).all()
    touched = {checksum(w) for f in new_fills for w in (f.maker, f.taker)}
    touched |= {checksum(row[1]) for row in new_deposits} | {checksum(w.wallet) for w in new_withdrawals}
    if not touched:
        return AmlPass(0, [], 0)
    new_refs = {f"fill:{f.id}" for f in new_fills} | {f"deposit:{row[0]}" for row in new_deposits}
    new_refs |= {f"withdrawal:{w.hash}" for w in new_withdrawals}

    history = _history(session, book, touched, now_ms - rules.lookback_ms)
    findings = [
        f for f in _findings(session, settings, thresholds, history, touched, decimals, now_ms) if f.refs & new_refs
    ]
    raised = sum(_raise(session, finding, now_ms) for finding in findings)

    if new_fills:
        _advance(session, FILLS, new_fills[-1].id)
    if new_deposits:
        _advance(session, DEPOSITS, max(row[0] for row in new_deposits))
    for withdrawal in new_withdrawals:
        withdrawal.aml_checked = True
    return AmlPass(len(touched), findings, raised)


def _findings(
    session: Session,
    settings: Settings,
    thresholds: AmlThresholds,
    history: _History,
    touched: set[str],
    decimals: int,
    now_ms: int,
) -> list[Finding]:
    found = structuring(history.withdrawals, thresholds.structuring)
    for wallet in sorted(touched):
        daily_limit = _daily_limit(session, settings, wallet, decimals)
        finding = velocity(wallet, history.trades, history.withdrawals, daily_limit, now_ms, thresholds.velocity)
        if finding is not None:
            found.append(finding)
    found += rapid_in_out(history.deposits, history.withdrawals, history.trades, thresholds.rapid_in_out)
    found += wash_trading(history.trades, history.fundings, thresholds.wash_trading)
    return found


def _daily_limit(session: Session, settings: Settings, wallet: str, decimals: int) -> int:
    """The wallet's daily withdrawal limit as the limits count it: its KYC level's, or the one staff set for it;
    level 0 and no override while its declared country is restricted (the granted level is not what it may move)."""
    level, overrides = counted_limits(session, settings, wallet)
    return overrides.applied_to(tier_limits(settings, level, decimals)).withdrawal_daily


def _raise(session: Session, finding: Finding, now_ms: int) -> bool:
    """Raise `finding`'s alert; False if an open alert of the same finding only counted one more occurrence."""
    details = {"rule": finding.rule.value, "wallets": list(finding.wallets), **finding.evidence}
    row = raise_alert(
        session,
        KINDS[finding.rule],
        Severity.WARNING,
        finding.message,
        subject=f"wallet:{finding.wallets[0]}",
        details=details,
        dedup_key=f"aml:{finding.rule.value}:{finding.key}",
        now_ms=now_ms,
    )
    if row is not None:
        log.warning("AML rule matched", extra={"rule": finding.rule.value, "wallets": list(finding.wallets)})
    return row is not None


def _history(session: Session, book: PriceBook, wallets: set[str], since_ms: int) -> _History:
    """The wallets' trades, withdrawals and deposits since `since_ms`, valued, and the funding links of them
    and of everyone they traded with (who withdrew to whose address)."""
    markets = {m.name: m for m in session.scalars(select(Market))}
    trades: dict[int, Trade] = {}
    withdrawals: dict[str, Withdrawal] = {}
    deposits: list[Deposit] = []
    for chunk in _chunks(wallets):
        for fill in session.scalars(
            select(Fill).where(Fill.maker.in_(chunk) | Fill.taker.in_(chunk), Fill.created_at_ms > since_ms)
        ):
            market = markets.get(fill.market)
            value = None if market is None else _notional(book, market, fill.base_amount, fill.quote_amount)
            trades[fill.id] = Trade(
                fill.id, fill.market, checksum(fill.maker), checksum(fill.taker), fill.base_amount,
                fill.quote_amount, value, fill.created_at_ms,
            )  # fmt: skip
        for row in _withdrawals(session, book, WithdrawalRequest.wallet.in_(chunk), since_ms):
            withdrawals[row.ref] = row
        deposits += [
            Deposit(str(tx_id), checksum(wallet), token, amount, book.value(token, amount), at_ms)
            for tx_id, wallet, token, amount, at_ms in _deposit_rows(
                session, LedgerEntry.account.in_(chunk), LedgerTransaction.created_at > _datetime(since_ms)
            )
        ]
    related = wallets | {w for t in trades.values() for w in (t.maker, t.taker)}
    fundings: list[Funding] = []
    for chunk in _chunks(related):
        for row in _withdrawals(session, book, WithdrawalRequest.recipient.in_(chunk), since_ms):
            if row.recipient != row.wallet:
                fundings.append(Funding(row.wallet, row.recipient, row.evidence, row.at_ms))
    return _History(list(trades.values()), list(withdrawals.values()), deposits, fundings)


def _withdrawals(session: Session, book: PriceBook, where: ColumnElement[bool], since_ms: int) -> list[Withdrawal]:
    """Withdrawal requests that have not failed (a failed one moved nothing), oldest first, each valued at the larger
    of today's stored prices and what it was worth when accepted (priced by the market's feed where it has one):
    a trade printed low since cannot shrink a withdrawal out of a rule's reach."""
    rows = session.execute(
        select(WithdrawalRequest, WithdrawalValuation.value)
        .outerjoin(WithdrawalValuation, WithdrawalValuation.request_hash == WithdrawalRequest.hash)
        .where(where, WithdrawalRequest.created_at_ms > since_ms, WithdrawalRequest.status != WithdrawalStatus.FAILED)
        .order_by(WithdrawalRequest.created_at_ms)
    )
    return [
        Withdrawal(
            w.hash, checksum(w.wallet), w.token, w.amount, larger(book.value(w.token, w.amount), accepted),
            checksum(w.recipient), w.created_at_ms,
        )
        for w, accepted in rows
    ]  # fmt: skip


def _deposit_rows(
    session: Session, *where: ColumnElement[bool], limit: int | None = None
) -> list[tuple[int, str, str, int, int]]:
    """(ledger transaction id, wallet, token, amount, credited at ms) of final deposits, by transaction id, the
    first `limit` (None: all; a history must not lose its newest rows to a cap meant for the backlog).
    A deposit is the indexer's "deposit" ledger transaction; its credit is the entry that is not the outside
    world's."""
    rows = session.execute(
        select(LedgerTransaction.id, LedgerEntry.account, LedgerEntry.token, LedgerEntry.amount,
               LedgerTransaction.created_at)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.reason == "deposit", LedgerEntry.account != EXTERNAL, *where)
        .order_by(LedgerTransaction.id)
        .limit(limit)
    ).all()  # fmt: skip
    return [(tx_id, account, token, amount, _ms(created)) for tx_id, account, token, amount, created in rows]


def _notional(book: PriceBook, market: Market, base_amount: int, quote_amount: int) -> int | None:
    """A fill's value: the larger of its two legs valued, as far as they can be (as limits value orders)."""
    legs = [v for v in (book.value(market.quote_token, quote_amount), book.value(market.base_token, base_amount)) if v]
    return max(legs) if legs else None


def _cursor(session: Session, name: str) -> int:
    row = session.get(MonitorCursor, name)
    return 0 if row is None else row.value


def _advance(session: Session, name: str, value: int) -> None:
    row = session.get(MonitorCursor, name)
    if row is None:
        session.add(MonitorCursor(name=name, value=value))
    elif value > row.value:
        row.value = value


def _chunks(wallets: set[str]) -> Iterable[list[str]]:
    ordered = sorted(wallets)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _ms(value: datetime) -> int:
    if value.tzinfo is None:  # SQLite's CURRENT_TIMESTAMP comes back without a zone, and is UTC
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


class AmlMonitor:
    """The periodic AML job of a process (the embedded runtime's thread, or the Celery worker's task), its passes
    under the `aml` lease: the rules are loaded when it is made, so a bad rules file stops the process at start."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.rules = load_aml_rules(container.settings.aml_rules_file)
        interval = self.rules.interval_s
        self.leased = monitoring_loop(
            "AML", LEASE, container.session_factory, self.run_once, interval, container.settings.data_dir
        )

    def run_once(self, now_ms: int | None = None) -> AmlPass:
        """Re-screen the active wallets if a sanctions list was imported since the last time, then one AML pass
        in its own unit of work; only while holding the lease (`tick` and the thread call it so): each commit
        renews it first, and a pass that outlasted it commits nothing (LeaseTakenOver)."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        # a list import anywhere reaches every wallet
        rescreen_if_lists_changed(self.container, self.leased.fence, now_ms=now)
        with self.container.uow() as uow:
            result = run_aml_pass(uow.session, self.container.settings, self.rules, now)
            self.leased.fence(uow.session)
            uow.commit()
        MONITOR_LAST_PASS.labels("aml").set(now / 1000)
        return result

    def tick(self) -> AmlPass | None:
        """`run_once` if this process holds (or takes) the `aml` lease, which it keeps for the next tick to renew;
        None when another process runs the job (the Celery task), also when it took the lease during the pass."""
        try:
            return self.leased.tick()
        except LeaseTakenOver:  # logged by the fence; this pass wrote nothing
            return None

    def run_periodically(self, stop: threading.Event) -> None:
        """A pass every `[monitor] interval_s` under the lease until `stop` is set, the first after one interval;
        a failed pass is logged and retried at the next."""
        if not stop.wait(self.leased.interval_s):
            self.leased.run(stop)

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        """`run_periodically` in a daemon thread (the embedded shape)."""
        thread = threading.Thread(target=self.run_periodically, args=(stop,), name="aml-monitor", daemon=True)
        thread.start()
        return thread


class AmlJobRunsElsewhere(RuntimeError):
    """Another process holds the `aml` lease: its AML job re-screens at its next pass."""


def rescreen_under_aml_lease(container: Container) -> Rescreening | None:
    """`rescreen_if_lists_changed` once, now, under the `aml` lease (taken for it and given up after), so that it
    never freezes and alerts alongside an AML job's pass: `hdex compliance import` calls this. AmlJobRunsElsewhere
    while another process holds the lease (LeaseTakenOver if one takes it during the re-screening)."""
    lease = monitoring_loop("AML re-screening", LEASE, container.session_factory, lambda: None,
                            RESCREEN_INTERVAL_S, container.settings.data_dir)  # fmt: skip
    done: list[Rescreening | None] = []
    try:
        lease.tick(lambda: done.append(rescreen_if_lists_changed(container, lease.fence)))
    finally:
        lease.release()
    if not done:
        raise AmlJobRunsElsewhere("another process runs the AML job (it holds the aml lease)")
    return done[0]
