"""The relayer loop: one writer of the operator key's nonces (a database lease), backoff on faults."""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.bootstrap import Container
from backend.chain.artifacts import load_artifact
from backend.chain.deployments import require_exchange
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.compliance.factory import build_screener
from backend.db.leases import acquire_lease, release_lease
from backend.db.models import OperatorTx
from relayer.settlement import BatchPolicy, SettlementWork
from relayer.transactions import TxManager, TxPolicy
from relayer.withdrawals import WithdrawalWork

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 10.0


class RelayerWork(Protocol):
    """One kind of operator transaction: how new ones start and what their outcome does."""

    kind: str

    def start_new(self, txm: TxManager) -> None: ...

    def finish(self, session: Session, tx: OperatorTx, receipt: dict[str, Any] | None) -> None: ...


def relayer_for(container: Container) -> Relayer:
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
        TxPolicy(confirmations=settings.relayer_confirmations),
    )
    works: list[RelayerWork] = [
        SettlementWork(
            container,
            build_screener(container),
            exchange,
            abi,
            BatchPolicy(max_trades=settings.settlement_batch_size, max_wait_s=settings.settlement_max_wait_s),
        ),
        WithdrawalWork(container, exchange, abi),
    ]
    return Relayer(container, txm, works)


class Relayer:
    """Each tick: reconcile in-flight transactions, then start new work if any is waiting."""

    def __init__(self, container: Container, txm: TxManager, workers: list[RelayerWork]) -> None:
        self.container = container
        self.txm = txm
        self.workers = workers
        self.lease = f"relayer:{container.settings.chain_id}:{txm.sender.lower()}"
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    def tick(self) -> bool:
        """One round if we hold the lease; False when another relayer holds it."""
        with self.container.session_factory() as session:
            if not acquire_lease(session, self.lease, self.owner, ttl_s=self.container.settings.relayer_lease_s):
                return False
        self.txm.track(self._on_finished)
        for work in self.workers:
            work.start_new(self.txm)
        return True

    def _on_finished(self, session: Session, tx: OperatorTx, receipt: dict[str, Any] | None) -> None:
        for work in self.workers:
            if work.kind == tx.kind:
                work.finish(session, tx, receipt)

    def run(self, stop: threading.Event, interval_s: float = 0.5) -> None:
        """Tick until `stop`; RPC or database faults back off and retry (nothing is lost: state is persisted)."""
        delay = interval_s
        log.info("relayer started", extra={"operator": self.txm.sender, "lease": self.lease})
        try:
            while not stop.is_set():
                try:
                    self.tick()
                    delay = interval_s
                except (RpcError, SQLAlchemyError) as exc:
                    delay = min(MAX_BACKOFF_S, delay * 2)
                    log.warning("relayer tick failed; retrying", extra={"error": str(exc), "retry_in_s": delay})
                stop.wait(delay)
        finally:
            with self.container.session_factory() as session:
                release_lease(session, self.lease, self.owner)
            log.info("relayer stopped")

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name="relayer", daemon=True)
        thread.start()
        return thread
