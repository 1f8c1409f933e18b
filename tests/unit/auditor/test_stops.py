"""A stop order's first trade is judged as the contract judges it: a price source, a usable and fresh answer, and a
reference price at or past the trigger, in the state after the block before the settlement's or after its own."""

from __future__ import annotations

from dataclasses import replace

from auditor.abi import Order
from auditor.stops import PriceSource

from .batches import BLOCK, BLOCK_TIME, BUYER, PRICE, SELLER, USDC, WEI, WETH, Chain, batch, order

FEED = "0x" + "Fe" * 20
# An 8-decimal feed of WETH in USDC: the reference price is the answer / 10^2, in USDC base units per WETH.
SOURCE = PriceSource(FEED, 3_600, 0, 2)
STOP, STOP_MARKET, OPERATOR_TRIGGER = 2, 3, 16
BUY_STOP = replace(order(BUYER, 0), flags=STOP, trigger_price=PRICE - 100 * 10**6)  # buys once at 2,900 or above


def answering(answer: int, updated_at: int = BLOCK_TIME, after: int | None = None) -> Chain:
    """The market's feed answers `answer` (after block `after` only, or after every block; else it answers 1)."""
    return Chain(
        sources={(WETH, USDC): SOURCE},
        rounds=lambda feed, block: (answer if after is None or block == after else 1, updated_at),
    )


def first_trade(chain: Chain, stop: Order = BUY_STOP) -> list[str]:
    return batch(chain).settle(order(SELLER, 1), stop, WEI, PRICE)


def test_a_stop_order_traded_once_its_reference_reached_the_trigger_passes_and_else_is_reported() -> None:
    assert first_trade(answering(2_900 * 10**8)) == []  # at the trigger
    assert first_trade(answering(2_900 * 10**8 - 100)) == ["stop-not-triggered"]  # one quote base unit below
    run = batch(answering(2_800 * 10**8))
    assert run.settle(order(SELLER, 1), BUY_STOP, WEI, PRICE) == ["stop-not-triggered"]
    assert "reference price 2800000000 had not reached its trigger 2900000000" in run.state.findings[0].message


def test_a_stop_market_is_read_against_the_feed_as_a_stop_limit_is() -> None:
    """Kind 3 carries the stop bit too: the contract reads the feed for both kinds."""
    stop_market = replace(BUY_STOP, flags=STOP_MARKET)
    assert first_trade(answering(2_900 * 10**8), stop_market) == []
    assert first_trade(answering(2_800 * 10**8), stop_market) == ["stop-not-triggered"]
    assert first_trade(Chain(), replace(stop_market, flags=STOP_MARKET | OPERATOR_TRIGGER)) == []


def test_a_stop_order_needs_a_source_a_usable_answer_and_a_fresh_one() -> None:
    assert first_trade(Chain()) == ["stop-not-triggered"]
    assert first_trade(Chain(sources={(WETH, USDC): SOURCE})) == ["stop-not-triggered"]  # the feed reverts
    assert first_trade(answering(3_000 * 10**8, updated_at=BLOCK_TIME - 3_600)) == []
    assert first_trade(answering(3_000 * 10**8, updated_at=BLOCK_TIME - 3_601)) == ["stop-not-triggered"]
    assert first_trade(answering(3_000 * 10**8, updated_at=BLOCK_TIME + 1)) == ["stop-not-triggered"]  # the future


def test_either_state_around_the_settlement_may_have_triggered_it() -> None:
    """The feed's update may have come in the settlement's own block, before it, or in the block before."""
    assert first_trade(answering(3_000 * 10**8, after=BLOCK)) == []
    assert first_trade(answering(3_000 * 10**8, after=BLOCK - 1)) == []
    assert first_trade(answering(3_000 * 10**8, after=BLOCK - 2)) == ["stop-not-triggered"]


def test_an_operator_triggered_stop_and_a_later_trade_are_not_read_against_the_feed() -> None:
    chain = Chain()  # no source at all
    assert first_trade(chain, replace(BUY_STOP, flags=STOP | OPERATOR_TRIGGER)) == []
    assert not [asked for asked in chain.asked if asked[0] == "price source"]
    run = batch(answering(3_000 * 10**8))
    bigger = replace(BUY_STOP, base_amount=2 * WEI)
    assert run.settle(order(SELLER, 1), bigger, WEI, PRICE) == []
    run.verifier.chain = Chain()  # the feed gone: the order trades on from its counter
    assert run.settle(order(SELLER, 1, nonce=2), bigger, WEI, PRICE) == []
