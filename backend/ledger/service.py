"""Posting to the ledger: balanced, idempotent by reference, append-only, with a balance cache.

A reference stands once posted, until its posting is reversed; posted again after that (an orphaned chain
event back on the canonical chain), it is stored under `reference#2`, then `#3`..., since references are
unique and nothing is ever deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from backend.db.models import LedgerBalance, LedgerEntry, LedgerTransaction
from backend.ledger.postings import Posting


class UnbalancedTransaction(ValueError):
    """Postings that do not sum to zero per token: a bug in a posting rule, never stored."""


@dataclass(frozen=True, slots=True)
class NewTransaction:
    reason: str
    reference: str
    postings: Sequence[Posting]
    chain_event_id: int | None = None
    reverses_id: int | None = None


def _check_balanced(transaction: NewTransaction) -> None:
    totals: dict[str, int] = defaultdict(int)
    for posting in transaction.postings:
        totals[posting.token] += posting.amount
    unbalanced = {token: total for token, total in totals.items() if total != 0}
    if unbalanced:
        raise UnbalancedTransaction(f"{transaction.reference} does not balance: {unbalanced}")


def post(session: Session, transactions: Iterable[NewTransaction]) -> int:
    """Append the transactions whose reference does not stand; returns how many were posted.

    A reference already in the ledger is skipped, so replays and duplicate deliveries post once; but a
    reference whose latest posting was reversed is posted again, under its next free `reference#n`.
    The caller commits (unit of work).
    """
    pending = [t for t in transactions if any(p.amount for p in t.postings)]
    if not pending:
        return 0
    for transaction in pending:
        _check_balanced(transaction)
    fresh: dict[str, NewTransaction] = {}
    for transaction in pending:
        fresh.setdefault(transaction.reference, transaction)
    stored_as = _free_references(session, list(fresh))
    fresh = {reference: t for reference, t in fresh.items() if reference in stored_as}
    if not fresh:
        return 0
    rows = [
        LedgerTransaction(
            reason=t.reason, reference=stored_as[r], chain_event_id=t.chain_event_id, reverses_id=t.reverses_id
        )
        for r, t in fresh.items()
    ]
    session.add_all(rows)
    session.flush()  # assigns ids
    entries = []
    deltas: dict[tuple[str, str], int] = defaultdict(int)
    for row, transaction in zip(rows, fresh.values(), strict=True):
        for p in transaction.postings:
            if p.amount:
                entries.append(
                    {"transaction_id": row.id, "account": p.account, "token": p.token, "amount": p.amount}
                )
                deltas[(p.account, p.token)] += p.amount
    session.execute(insert(LedgerEntry), entries)
    _apply_to_cache(session, deltas)
    return len(rows)


def _free_references(session: Session, references: list[str]) -> dict[str, str]:
    """reference -> what to store it under now, for each reference that does not stand (never posted, or its
    latest posting reversed); a reference that stands is left out."""
    free: dict[str, str] = {}
    generation = dict.fromkeys(references, 1)
    while generation:
        tried = {_generation(r, g): r for r, g in generation.items()}
        stored = {
            as_stored: transaction_id
            for as_stored, transaction_id in session.execute(
                select(LedgerTransaction.reference, LedgerTransaction.id).where(
                    LedgerTransaction.reference.in_(list(tried))
                )
            )
        }
        reversed_ids = (
            set(
                session.scalars(
                    select(LedgerTransaction.reverses_id).where(
                        LedgerTransaction.reverses_id.in_(list(stored.values()))
                    )
                )
            )
            if stored
            else set()
        )
        for as_stored, reference in tried.items():
            if as_stored not in stored:
                free[reference] = as_stored
                del generation[reference]
            elif stored[as_stored] in reversed_ids:
                generation[reference] += 1  # reversed: try the next generation
            else:
                del generation[reference]  # stands
    return free


def _generation(reference: str, generation: int) -> str:
    return reference if generation == 1 else f"{reference}#{generation}"


def reverse(session: Session, original: LedgerTransaction, reference: str) -> int:
    """Post the exact opposite of `original` (a reversal; nothing is ever deleted)."""
    postings = [
        Posting(e.account, e.token, -e.amount)
        for e in session.scalars(select(LedgerEntry).where(LedgerEntry.transaction_id == original.id))
    ]
    return post(session, [NewTransaction("reversal", reference, postings, reverses_id=original.id)])


def _apply_to_cache(session: Session, deltas: dict[tuple[str, str], int]) -> None:
    keys = list(deltas)
    cached = {
        (b.account, b.token): b
        for b in session.scalars(select(LedgerBalance).where(LedgerBalance.account.in_({k[0] for k in keys})))
    }
    for key, delta in deltas.items():
        row = cached.get(key)
        if row is None:
            session.add(LedgerBalance(account=key[0], token=key[1], amount=delta))
        else:
            row.amount += delta


def balances(session: Session, account: str | None = None) -> dict[tuple[str, str], int]:
    """(account, token) -> balance from the cache; zero balances omitted."""
    query = select(LedgerBalance)
    if account is not None:
        query = query.where(LedgerBalance.account == account)
    return {(b.account, b.token): b.amount for b in session.scalars(query) if b.amount}


def balances_from_entries(session: Session) -> dict[tuple[str, str], int]:
    """(account, token) -> balance summed from the entries themselves (in Python: exact on SQLite)."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for account, token, amount in session.execute(
        select(LedgerEntry.account, LedgerEntry.token, LedgerEntry.amount)
    ):
        totals[(account, token)] += amount
    return {key: value for key, value in totals.items() if value}


def rebuild_balances(session: Session) -> None:
    """Recompute the balance cache from the entries (the caller commits)."""
    session.execute(delete(LedgerBalance))
    session.add_all(
        LedgerBalance(account=account, token=token, amount=amount)
        for (account, token), amount in balances_from_entries(session).items()
    )
