"""Posting rules: every balance-moving event balances per token and moves what the contract moves."""

from collections import defaultdict

import pytest

from backend.ledger.postings import EXTERNAL, FEES_IN_TRANSIT, REASONS, Posting, postings_for

ALICE, BOB, FEES = "0x" + "a1" * 20, "0x" + "b0" * 20, "0x" + "fe" * 20
WETH, USDC = "0x" + "11" * 20, "0x" + "22" * 20


def _by_key(postings: list[Posting]) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for p in postings:
        totals[(p.account, p.token)] += p.amount
    return dict(totals)


def _trade(maker_side: int) -> dict[str, str]:
    return {
        "maker": ALICE,
        "taker": BOB,
        "baseToken": WETH,
        "quoteToken": USDC,
        "makerSide": str(maker_side),
        "baseAmount": "1000",
        "quoteAmount": "3000000",
        "makerFee": "7",
        "takerFee": "11",
    }


EVENTS = {
    "Deposited": {"wallet": ALICE, "token": USDC, "amount": str(2**256 - 1), "balance": "0"},
    "Withdrawn": {
        "wallet": ALICE,
        "token": USDC,
        "recipient": BOB,
        "amount": "500",
        "fee": "3",
        "feeRecipient": FEES,
    },
    "TradeSettled": _trade(1),
    "FeesCollected": {"feeRecipient": FEES, "token": USDC, "amount": "9"},
    "FeesWithdrawn": {"feeRecipient": FEES, "token": USDC, "amount": "9"},
    "ExitWithdrawn": {"wallet": ALICE, "token": WETH, "amount": "42"},
}


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_every_balance_moving_event_balances_per_token(name: str) -> None:
    postings = postings_for(name, EVENTS[name])
    assert postings
    per_token: dict[str, int] = defaultdict(int)
    for p in postings:
        per_token[p.token] += p.amount
    assert set(per_token.values()) == {0}


def test_every_event_with_a_reason_has_a_rule_and_the_rules_cover_every_reason() -> None:
    assert set(REASONS) == set(EVENTS)


def test_events_that_move_no_balance_post_nothing() -> None:
    assert postings_for("OrderCancelledByMaker", {"maker": ALICE, "orderHash": "0x00"}) == []
    assert postings_for("ExitRequested", {"wallet": ALICE, "availableAt": "1"}) == []


def test_a_deposit_moves_from_external_to_the_wallet() -> None:
    assert _by_key(postings_for("Deposited", EVENTS["Deposited"])) == {
        (EXTERNAL, USDC): -(2**256 - 1),
        (ALICE, USDC): 2**256 - 1,
    }


def test_a_withdrawal_debits_the_amount_pays_the_fee_and_sends_the_rest_out() -> None:
    assert _by_key(postings_for("Withdrawn", EVENTS["Withdrawn"])) == {
        (ALICE, USDC): -500,
        (FEES, USDC): 3,
        (EXTERNAL, USDC): 497,
    }


def test_a_trade_with_a_selling_maker_charges_each_side_in_what_it_receives() -> None:
    moved = _by_key(postings_for("TradeSettled", _trade(maker_side=1)))
    assert moved[(ALICE, WETH)] == -1000  # maker sells base
    assert moved[(ALICE, USDC)] == 3000000 - 7  # and receives quote less the maker fee
    assert moved[(BOB, WETH)] == 1000 - 11  # taker buys base less the taker fee
    assert moved[(BOB, USDC)] == -3000000
    assert moved[(FEES_IN_TRANSIT, USDC)] == 7
    assert moved[(FEES_IN_TRANSIT, WETH)] == 11


def test_a_trade_with_a_buying_maker_swaps_the_roles() -> None:
    moved = _by_key(postings_for("TradeSettled", _trade(maker_side=0)))
    assert moved[(ALICE, WETH)] == 1000 - 7
    assert moved[(ALICE, USDC)] == -3000000
    assert moved[(BOB, WETH)] == -1000
    assert moved[(BOB, USDC)] == 3000000 - 11
