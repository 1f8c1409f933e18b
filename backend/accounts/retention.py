"""The scheduled retention purge: `Accounts.purge_expired` once an hour, in a thread of `hdex up`
(embedded shape) or as a Celery beat task of `hdex worker` (production shape)."""

from __future__ import annotations

import logging
import threading

from backend.accounts.service import Accounts

log = logging.getLogger(__name__)
PURGE_INTERVAL_S = 3600.0


def purge_periodically(accounts: Accounts, stop: threading.Event, interval_s: float = PURGE_INTERVAL_S) -> None:
    """Purge now, then every `interval_s`, until `stop` is set. A failed run is logged and retried at
    the next interval: the records stay due, so nothing is skipped."""
    while not stop.is_set():
        try:
            accounts.purge_expired()
        except Exception:
            log.exception("KYC retention purge failed; retrying at the next interval")
        stop.wait(interval_s)


def start_purge_thread(
    accounts: Accounts, stop: threading.Event, interval_s: float = PURGE_INTERVAL_S
) -> threading.Thread:
    """`purge_periodically` in a daemon thread."""
    thread = threading.Thread(
        target=purge_periodically, args=(accounts, stop, interval_s), name="kyc-retention-purge", daemon=True
    )
    thread.start()
    return thread
