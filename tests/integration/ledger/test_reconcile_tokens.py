"""Which tokens reconciliation totals, against a scripted node on a real database."""

from typing import Any

from sqlalchemy.orm import Session

from backend.ledger.reconcile import ETH, reconcile

EXCHANGE = "0x" + "ee" * 20


def test_what_the_exchange_holds_beyond_the_ledger_is_a_surplus_not_a_difference(session: Session) -> None:
    def call(method: str, params: list[Any]) -> Any:
        assert (method, params[0]) == ("eth_getBalance", EXCHANGE)  # ETH is never listed by an event
        return hex(5)

    report = reconcile(session, call, 31337, EXCHANGE)
    assert report.tokens == {ETH: (0, 5)}
    assert report.ok and report.differences == []  # anyone can send ETH or a token to the contract
    assert report.surplus == {ETH: 5}
    assert "MORE token 0x0000000000000000000000000000000000000000 ledger=0 chain=5" in report.render()
    assert "surplus: the Exchange holds 5 of 0x0000000000000000000000000000000000000000" in report.render()
