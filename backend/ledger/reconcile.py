"""Reconciliation: the ledger against the chain, at the block up to which the ledger is final.

Checks, per token: what the Exchange holds on-chain covers the ledger's total of every account but
`external` (more is a surplus, reported apart: anyone can send a token to the contract without a
deposit, and that must not read as a fault of the books, or one wei would keep withdrawals paused;
a missed credit still shows in the wallet's own check); per (wallet, token): the ledger equals
`Exchange.balanceOf(wallet, token)`; `fees-in-transit` is zero (fees are collected in the same
transaction as their trades); and the balance cache equals the sum of the entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import ChainCursor, ChainEvent
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, FEES_IN_TRANSIT
from backend.statuses import ChainEventStatus

ETH = "0x0000000000000000000000000000000000000000"
_VAULT_BALANCE = keccak(text="balanceOf(address,address)")[:4]
_ERC20_BALANCE = keccak(text="balanceOf(address)")[:4]

RpcCall = Callable[[str, list[Any]], Any]


class UnreadableToken(ValueError):
    """A listed token's balance cannot be read: no contract at its address (an empty answer), or an answer that is
    not a balance. The books cannot be compared for it, which is no difference either."""

    def __init__(self, token: str, answer: str) -> None:
        why = "no contract at that address" if answer in ("0x", "") else f"balanceOf answered {answer[:80]!r}"
        super().__init__(f"cannot read the Exchange's balance of token {token}: {why}")
        self.token = token


@dataclass(frozen=True)
class Difference:
    check: str  # token_total | wallet | fees_in_transit | cache
    account: str
    token: str
    ledger: int
    chain: int

    def line(self) -> str:
        return (
            f"DIFF {self.check:<15} {self.account:<42} {self.token} "
            f"ledger={self.ledger} chain={self.chain} delta={self.ledger - self.chain}"
        )


@dataclass
class Report:
    exchange: str
    block: int
    tokens: dict[str, tuple[int, int]] = field(default_factory=dict)  # token -> (ledger, chain)
    wallets_checked: int = 0
    differences: list[Difference] = field(default_factory=list)
    surplus: dict[str, int] = field(default_factory=dict)  # token -> held beyond every account's balance

    @property
    def ok(self) -> bool:
        return not self.differences

    def render(self) -> str:
        lines = [f"reconciliation of Exchange {self.exchange} at block {self.block}"]
        for token, (in_ledger, on_chain) in sorted(self.tokens.items()):
            mark = "ok  " if in_ledger == on_chain else "MORE" if on_chain > in_ledger else "DIFF"
            lines.append(f"{mark} token {token} ledger={in_ledger} chain={on_chain}")
        lines.extend(
            f"surplus: the Exchange holds {amount} of {token} beyond every account's balance (sent to the contract "
            "without a deposit: nobody's, not a difference)"
            for token, amount in sorted(self.surplus.items())
        )
        lines.append(f"wallet balances checked: {self.wallets_checked}")
        lines.extend(d.line() for d in self.differences)
        lines.append("result: " + ("ok" if self.ok else f"{len(self.differences)} difference(s)"))
        return "\n".join(lines)


def reconcile(session: Session, call: RpcCall, chain_id: int, exchange: str) -> Report:
    """Compare the ledger with the chain at the indexer's final block. Reads only."""
    cursor = session.scalar(
        select(ChainCursor).where(ChainCursor.chain_id == chain_id, ChainCursor.contract == exchange)
    )
    block = cursor.final_block if cursor is not None else 0
    report = Report(exchange=exchange, block=block)
    entries = ledger.balances_from_entries(session)
    cached = ledger.balances(session)
    for key in sorted(set(entries) | set(cached)):
        if entries.get(key, 0) != cached.get(key, 0):
            report.differences.append(
                Difference("cache", key[0], key[1], cached.get(key, 0), entries.get(key, 0))
            )

    totals: dict[str, int] = defaultdict(int)
    for (account, token), amount in entries.items():
        if account != EXTERNAL:
            totals[token] += amount
    # Tokens the ledger has never seen are checked too: what the Exchange holds of them is a difference.
    # ETH is never listed by an event (`depositEther` takes it from deployment on), so it is always checked.
    for token in _listed_tokens(session, chain_id) | {ETH}:
        totals.setdefault(token, 0)
    tag = hex(block)
    for token, in_ledger in sorted(totals.items()):
        on_chain = held_by_exchange(call, exchange, token, tag)
        report.tokens[token] = (in_ledger, on_chain)
        if on_chain < in_ledger:
            report.differences.append(Difference("token_total", exchange, token, in_ledger, on_chain))
        elif on_chain > in_ledger:
            report.surplus[token] = on_chain - in_ledger

    for (account, token), in_ledger in sorted(entries.items()):
        if account == EXTERNAL:
            continue
        if account == FEES_IN_TRANSIT:
            report.differences.append(Difference("fees_in_transit", account, token, in_ledger, 0))
            continue
        on_chain = _vault_balance(call, exchange, account, token, tag)
        report.wallets_checked += 1
        if in_ledger != on_chain:
            report.differences.append(Difference("wallet", account, token, in_ledger, on_chain))
    return report


def _listed_tokens(session: Session, chain_id: int) -> set[str]:
    events = session.scalars(
        select(ChainEvent).where(
            ChainEvent.chain_id == chain_id,
            ChainEvent.name == "TokenListingSet",
            ChainEvent.status == ChainEventStatus.FINAL,
        )
    )
    return {str(e.args["token"]) for e in events}


def held_by_exchange(call: RpcCall, exchange: str, token: str, tag: str) -> int:
    """What the Exchange contract holds of `token` at block `tag`: ETH (the zero address) by eth_getBalance,
    an ERC-20 by its balanceOf. Raises `UnreadableToken` when the token's answer is no balance."""
    if int(token, 16) == 0:
        return int(call("eth_getBalance", [exchange, tag]), 16)
    data = "0x" + (_ERC20_BALANCE + abi_encode(["address"], [exchange])).hex()
    answer = str(call("eth_call", [{"to": token, "data": data}, tag]))
    try:
        return _uint(answer)
    except (DecodingError, ValueError):
        raise UnreadableToken(token, answer) from None


def _vault_balance(call: RpcCall, exchange: str, wallet: str, token: str, tag: str) -> int:
    data = "0x" + (_VAULT_BALANCE + abi_encode(["address", "address"], [wallet, token])).hex()
    return _uint(call("eth_call", [{"to": exchange, "data": data}, tag]))


def _uint(result: str) -> int:
    (value,) = abi_decode(["uint256"], bytes.fromhex(result[2:]))
    return int(value)
