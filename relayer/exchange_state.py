"""Why the Exchange would refuse any call of ours now, read from its state: paused (`settle` only; a
withdrawal is not paused with trading), or our key not an operator (rotated or removed by the multisig).

A simulation that reverts for one of these says nothing about the trade or the withdrawal in it: failing
them would unwind good fills and refuse good withdrawals, so the work waits in line for the refusal to end.
Read from state rather than from the node's error text, which not every node fills with the revert data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from web3.contract import Contract

from backend.db.models import ChainCursor
from relayer.transactions import TxManager


def refusal(txm: TxManager, exchange: Contract, *, pausable: bool) -> str | None:
    """The error every such call from `txm`'s key reverts with now, `ExchangePaused()` (when the call is
    `pausable`) or `ExchangeUnauthorizedOperator(caller=...)`, or None."""
    if pausable and flag(txm, exchange, "paused"):
        return "ExchangePaused()"
    if not flag(txm, exchange, "isOperator", txm.sender):
        return f"ExchangeUnauthorizedOperator(caller={txm.sender})"
    return None


def flag(txm: TxManager, exchange: Contract, getter: str, *args: Any, block: str = "latest") -> bool:
    """The Exchange's boolean view `getter(*args)` at `block` (a tag or 0x-hex number)."""
    data = exchange.encode_abi(getter, args=list(args))
    return bool(int(txm.rpc.call("eth_call", [{"to": exchange.address, "data": data}, block]), 16))


def final_block(session: Session, chain_id: int, exchange: str) -> int | None:
    """The last block the indexer holds final for the Exchange (its events up to there are final), or None before
    it has scanned any."""
    cursors = session.scalars(select(ChainCursor).where(ChainCursor.chain_id == chain_id)).all()
    return next((c.final_block for c in cursors if c.contract.lower() == exchange.lower()), None)


def nonces_used(txm: TxManager, sender: str, block: int) -> int:
    """How many nonces of `sender` transactions mined up to `block` used: one below that is never free again."""
    return int(txm.rpc.call("eth_getTransactionCount", [sender, hex(block)]), 16)
