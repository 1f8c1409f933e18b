"""Settlement: unsettled fills -> screened -> batched `settle` transactions -> settled or failed.

A batch is claimed (its fills marked settling) in the same database transaction that stores its
signed operator transaction, so a fill can be in at most one live batch. The contract skips a bad
trade with `TradeSkipped` (it reverts the whole batch only for batch-level faults), so a mined
batch tells each fill's fate; a skipped fill's `failure` names the contract's error with its
arguments, and both parties are told why in words (`relayer.skip_reasons`). A batch that would
revert is bisected before anything is signed: the half that simulates goes on, and a single trade
that cannot is failed and unwound. Unless the Exchange refuses every batch from us (paused, or our
key is not an operator): then no trade is at fault, and the fills wait in line, as they do when the
node cannot judge the call at all (an RPC error that is not a revert).

A batch is acted on once mined (HDEX_RELAYER_CONFIRMATIONS), its fills' holds ending only with its final
events; one a reorg then takes out of the final chain for good puts its fills back in line (`check_final`).

A fill-or-kill taker's fills settle only together: the contract skips them all unless they are
consecutive trades of one batch that add up to the whole order. So a batch is built, screened and
bisected in settlement units (such a run of fills, or any other single fill): a run is never split
between two batches, even when it is longer than the batch size, and fails whole.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session
from web3 import Web3

import backend.trading.store.settlement as fills
from backend.bootstrap import Container
from backend.chain.jsonrpc import RpcError
from backend.compliance.screening import Screener
from backend.db.models import ChainEvent, Fill, Market, OperatorTx, Order, SettlementItem
from backend.marketdata.account_updates import account_notifier_for
from backend.statuses import REVERTED_ON_CHAIN, ChainEventStatus, FillStatus, blocked_by_screening
from backend.trading.rules.orders import order_from_row
from relayer.exchange_state import final_block, nonces_used, refusal
from relayer.outbox import Notify, tell_after_commit
from relayer.skip_reasons import SkipReason, SkipReasons, short
from relayer.transactions import (
    CONFIRMED,
    DROPPED,
    FAILED,
    LOST_IN_REORG,
    REVERTED_AFTER_REORG,
    Simulation,
    SimulationFailed,
    TxManager,
    mined_attempt,
)

log = logging.getLogger(__name__)
Unit = list[Fill]  # fills that settle together: a fill-or-kill taker's run, or one fill
MAX_WHOLE_REVERTS = 3  # batches holding a unit mined and reverted whole, before it is given up (`_apart_from_reverted`)


@dataclass(frozen=True)
class BatchPolicy:
    max_trades: int = 20
    max_wait_s: float = 1.0  # a partial batch goes out once its oldest fill waited this long


class SettlementWork:
    """Builds, screens and tracks settlement batches for one Exchange."""

    kind = "settle"

    def __init__(
        self,
        container: Container,
        screener: Screener,
        exchange: str,
        exchange_abi: list[dict[str, Any]],
        policy: BatchPolicy | None = None,
        clock: Callable[[], float] = time.time,
        notify: Notify | None = None,
    ) -> None:
        self.container = container
        self.notify = notify or account_notifier_for(container)
        self.screener = screener
        self.exchange = Web3.to_checksum_address(exchange)
        self.contract = Web3().eth.contract(address=self.exchange, abi=exchange_abi)
        self.policy = policy or BatchPolicy()
        self._clock = clock
        self.skip_reasons = SkipReasons(self.exchange, exchange_abi)

    # ------------------------------------------------------------------ new batches

    def start_new(self, txm: TxManager) -> None:
        revived = self.check_final(txm)
        with self.container.session_factory() as session:
            lost = _taken_out(session, txm)
        if lost is not None:
            # seen mined, gone from the chain before its block was final: it goes first, before a batch in flight
            # too, whose nonce is above it and which waits behind it
            if lost not in revived:  # once a round: a second look would repeat its RPCs, and maybe reprice it
                txm.revive(lost)
            return
        if txm.in_flight(self.kind):
            return  # one batch in flight at a time: fills settle in the order they were matched
        with self.container.session_factory() as session:
            if _undecided_drop(session):
                return  # a batch that may still be mined goes first (see `finish`)
            pending = fills.unsettled(session, limit=self.policy.max_trades)
            if not pending:
                return
            oldest_age = self._clock() - pending[0].created_at_ms / 1000
            if len(pending) < self.policy.max_trades and oldest_age < self.policy.max_wait_s:
                return
            units = self._screened(session, self._settlement_units(session, pending))
            reverted = _whole_reverts(session, [fill.id for unit in units for fill in unit])
            txm.fence(session)  # a round past its lease fails nothing: the fills may be in the new holder's batch
            session.commit()
        units, given_up = _apart_from_reverted(units, reverted)
        if given_up:
            words = f"not settled: its settlement reverted on-chain {MAX_WHOLE_REVERTS} times"
            self._fail(txm, [fill.id for fill in given_up], f"settlement reverted on-chain {MAX_WHOLE_REVERTS} times",
                       words)  # fmt: skip
            return
        while units:
            batch = [fill for unit in units for fill in unit]
            try:
                calldata = self.calldata(batch)
                simulation = txm.simulate(self.exchange, calldata)
            except SimulationFailed as exc:
                refused = refusal(txm, self.contract, pausable=True)
                if refused is not None:
                    # No trade is at fault: failing them would unwind good fills. They wait for the next round.
                    log.warning("settlement waits: the exchange refuses any batch", extra={"reason": refused})
                    return
                if len(units) == 1:  # one unit: its fills fail together (a fill-or-kill run settles whole or not)
                    words = "not settled: the trade would revert on-chain"
                    self._fail(txm, [fill.id for fill in batch], f"settlement would revert: {exc}", words)
                    return
                units = units[: len(units) // 2]  # bisect: try the first half, the rest waits its turn
                continue
            self._submit(txm, batch, calldata, simulation)
            return

    def _settlement_units(self, session: Session, pending: Sequence[Fill]) -> list[Unit]:
        """`pending` (oldest first) in settlement units. The engine emits a taker's fills one after the other
        and they are stored in one transaction, so a fill-or-kill run is consecutive; one that the batch limit
        cut is completed when it is the whole batch, else left whole for the next batch."""
        fill_or_kill = fills.fill_or_kill_orders(session, {f.taker_order_hash for f in pending})
        units: list[Unit] = []
        for fill in pending:
            taker = fill.taker_order_hash
            if taker in fill_or_kill and units and units[-1][0].taker_order_hash == taker:
                units[-1].append(fill)
            else:
                units.append([fill])
        last = units[-1]
        if last[0].taker_order_hash in fill_or_kill:
            rest = fills.unsettled_after(session, last[0].taker_order_hash, last[-1].id)
            if rest and len(units) == 1:
                last.extend(rest)
            elif rest:
                units.pop()
        return units

    def _screened(self, session: Session, units: list[Unit]) -> list[Unit]:
        """Units whose fills' makers and takers are all clear. A blocked fill is failed and unwound, and so are
        the other fills of its unit (a fill-or-kill order settles whole or not at all)."""
        parties = {p for unit in units for f in unit for p in (f.maker, f.taker)}
        decisions = self.screener.screen(parties, actor="relayer", context="settle")
        if any(d.result == "error" for d in decisions.values()):
            log.warning("screening unavailable; settlement waits", extra={"fills": sum(map(len, units))})
            return []
        clear = []
        for unit in units:
            blocked = {
                fill.id: [role for role, who in (("maker", fill.maker), ("taker", fill.taker))
                          if not decisions[who.lower()].allowed]
                for fill in unit
            }  # fmt: skip
            if not any(blocked.values()):
                clear.append(unit)
                continue
            for fill in unit:
                roles = blocked[fill.id]
                if roles:
                    reason = blocked_by_screening(roles)
                    words = f"not settled: the {' and the '.join(roles)} did not pass address screening"
                else:
                    reason = "fill_or_kill_incomplete"
                    words = (
                        f"not settled: fill-or-kill order {short(fill.taker_order_hash)} settles whole or not at "
                        "all, and another of its fills did not pass address screening"
                    )
                if fills.fail(session, fill.id, reason, words, was=fills.NOT_CLAIMED):
                    self._tell(session, fill, FillStatus.FAILED, failure=reason, reason=words)
                    log.warning("fill not settled: screening", extra={"fill": fill.id, "reason": reason})
        return clear

    def calldata(self, batch: Sequence[Fill]) -> str:
        """`settle(orders, signatures, trades)` for the fills, each order once."""
        with self.container.session_factory() as session:
            # Each order once, in strictly increasing order of hash: the contract's batch layout.
            hashes = sorted(
                {h for f in batch for h in (f.maker_order_hash, f.taker_order_hash)}, key=lambda h: int(h, 16)
            )
            rows = {o.hash: o for o in session.scalars(select(Order).where(Order.hash.in_(hashes)))}
            markets = {m.name: m for m in session.scalars(select(Market))}
        index = {h: i for i, h in enumerate(hashes)}
        orders = [order_from_row(rows[h], markets[rows[h].market]) for h in hashes]
        signatures = [rows[h].signature for h in hashes]
        trades = [
            (
                index[f.maker_order_hash],
                index[f.taker_order_hash],
                f.base_amount,
                f.quote_amount,
                f.maker_fee,
                f.taker_fee,
            )
            for f in batch
        ]
        return str(self.contract.encode_abi("settle", args=[orders, signatures, trades]))

    def _submit(self, txm: TxManager, batch: Sequence[Fill], calldata: str, simulation: Simulation) -> None:
        ids = [f.id for f in batch]
        with self.container.session_factory() as session:
            if not fills.claim(session, ids):
                session.rollback()
                return  # something changed under us (e.g. a fill was failed meanwhile); next tick rebuilds
            reference = f"settle:{ids[0]}-{ids[-1]}:{len(ids)}:{int(self._clock() * 1000)}"
            tx = txm.create(session, self.kind, reference, self.exchange, calldata, simulation)
            session.add_all(
                SettlementItem(operator_tx_id=tx.id, trade_index=i, fill_id=fill_id) for i, fill_id in enumerate(ids)
            )
            session.commit()
            tx_id = tx.id
        txm.send(tx_id)
        log.info(
            "settlement batch submitted",
            extra={
                "trades": len(ids),
                "first_fill": ids[0],
                "gas": simulation.gas_limit,
                "access_list_slots": sum(len(e["storageKeys"]) for e in simulation.access_list),
            },
        )

    def _fail(self, txm: TxManager, fill_ids: Sequence[int], reason: str, words: str) -> None:
        """Fail fills not yet in any batch, in one fenced transaction, and tell their parties."""
        with self.container.session_factory() as session:
            failed = [i for i in fill_ids if fills.fail(session, i, reason, words, was=fills.NOT_CLAIMED)]
            txm.fence(session)
            session.commit()
            for fill in session.scalars(select(Fill).where(Fill.id.in_(failed))):
                self._tell(session, fill, FillStatus.FAILED, failure=reason, reason=words)
            session.commit()
        if failed:
            log.warning("fills failed before submission", extra={"fills": failed, "reason": reason})

    # ------------------------------------------------------------------ outcomes

    def check_final(self, txm: TxManager) -> set[int]:
        """Settle the fate of the batches whose outcome was decided before their block was final: a batch is acted
        on at HDEX_RELAYER_CONFIRMATIONS (mined: its trades recorded from its receipt) or found dropped (its nonce
        used, no receipt of ours), and a reorg or a node that lags can make either wrong. Such a batch is due
        (`final_check_due`) until the indexer's final block passes it, then:
        - a TradeSettled or TradeSkipped of one of its attempts on record (not orphaned): it happened; once those
          are final its trades are recorded as the final chain ran them (`_record_final`), whatever a node said;
        - none, its nonce used at the final block, and no attempt mined successfully there as the node says (one
          that says so is waited out): it did not happen, and never can; its fills go back in line (`_reopen`).
        The indexer has the last word, as it has for the engine's release of the holds, which waits for this check.
        A node that does not answer holds up this check only, not new batches. Returns the ids of the batches it
        revived (`TxManager.revive`)."""
        revived: set[int] = set()
        try:
            self._check_due(txm, revived)
        except RpcError as exc:
            log.warning("settlement batches not checked against the final chain: the node did not answer",
                        extra={"error": str(exc)})  # fmt: skip
        return revived

    def _check_due(self, txm: TxManager, revived: set[int]) -> None:
        with self.container.session_factory() as session:
            chain_id = self.container.settings.chain_id
            final = final_block(session, chain_id, self.exchange)
            if final is None:
                return
            # the columns needed only (a batch's row carries its calldata and signed bytes), through the partial
            # index of the batches due (the condition as the index has it: SQLite matches it as written); a dropped
            # batch has no block of its own: its nonce says when it is decided
            waiting = session.execute(
                select(OperatorTx.id, OperatorTx.sender, OperatorTx.nonce, OperatorTx.hashes)
                .where(
                    OperatorTx.final_check_due == true(),
                    OperatorTx.to == self.exchange,  # the Exchange whose events the indexer records
                    or_(OperatorTx.block_number <= final, OperatorTx.block_number.is_(None)),
                )
                .order_by(OperatorTx.id)
            ).all()
            session.rollback()  # nothing held open across the node's answers
            used: dict[str, int] = {}
            for tx_id, sender, nonce, hashes in waiting:
                recorded = _recorded_outcomes(session, chain_id, hashes)
                if recorded:  # it happened: recorded once its events are final
                    final_hash = next((h for h in hashes if recorded.get(h) == ChainEventStatus.FINAL), None)
                    if final_hash is not None:
                        self._record_final(session, session.get_one(OperatorTx, tx_id), final_hash)
                        txm.fence(session)  # a round past its lease changes no batch: the holder decides
                        session.commit()
                    continue
                if sender not in used:
                    used[sender] = nonces_used(txm, sender, final)
                if nonce >= used[sender]:
                    # Not used at a final block: it may still be mined (its own nonce: once at most); revived.
                    txm.revive(tx_id)
                    revived.add(tx_id)
                    continue
                outcome = _final_outcome(txm, hashes, final)
                if outcome is not None:
                    self._reopen(session, session.get_one(OperatorTx, tx_id), outcome)
                    txm.fence(session)
                    session.commit()
                session.rollback()

    def _reopen(self, session: Session, tx: OperatorTx, error: str) -> None:
        """Put back in line the fills of a batch that did not happen on the final chain (settled or skipped as it
        was first seen, or still settling when it looked dropped)."""
        items = session.scalars(select(SettlementItem).where(SettlementItem.operator_tx_id == tx.id)).all()
        if tx.status == CONFIRMED:
            tx.status, tx.error = FAILED, error
        tx.final_check_due = False
        for item in items:
            item.outcome, item.reason = "retry", error
        ids = [item.fill_id for item in items]
        fills.requeue(session, ids)
        for fill in fills.reopen(session, ids, str(tx.mined_hash)):
            self._tell(session, fill, FillStatus.UNSETTLED)
        log.warning("settlement batch not on the final chain; its fills go back in line",
                    extra={"reference": tx.reference, "tx_hash": tx.mined_hash, "error": error})  # fmt: skip

    def _record_final(self, session: Session, tx: OperatorTx, tx_hash: str) -> None:
        """Record a batch's trades as its attempt `tx_hash` ran them on the final chain (the indexer's final
        TradeSettled and TradeSkipped, one per trade in order): mined again after a reorg, or as another attempt,
        or found dropped by a node that lagged, it may differ from what was recorded (a trade skipped where it
        settled before, for an order cancelled on-chain meanwhile)."""
        block, trades = self._final_trades(session, tx_hash)
        items = session.scalars(
            select(SettlementItem).where(SettlementItem.operator_tx_id == tx.id).order_by(SettlementItem.trade_index)
        ).all()
        if [item.trade_index for item in items] != list(range(len(trades))):
            log.error("a settlement batch's final events do not match its trades; left due",
                      extra={"reference": tx.reference, "tx_hash": tx_hash})  # fmt: skip
            return
        rows = {f.id: f for f in session.scalars(select(Fill).where(Fill.id.in_([i.fill_id for i in items])))}
        wrong = []
        for item, skipped in zip(items, trades, strict=True):
            outcome = ("settled", None) if skipped is None else ("skipped", skipped.error)
            fill = rows[item.fill_id]
            if (item.outcome, item.reason) != outcome or fill.tx_hash != tx_hash:
                wrong.append(item.trade_index)
                self._record(session, item, fill, skipped, tx_hash, fills.SENT)
        if wrong:
            log.warning("a settlement batch's final outcome differs from the one recorded; records corrected",
                        extra={"reference": tx.reference, "tx_hash": tx_hash, "trades": wrong})  # fmt: skip
        tx.status, tx.error, tx.mined_hash, tx.block_number = CONFIRMED, None, tx_hash, block
        tx.final_check_due = False

    def _final_trades(self, session: Session, tx_hash: str) -> tuple[int, list[SkipReason | None]]:
        """The block the attempt `tx_hash` is final in, and per trade, in order: None if it settled, else why it was
        skipped (from the indexer's final events: not those of a block a reorg took out, which share the hash of
        an attempt mined again)."""
        rows = session.execute(
            select(ChainEvent.block_number, ChainEvent.name, ChainEvent.args)
            .where(
                ChainEvent.tx_hash == tx_hash,
                ChainEvent.name.in_(fills.TRADE_EVENTS),
                ChainEvent.status == ChainEventStatus.FINAL,
            )
            .order_by(ChainEvent.log_index)
        ).all()
        trades = [
            None if name == "TradeSettled" else self.skip_reasons.decode(bytes.fromhex(str(args["reason"])[2:]))
            for _block, name, args in rows
        ]
        return rows[0].block_number, trades

    def finish(self, session: Session, tx: OperatorTx, receipt: dict[str, Any] | None) -> None:
        items = session.scalars(
            select(SettlementItem).where(SettlementItem.operator_tx_id == tx.id).order_by(SettlementItem.trade_index)
        ).all()
        if receipt is None:
            # Dropped (its nonce used, no receipt of ours): a node that lags says so of a batch it mined too. It is
            # decided against the final chain (`check_final`); its fills stay settling, and no batch goes out
            # before it is (`start_new`): a later trade may need what this one pays.
            tx.final_check_due = True
            return
        if tx.status != CONFIRMED:
            # Reverted as a whole, at a final block: none of it happened on-chain; the fills go back in line.
            for item in items:
                item.outcome, item.reason = "retry", tx.error
            fills.requeue(session, [item.fill_id for item in items])
            return
        tx.final_check_due = True  # compared with the final chain once its block is final (`check_final`)
        skipped = self.skip_reasons.in_receipt(receipt)
        rows = {f.id: f for f in session.scalars(select(Fill).where(Fill.id.in_([i.fill_id for i in items])))}
        for item in items:
            self._record(session, item, rows[item.fill_id], skipped.get(item.trade_index), str(tx.mined_hash))

    def _record(
        self,
        session: Session,
        item: SettlementItem,
        fill: Fill,
        skipped: SkipReason | None,
        tx_hash: str,
        was: Sequence[str] = fills.IN_LINE,
    ) -> None:
        """Record one trade of a mined batch (`tx_hash`): skipped for `skipped`'s reason, else settled, if the fill's
        status is one of `was` (in line for a batch just mined; any since it was sent, for the final chain's word);
        both parties are told."""
        if skipped is not None:
            failure = f"skipped_on_chain:{skipped}"  # e.g. skipped_on_chain:OrderCancelled(orderHash=0x...)
            item.outcome, item.reason, item.details = "skipped", skipped.error, skipped.details()
            fills.fail(session, item.fill_id, failure, skipped.sentence, tx_hash, was)
            self._tell(session, fill, FillStatus.FAILED, failure=failure, reason=skipped.sentence)
        else:
            item.outcome, item.reason, item.details = "settled", None, None
            fills.settle(session, item.fill_id, tx_hash, was)
            self._tell(session, fill, FillStatus.SETTLED, tx_hash=tx_hash)

    def _tell(
        self,
        session: Session,
        fill: Fill,
        status: str,
        failure: str | None = None,
        reason: str | None = None,
        tx_hash: str | None = None,
    ) -> None:
        """Both parties hear of their fill's outcome on their account channel (at least once): a failed fill's
        `failure` as recorded, and `reason`, the same in words. Sent once `session` commits."""
        message = {
            "type": "settlement",
            "fill": str(fill.id),
            "status": status,
            "failure": failure,
            "reason": reason,
            "txHash": tx_hash,
        }
        for wallet in {fill.maker, fill.taker}:
            tell_after_commit(session, self.notify, wallet, message)


def _undecided_drop(session: Session) -> bool:
    """Whether a settlement batch found dropped waits for the final chain to say whether it was mined."""
    query = select(OperatorTx.id).where(OperatorTx.final_check_due == true(), OperatorTx.status == DROPPED).limit(1)
    return session.scalars(query).first() is not None


def _taken_out(session: Session, txm: TxManager) -> int | None:
    """The id of the lowest settlement batch of ours seen mined and not yet checked against the final chain
    whose nonce the chain has not used (a reorg took it out), if any: revived now (`TxManager.revive`), not once its
    block is final, since every later transaction of the key waits behind its nonce (`TxManager._next_nonce`)."""
    due = session.execute(
        select(OperatorTx.id, OperatorTx.nonce)
        .where(OperatorTx.final_check_due == true(), OperatorTx.status == CONFIRMED, OperatorTx.sender == txm.sender)
        .order_by(OperatorTx.nonce)
    ).all()  # the few batches mined in the last blocks before finality
    if not due:
        return None
    # a shallow reorg takes out the newest blocks: the lowest taken-out batch may sit above batches still mined
    used = int(txm.rpc.call("eth_getTransactionCount", [txm.sender, "latest"]), 16)
    return next((int(row.id) for row in due if row.nonce >= used), None)


def _whole_reverts(session: Session, fill_ids: Sequence[int]) -> dict[int, int]:
    """How many batches holding each fill were mined and reverted as a whole (none of it happened): fills id -> count,
    for those with any."""
    if not fill_ids:
        return {}
    rows = session.execute(
        select(SettlementItem.fill_id, func.count())
        .where(
            SettlementItem.fill_id.in_(fill_ids),
            SettlementItem.outcome == "retry",
            SettlementItem.reason.startswith(REVERTED_ON_CHAIN),
        )
        .group_by(SettlementItem.fill_id)
    )
    return {int(fill_id): int(count) for fill_id, count in rows}


def _apart_from_reverted(units: list[Unit], reverted: Mapping[int, int]) -> tuple[list[Unit], Unit]:
    """The units to try now, and a unit to give up. A batch that simulated and then reverted whole when mined (a
    gas estimate the chain did not honour, a call whose cost depends on the state) would be sent again as it was
    for ever, each attempt paid for by the operator: a unit that reverted before goes alone, the others without it,
    and one that reverted MAX_WHOLE_REVERTS times is given up."""
    if not units:
        return [], []
    tries = [max(reverted.get(fill.id, 0) for fill in unit) for unit in units]
    if tries[0] >= MAX_WHOLE_REVERTS:
        return [], units[0]
    if tries[0]:
        return units[:1], []
    clean = next((i for i, n in enumerate(tries) if n), len(units))
    return units[:clean], []


def _recorded_outcomes(session: Session, chain_id: int, tx_hashes: list[str]) -> dict[str, str]:
    """transaction hash -> the status (pending or final) of its TradeSettled or TradeSkipped events the indexer
    holds, of those among `tx_hashes` that have any not orphaned."""
    rows = session.execute(
        select(ChainEvent.tx_hash, ChainEvent.status).where(
            ChainEvent.chain_id == chain_id,
            ChainEvent.tx_hash.in_(tx_hashes),
            ChainEvent.name.in_(fills.TRADE_EVENTS),
            ChainEvent.status != ChainEventStatus.ORPHANED,
        )
    )
    return {str(tx_hash): str(status) for tx_hash, status in rows}


def _final_outcome(txm: TxManager, hashes: Sequence[str], final: int) -> str | None:
    """None if an attempt (`hashes`) of a transaction whose nonce is used at block `final` is mined successfully at
    or before it, as the node says (the caller waits: the indexer holds no event of it yet); else why the
    transaction did not happen on the final chain."""
    mined = mined_attempt(txm.rpc, hashes)
    if mined is None or int(mined[1]["blockNumber"], 16) > final:
        return LOST_IN_REORG
    return None if int(mined[1]["status"], 16) == 1 else REVERTED_AFTER_REORG
