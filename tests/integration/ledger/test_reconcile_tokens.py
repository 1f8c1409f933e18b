"""Which tokens reconciliation totals, against a scripted node on a real database."""

from typing import Any

from sqlalchemy.orm import Session

from backend.ledger.reconcile import ETH, reconcile

EXCHANGE = "0x" + "ee" * 20


def test_reconciliation_fails_when_the_exchange_holds_eth_the_ledger_does_not_know(session: Session) -> None:
    def call(method: str, params: list[Any]) -> Any:
        assert (method, params[0]) == ("eth_getBalance", EXCHANGE)  # ETH is never listed by an event
        return hex(5)

    report = reconcile(session, call, 31337, EXCHANGE)
    assert report.tokens == {ETH: (0, 5)}
    assert not report.ok
    assert [(d.check, d.token, d.ledger, d.chain) for d in report.differences] == [("token_total", ETH, 0, 5)]
