"""Operator risk: one pass of checks over what keeps the exchange running, each raising an alert while its
cause lasts (deduplicated: one open alert per cause, counting occurrences) and setting its gauge.

- GAS_LOW: the operator (relayer) account's ETH balance is below `monitor_gas_min_wei` (critical at zero, an
  alert of its own).
- SETTLEMENT_DELAYED: the oldest fill not yet settled, or the oldest withdrawal not yet relayed, waited longer
  than its limit.
- INDEXER_LAG: the indexer's stored cursor is more than `monitor_indexer_max_lag_blocks` behind the head.
- LEDGER_DIFFERENCE (critical): reconciliation (`backend.ledger.reconcile`) found the ledger and the chain
  apart; withdrawals are paused in the same unit of work (deposits, orders and cancels go on) until staff clear
  the pause.
- SCREENING_LIST_STALE: a source's active sanctions list is older than `monitor_screening_max_age_s`.

A check whose source cannot be read (the node is down) raises nothing and is reported as a failure: the
monitor is not the node's health check, and an alert per minute of RPC outage would bury the real ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from eth_abi.exceptions import DecodingError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.alerts import AlertKind, Severity
from backend.chain.jsonrpc import RpcError
from backend.chain.price_sources import RpcCall
from backend.db.models import ChainCursor, Fill, SanctionsList, WithdrawalRequest
from backend.ledger.reconcile import Difference, Report, reconcile
from backend.metrics import (
    LEDGER_DIFFERENCES,
    MONITOR_INDEXER_LAG,
    MONITOR_INDEXER_MAX_LAG,
    OPERATOR_BALANCE,
    OPERATOR_BALANCE_MIN,
    SCREENING_LIST_AGE,
    SCREENING_LIST_MAX_AGE,
    SETTLEMENT_MAX_DELAY,
    SETTLEMENT_OLDEST_AGE,
    WITHDRAWAL_MAX_DELAY,
    WITHDRAWAL_OLDEST_AGE,
    WITHDRAWALS_PAUSED,
)
from backend.monitoring.report import PassReport
from backend.risk.withdrawal_pause import active_pause, open_pauses, pause_withdrawals
from backend.settings import Settings
from backend.statuses import FillStatus, WithdrawalStatus

log = logging.getLogger(__name__)
WEI_PER_ETH = 10**18
# Fills the relayer still owes the chain, and withdrawals it has not yet had mined.
_WAITING_FILLS = (FillStatus.UNSETTLED, FillStatus.SETTLING)
_WAITING_WITHDRAWALS = (WithdrawalStatus.ACCEPTED, WithdrawalStatus.RELAYING)


@dataclass(frozen=True, slots=True)
class OperatorLimits:
    """The thresholds of the operator checks (settings `HDEX_MONITOR_*`)."""

    gas_min_wei: int
    settlement_max_delay_s: int
    withdrawal_max_delay_s: int
    indexer_max_lag_blocks: int
    screening_max_age_s: int

    @classmethod
    def from_settings(cls, settings: Settings) -> OperatorLimits:
        return cls(
            settings.monitor_gas_min_wei,
            settings.monitor_settlement_max_delay_s,
            settings.monitor_withdrawal_max_delay_s,
            settings.monitor_indexer_max_lag_blocks,
            settings.monitor_screening_max_age_s,
        )


@dataclass(frozen=True, slots=True)
class ChainContext:
    """Where the checks look: the chain, our Exchange on it and where it was deployed, the operator account."""

    chain_id: int
    exchange: str
    start_block: int
    operator: str


# What an operator pass reads, as opposed to the thresholds it judges them by (settings, the same everywhere).
_READINGS = (
    OPERATOR_BALANCE, SETTLEMENT_OLDEST_AGE, WITHDRAWAL_OLDEST_AGE, MONITOR_INDEXER_LAG, LEDGER_DIFFERENCES,
    WITHDRAWALS_PAUSED,
)  # fmt: skip


def forget_readings() -> None:
    """What a process shows while another holds the monitor's lease: no reading (NaN, which no rule compares true),
    not the last one it made. A process that lost the lease kept exporting, say, `hdex_ledger_differences 2`, and
    the rules, which take the largest over processes, kept paging after the holder found the ledger whole again."""
    for gauge in _READINGS:
        gauge.set(float("nan"))
    SCREENING_LIST_AGE.clear()


def check_operator(
    session: Session,
    call: RpcCall,
    chain: ChainContext,
    limits: OperatorLimits,
    now_ms: int,
    *,
    reconcile_ledger: bool = True,
) -> PassReport:
    """One pass of the operator checks in the caller's unit of work (the caller commits). The ledger check runs
    first: it reads the database twice and must see no write of this pass."""
    report = PassReport()
    if reconcile_ledger:
        check_ledger(session, call, chain, now_ms, report)
    WITHDRAWALS_PAUSED.set(1 if active_pause(session) is not None else 0)
    check_gas(session, call, chain, limits, now_ms, report)
    check_settlement(session, limits, now_ms, report)
    check_indexer(session, call, chain, limits, now_ms, report)
    check_screening_lists(session, limits, now_ms, report)
    return report


def check_gas(
    session: Session, call: RpcCall, chain: ChainContext, limits: OperatorLimits, now_ms: int, report: PassReport
) -> None:
    """GAS_LOW while the operator's balance is below the limit: settlements and withdrawals would stop."""
    try:
        balance = int(str(call("eth_getBalance", [chain.operator, "latest"])), 16)
    except (RpcError, ValueError) as exc:
        report.failed("gas", str(exc))
        return
    # both with the reading, never the minimum alone: against a balance not yet read (0) it would page GasLow
    OPERATOR_BALANCE.set(balance)
    OPERATOR_BALANCE_MIN.set(limits.gas_min_wei)
    if balance >= limits.gas_min_wei:
        return
    severity = Severity.CRITICAL if balance == 0 else Severity.WARNING
    report.alert(
        session,
        AlertKind.GAS_LOW,
        severity,
        f"operator {chain.operator} holds {_eth(balance)} ETH, below {_eth(limits.gas_min_wei)} ETH: "
        "top it up or settlements and withdrawals stop",
        subject="system:relayer",
        # per severity: a low balance that runs dry opens (and delivers) a critical alert, not a count on the warning
        dedup_key=f"{AlertKind.GAS_LOW.value}:{chain.chain_id}:{chain.operator.lower()}:{severity.value}",
        details={"operator": chain.operator, "balanceWei": str(balance), "minimumWei": str(limits.gas_min_wei)},
        now_ms=now_ms,
    )


def check_settlement(session: Session, limits: OperatorLimits, now_ms: int, report: PassReport) -> None:
    """SETTLEMENT_DELAYED while the oldest waiting fill, or the oldest waiting withdrawal, is older than its limit."""
    SETTLEMENT_MAX_DELAY.set(limits.settlement_max_delay_s)
    WITHDRAWAL_MAX_DELAY.set(limits.withdrawal_max_delay_s)
    oldest_fill = session.scalar(select(func.min(Fill.created_at_ms)).where(Fill.status.in_(_WAITING_FILLS)))
    oldest_withdrawal = session.scalar(
        select(func.min(WithdrawalRequest.created_at_ms)).where(WithdrawalRequest.status.in_(_WAITING_WITHDRAWALS))
    )
    for what, oldest, limit_s, gauge in (
        ("fills", oldest_fill, limits.settlement_max_delay_s, SETTLEMENT_OLDEST_AGE),
        ("withdrawals", oldest_withdrawal, limits.withdrawal_max_delay_s, WITHDRAWAL_OLDEST_AGE),
    ):
        age_s = 0 if oldest is None else max(0, now_ms - int(oldest)) // 1000
        gauge.set(age_s)
        if age_s <= limit_s:
            continue
        waiting = _count_waiting(session, what)
        report.alert(
            session,
            AlertKind.SETTLEMENT_DELAYED,
            Severity.WARNING,
            f"{waiting} {what} waiting for the relayer, the oldest for {age_s} s (limit {limit_s} s)",
            subject="system:relayer",
            dedup_key=f"{AlertKind.SETTLEMENT_DELAYED.value}:{what}",
            details={"what": what, "waiting": waiting, "oldestAgeS": age_s, "limitS": limit_s},
            now_ms=now_ms,
        )


def check_indexer(
    session: Session, call: RpcCall, chain: ChainContext, limits: OperatorLimits, now_ms: int, report: PassReport
) -> None:
    """INDEXER_LAG while the stored cursor trails the head by more than the limit. Read from the database, so a
    dead indexer (whose own gauge stopped moving) is seen too; before its first poll it counts from the deployment."""
    MONITOR_INDEXER_MAX_LAG.set(limits.indexer_max_lag_blocks)
    try:
        head = int(str(call("eth_blockNumber", [])), 16)
    except (RpcError, ValueError) as exc:
        report.failed("indexer", str(exc))
        return
    cursors = session.scalars(select(ChainCursor).where(ChainCursor.chain_id == chain.chain_id)).all()
    cursor = next((c for c in cursors if c.contract.lower() == chain.exchange.lower()), None)
    last_block = cursor.last_block if cursor is not None else chain.start_block - 1
    lag = max(0, head - last_block)
    MONITOR_INDEXER_LAG.set(lag)
    if lag <= limits.indexer_max_lag_blocks:
        return
    report.alert(
        session,
        AlertKind.INDEXER_LAG,
        Severity.WARNING,
        f"the indexer has read up to block {last_block}, {lag} blocks behind the head {head} "
        f"(limit {limits.indexer_max_lag_blocks}): deposits and withdrawals are not credited",
        subject="system:indexer",
        dedup_key=f"{AlertKind.INDEXER_LAG.value}:{chain.chain_id}:{chain.exchange.lower()}",
        details={"head": head, "lastBlock": last_block, "lagBlocks": lag, "limitBlocks": limits.indexer_max_lag_blocks},
        now_ms=now_ms,
    )


def check_ledger(session: Session, call: RpcCall, chain: ChainContext, now_ms: int, report: PassReport) -> None:
    """LEDGER_DIFFERENCE (critical) and a withdrawal pause, in this unit of work, when reconciliation finds the
    ledger and the chain apart twice in a row: the indexer may commit between two reads of one reconciliation
    (a difference of a moment, not of the books), never twice at the same place."""
    try:
        first = reconcile(session, call, chain.chain_id, chain.exchange)
        _surplus(session, first, chain, now_ms, report)
        if first.ok:
            LEDGER_DIFFERENCES.set(0)
            return
        second = reconcile(session, call, chain.chain_id, chain.exchange)
    except (RpcError, DecodingError, ValueError, SQLAlchemyError) as exc:  # an unreadable chain proves nothing
        report.failed("ledger", str(exc))
        return
    confirmed = _same_differences(first, second)
    LEDGER_DIFFERENCES.set(len(confirmed))
    if not confirmed:
        log.info("reconciliation differed once, not twice: a commit in between", extra={"block": first.block})
        return
    details = {
        "exchange": chain.exchange,
        "block": second.block,
        "differences": [_difference_json(d) for d in confirmed[:50]],
        "count": len(confirmed),
    }
    reason = f"ledger and chain differ at block {second.block} ({len(confirmed)} difference(s))"
    new_pause = pause_withdrawals(session, reason, details, now_ms=now_ms)
    # One alert per pause: a pause after staff resumed opens (and delivers) a new one, never only a count on
    # the last; a pass while paused counts on the open pause's (the one pause_withdrawals found).
    pause_id = new_pause if new_pause is not None else open_pauses(session)[0].id
    report.alert(
        session,
        AlertKind.LEDGER_DIFFERENCE,
        Severity.CRITICAL,
        f"{reason}: withdrawals {'stay paused' if new_pause is None else 'paused'} until staff clear it; first: "
        f"{confirmed[0].line()}",
        subject="system:ledger",
        dedup_key=f"{AlertKind.LEDGER_DIFFERENCE.value}:{chain.chain_id}:{chain.exchange.lower()}:pause:{pause_id}",
        details={**details, "withdrawalsPaused": True, "pauseId": pause_id},
        now_ms=now_ms,
    )
    WITHDRAWALS_PAUSED.set(1)


def _surplus(session: Session, found: Report, chain: ChainContext, now_ms: int, report: PassReport) -> None:
    """LEDGER_SURPLUS (warning, one per token, counted while it stays) for a token the Exchange holds beyond every
    account's balance. Anyone can send tokens to the contract, so it pauses nothing; but it is also what a deposit
    the indexer missed looks like when its wallet holds nothing else in the ledger (no wallet check covers such a
    wallet), so staff look."""
    for token, amount in sorted(found.surplus.items()):
        report.alert(
            session,
            AlertKind.LEDGER_SURPLUS,
            Severity.WARNING,
            f"the Exchange holds {amount} of {token} (base units) beyond every account's balance at block "
            f"{found.block}: tokens sent to the contract without a deposit, or a deposit the indexer missed "
            "(compare the contract's Deposited events with the ledger's deposits)",
            subject="system:ledger",
            dedup_key=f"{AlertKind.LEDGER_SURPLUS.value}:{chain.chain_id}:{chain.exchange.lower()}:{token.lower()}",
            details={"exchange": chain.exchange, "token": token, "amount": str(amount), "block": found.block},
            now_ms=now_ms,
        )


def check_screening_lists(session: Session, limits: OperatorLimits, now_ms: int, report: PassReport) -> None:
    """SCREENING_LIST_STALE for each source whose active list is older than the limit, or when none is active
    (then only the deny-list and the oracle screen)."""
    SCREENING_LIST_MAX_AGE.set(limits.screening_max_age_s)
    lists = session.scalars(select(SanctionsList).where(SanctionsList.active)).all()
    if not lists:
        report.alert(
            session,
            AlertKind.SCREENING_LIST_STALE,
            Severity.WARNING,
            "no sanctions list is imported: addresses are screened against the deny-list and the oracle only",
            subject="system:screening",
            dedup_key=f"{AlertKind.SCREENING_LIST_STALE.value}:none",
            details={"limitS": limits.screening_max_age_s},
            now_ms=now_ms,
        )
        return
    SCREENING_LIST_AGE.clear()  # a source no longer active is no list of ours: its last age must not page on
    for row in lists:
        imported_ms = _epoch_ms(row.imported_at)
        age_s = max(0, now_ms - imported_ms) // 1000
        SCREENING_LIST_AGE.labels(source=row.source).set(age_s)
        if age_s <= limits.screening_max_age_s:
            continue
        report.alert(
            session,
            AlertKind.SCREENING_LIST_STALE,
            Severity.WARNING,
            f"sanctions list {row.source} (version {row.version}) was imported {age_s // 86_400} day(s) ago "
            f"(limit {limits.screening_max_age_s // 86_400}): import the current one",
            subject=f"system:screening:{row.source}",
            dedup_key=f"{AlertKind.SCREENING_LIST_STALE.value}:{row.source}",
            details={"source": row.source, "version": row.version, "ageS": age_s, "limitS": limits.screening_max_age_s},
            now_ms=now_ms,
        )


def _count_waiting(session: Session, what: str) -> int:
    if what == "fills":
        query = select(func.count()).select_from(Fill).where(Fill.status.in_(_WAITING_FILLS))
    else:
        query = (
            select(func.count())
            .select_from(WithdrawalRequest)
            .where(WithdrawalRequest.status.in_(_WAITING_WITHDRAWALS))
        )
    return int(session.scalar(query) or 0)


def _same_differences(first: Report, second: Report) -> list[Difference]:
    seen = {(d.check, d.account, d.token) for d in first.differences}
    return [d for d in second.differences if (d.check, d.account, d.token) in seen]


def _difference_json(difference: Difference) -> dict[str, str]:
    return {
        "check": difference.check,
        "account": difference.account,
        "token": difference.token,
        "ledger": str(difference.ledger),
        "chain": str(difference.chain),
    }


def _epoch_ms(moment: datetime) -> int:
    # SQLite returns the server's UTC timestamp without a zone
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _eth(wei: int) -> str:
    whole, fraction = divmod(wei, WEI_PER_ETH)
    return f"{whole}.{fraction:018d}".rstrip("0").rstrip(".")
