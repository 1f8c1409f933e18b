"""Operator transactions, exactly once: persisted before sending, one nonce each, tracked to the end.

Rules that make a crash at any point safe:
- A transaction is signed and written to the database (status `signed`) before it is sent.
- It owns one nonce for life; a stuck one is replaced with higher fees at the same nonce (same call, same
  access list), so at most one of its attempts can ever be mined.
- Each replacement attempt is written (its hash and bytes committed) before it is sent too: an attempt the node
  took but we did not store could be mined unseen, and the transaction then looks dropped.
- `track()` reconciles every unfinished transaction with the chain: a receipt for any attempt
  decides it (after the confirmations; a revert only once its block is final); a signed one the node
  does not know is sent again (same bytes), or repriced once stuck; the nonce used up at a confirmed
  block, with no receipt for any of our attempts read after it, means it was dropped. A send the node
  refuses holds up only its own transaction.
- Fees never go above the policy's cap: a stuck transaction at the cap waits there.
This class is the single writer of the operator key's nonces (the caller holds the relayer lease).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eth_account import Account
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, sessionmaker

from backend.chain.fees import max_fee_per_gas
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.db.models import OperatorTx
from backend.statuses import REVERTED_ON_CHAIN

log = logging.getLogger(__name__)

SIGNED, SUBMITTED, CONFIRMED, FAILED, DROPPED = "signed", "submitted", "confirmed", "failed", "dropped"
IN_FLIGHT = (SIGNED, SUBMITTED)
DROPPED_ERROR = "nonce used by another transaction; none of ours was mined"
LOST_IN_REORG = "lost_in_reorg: a reorg took the transaction out and its nonce was used by another"
REVERTED_AFTER_REORG = f"{REVERTED_ON_CHAIN}: mined again after a reorg took it out"
FEE_BUMP_PERCENT = 25  # nodes require >= 10% (geth) to accept a replacement
NODE_MIN_BUMP_PERCENT = 10  # geth's default price bump: a smaller one is refused as underpriced
_CALL_AT_FAULT = ("revert", "out of gas", "gas required exceeds")  # estimate errors that are the call's fault
# (session, tx, receipt): records a finished transaction's effects; receipt is None for a dropped one.
OnFinished = Callable[[Session, OperatorTx, dict[str, Any] | None], None]


class SimulationFailed(RuntimeError):
    """The call reverts against the current chain state; nothing was signed or stored."""


@dataclass(frozen=True)
class Simulation:
    """What a call needs now: its gas limit (with the margin) and the EIP-2930 access list to send it with (empty
    when listing its storage slots would not make it cheaper)."""

    gas_limit: int
    access_list: list[dict[str, Any]]


@dataclass(frozen=True)
class TxPolicy:
    confirmations: int = 1
    # A transaction mined reverted is decided only once its block is final (HDEX_CONFIRMATIONS): what its caller does
    # then (a batch's trades sent again in another one, a withdrawal's hold given back) must not be undone by a
    # reorg mining it again, successfully this time. A successful one is acted on after `confirmations`, as its
    # effects wait for final events anyway.
    final_confirmations: int = 1
    stuck_after_s: float = 30.0
    gas_margin_percent: int = 20
    max_fee_per_gas_cap: int = 500 * 10**9  # never bid above 500 gwei


class TxManager:
    """Sends and tracks the operator's transactions on one chain."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        rpc: JsonRpcClient,
        private_key: str,
        chain_id: int,
        policy: TxPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session_factory = session_factory
        self.rpc = rpc
        self.account = Account.from_key(private_key)
        self.chain_id = chain_id
        self.policy = policy or TxPolicy()
        self._clock = clock
        # Run in the transaction that assigns a nonce, before it does: the relayer that owns the key sets its
        # lease's fence here, so a copy whose lease lapsed mid-round (a slow node, a backlog of withdrawals)
        # cannot sign a nonce the copy that took over signs too. No fence for a manager used on its own (tests).
        self.fence: Callable[[Session], None] = lambda session: None

    @property
    def sender(self) -> str:
        return str(self.account.address)

    # ------------------------------------------------------------------ creating

    def simulate(self, to: str, data: str) -> Simulation:
        """Gas the call needs now, with a margin, and its access list; SimulationFailed if it reverts or needs more
        gas than a block holds."""
        call = {"from": self.sender, "to": to, "data": data}
        try:
            estimate = int(self.rpc.call("eth_estimateGas", [call]), 16)
        except RpcError as exc:
            # A revert, or more gas than the node lets a call have ("gas required exceeds allowance", "out of gas"),
            # is the call's fault: a batch is split until the part at fault is found. Other errors ("execution
            # aborted (timeout)", a lost connection) say nothing about it and stay RpcErrors, which the caller retries.
            if any(words in str(exc).lower() for words in _CALL_AT_FAULT):
                raise SimulationFailed(str(exc)) from None
            raise
        # The limit is the unlisted estimate's: a list is used only when it makes the call cheaper.
        gas_limit = estimate * (100 + self.policy.gas_margin_percent) // 100 + 10_000
        block_limit = int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["gasLimit"], 16)
        if gas_limit > block_limit:
            # every node refuses it, and every later nonce of the key would wait behind it
            raise SimulationFailed(f"needs {gas_limit} gas with its margin, more than a block's {block_limit}")
        return Simulation(gas_limit, self._access_list(call, estimate))

    def _access_list(self, call: dict[str, Any], estimate: int) -> list[dict[str, Any]]:
        """The call's EIP-2930 access list (eth_createAccessList) if sending with it costs less gas than
        `estimate`, the call's gas without one; else, or if the node cannot build one, an empty list.

        A list pays 1,900 per storage slot and 2,400 per contract up front, and each listed slot's first read then
        costs 100 instead of 2,100; listing the called contract itself buys nothing (it is warm), so a list pays
        off only past ~24 cold slots: a settlement batch reads ~6 per trade, a withdrawal a handful."""
        try:
            listed = self.rpc.call("eth_createAccessList", [call, "latest"])
        except RpcError as exc:
            log.info("no access list from the node", extra={"error": str(exc)})
            return []
        entries = listed.get("accessList") or []
        if listed.get("error") or not entries or int(listed["gasUsed"], 16) >= estimate:
            return []
        return [{"address": e["address"], "storageKeys": list(e["storageKeys"])} for e in entries]

    def create(
        self, session: Session, kind: str, reference: str, to: str, data: str, simulation: Simulation
    ) -> OperatorTx:
        """Sign with the next nonce and add it to `session` as `signed`; the caller commits, then sends. Fenced
        (`fence`): LeaseTakenOver, and nothing stored, once another relayer holds the key's lease."""
        self.fence(session)
        max_fee, priority = self._fees()
        nonce = self._next_nonce(session)
        gas_limit, access_list = simulation.gas_limit, simulation.access_list
        raw, tx_hash = self._sign(nonce, to, data, gas_limit, access_list, max_fee, priority)
        tx = OperatorTx(
            chain_id=self.chain_id,
            kind=kind,
            reference=reference,
            sender=self.sender,
            nonce=nonce,
            to=to,
            data=data,
            gas_limit=gas_limit,
            access_list=access_list,
            max_fee_per_gas=max_fee,
            max_priority_fee_per_gas=priority,
            raw_tx=raw,
            tx_hash=tx_hash,
            hashes=[tx_hash],
            status=SIGNED,
        )
        session.add(tx)
        session.flush()
        return tx

    def _next_nonce(self, session: Session) -> int:
        """Above the chain's count and every nonce still ours: in flight, or a batch seen mined whose block is not
        final yet (`final_check_due`). A reorg can take such a batch out before it is final, and no node may hold
        it any more; were its nonce taken by the next transaction, it could never be mined and a batch built on
        its balances would see trades skipped. Above it, the next waits until the final check sends it again."""
        on_chain = int(self.rpc.call("eth_getTransactionCount", [self.sender, "pending"]), 16)
        ours = session.scalar(
            select(func.max(OperatorTx.nonce)).where(
                OperatorTx.chain_id == self.chain_id,
                OperatorTx.sender == self.sender,
                OperatorTx.status.in_(IN_FLIGHT) | (OperatorTx.final_check_due == true()),
            )
        )
        return max(on_chain, -1 if ours is None else ours + 1)

    def _fees(self) -> tuple[int, int]:
        block = self.rpc.call("eth_getBlockByNumber", ["latest", False])
        base = int(block.get("baseFeePerGas", "0x0"), 16)
        priority = int(self.rpc.call("eth_maxPriorityFeePerGas", []), 16)
        max_fee = min(self.policy.max_fee_per_gas_cap, max_fee_per_gas(base, priority))
        return max_fee, min(priority, max_fee)  # as signed: a tip above the max fee could never be paid

    def _sign(
        self,
        nonce: int,
        to: str,
        data: str,
        gas: int,
        access_list: list[dict[str, Any]],
        max_fee: int,
        priority: int,
    ) -> tuple[str, str]:
        signed = self.account.sign_transaction(
            {
                "type": 2,
                "chainId": self.chain_id,
                "nonce": nonce,
                "to": to,
                "data": data,
                "value": 0,
                "gas": gas,
                "maxFeePerGas": max_fee,
                "maxPriorityFeePerGas": min(priority, max_fee),
                "accessList": access_list,
            }
        )
        return "0x" + bytes(signed.raw_transaction).hex(), "0x" + bytes(signed.hash).hex()

    # ------------------------------------------------------------------ sending and tracking

    def send(self, tx_id: int) -> None:
        """Send the latest attempt of a stored transaction (safe to repeat: same bytes, same nonce)."""
        with self.session_factory() as session:
            tx = session.get(OperatorTx, tx_id)
            assert tx is not None
            self._broadcast(tx)
            session.commit()

    def revive(self, tx_id: int) -> None:
        """Get a transaction mined that a reorg took out after it finished (mined, or found dropped), its nonce still
        unused: nothing else would ever mine it or use its nonce, so it, and every later transaction of its key,
        would wait for ever. Sent again (its latest signed bytes) if no node holds any of its attempts; held by one
        but not mined (the reorg put it back in a pool whose fees have since risen), replaced at higher fees as a
        stuck transaction is, once it has waited `stuck_after_s` since its last attempt."""
        with self.session_factory() as session:
            # locked: a relayer whose lease lapsed mid-round may revive it too, and each attempt's hash must be kept
            tx = session.get_one(OperatorTx, tx_id, with_for_update=True)
            held = [found for h in tx.hashes if (found := self.rpc.call("eth_getTransactionByHash", [h]))]
            if any(found.get("blockNumber") for found in held):
                return  # mined again, its block not final yet: the final check decides
            if held:
                if self._stuck(tx):
                    self._replace(session, tx)
                return
            log.warning("an operator tx no node holds is sent again", extra={"tx_id": tx_id, "tx_hash": tx.tx_hash})
            self._broadcast(tx)
            session.commit()

    def _broadcast(self, tx: OperatorTx) -> None:
        try:
            self.rpc.call("eth_sendRawTransaction", [tx.raw_tx])
        except RpcError as exc:
            message = str(exc).lower()
            if "already known" not in message and "nonce too low" not in message and "already imported" not in message:
                raise
            # Known or used nonce: track() decides from receipts and the chain nonce.
        if tx.status == SIGNED:
            tx.status = SUBMITTED
            tx.submitted_at = datetime.fromtimestamp(self._clock(), UTC)
        log.info(
            "operator tx sent",
            extra={"kind": tx.kind, "reference": tx.reference, "nonce": tx.nonce, "tx_hash": tx.tx_hash},
        )

    def in_flight(self, kind: str | None = None) -> int:
        with self.session_factory() as session:
            query = (
                select(func.count())
                .select_from(OperatorTx)
                .where(OperatorTx.chain_id == self.chain_id, OperatorTx.status.in_(IN_FLIGHT))
            )
            if kind is not None:
                query = query.where(OperatorTx.kind == kind)
            return int(session.scalar(query) or 0)

    def track(self, on_finished: OnFinished, keep: Callable[[], None] = lambda: None) -> int:
        """Reconcile every unfinished transaction with the chain; returns how many finished.

        `on_finished(session, tx, receipt)` runs in the same database transaction that records the
        outcome (receipt is None for a dropped transaction), so outcome and effects commit together. `keep()`
        runs before each transaction: the caller's lease renewed, or the round stopped (a slow node may make it
        outlast the lease, and only one relayer may send with the key).
        """
        finished = 0
        with self.session_factory() as session:
            ids = list(
                session.scalars(
                    select(OperatorTx.id)
                    .where(OperatorTx.chain_id == self.chain_id, OperatorTx.status.in_(IN_FLIGHT))
                    .order_by(OperatorTx.nonce)
                )
            )
        for tx_id in ids:
            keep()
            with self.session_factory() as session:
                tx = session.get(OperatorTx, tx_id, with_for_update=True)
                if tx is None or tx.status not in IN_FLIGHT:
                    continue
                if self._reconcile(session, tx, on_finished):
                    finished += 1
                session.commit()
        return finished

    def _reconcile(
        self,
        session: Session,
        tx: OperatorTx,
        on_finished: OnFinished,
    ) -> bool:
        head = int(self.rpc.call("eth_blockNumber", []), 16)
        # The nonce first, at a fixed confirmed block, then the receipts: an attempt of ours mined by that block
        # has its receipt by the time we look, so a block mined between the reads cannot make it look replaced.
        confirmed = max(head - self.policy.confirmations + 1, 0)
        used = int(self.rpc.call("eth_getTransactionCount", [tx.sender, hex(confirmed)]), 16)
        mined = mined_attempt(self.rpc, tx.hashes)
        if mined is None and used > tx.nonce:
            mined = mined_attempt(self.rpc, tx.hashes)  # once more before the verdict: a node can index a receipt late
        if mined is not None:
            return self._finish_mined(session, tx, *mined, head, on_finished)
        if used > tx.nonce:
            tx.status, tx.error = DROPPED, DROPPED_ERROR
            on_finished(session, tx, None)
            log.warning("operator tx dropped", extra={"reference": tx.reference, "nonce": tx.nonce})
            return True
        if tx.status == SIGNED or self.rpc.call("eth_getTransactionByHash", [tx.tx_hash]) is None:
            # Never sent (a crash after persisting, or the node refused it), or the node forgot it: once stuck a
            # repriced attempt (fees the market has left behind are the usual refusal), else, or when the cap
            # leaves no room for one, the same bytes again: an attempt no node holds never mines, and every later
            # nonce waits behind it (a key run dry is refused until refilled, at whatever fee).
            if not (self._stuck(tx) and self._replace(session, tx)):
                self._send_attempt(tx)
        elif self._stuck(tx):
            self._replace(session, tx)
        return False

    def _send_attempt(self, tx: OperatorTx) -> None:
        """`_broadcast`, but a refusal ("transaction underpriced", "fee cap exceeded") or a lost answer holds up only
        this transaction: it is logged, and a later round sends it again or, once it is stuck, reprices it."""
        try:
            self._broadcast(tx)
        except RpcError as exc:
            if tx.submitted_at is None:
                # The stuck clock runs from the first try, so that one refused from the start is repriced too.
                tx.submitted_at = datetime.fromtimestamp(self._clock(), UTC)
            log.warning(
                "operator tx not sent; tried again later",
                extra={"reference": tx.reference, "nonce": tx.nonce, "tx_hash": tx.tx_hash, "error": str(exc)},
            )

    def _finish_mined(
        self,
        session: Session,
        tx: OperatorTx,
        tx_hash: str,
        receipt: dict[str, Any],
        head: int,
        on_finished: OnFinished,
    ) -> bool:
        block = int(receipt["blockNumber"], 16)
        succeeded = int(receipt["status"], 16) == 1
        needed = self.policy.confirmations if succeeded else max(self.policy.confirmations,
                                                                 self.policy.final_confirmations)  # fmt: skip
        if head - block + 1 < needed:
            return False  # mined; wait for the confirmations before acting on it
        tx.status = CONFIRMED if succeeded else FAILED
        tx.mined_hash, tx.block_number = tx_hash, block
        if tx.status == FAILED:
            tx.error = REVERTED_ON_CHAIN
        on_finished(session, tx, receipt)
        log.info(
            "operator tx finished",
            extra={"reference": tx.reference, "status": tx.status, "block": block, "tx_hash": tx_hash},
        )
        return True

    def _stuck(self, tx: OperatorTx) -> bool:
        if tx.submitted_at is None:
            return False
        submitted = tx.submitted_at if tx.submitted_at.tzinfo else tx.submitted_at.replace(tzinfo=UTC)
        return self._clock() - submitted.timestamp() > self.policy.stuck_after_s

    def _replace(self, session: Session, tx: OperatorTx) -> bool:
        """A new attempt at the same nonce, same call and access list, with fees up by FEE_BUMP_PERCENT (and at least
        the market's) but never above the policy's cap, sent; none while the cap leaves no room for a bump a node
        takes, or while the key cannot pay for it (False: the transaction waits at its fees). The attempt is
        committed before it is sent: a lost answer or a crash after the node took it must not lose its hash (mined
        unseen, the transaction would look dropped). None either for a transaction an earlier operator key signed
        (rotated while it was in flight): our key's attempt at its nonce would replace nothing, and only its stored
        bytes can use that key's nonce."""
        if tx.sender != self.sender:
            return False
        market_fee, market_priority = self._fees()
        max_fee = min(self.policy.max_fee_per_gas_cap, max(market_fee, _bumped(tx.max_fee_per_gas, FEE_BUMP_PERCENT)))
        priority = min(max_fee, max(market_priority, _bumped(tx.max_priority_fee_per_gas, FEE_BUMP_PERCENT)))
        if max_fee < _bumped(tx.max_fee_per_gas, NODE_MIN_BUMP_PERCENT) or priority < _bumped(
            tx.max_priority_fee_per_gas, NODE_MIN_BUMP_PERCENT
        ):
            log.info(
                "operator tx stuck at the fee cap; waiting",
                extra={"reference": tx.reference, "nonce": tx.nonce, "max_fee_per_gas": tx.max_fee_per_gas},
            )
            return False
        balance = int(self.rpc.call("eth_getBalance", [self.sender, "latest"]), 16)
        if balance < tx.gas_limit * max_fee:
            # Nodes refuse an attempt its key cannot pay for ("insufficient funds"), and no bid cures that: raised at
            # each look while the key is dry, the refilled key would pay tips up to the cap on every transaction
            # queued meanwhile. It waits at its fees, its stuck clock started again: refilled, its bytes go first.
            log.warning("operator key cannot pay for a repriced attempt; waiting", extra={
                "reference": tx.reference, "nonce": tx.nonce, "balance": balance, "needs": tx.gas_limit * max_fee,
            })  # fmt: skip
            tx.submitted_at = datetime.fromtimestamp(self._clock(), UTC)
            return False
        raw, tx_hash = self._sign(tx.nonce, tx.to, tx.data, tx.gas_limit, tx.access_list, max_fee, priority)
        tx.raw_tx, tx.tx_hash, tx.hashes = raw, tx_hash, [*tx.hashes, tx_hash]
        tx.max_fee_per_gas, tx.max_priority_fee_per_gas = max_fee, priority
        tx.submitted_at = datetime.fromtimestamp(self._clock(), UTC)
        # A relayer past its lease stores no attempt: were its list of hashes to overwrite the holder's (or the
        # holder's its), the attempt that mines could be forgotten, the batch judged lost and its fills sent twice.
        self.fence(session)
        session.commit()
        log.warning(
            "operator tx replaced",
            extra={
                "reference": tx.reference,
                "nonce": tx.nonce,
                "tx_hash": tx_hash,
                "max_fee_per_gas": max_fee,
            },
        )
        self._send_attempt(tx)
        return True


def mined_attempt(rpc: JsonRpcClient, hashes: Sequence[str]) -> tuple[str, dict[str, Any]] | None:
    """The attempt (of a transaction's `hashes`) that has a receipt, with it (at most one can: they share a
    nonce)."""
    for tx_hash in hashes:
        receipt = rpc.call("eth_getTransactionReceipt", [tx_hash])
        if receipt is not None:
            return tx_hash, receipt
    return None


def _bumped(fee: int, percent: int) -> int:
    """`fee` raised by more than `percent` percent (by one wei past the rounded-down threshold a node compares)."""
    return fee * (100 + percent) // 100 + 1
