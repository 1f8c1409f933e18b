"""A price feed's answer on a market's price grid, its deviation from the last trade, and reading its round
over JSON-RPC without ever letting a broken feed escape as anything but `FeedUnusable`."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode

from backend.chain.jsonrpc import RpcError
from backend.chain.price_sources import FeedUnusable
from backend.engine import MarketState
from backend.monitoring.feeds import deviation_bps, read_feed_round, reference_price
from backend.trading.rules.markets import Market

FEED = "0x" + "ab" * 20


def market(base_decimals: int, quote_decimals: int) -> Market:
    return Market("X-Y", "0x" + "01" * 20, "0x" + "02" * 20, "X", "Y", base_decimals, quote_decimals,
                  10**4, 10**15, 0, 0, 0, MarketState.OPEN)  # fmt: skip


def test_an_eight_decimal_weth_usdc_answer_becomes_usdc_base_units_per_whole_weth() -> None:
    # 2,000 USDC per WETH: 2e9 USDC base units per 1e18 wei, as the Exchange's referencePrice (scaleDown 2)
    assert reference_price(2_000 * 10**8, 8, market(18, 6)) == 2_000 * 10**6


def test_a_conversion_that_scales_up_multiplies_and_one_that_scales_down_rounds_down() -> None:
    # 6-decimal base, 18-decimal quote, 8-decimal feed: 10^(18 + 18 - 6 - 8) = 10^22
    assert reference_price(150_000_000, 8, market(6, 18)) == 150_000_000 * 10**22
    # 18-decimal base, 0-decimal quote, 18-decimal feed: 10^(18 + 0 - 18 - 18) = 10^-18, rounded down
    assert reference_price(3 * 10**18 - 1, 18, market(18, 0)) == 2


def test_deviation_is_measured_in_basis_points_of_the_feeds_price_either_way() -> None:
    assert deviation_bps(2_000, 2_100) == 500
    assert deviation_bps(2_000, 1_900) == 500
    assert deviation_bps(2_000, 2_000) == 0
    assert deviation_bps(3, 4) == 3_333  # rounded down


class FakeFeed:
    """eth_call answers for latestRoundData() and decimals()."""

    def __init__(self, round_answer: Any, decimals: Any = None) -> None:
        self.round_answer = round_answer
        self.decimals = decimals if decimals is not None else "0x" + encode(["uint8"], [8]).hex()

    def __call__(self, method: str, params: list[Any]) -> Any:
        assert method == "eth_call" and params[0]["to"] == FEED
        answer = self.round_answer if params[0]["data"] == "0xfeaf968c" else self.decimals
        if isinstance(answer, Exception):
            raise answer
        return answer


def round_data(answer: int, updated_at: int) -> str:
    return "0x" + encode(["uint80", "int256", "uint256", "uint256", "uint80"], [7, answer, 1, updated_at, 7]).hex()


def test_a_round_is_read_with_its_answer_update_time_and_decimals() -> None:
    round_ = read_feed_round(FakeFeed(round_data(2_000 * 10**8, 1_700_000_000)), FEED)
    assert (round_.answer, round_.updated_at, round_.decimals) == (2_000 * 10**8, 1_700_000_000, 8)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (round_data(0, 1), "answers 0, not a price"),
        (round_data(-5, 1), "answers -5, not a price"),
        ("0x", "answered 0 bytes"),
        ("0x" + "00" * 64, "answered 64 bytes"),
        ("0xzz", "unexpected answer"),
        (RpcError("eth_call: execution reverted"), "execution reverted"),
    ],
)
def test_a_feed_that_answers_no_usable_round_is_unreadable(answer: Any, words: str) -> None:
    with pytest.raises(FeedUnusable, match=words):
        read_feed_round(FakeFeed(answer), FEED)


def test_a_node_that_does_not_answer_is_an_rpc_error_not_a_broken_feed() -> None:
    with pytest.raises(RpcError) as raised:
        read_feed_round(FakeFeed(RpcError("eth_call: ConnectError: connection refused")), FEED)
    assert not isinstance(raised.value, FeedUnusable)
