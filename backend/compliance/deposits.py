"""Depositor screening: the chain cannot refuse a deposit, so a blocked depositor's funds are frozen.

The indexer calls `DepositScreening` with the deposits about to become final; the rows it returns
(frozen funds, alerts) are written in the same transaction as the ledger credit, so a blocked
depositor's money is never available for a moment. If screening is unavailable the deposits stay
pending and the indexer retries (fail closed, without freezing innocent deposits); so do the events after
them, since events become final in chain order (a settlement or withdrawal may spend the deposit).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from backend.alerts.store import AlertKind, Severity, new_alert
from backend.compliance.providers import ProviderUnavailable
from backend.compliance.screening import Screener
from backend.db.models import FrozenFunds
from backend.db.models.base import Base

log = logging.getLogger(__name__)


class DepositScreening:
    """Turns the deposits about to become final into frozen funds and alerts for blocked depositors."""

    def __init__(self, screener: Screener) -> None:
        self.screener = screener

    def __call__(self, events: Sequence[tuple[int, str, dict[str, Any]]]) -> list[Base]:
        deposits = [(event_id, args) for event_id, name, args in events if name == "Deposited"]
        if not deposits:
            return []
        wallets = {str(args["wallet"]) for _, args in deposits}
        decisions = self.screener.screen(wallets, actor="indexer", context="deposit")
        if any(d.result == "error" for d in decisions.values()):
            raise ProviderUnavailable("depositor screening unavailable: deposits and later events stay pending")
        rows: list[Base] = []
        for event_id, args in deposits:
            decision = decisions[str(args["wallet"]).lower()]
            if decision.allowed:
                continue
            reason = "; ".join(h.reason for h in decision.hits)
            rows.append(
                FrozenFunds(
                    chain_event_id=event_id, wallet=args["wallet"], token=args["token"],
                    amount=int(args["amount"]), reason=reason,
                )
            )  # fmt: skip
            details = {"wallet": args["wallet"], "token": args["token"], "amount": args["amount"], "reason": reason}
            message = f"deposit by blocked address {args['wallet']} frozen"
            rows.append(new_alert(AlertKind.SANCTIONED_DEPOSIT, Severity.CRITICAL, message,
                                  subject=f"wallet:{args['wallet']}", details=details,
                                  now_ms=time.time_ns() // 1_000_000))  # fmt: skip
            log.error(message, extra=details)
        return rows
