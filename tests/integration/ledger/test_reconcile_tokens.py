"""Which tokens reconciliation totals, against a scripted node on a real database."""

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from backend.chain.deployments import record_deployments
from backend.cli import main
from backend.db.models import ChainEvent
from backend.db.session import make_engine
from backend.ledger.reconcile import ETH, UnreadableToken, reconcile
from backend.settings import get_settings
from backend.statuses import ChainEventStatus

EXCHANGE = "0x" + "ee" * 20
NO_CODE = "0x" + "0c" * 20


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


def _list_token(session: Session, token: str) -> None:
    session.add(
        ChainEvent(
            chain_id=31337, block_number=1, block_hash="0x" + "11" * 32, tx_hash="0x" + "22" * 32, log_index=0,
            contract=EXCHANGE, name="TokenListingSet", args={"token": token, "listed": True},
            status=ChainEventStatus.FINAL,
        )
    )  # fmt: skip
    session.flush()


def _node_where_the_token_has_no_code(method: str, params: list[Any]) -> Any:
    return hex(0) if method == "eth_getBalance" else "0x"  # eth_call on an address without code answers nothing


def test_a_listed_token_without_code_is_reported_unreadable_by_name(session: Session) -> None:
    _list_token(session, NO_CODE)
    with pytest.raises(UnreadableToken, match=f"token {NO_CODE}: no contract at that address"):
        reconcile(session, _node_where_the_token_has_no_code, 31337, EXCHANGE)


def test_hdex_reconcile_says_which_token_it_could_not_read_and_exits_2(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Exit 1 means "differences found": an unreadable token is "could not compare", in one line."""
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        record_deployments(session, 31337, {"Exchange": EXCHANGE}, 0)
        _list_token(session, NO_CODE)
        session.commit()
    engine.dispose()

    class ScriptedNode:
        def __init__(self, url: str) -> None:
            self.call = _node_where_the_token_has_no_code

        def close(self) -> None:
            pass

    monkeypatch.setattr("backend.cli.ledger.JsonRpcClient", ScriptedNode)
    monkeypatch.setenv("HDEX_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HDEX_CHAIN_ID", "31337")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["reconcile"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"hdex reconcile: cannot read the Exchange's balance of token {NO_CODE}: no contract at that address\n"
    )
