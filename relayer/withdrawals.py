"""Relayed withdrawals: accepted request -> `withdraw` transaction -> mined -> final in the ledger.

A request holds its amount from acceptance until it ends: trading subtracts unfinished requests from
the ledger balance (`backend.trading.hosting.chain_sync.wallet_balances`), so the hold needs no second
bookkeeping and survives restarts. A request completes when the indexer has seen its `Withdrawn` event final (the ledger
then carries the debit), and fails, releasing the hold, if the transaction reverts (at a final block), or the
final chain shows it can never be mined: found dropped, or reported mined and then taken out by a reorg.

The wallet and the recipient are screened again right before the transaction is signed: a request waits in
line (a withdrawal pause, a relayer down) after the API screened it, and a wallet deny-listed or sanctioned
meanwhile must not be paid out. A blocked request fails (the funds stay in the Exchange, under a frozen
wallet); while screening is unavailable, none is relayed (fail closed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from web3 import Web3

from backend.bootstrap import Container
from backend.compliance.screening import Screener
from backend.db.models import ChainEvent, OperatorTx, WithdrawalRequest
from backend.marketdata.account_updates import account_notifier_for
from backend.risk.withdrawal_pause import active_pause
from backend.statuses import (
    INVALID_RECIPIENT,
    RECIPIENT_GAS,
    RECIPIENT_REVERTED,
    REVERTED_ON_CHAIN,
    ChainEventStatus,
    WithdrawalStatus,
    blocked_by_screening,
)
from backend.trading.store.withdrawals import cooldown_words, reverted_lately
from relayer.exchange_state import final_block, flag, nonces_used, refusal
from relayer.outbox import Notify, tell_after_commit
from relayer.transactions import CONFIRMED, DROPPED, DROPPED_ERROR, LOST_IN_REORG, SimulationFailed, TxManager

log = logging.getLogger(__name__)

ACTIVE = (WithdrawalStatus.ACCEPTED, WithdrawalStatus.RELAYING, WithdrawalStatus.RELAYED)


class WithdrawalWork:
    """Relays accepted withdrawals one transaction each, and completes them from the ledger."""

    kind = "withdraw"

    def __init__(
        self,
        container: Container,
        screener: Screener,
        exchange: str,
        exchange_abi: list[dict[str, Any]],
        clock: Callable[[], float] = time.time,
        notify: Notify | None = None,
    ) -> None:
        self.container = container
        self.screener = screener
        self.notify = notify or account_notifier_for(container)
        self.exchange = Web3.to_checksum_address(exchange)
        self.contract = Web3().eth.contract(address=self.exchange, abi=exchange_abi)
        self._clock = clock

    def start_new(self, txm: TxManager) -> None:
        self._complete_final()
        self._fail_lost(txm)
        with self.container.session_factory() as session:
            # while ledger and chain differ, accepted withdrawals wait too: they were valued on that ledger
            if active_pause(session) is not None:
                return
            waiting = session.scalars(
                select(WithdrawalRequest)
                .where(WithdrawalRequest.status == WithdrawalStatus.ACCEPTED)
                .order_by(WithdrawalRequest.created_at_ms)
            ).all()
        for request in self._screened(waiting):
            self._relay(txm, request)

    def _screened(self, requests: Sequence[WithdrawalRequest]) -> list[WithdrawalRequest]:
        """The requests whose wallet and recipient are both clear; a blocked one is failed (its hold released)."""
        if not requests:
            return []
        parties = {party for r in requests for party in (r.wallet, r.recipient)}
        decisions = self.screener.screen(parties, actor="relayer", context="withdrawal")
        if any(d.result == "error" for d in decisions.values()):
            log.warning("screening unavailable; withdrawals wait", extra={"withdrawals": len(requests)})
            return []
        clear = []
        for request in requests:
            roles = [role for role, who in (("wallet", request.wallet), ("recipient", request.recipient))
                     if not decisions[who.lower()].allowed]  # fmt: skip
            if not roles:
                clear.append(request)
                continue
            self._fail(request.hash, blocked_by_screening(roles))
            log.warning("withdrawal not relayed: screening", extra={"withdrawal": request.hash, "blocked": roles})
        return clear

    def calldata(self, request: WithdrawalRequest) -> str:
        withdrawal = (
            request.wallet,
            request.token,
            request.amount,
            request.max_fee,
            request.recipient,
            request.nonce,
            request.expiry,
        )
        return str(self.contract.encode_abi("withdraw", args=[withdrawal, request.signature, request.fee]))

    def _relay(self, txm: TxManager, request: WithdrawalRequest) -> None:
        if int(request.recipient, 16) == 0 or request.recipient.lower() == self.exchange.lower():
            # Stored before the API refused such recipients; never signed, whatever the deployed contract allows.
            self._fail(request.hash, f"{INVALID_RECIPIENT}: the zero address or the Exchange")
            log.warning("withdrawal to an unowned recipient refused", extra={"withdrawal": request.hash})
            return
        cooldown_s = self.container.settings.withdrawal_revert_cooldown_s
        with self.container.session_factory() as session:
            reverted = reverted_lately(
                session, request.wallet, request.token, request.recipient, cooldown_s, self._now_ms()
            )
        if reverted:  # one accepted before that revert: it would most likely cost another reverted transaction
            within = cooldown_words(cooldown_s)
            self._fail(request.hash, f"{RECIPIENT_REVERTED}: the wallet's ether to this recipient reverted on-chain "
                                     f"within the last {within}: withdraw to another address")  # fmt: skip
            log.warning("withdrawal failed before submission: its recipient reverted one lately",
                        extra={"withdrawal": request.hash, "recipient": request.recipient})  # fmt: skip
            return
        calldata = self.calldata(request)
        try:
            simulation = txm.simulate(self.exchange, calldata)
        except SimulationFailed as exc:
            refused = refusal(txm, self.contract, pausable=False)
            if refused is not None:  # not the request's fault: it waits, accepted, for the refusal to end
                log.warning("withdrawal waits: the exchange refuses our key", extra={"reason": refused})
                return
            self._fail(request.hash, f"withdrawal would revert: {exc}"[:200])
            log.warning("withdrawal failed before submission", extra={"withdrawal": request.hash, "error": str(exc)})
            return
        most = self.container.settings.withdrawal_max_gas
        if simulation.gas_limit > most:
            # The recipient decides what taking ETH costs (the contract forwards all gas): one that demands more
            # than a block holds would be refused by every node and hold every later nonce of the key behind it,
            # and one that burns it makes the operator pay a block's gas for a wei.
            self._fail(request.hash, f"{RECIPIENT_GAS}: taking it would need {simulation.gas_limit} gas, more than "
                                     f"the {most} a withdrawal may use: withdraw to an address that accepts plain "
                                     "transfers")  # fmt: skip
            log.warning("withdrawal failed before submission: too much gas",
                        extra={"withdrawal": request.hash, "gas": simulation.gas_limit})  # fmt: skip
            return
        with self.container.session_factory() as session:
            row = session.get(WithdrawalRequest, request.hash, with_for_update=True)
            if row is None or row.status != WithdrawalStatus.ACCEPTED:
                return
            tx = txm.create(session, self.kind, f"withdraw:{request.hash}", self.exchange, calldata, simulation)
            row.status, row.tx_hash, row.updated_at_ms = WithdrawalStatus.RELAYING, tx.tx_hash, self._now_ms()
            session.commit()
            tx_id = tx.id
        txm.send(tx_id)

    def finish(self, session: Session, tx: OperatorTx, receipt: dict[str, Any] | None) -> None:
        request = session.get(WithdrawalRequest, tx.reference.removeprefix("withdraw:"))
        if request is None:
            return
        if tx.status == DROPPED or request.status == WithdrawalStatus.COMPLETED:
            # Its nonce used, no receipt of ours: a node that lags says as much of a withdrawal it mined. Failed now,
            # its hold would end while the amount may be gone; it stays relaying until the final chain decides
            # (`_fail_lost`, `_complete_final`). Completed, the final chain decided already (its Withdrawn event came
            # before this relayer's node showed the receipt): it is not moved back.
            return
        request.updated_at_ms = self._now_ms()
        if tx.status == CONFIRMED:
            request.status, request.tx_hash = WithdrawalStatus.RELAYED, tx.mined_hash
        else:
            request.status, request.failure = WithdrawalStatus.FAILED, tx.error or tx.status
        self._tell(session, request)

    def _complete_final(self) -> None:
        """A request whose Withdrawn event is final in the ledger is complete: a relayed one, one whose transaction
        looked dropped, and one that an earlier relayer wrongly failed as dropped, lost in a reorg or reverted,
        although it was mined (the chain has the last word)."""
        with self.container.session_factory() as session:
            waiting = {
                r.hash: r
                for r in session.scalars(
                    select(WithdrawalRequest).where(
                        or_(
                            WithdrawalRequest.status.in_((WithdrawalStatus.RELAYING, WithdrawalStatus.RELAYED)),
                            and_(
                                WithdrawalRequest.status == WithdrawalStatus.FAILED,
                                or_(
                                    WithdrawalRequest.failure.in_((DROPPED_ERROR, LOST_IN_REORG)),
                                    # reverted where it was first mined; a reorg deeper than the relayer's
                                    # confirmations may have mined it again, successfully, on the final chain
                                    WithdrawalRequest.failure.startswith(REVERTED_ON_CHAIN),
                                ),
                            ),
                        )
                    )
                )
            }
            if not waiting:
                return
            withdrawal_hash = ChainEvent.args["withdrawalHash"].as_string()
            final = session.execute(
                select(withdrawal_hash, ChainEvent.tx_hash).where(
                    ChainEvent.name == "Withdrawn",
                    ChainEvent.status == ChainEventStatus.FINAL,
                    withdrawal_hash.in_(list(waiting)),
                )
            )
            for request_hash, tx_hash in final:
                request = waiting[request_hash]
                if request.status == WithdrawalStatus.FAILED:
                    log.warning("withdrawal failed was mined; completed", extra={
                        "withdrawal": request.hash, "failure": request.failure,
                    })  # fmt: skip
                request.status, request.failure, request.tx_hash = WithdrawalStatus.COMPLETED, None, tx_hash
                request.updated_at_ms = self._now_ms()
                # the wallet may have been told it failed: it is told how it ended. Written whatever this session
                # read: the mail pass may have marked it noticed (and mailed "failed") since
                request.noticed = False
                flag_modified(request, "noticed")
                self._tell(session, request)
                log.info("withdrawal completed", extra={"withdrawal": request.hash, "wallet": request.wallet})
            session.commit()

    def _fail_lost(self, txm: TxManager) -> None:
        """Fail the requests whose transaction can never be mined any more: reported mined (relayed) or found
        dropped (still relaying), its nonce used at the indexer's final block, and the Exchange has not processed
        the withdrawal there (another transaction took the nonce, or ours was mined again and reverted). No
        `Withdrawn` will come; waiting would keep the hold for ever. A deeper reorg that brings it back is still
        completed (`_complete_final`). One whose nonce is unused there and that no node holds any more is sent
        again: else nothing would ever mine it or use its nonce."""
        with self.container.session_factory() as session:
            relayed = {
                r.hash: r
                for r in session.scalars(
                    select(WithdrawalRequest).where(
                        WithdrawalRequest.status.in_((WithdrawalStatus.RELAYING, WithdrawalStatus.RELAYED))
                    )
                )
            }
            if not relayed:
                return
            final = final_block(session, self.container.settings.chain_id, self.exchange)
            if final is None:
                return
            nonces = session.execute(
                select(
                    OperatorTx.id,
                    OperatorTx.reference,
                    OperatorTx.sender,
                    OperatorTx.nonce,
                    OperatorTx.status,
                    OperatorTx.block_number,
                ).where(OperatorTx.reference.in_([f"withdraw:{h}" for h in relayed]))
            ).all()
            used: dict[str, int] = {}  # per sender: a transaction an earlier operator key signed counts its nonces
            unmined: list[int] = []
            for tx_id, reference, sender, nonce, tx_status, block in nonces:
                request = relayed[reference.removeprefix("withdraw:")]
                if request.status == WithdrawalStatus.RELAYING and tx_status != DROPPED:
                    continue  # in flight: its transaction is the tracker's
                if sender not in used:
                    used[sender] = nonces_used(txm, sender, final)
                if nonce >= used[sender]:
                    # Its nonce unused at a final block: it may still be mined. Once the final block passes where it
                    # was mined (or it looked dropped), it is sent again if no node holds it.
                    if block is None or block <= final:
                        unmined.append(tx_id)
                    continue
                if flag(txm, self.contract, "isWithdrawalProcessed", bytes.fromhex(request.hash[2:]), block=hex(final)):
                    continue  # it was: the indexer's final Withdrawn completes it
                request.status, request.failure = WithdrawalStatus.FAILED, LOST_IN_REORG
                request.updated_at_ms = self._now_ms()
                self._tell(session, request)
                log.warning("relayed withdrawal lost in a reorg; failed", extra={"withdrawal": request.hash})
            session.commit()
        for tx_id in unmined:
            txm.revive(tx_id)

    def _fail(self, request_hash: str, failure: str) -> None:
        """Fail an accepted request before any transaction (its hold ends); one that moved on meanwhile stays."""
        with self.container.session_factory() as session:
            row = session.get(WithdrawalRequest, request_hash, with_for_update=True)
            if row is not None and row.status == WithdrawalStatus.ACCEPTED:
                row.status, row.failure, row.updated_at_ms = WithdrawalStatus.FAILED, failure, self._now_ms()
                self._tell(session, row)
                session.commit()

    def _tell(self, session: Session, request: WithdrawalRequest) -> None:
        """The wallet hears of every step of its withdrawal on its account channel (at least once), once
        `session` commits."""
        message = {"type": "withdrawal", "hash": request.hash, "status": request.status, "token": request.token,
                   "amount": str(request.amount), "txHash": request.tx_hash, "failure": request.failure}  # fmt: skip
        tell_after_commit(session, self.notify, request.wallet, message)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)
