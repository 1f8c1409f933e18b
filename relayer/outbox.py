"""Account messages sent once the transaction that made them true has committed.

A message wakes a client that reads the API at once (the dApp refetches the wallet's fills on a
`settlement` message): sent before the commit, that read can find the old row, and no later message
corrects it. So a message is queued on its session and sent after the commit; a rollback drops it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

Notify = Callable[[str, dict[str, Any]], object]
_OUTBOX = "hdex_account_outbox"
_LISTENING = "hdex_account_outbox_listening"


def tell_after_commit(session: Session, notify: Notify, wallet: str, message: dict[str, Any]) -> None:
    """Queue `message` for `wallet`'s account channel until `session` commits."""
    if not session.info.get(_LISTENING):  # once per session: it lives for one unit of work
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _send)
        event.listen(session, "after_rollback", _drop)
    session.info.setdefault(_OUTBOX, []).append((notify, wallet, message))


def _send(session: Session) -> None:
    for notify, wallet, message in session.info.pop(_OUTBOX, []):
        notify(wallet, message)


def _drop(session: Session) -> None:
    session.info.pop(_OUTBOX, None)
