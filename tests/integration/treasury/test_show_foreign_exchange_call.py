"""`show --rpc` warns when a call it names `Exchange.<fn>` (by its selector alone) goes to a contract that is not an
Exchange this Custody administers: a proposal aimed at the wrong address read exactly like the right one."""

from __future__ import annotations

from .conftest import Desk

WARNING = "!!! WARNING: NOT THIS CUSTODY'S EXCHANGE"


def test_an_exchange_call_to_another_contract_is_flagged_when_a_node_is_at_hand(desk: Desk) -> None:
    weth = desk.chain.stack.contracts["WETH"]
    stray = desk.propose("stray.json", "--target", weth, "--function", "pause")
    meant = desk.propose("meant.json", "--target", desk.exchange, "--function", "pause")

    flagged = desk.hdex("show", str(stray), "--rpc", desk.chain.url)
    clean = desk.hdex("show", str(meant), "--rpc", desk.chain.url)

    assert flagged.exit_code == 0, flagged.output
    assert (
        f"{WARNING}: {weth} does not answer admin() with {desk.custody}; Exchange.pause() is named by its selector "
        "alone"
    ) in flagged.output
    assert clean.exit_code == 0, clean.output
    assert WARNING not in clean.output


def test_a_scheduled_exchange_call_to_another_contract_is_flagged_too(desk: Desk) -> None:
    weth = desk.chain.stack.contracts["WETH"]
    stray = desk.propose("fee.json", "--target", weth, "--function", "setFeeSchedule", "1500", "2500")

    shown = desk.hdex("show", str(stray), "--rpc", desk.chain.url)

    assert shown.exit_code == 0, shown.output
    assert "Custody.schedule(" in shown.output
    assert f"{WARNING}: {weth} does not answer admin()" in shown.output
