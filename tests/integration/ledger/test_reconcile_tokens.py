"""Which tokens reconciliation totals, against a scripted node on a real database."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from backend.db import migrate
from backend.db.session import make_engine
from backend.ledger.reconcile import ETH, reconcile

EXCHANGE = "0x" + "ee" * 20


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def test_reconciliation_fails_when_the_exchange_holds_eth_the_ledger_does_not_know(session: Session) -> None:
    def call(method: str, params: list[Any]) -> Any:
        assert (method, params[0]) == ("eth_getBalance", EXCHANGE)  # ETH is never listed by an event
        return hex(5)

    report = reconcile(session, call, 31337, EXCHANGE)
    assert report.tokens == {ETH: (0, 5)}
    assert not report.ok
    assert [(d.check, d.token, d.ledger, d.chain) for d in report.differences] == [("token_total", ETH, 0, 5)]
