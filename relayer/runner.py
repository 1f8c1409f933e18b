"""The relayer loop: one writer of the operator key's nonces (a database lease), backoff on faults."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.bootstrap import Container
from backend.chain.artifacts import load_artifact
from backend.chain.deployments import require_exchange
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.compliance.factory import screener_for
from backend.db.leased_loop import LeasedLoop
from backend.db.models import OperatorTx
from relayer.settlement import BatchPolicy, SettlementWork
from relayer.transactions import TxManager, TxPolicy
from relayer.withdrawals import WithdrawalWork


class RelayerWork(Protocol):
    """One kind of operator transaction: how new ones start and what their outcome does."""

    kind: str

    def start_new(self, txm: TxManager) -> None: ...

    def finish(self, session: Session, tx: OperatorTx, receipt: dict[str, Any] | None) -> None: ...


def relayer_for(container: Container, interval_s: float = 0.5) -> Relayer:
    """The relayer for the recorded Exchange: settlement batches and relayed withdrawals."""
    settings = container.settings
    with container.uow() as uow:
        exchange = require_exchange(uow.session, settings.chain_id).address
    abi = load_artifact("Exchange").abi
    txm = TxManager(
        container.session_factory,
        JsonRpcClient(settings.effective_rpc_url),
        settings.operator_private_key(),
        settings.chain_id,
        TxPolicy(confirmations=settings.relayer_confirmations, final_confirmations=settings.confirmations),
    )
    screener = screener_for(container)
    works: list[RelayerWork] = [
        SettlementWork(
            container,
            screener,
            exchange,
            abi,
            BatchPolicy(max_trades=settings.settlement_batch_size, max_wait_s=settings.settlement_max_wait_s),
        ),
        WithdrawalWork(container, screener, exchange, abi),
    ]
    return Relayer(container, txm, works, interval_s)


class Relayer:
    """Each tick: reconcile in-flight transactions, then start new work if any is waiting.

    One writer of the operator key's nonces: only the holder of the key's lease ticks (`LeasedLoop`).
    """

    def __init__(
        self, container: Container, txm: TxManager, workers: list[RelayerWork], interval_s: float = 0.5
    ) -> None:
        self.txm = txm
        self.workers = workers
        self.leased = LeasedLoop(
            "relayer",
            f"relayer:{container.settings.chain_id}:{txm.sender.lower()}",
            container.session_factory,
            self._round,
            ttl_s=container.settings.relayer_lease_s,
            interval_s=interval_s,
            # Nothing is lost on these: every transaction's state is persisted before it is sent.
            retry_on=(RpcError, SQLAlchemyError),
            context={"operator": txm.sender},
            data_dir=container.settings.data_dir,
        )
        txm.fence = self.leased.fence  # every nonce is assigned under the lease, in the transaction storing it

    def tick(self) -> bool:
        """One round if we hold the lease; False when another relayer holds it."""
        return self.leased.tick() is not None

    def run(self, stop: threading.Event) -> None:
        """Tick every interval until `stop`; RPC or database faults back off and retry."""
        self.leased.run(stop)

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        return self.leased.start_thread(stop)

    def _round(self) -> bool:
        self.txm.track(self._on_finished, keep=self.leased.keep)
        # One kind of work the node or the database fails (say, a settlement batch whose gas it cannot estimate)
        # must not hold up the others (withdrawals): each starts; the first fault is raised after, to back off.
        faults: list[Exception] = []
        for work in self.workers:
            self.leased.keep()  # the round may have outlasted the lease: only its holder starts work
            try:
                work.start_new(self.txm)
            except (RpcError, SQLAlchemyError) as exc:
                faults.append(exc)
        if faults:
            raise faults[0]
        return True  # ran: tells a round from "another relayer holds the lease" (None)

    def _on_finished(self, session: Session, tx: OperatorTx, receipt: dict[str, Any] | None) -> None:
        for work in self.workers:
            if work.kind == tx.kind:
                work.finish(session, tx, receipt)
