"""The indexer loop: one writer (a database lease), backoff on faults, metrics after each poll."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from backend.bootstrap import Container
from backend.chain.artifacts import load_artifact
from backend.chain.deployments import require_exchange
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.compliance.deposits import DepositScreening
from backend.compliance.factory import screener_for
from backend.compliance.providers import ProviderUnavailable
from backend.db.leased_loop import LeasedLoop
from backend.marketdata.account_updates import account_notifier_for
from backend.metrics import (
    INDEXER_ERRORS,
    INDEXER_EVENTS,
    INDEXER_FINAL_BLOCK,
    INDEXER_LAG,
    INDEXER_LAST_BLOCK,
    INDEXER_REORGS,
)
from indexer.decode import EventDecoder
from indexer.follower import Follower, FollowerConfig, PollResult

log = logging.getLogger(__name__)


def build_follower(container: Container) -> Follower:
    """A follower for the recorded Exchange deployment on the configured chain."""
    settings = container.settings
    with container.uow() as uow:
        exchange = require_exchange(uow.session, settings.chain_id)
    config = FollowerConfig(
        chain_id=settings.chain_id,
        exchange=exchange.address,
        start_block=exchange.start_block,
        confirmations=settings.confirmations,
    )
    return Follower(
        JsonRpcClient(settings.effective_rpc_url),
        EventDecoder(load_artifact("Exchange").abi),
        container.session_factory,
        config,
        before_final=DepositScreening(screener_for(container)),
    )


class IndexerLoop:
    """Polls until stopped; only the holder of the chain's lease writes (`LeasedLoop`)."""

    def __init__(self, container: Container, follower: Follower, interval_s: float = 1.0) -> None:
        self.follower = follower
        # A wallet hears of each final deposit and exit withdrawal on its account channel: the engine announces
        # balances only of the wallets it follows (those that traded), so a deposit made elsewhere (another tab, a
        # script) or an escape-hatch withdrawal would otherwise reach an open page only when it next reads its balances.
        self.notify: Callable[[str, dict[str, Any]], bool] = account_notifier_for(container)
        self.leased = LeasedLoop(
            "indexer",
            f"indexer:{follower.config.chain_id}",
            container.session_factory,
            self._poll_held,
            ttl_s=container.settings.indexer_lease_s,
            interval_s=interval_s,
            retry_on=(RpcError, SQLAlchemyError, ProviderUnavailable),
            on_fault=lambda _: INDEXER_ERRORS.inc(),
            on_stop=follower.reader.close,
            context={"exchange": follower.config.exchange},
            data_dir=container.settings.data_dir,
        )

    def poll(self) -> PollResult | None:
        """One poll if we hold (or can take) the lease; None when another writer holds it."""
        return self.leased.tick()

    def run(self, stop: threading.Event) -> None:
        """Poll every interval until `stop` is set; back off exponentially while faults last."""
        self.leased.run(stop)

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        return self.leased.start_thread(stop)

    def _poll_held(self) -> PollResult:
        result = self.follower.poll_once(keep=self.leased.keep)
        self._record(result)
        for booking in result.booked:  # committed: a reader woken by it finds the ledger moved
            self.notify(booking.wallet, {
                "type": booking.kind, "status": "final", "token": booking.token, "amount": str(booking.amount),
                "txHash": booking.tx_hash,
            })  # fmt: skip
        return result

    def _record(self, result: PollResult) -> None:
        INDEXER_LAST_BLOCK.set(result.last_block)
        INDEXER_FINAL_BLOCK.set(result.final_block)
        INDEXER_LAG.set(max(0, result.head - result.last_block))
        INDEXER_EVENTS.inc(result.new_events)
        INDEXER_REORGS.set(result.reorgs)
        if result.new_events or result.finalized or result.orphaned:
            log.info(
                "indexer poll",
                extra={
                    "head": result.head,
                    "last_block": result.last_block,
                    "final_block": result.final_block,
                    "new_events": result.new_events,
                    "finalized": result.finalized,
                    "orphaned": result.orphaned,
                },
            )
