"""Why the Exchange skipped a trade: `TradeSkipped.reason` read against the Exchange ABI's errors.

The contract carries the whole custom error in the event (selector and arguments, as revert data
would), so the relayer can record which order or wallet failed and by how much: on the failed fill
as `Name(argument=value, ...)`, and to both parties as one sentence in words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

Value = int | str  # integers stay integers (base units, rates, times); addresses and hashes are 0x-hex
UNREADABLE = "UnreadableReason"  # the error name of a reason that is not an error of the ABI


@dataclass(frozen=True)
class SkipReason:
    """One skip reason: the error's name and its arguments in the order the error declares them."""

    error: str
    arguments: tuple[tuple[str, Value], ...] = ()

    def __str__(self) -> str:
        return f"{self.error}({', '.join(f'{name}={value}' for name, value in self.arguments)})"

    @property
    def sentence(self) -> str:
        """What happened, in words, for the fill's parties."""
        words = _SENTENCES.get(self.error)
        if words is None:
            return f"not settled: the exchange skipped the trade ({self})"
        return "not settled: " + words(SimpleNamespace(**{name: short(v) for name, v in self.arguments}))

    def details(self) -> dict[str, Any]:
        """A JSON record of the reason (numbers as decimal strings, as everywhere in our JSON)."""
        return {
            "error": self.error,
            "arguments": {name: str(value) for name, value in self.arguments},
            "message": self.sentence,
        }


class SkipReasons:
    """Reads the `TradeSkipped` logs of one Exchange against that Exchange's ABI."""

    def __init__(self, exchange: str, exchange_abi: Sequence[Mapping[str, Any]]) -> None:
        self.exchange = exchange.lower()
        [event] = [e for e in exchange_abi if e.get("type") == "event" and e.get("name") == "TradeSkipped"]
        # Derived from the ABI (today `TradeSkipped(uint256,bytes32,bytes32,bytes)`), so it follows the contract.
        self.topic = "0x" + keccak(text=_signature(event)).hex()
        self._data_types = [i["type"] for i in event["inputs"] if not i["indexed"]]
        self._errors = {keccak(text=_signature(e))[:4]: e for e in exchange_abi if e.get("type") == "error"}

    def decode(self, reason: bytes) -> SkipReason:
        """The error `reason` encodes; an unknown selector or malformed arguments give `UNREADABLE` with the raw
        bytes, never an exception (a receipt must always be recorded)."""
        error = self._errors.get(reason[:4])
        if error is not None:
            types = [i["type"] for i in error["inputs"]]
            try:
                values = decode(types, reason[4:])
            except DecodingError:
                pass
            else:
                arguments = tuple(
                    (i["name"], _value(i["type"], v)) for i, v in zip(error["inputs"], values, strict=True)
                )
                return SkipReason(str(error["name"]), arguments)
        return SkipReason(UNREADABLE, (("data", "0x" + reason.hex()),))

    def in_receipt(self, receipt: Mapping[str, Any]) -> dict[int, SkipReason]:
        """tradeIndex -> why it was skipped, from the receipt's `TradeSkipped` logs of this Exchange."""
        skipped = {}
        for entry in receipt.get("logs", []):
            topics = entry["topics"]
            if entry["address"].lower() != self.exchange or not topics or topics[0].lower() != self.topic:
                continue
            *_, reason = decode(self._data_types, bytes.fromhex(entry["data"].removeprefix("0x")))
            skipped[int(topics[1], 16)] = self.decode(reason)
        return skipped


def _signature(item: Mapping[str, Any]) -> str:
    return f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"


def _value(abi_type: str, value: Any) -> Value:
    if abi_type == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


def short(value: Value) -> Value:
    """Hashes and addresses cut to their ends for a sentence (the failure record keeps them whole)."""
    return f"{value[:6]}…{value[-4:]}" if isinstance(value, str) and value.startswith("0x") else value


def _utc(seconds: int) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"unix time {seconds}"


# One sentence per error the Exchange can skip a trade with (see IExchange: "per order and trade").
_SENTENCES: dict[str, Callable[[Any], str]] = {
    "InvalidSignature": lambda a: f"the signature of order {a.digest} is not its maker {a.signer}'s",
    "OrderCancelled": lambda a: f"order {a.orderHash} was cancelled on-chain by its maker",
    "OrderNonceUsed": lambda a: (
        f"order {a.orderHash} can no longer trade: its maker {a.maker}'s nonce {a.nonce} is used on-chain (the order "
        "was filled completely, or another order with that nonce traded or was cancelled)"
    ),
    "OrderExpired": lambda a: f"order {a.orderHash} expired at {_utc(a.expiry)}",
    "OrderNonceBelowFloor": lambda a: (
        f"order {a.orderHash} was invalidated on-chain: its nonce {a.nonce} is below its maker's nonce floor "
        f"{a.nonceFloor}"
    ),
    "OrderUnknownFlags": lambda a: f"order {a.orderHash} has flags the exchange does not know (flags {a.flags})",
    "OrderMarketInvalid": lambda a: (
        f"order {a.orderHash} belongs to no market (side {a.side}, base token {a.baseToken}, "
        f"quote token {a.quoteToken})"
    ),
    "WalletExited": lambda a: f"wallet {a.wallet} has started an exit on-chain; the exchange no longer settles for it",
    "OrdersDoNotMatch": lambda a: (
        f"orders {a.makerOrderHash} and {a.takerOrderHash} are not opposite sides of the same market"
    ),
    "SelfTrade": lambda a: f"the maker and the taker are the same wallet {a.wallet}",
    "PostOnlyOrderTaken": lambda a: f"post-only order {a.orderHash} was used as the taker",
    "FillOrKillOrderMade": lambda a: f"fill-or-kill order {a.orderHash} was used as the maker",
    "FillOrKillNotFilled": lambda a: (
        f"fill-or-kill order {a.orderHash} settles whole or not at all, and its trades here fill {a.filled} of "
        f"its {a.baseAmount}"
    ),
    "StopPriceSourceMissing": lambda a: (
        f"stop order {a.orderHash} waits for the market's price source, and the market (base token {a.baseToken}, "
        f"quote token {a.quoteToken}) has none on-chain; the order did not accept operator-triggered execution"
    ),
    "StopNotTriggered": lambda a: (
        f"stop order {a.orderHash} has not triggered on-chain: the price source says {a.referencePrice}, its "
        f"trigger price is {a.triggerPrice}"
    ),
    "PriceFeedStale": lambda a: (
        f"the market's price feed {a.feed} last updated at {_utc(a.updatedAt)}, not within the {a.maxAge} s it is "
        "trusted for, so the stop order could not be checked against it"
    ),
    "PriceFeedUnusable": lambda a: f"the market's price feed {a.feed} gave no usable answer for a stop order",
    "ZeroAmountTrade": lambda a: "the trade moves zero base or zero quote",
    "OrderOverfilled": lambda a: (
        f"order {a.orderHash} would be overfilled on-chain (filled {a.filled} + this fill {a.fill} > amount "
        f"{a.baseAmount})"
    ),
    "LimitPriceViolated": lambda a: f"the price is worse than order {a.orderHash}'s limit price {a.limitPrice}",
    "FeeTooHigh": lambda a: (
        f"the fee {a.fee} of order {a.orderHash} is above {a.maxRate} millionths of the {a.received} it receives"
    ),
    "InsufficientBalance": lambda a: (
        f"wallet {a.wallet} holds {a.balance} of token {a.token} on-chain, less than the {a.needed} it must pay"
    ),
}
SKIP_ERRORS = frozenset(_SENTENCES)  # the errors TradeSkipped can carry
