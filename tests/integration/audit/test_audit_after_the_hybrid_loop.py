"""`hdex audit` after the hybrid loop end to end (deposits, a crossing trade settled by the relayer, a relayed
withdrawal, an exit withdrawal): it passes, and it still passes once the database is wrecked, since it never
reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from auditor.abi import ExchangeAbi
from auditor.chain import ChainReader
from backend.db.models.base import Base

from ..devchain import address_of
from ..e2e.test_hybrid_loop import ALICE, BOB, WEI, Loop, fund
from ..relayer.signed_withdrawals import signed_withdrawal
from .conftest import hdex_audit

pytestmark = pytest.mark.chain


def run_the_loop(loop: Loop) -> None:
    fund(loop)
    loop.place(ALICE, side=1)  # sells 1 WETH at 3,000
    loop.place(BOB, side=0)  # buys it
    loop.relayer.tick()
    loop.relayer.tick()
    assert [f.status for f in loop.fills()] == ["settled"]
    loop.index()  # the withdrawal below spends what the trade credited
    withdrawal, _, signature = signed_withdrawal(loop, BOB, "WETH", WEI // 2)
    body = {"withdrawal": {k: v if isinstance(v, str) else str(v) for k, v in withdrawal._asdict().items()},
            "signature": "0x" + signature.hex()}  # fmt: skip
    assert loop.client.post("/v1/withdrawals", json=body).status_code == 202
    loop.relayer.tick()
    loop.relayer.tick()
    assert loop.chain.vault_balance(BOB, "WETH") < WEI
    # Alice leaves without the operator: exit, wait out the delay, take her USDC.
    exchange = loop.chain.exchange
    loop.chain.send(ALICE, exchange.functions.requestExit())
    loop.chain.rpc("evm_increaseTime", 3_601)
    loop.chain.mine(1)
    loop.chain.send(ALICE, exchange.functions.withdrawExited(loop.chain.token("USDC").address))
    assert loop.chain.vault_balance(ALICE, "USDC") == 0


def test_the_audit_passes_after_the_loop_and_after_the_database_is_wrecked(loop: Loop, tmp_path: Path) -> None:
    run_the_loop(loop)
    exchange = loop.chain.exchange.address

    first = hdex_audit(loop.chain.url, exchange, tmp_path / "first")
    assert first.exit_code == 0, first.stdout
    report = first.report
    assert report["ok"] and report["discrepancies"] == 0
    assert report["counts"]["trades_verified"] == 1 and report["counts"]["withdrawals_verified"] == 1
    assert report["counts"]["signatures_recovered"] == 3  # two orders and the relayed withdrawal
    rows = {(b["wallet"], b["token"]): b for b in report["balances"]}
    usdc, weth = loop.chain.token("USDC").address, loop.chain.token("WETH").address
    assert rows[(address_of(ALICE), usdc)]["rebuilt"] == "0"  # the exit took it all
    assert rows[(address_of(BOB), weth)]["rebuilt"] == str(loop.chain.vault_balance(BOB, "WETH"))
    assert all(s["solvent"] for s in report["solvency"])
    assert "OK: no discrepancy" in first.stdout and "withdrawals verified 1" in first.stdout
    assert (tmp_path / "first" / "audit-report.html").read_text(encoding="utf-8").count("<svg") == 2

    # A range from the withdrawal's block asks the node whether it was paid before: it was not.
    reader = ChainReader(loop.chain.url, exchange, ExchangeAbi.load())
    [withdrawn] = [e for e in reader.logs(0, reader.head())[0] if e.name == "Withdrawn"]
    digest = withdrawn.args["withdrawalHash"]
    assert reader.withdrawal_processed(digest, withdrawn.block)
    assert not reader.withdrawal_processed(digest, withdrawn.block - 1)
    ranged = hdex_audit(loop.chain.url, exchange, tmp_path / "ranged", "--from-block", str(withdrawn.block))
    assert ranged.exit_code == 0, ranged.stdout
    assert ranged.report["counts"]["withdrawals_verified"] == 1

    with loop.container.uow() as uow:  # every row of every table, gone
        for table in reversed(Base.metadata.sorted_tables):
            uow.session.execute(delete(table))
        uow.commit()
    second = hdex_audit(loop.chain.url, exchange, tmp_path / "second")
    assert second.exit_code == 0, second.stdout
    assert second.report["balances"] == report["balances"]
