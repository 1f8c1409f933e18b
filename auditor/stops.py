"""A stop order's first trade, judged as the Exchange judges it (`_stopFailure`, PriceSourceLib): its market has a
price source, the feed answers, its answer is not stale at the block's time, and the reference price has reached
the trigger (a buy stop at or above it, a sell stop at or below). An order flagged operator-triggered is exempt: its
maker signed that the operator decides.

A node answers for whole blocks, so the feed is read in the states after the block before the settlement's and
after its own; the transaction ran between them, and either one's yes stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from auditor.abi import Order
from auditor.orders import FLAG_KIND_STOP, FLAG_OPERATOR_TRIGGER

NO_FEED = "0x0000000000000000000000000000000000000000"
_UINT256_MAX = 2**256 - 1


@dataclass(frozen=True, slots=True)
class PriceSource:
    """A market's price source as the Exchange keeps it (`priceFeed`): the reference price is
    `answer * 10^scale_up / 10^scale_down`, compared exactly."""

    feed: str
    max_age: int
    scale_up: int
    scale_down: int


class PriceSources(Protocol):
    """What the chain says of price sources (`ChainReader`)."""

    def price_source(self, base_token: str, quote_token: str, block: int) -> PriceSource:
        """The market's price source in the state after `block` (feed NO_FEED: none)."""

    def latest_round(self, feed: str, block: int) -> tuple[int, int] | None:
        """The feed's latest (answer, updatedAt) in the state after `block`, as PriceSourceLib.latest reads it; None
        where the Exchange finds it unusable (the call fails, answers fewer than five words, or an answer of zero or
        less)."""


def is_stop(order: Order) -> bool:
    """Whether the order waits for its market's price source: a stop-limit or stop-market (the kind's stop bit, as
    the contract reads it) not flagged operator-triggered."""
    return order.flags & (FLAG_KIND_STOP | FLAG_OPERATOR_TRIGGER) == FLAG_KIND_STOP


def stop_failure(sources: PriceSources, order: Order, block: int, timestamp: int) -> str | None:
    """None if the stop order could trigger when it first settled, at block `block` (block time `timestamp`); else
    why it could not, in the state after its own block."""
    reason = ""
    for state in (block - 1, block):
        reason = _why_not(sources, order, state, timestamp)
        if not reason:
            return None
    return reason


def _why_not(sources: PriceSources, order: Order, state: int, timestamp: int) -> str:
    source = sources.price_source(order.base_token, order.quote_token, state)
    if source.feed == NO_FEED:
        return "its market has no price source"
    answered = sources.latest_round(source.feed, state)
    if answered is None:
        return f"its price feed {source.feed} gives no usable answer"
    answer, updated_at = answered
    if updated_at == 0 or updated_at > timestamp or timestamp - updated_at > source.max_age:
        return f"its price feed {source.feed} was updated at {updated_at}, stale at block time {timestamp}"
    if not _triggered(source, answer, order.trigger_price, order.side):
        reference = answer * _ten_to(source.scale_up) // _ten_to(source.scale_down)
        return f"the reference price {reference} had not reached its trigger {order.trigger_price}"
    return ""


def _triggered(source: PriceSource, answer: int, trigger_price: int, side: int) -> bool:
    """PriceSourceLib.triggered: a product past 2^256 is above any the other side can reach."""
    reference, trigger = answer * _ten_to(source.scale_up), trigger_price * _ten_to(source.scale_down)
    if reference > _UINT256_MAX:
        return side == 0
    if trigger > _UINT256_MAX:
        return side == 1
    return reference >= trigger if side == 0 else reference <= trigger


def _ten_to(power: int) -> int:
    return int(10**power)
