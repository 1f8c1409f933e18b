"""The cancel-after rules: timeout bounds, deadlines per (wallet, scope), what is due, the signed scope."""

from __future__ import annotations

import pytest
from eth_utils.crypto import keccak

from backend.errors import ErrorCode, HdexError
from backend.trading.rules.cancel_after import Deadline, Deadlines, check_timeout
from backend.trading.rules.cancels import bulk_cancel_scope, cancel_after_scope

W1, W2 = "0x" + "11" * 20, "0x" + "22" * 20


@pytest.mark.parametrize("timeout_ms", [0, 5_000, 60_000, 86_400_000])
def test_zero_and_timeouts_from_five_seconds_to_one_day_are_accepted(timeout_ms: int) -> None:
    check_timeout(timeout_ms)


@pytest.mark.parametrize("timeout_ms", [1, 4_999, 86_400_001, 2**63])
def test_other_timeouts_are_refused_as_out_of_range(timeout_ms: int) -> None:
    with pytest.raises(HdexError) as raised:
        check_timeout(timeout_ms)
    assert (raised.value.code, raised.value.field) == (ErrorCode.TIMEOUT_OUT_OF_RANGE, "timeoutMs")


def test_each_call_replaces_the_deadline_of_its_wallet_and_scope() -> None:
    deadlines = Deadlines()
    deadlines.set(W1, None, 5_000, 1, now_ms=1_000)
    deadlines.set(W1, "WETH-USDC", 10_000, 2, now_ms=1_000)
    deadlines.set(W2, None, 7_000, 3, now_ms=1_000)
    assert deadlines.next_deadline() == 6_000
    deadlines.set(W1, None, 5_000, 4, now_ms=3_000)  # the heartbeat
    assert deadlines.next_deadline() == 8_000
    assert [(d.wallet, d.market) for d in deadlines.due(8_000)] == [(W1, None), (W2, None)]
    assert deadlines.due(7_999) == []
    assert deadlines.last_timestamp(W1, "WETH-USDC") == 2 and deadlines.last_timestamp(W2, "ETH-DAI") == 0


def test_timeout_zero_turns_a_switch_off_and_keeps_its_timestamp() -> None:
    deadlines = Deadlines()
    deadlines.set(W1, None, 5_000, 10, now_ms=0)
    off = deadlines.set(W1, None, 0, 11, now_ms=0)
    assert off == Deadline(W1, "*", 0, 11)
    assert deadlines.next_deadline() is None and deadlines.due(10**12) == []
    assert deadlines.last_timestamp(W1, None) == 11


def test_loaded_deadlines_are_due_like_set_ones() -> None:
    deadlines = Deadlines()
    deadlines.load([Deadline(W1, "WETH-USDC", 500, 7), Deadline(W2, "*", 0, 8)])
    assert [(d.wallet, d.market) for d in deadlines.due(500)] == [(W1, "WETH-USDC")]
    assert deadlines.get(W1, "WETH-USDC") is not None and deadlines.get(W1, None) is None


def test_the_signed_scopes_are_the_keccak_of_their_documented_preimages() -> None:
    assert cancel_after_scope(None, 5_000, 1_700_000_000_000) == keccak(b"HDEX cancel-after|*|5000|1700000000000")
    assert cancel_after_scope("WETH-USDC", 0, 1) == keccak(b"HDEX cancel-after|WETH-USDC|0|1")
    assert cancel_after_scope(None, 5_000, 1) != bulk_cancel_scope(None, 1)  # one kind never passes for the other
