"""A deposit or an escape-hatch withdrawal made final is told to its wallet's account channel, also for a wallet the
engine does not follow (one that never traded): the engine announces balances only of the wallets it follows, so a
deposit made elsewhere (another tab, a script) or an exit withdrawal reached an open page only when the page next read
its balances (the dApp polled them for two minutes after an exit withdrawal)."""

from __future__ import annotations

from typing import Any

import pytest

from backend.marketdata.account_updates import account_notifier_for

from ..devchain import address_of
from ..e2e.test_hybrid_loop import Loop

pytestmark = pytest.mark.chain

CAROL = 7  # a dev wallet that holds tokens and has never traded here
AMOUNT = 1_234 * 10**6


def messages_until_marker(ws: Any, loop: Loop, wallet: str) -> list[dict[str, Any]]:
    """What the account channel carried so far: a marker sent now through the same notifier arrives after it."""
    account_notifier_for(loop.container)(wallet, {"type": "marker"})
    seen: list[dict[str, Any]] = []
    while (message := ws.receive_json())["type"] != "marker":
        seen.append(message)
    return seen


def test_a_final_deposit_is_told_to_a_wallet_the_engine_does_not_follow(loop: Loop) -> None:
    wallet = address_of(CAROL)
    with loop.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "account", "address": wallet})
        assert ws.receive_json()["op"] == "subscribed"
        receipt = loop.chain.deposit(CAROL, "USDC", AMOUNT)
        loop.index()

        deposits = [m for m in messages_until_marker(ws, loop, wallet) if m["type"] == "deposit"]

    tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
    assert deposits == [{
        "channel": "account", "type": "deposit", "status": "final",
        "token": loop.chain.token("USDC").address, "amount": str(AMOUNT), "txHash": tx_hash,
    }]  # fmt: skip
    listed = loop.client.get(f"/v1/accounts/{wallet}/deposits").json()["deposits"]
    assert [(d["status"], d["amount"]) for d in listed] == [("confirmed", str(AMOUNT))]  # what a reader woken finds


def test_a_final_exit_withdrawal_is_told_to_its_wallet(loop: Loop) -> None:
    wallet, usdc = address_of(CAROL), loop.chain.token("USDC").address
    loop.chain.deposit(CAROL, "USDC", AMOUNT)
    exchange = loop.chain.exchange.functions
    loop.chain.send(CAROL, exchange.requestExit())
    loop.chain.rpc("evm_increaseTime", 3_601)  # the dev chain's exit delay
    loop.chain.mine(1)
    loop.index()
    with loop.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "account", "address": wallet})
        assert ws.receive_json()["op"] == "subscribed"
        receipt = loop.chain.send(CAROL, exchange.withdrawExited(usdc))
        loop.index()

        exits = [m for m in messages_until_marker(ws, loop, wallet) if m["type"] == "exit"]

    tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
    assert exits == [{
        "channel": "account", "type": "exit", "status": "final", "token": usdc, "amount": str(AMOUNT),
        "txHash": tx_hash,
    }]  # fmt: skip
    balances = loop.client.get(f"/v1/accounts/{wallet}/balances").json()["balances"]
    assert all(row["balance"] == "0" for row in balances if row["token"] == usdc)  # what a reader woken finds
