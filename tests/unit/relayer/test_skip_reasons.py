"""Each error the Exchange can skip a trade with is read back with its arguments and told in words."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak

from relayer.skip_reasons import SKIP_ERRORS, UNREADABLE, SkipReason, SkipReasons

EXCHANGE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
ORDER = "0x" + "ab" * 31 + "01"
OTHER = "0x" + "cd" * 31 + "02"
ALICE = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"
WETH = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
USDC = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
FEED = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
E18 = 10**18

# error, its arguments, the fill's failure record, and the sentence both parties read.
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("InvalidSignature", {"signer": ALICE, "digest": ORDER},
     f"InvalidSignature(signer={ALICE}, digest={ORDER})",
     "not settled: the signature of order 0xabab…ab01 is not its maker 0x9965…A4dc's"),
    ("OrderCancelled", {"orderHash": ORDER},
     f"OrderCancelled(orderHash={ORDER})",
     "not settled: order 0xabab…ab01 was cancelled on-chain by its maker"),
    ("OrderNonceUsed", {"orderHash": ORDER, "maker": ALICE, "nonce": 7},
     f"OrderNonceUsed(orderHash={ORDER}, maker={ALICE}, nonce=7)",
     "not settled: order 0xabab…ab01 can no longer trade: its maker 0x9965…A4dc's nonce 7 is used on-chain (the order "
     "was filled completely, or another order with that nonce traded or was cancelled)"),
    ("OrderExpired", {"orderHash": ORDER, "expiry": 1_767_225_600},
     f"OrderExpired(orderHash={ORDER}, expiry=1767225600)",
     "not settled: order 0xabab…ab01 expired at 2026-01-01 00:00:00 UTC"),
    ("OrderNonceBelowFloor", {"orderHash": ORDER, "nonce": 5, "nonceFloor": 9},
     f"OrderNonceBelowFloor(orderHash={ORDER}, nonce=5, nonceFloor=9)",
     "not settled: order 0xabab…ab01 was invalidated on-chain: its nonce 5 is below its maker's nonce floor 9"),
    ("OrderUnknownFlags", {"orderHash": ORDER, "flags": 12},
     f"OrderUnknownFlags(orderHash={ORDER}, flags=12)",
     "not settled: order 0xabab…ab01 has flags the exchange does not know (flags 12)"),
    ("OrderMarketInvalid", {"orderHash": ORDER, "side": 2, "baseToken": WETH, "quoteToken": USDC},
     f"OrderMarketInvalid(orderHash={ORDER}, side=2, baseToken={WETH}, quoteToken={USDC})",
     "not settled: order 0xabab…ab01 belongs to no market (side 2, base token 0x9fE4…a6e0, quote token 0xCf7E…0Fc9)"),
    ("WalletExited", {"wallet": ALICE},
     f"WalletExited(wallet={ALICE})",
     "not settled: wallet 0x9965…A4dc has started an exit on-chain; the exchange no longer settles for it"),
    ("OrdersDoNotMatch", {"makerOrderHash": ORDER, "takerOrderHash": OTHER},
     f"OrdersDoNotMatch(makerOrderHash={ORDER}, takerOrderHash={OTHER})",
     "not settled: orders 0xabab…ab01 and 0xcdcd…cd02 are not opposite sides of the same market"),
    ("SelfTrade", {"wallet": ALICE},
     f"SelfTrade(wallet={ALICE})",
     "not settled: the maker and the taker are the same wallet 0x9965…A4dc"),
    ("PostOnlyOrderTaken", {"orderHash": ORDER},
     f"PostOnlyOrderTaken(orderHash={ORDER})",
     "not settled: post-only order 0xabab…ab01 was used as the taker"),
    ("FillOrKillOrderMade", {"orderHash": ORDER},
     f"FillOrKillOrderMade(orderHash={ORDER})",
     "not settled: fill-or-kill order 0xabab…ab01 was used as the maker"),
    ("FillOrKillNotFilled", {"orderHash": ORDER, "filled": 2 * E18, "baseAmount": 3 * E18},
     f"FillOrKillNotFilled(orderHash={ORDER}, filled={2 * E18}, baseAmount={3 * E18})",
     f"not settled: fill-or-kill order 0xabab…ab01 settles whole or not at all, and its trades here fill {2 * E18} "
     f"of its {3 * E18}"),
    ("StopPriceSourceMissing", {"orderHash": ORDER, "baseToken": WETH, "quoteToken": USDC},
     f"StopPriceSourceMissing(orderHash={ORDER}, baseToken={WETH}, quoteToken={USDC})",
     "not settled: stop order 0xabab…ab01 waits for the market's price source, and the market (base token "
     "0x9fE4…a6e0, quote token 0xCf7E…0Fc9) has none on-chain; the order did not accept operator-triggered "
     "execution"),
    ("StopNotTriggered", {"orderHash": ORDER, "triggerPrice": 3_100_000_000, "referencePrice": 3_000_000_000},
     f"StopNotTriggered(orderHash={ORDER}, triggerPrice=3100000000, referencePrice=3000000000)",
     "not settled: stop order 0xabab…ab01 has not triggered on-chain: the price source says 3000000000, its "
     "trigger price is 3100000000"),
    ("PriceFeedStale", {"feed": FEED, "updatedAt": 1_767_225_600, "maxAge": 3_600},
     f"PriceFeedStale(feed={FEED}, updatedAt=1767225600, maxAge=3600)",
     "not settled: the market's price feed 0x5FbD…0aa3 last updated at 2026-01-01 00:00:00 UTC, not within the "
     "3600 s it is trusted for, so the stop order could not be checked against it"),
    ("PriceFeedUnusable", {"feed": FEED},
     f"PriceFeedUnusable(feed={FEED})",
     "not settled: the market's price feed 0x5FbD…0aa3 gave no usable answer for a stop order"),
    ("ZeroAmountTrade", {},
     "ZeroAmountTrade()",
     "not settled: the trade moves zero base or zero quote"),
    ("OrderOverfilled", {"orderHash": ORDER, "filled": 5 * E18, "fill": 1, "baseAmount": 5 * E18},
     f"OrderOverfilled(orderHash={ORDER}, filled={5 * E18}, fill=1, baseAmount={5 * E18})",
     f"not settled: order 0xabab…ab01 would be overfilled on-chain (filled {5 * E18} + this fill 1 > amount "
     f"{5 * E18})"),
    ("LimitPriceViolated", {"orderHash": ORDER, "limitPrice": 2_000_000_000},
     f"LimitPriceViolated(orderHash={ORDER}, limitPrice=2000000000)",
     "not settled: the price is worse than order 0xabab…ab01's limit price 2000000000"),
    ("FeeTooHigh", {"orderHash": ORDER, "fee": 1_000_001, "received": 2_000_000_000, "maxRate": 500},
     f"FeeTooHigh(orderHash={ORDER}, fee=1000001, received=2000000000, maxRate=500)",
     "not settled: the fee 1000001 of order 0xabab…ab01 is above 500 millionths of the 2000000000 it receives"),
    ("InsufficientBalance", {"wallet": ALICE, "token": USDC, "balance": 10, "needed": 11},
     f"InsufficientBalance(wallet={ALICE}, token={USDC}, balance=10, needed=11)",
     "not settled: wallet 0x9965…A4dc holds 10 of token 0xCf7E…0Fc9 on-chain, less than the 11 it must pay"),
]  # fmt: skip


def encoded(abi: list[dict[str, Any]], name: str, arguments: dict[str, Any]) -> bytes:
    """The error as the contract encodes it: selector, then the arguments in declared order."""
    [error] = [e for e in abi if e["type"] == "error" and e["name"] == name]
    types = [i["type"] for i in error["inputs"]]
    assert [i["name"] for i in error["inputs"]] == list(arguments), "the case lists the arguments in ABI order"
    values = [
        bytes.fromhex(v[2:]) if t.startswith("bytes") else v for t, v in zip(types, arguments.values(), strict=True)
    ]
    return keccak(text=f"{name}({','.join(types)})")[:4] + encode(types, values)


def skipped_log(trade_index: int, reason: bytes, address: str = EXCHANGE, topic: str | None = None) -> dict[str, Any]:
    """A `TradeSkipped` log as the node returns it in a receipt."""
    topic = topic or "0x" + keccak(text="TradeSkipped(uint256,bytes32,bytes32,bytes)").hex()
    data = encode(["bytes32", "bytes32", "bytes"], [bytes.fromhex(ORDER[2:]), bytes.fromhex(OTHER[2:]), reason])
    return {"address": address.lower(), "topics": [topic, "0x" + trade_index.to_bytes(32, "big").hex()],
            "data": "0x" + data.hex()}  # fmt: skip


@pytest.mark.parametrize(("error", "arguments", "failure", "sentence"), CASES, ids=[c[0] for c in CASES])
def test_each_skip_error_is_read_with_its_arguments_and_told_in_one_sentence(
    exchange_abi: list[dict[str, Any]], error: str, arguments: dict[str, Any], failure: str, sentence: str
) -> None:
    reason = SkipReasons(EXCHANGE, exchange_abi).decode(encoded(exchange_abi, error, arguments))
    assert reason == SkipReason(error, tuple(arguments.items()))
    assert str(reason) == failure
    assert reason.sentence == sentence
    assert reason.details() == {
        "error": error, "arguments": {k: str(v) for k, v in arguments.items()}, "message": sentence,
    }  # fmt: skip


def test_every_error_a_trade_can_be_skipped_with_has_a_case_and_is_an_error_of_the_exchange(
    exchange_abi: list[dict[str, Any]],
) -> None:
    assert {c[0] for c in CASES} == SKIP_ERRORS
    assert {e["name"] for e in exchange_abi if e["type"] == "error"} >= SKIP_ERRORS


def test_the_trade_skipped_topic_is_the_hash_of_the_events_signature(exchange_abi: list[dict[str, Any]]) -> None:
    expected = keccak(text="TradeSkipped(uint256,bytes32,bytes32,bytes)")
    assert SkipReasons(EXCHANGE, exchange_abi).topic == "0x" + expected.hex()


def test_a_receipt_gives_each_skipped_trade_index_its_reason_and_ignores_other_logs(
    exchange_abi: list[dict[str, Any]],
) -> None:
    cancelled = encoded(exchange_abi, "OrderCancelled", {"orderHash": ORDER})
    receipt = {
        "logs": [
            skipped_log(3, cancelled),
            skipped_log(4, cancelled, address="0x" + "11" * 20),  # another contract's event of the same shape
            skipped_log(5, cancelled, topic="0x" + "22" * 32),  # another event of this Exchange
            skipped_log(7, encoded(exchange_abi, "ZeroAmountTrade", {})),
        ]
    }
    skipped = SkipReasons(EXCHANGE, exchange_abi).in_receipt(receipt)
    assert skipped == {3: SkipReason("OrderCancelled", (("orderHash", ORDER),)), 7: SkipReason("ZeroAmountTrade")}


def test_a_reason_that_is_no_error_of_the_exchange_is_kept_raw_and_told_as_unreadable(
    exchange_abi: list[dict[str, Any]],
) -> None:
    reasons = SkipReasons(EXCHANGE, exchange_abi)
    truncated = encoded(exchange_abi, "OrderCancelled", {"orderHash": ORDER})[:20]
    for raw in (bytes.fromhex("deadbeef") + bytes(32), truncated, b""):
        reason = reasons.decode(raw)
        assert reason == SkipReason(UNREADABLE, (("data", "0x" + raw.hex()),))
        assert reason.sentence.startswith(f"not settled: the exchange skipped the trade ({UNREADABLE}(data=0x")


def test_an_error_of_the_exchange_without_a_sentence_is_told_by_its_name_and_arguments(
    exchange_abi: list[dict[str, Any]],
) -> None:
    reason = SkipReasons(EXCHANGE, exchange_abi).decode(encoded(exchange_abi, "TokenNotListed", {"token": USDC}))
    assert reason.sentence == f"not settled: the exchange skipped the trade (TokenNotListed(token={USDC}))"


def test_an_expiry_beyond_the_calendar_is_told_as_unix_time(exchange_abi: list[dict[str, Any]]) -> None:
    far = 2**64 - 1
    reason = SkipReasons(EXCHANGE, exchange_abi).decode(
        encoded(exchange_abi, "OrderExpired", {"orderHash": ORDER, "expiry": far})
    )
    assert reason.sentence == f"not settled: order 0xabab…ab01 expired at unix time {far}"
