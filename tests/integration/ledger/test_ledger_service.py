"""The ledger service on a real database: balanced, idempotent, append-only, exact to 2**256."""


import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.db.models import LedgerBalance, LedgerEntry, LedgerTransaction
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, Posting

ALICE, TOKEN = "0x" + "a1" * 20, "0x" + "22" * 20
HUGE = 2**256 - 1


def _deposit(reference: str, amount: int) -> ledger.NewTransaction:
    return ledger.NewTransaction(
        "deposit", reference, [Posting(EXTERNAL, TOKEN, -amount), Posting(ALICE, TOKEN, amount)]
    )


def test_balances_are_exact_up_to_the_largest_uint256(session: Session) -> None:
    ledger.post(session, [_deposit("d1", HUGE)])
    session.commit()
    assert ledger.balances(session, ALICE) == {(ALICE, TOKEN): HUGE}
    assert ledger.balances_from_entries(session)[(EXTERNAL, TOKEN)] == -HUGE


def test_posting_the_same_reference_twice_posts_once(session: Session) -> None:
    assert ledger.post(session, [_deposit("d1", 5), _deposit("d1", 5)]) == 1
    assert ledger.post(session, [_deposit("d1", 5)]) == 0
    session.commit()
    assert ledger.balances(session, ALICE) == {(ALICE, TOKEN): 5}


def test_an_unbalanced_transaction_is_refused_and_writes_nothing(session: Session) -> None:
    bad = ledger.NewTransaction("deposit", "bad", [Posting(ALICE, TOKEN, 5)])
    with pytest.raises(ledger.UnbalancedTransaction):
        ledger.post(session, [_deposit("ok", 1), bad])
    session.rollback()
    assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == 0


def test_a_reversal_appends_the_opposite_entries_and_keeps_the_original(session: Session) -> None:
    ledger.post(session, [_deposit("d1", 7)])
    original = session.scalar(select(LedgerTransaction).where(LedgerTransaction.reference == "d1"))
    assert original is not None
    assert ledger.reverse(session, original, "reversal:d1") == 1
    assert ledger.reverse(session, original, "reversal:d1") == 0  # idempotent too
    session.commit()
    assert ledger.balances(session) == {}
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 4
    reversal = session.scalar(select(LedgerTransaction).where(LedgerTransaction.reference == "reversal:d1"))
    assert reversal is not None and reversal.reverses_id == original.id


def test_the_balance_cache_is_rebuilt_from_the_entries(session: Session) -> None:
    ledger.post(session, [_deposit("d1", 7), _deposit("d2", 8)])
    session.commit()
    row = session.get(LedgerBalance, (ALICE, TOKEN))
    assert row is not None
    row.amount = 999  # corrupt the cache
    session.commit()
    assert ledger.balances(session, ALICE) == {(ALICE, TOKEN): 999}
    ledger.rebuild_balances(session)
    session.commit()
    assert ledger.balances(session, ALICE) == {(ALICE, TOKEN): 15}


def test_a_reversed_posting_posts_again_once_under_a_new_reference(session: Session) -> None:
    ledger.post(session, [_deposit("d1", 7)])
    first = session.scalar(select(LedgerTransaction).where(LedgerTransaction.reference == "d1"))
    assert first is not None
    ledger.reverse(session, first, "reversal:d1")
    assert ledger.post(session, [_deposit("d1", 7)]) == 1  # the reversal undid it: it stands again
    assert ledger.post(session, [_deposit("d1", 7)]) == 0  # ... once
    session.commit()
    assert ledger.balances(session) == {(ALICE, TOKEN): 7, (EXTERNAL, TOKEN): -7}
    second = session.scalar(select(LedgerTransaction).where(LedgerTransaction.reference == "d1#2"))
    assert second is not None
    ledger.reverse(session, second, "reversal:d1#2")
    assert ledger.post(session, [_deposit("d1", 7), _deposit("d1", 7)]) == 1
    session.commit()
    assert ledger.balances(session) == {(ALICE, TOKEN): 7, (EXTERNAL, TOKEN): -7}
    references = session.scalars(select(LedgerTransaction.reference).order_by(LedgerTransaction.id)).all()
    assert references == ["d1", "reversal:d1", "d1#2", "reversal:d1#2", "d1#3"]
