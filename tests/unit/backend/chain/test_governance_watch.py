"""The Exchange's governance is followed by one watch per Exchange: the API and the monitor keep theirs from pass to
pass (what it learnt of the admin's Custody and its calls), and start over for a redeployed Exchange."""

from __future__ import annotations

from typing import cast

from backend.chain.treasury import GovernanceWatch
from custody.calls import KnownAbis

RPC = "http://127.0.0.1:1"  # never asked: a watch reads the node only when read
EXCHANGE, REDEPLOYED = "0x" + "e1" * 20, "0x" + "e2" * 20
ABIS = cast(KnownAbis, object())


def test_a_watch_is_kept_for_its_exchange_in_any_case_and_made_anew_for_another() -> None:
    first = GovernanceWatch.following(None, RPC, EXCHANGE, ABIS, 5)
    assert first.exchange.lower() == EXCHANGE
    assert GovernanceWatch.following(first, RPC, EXCHANGE.upper().replace("0X", "0x"), ABIS, 5) is first
    other = GovernanceWatch.following(first, RPC, REDEPLOYED, ABIS, 9)
    assert other is not first and other.exchange.lower() == REDEPLOYED
