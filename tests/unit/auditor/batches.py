"""Hand-made settle calls for the verifier's unit tests: two wallets' signed orders, and the events the contract
would have emitted for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.address import to_checksum_address

from auditor.abi import Event, Order, SettleCall, Trade, Withdrawal
from auditor.orders import Domain
from auditor.settlements import BlockTime, OpeningOrder, SettlementVerifier
from auditor.state import AuditState
from auditor.stops import NO_FEED, PriceSource
from auditor.validity import OpeningWallet, record_revocation

SELLER = Account.from_key("0x" + "11" * 32)
BUYER = Account.from_key("0x" + "22" * 32)
STRANGER = Account.from_key("0x" + "33" * 32)
WETH, USDC = to_checksum_address("0x" + "aa" * 20), to_checksum_address("0x" + "bb" * 20)
DOMAIN = Domain(31337, to_checksum_address("0x" + "ee" * 20))
WEI, PRICE = 10**18, 3_000 * 10**6
BLOCK = 7
# Every block's timestamp unless a test says otherwise: far before the orders' default expiry.
BLOCK_TIME = 1_700_000_000


def order(
    account: Any,
    side: int,
    amount: int = WEI,
    price: int = PRICE,
    max_fee_rate: int = 3_000,
    nonce: int = 1,
    expiry: int = 2**40,
) -> Order:
    return Order(account.address, WETH, USDC, side, amount, price, 0, max_fee_rate, nonce, expiry, 0)


def sign(account: Any, signed: Order | Withdrawal) -> bytes:
    return bytes(Account.sign_message(encode_typed_data(full_message=DOMAIN.typed_data(signed)), account.key).signature)


class Batch:
    """Settle calls of seller-maker/buyer-taker trades and the events the contract would have emitted, verified
    one after the other on one state."""

    def __init__(self, verifier: SettlementVerifier, state: AuditState) -> None:
        self.verifier, self.state = verifier, state

    def settle(
        self,
        maker: Order,
        taker: Order,
        base: int,
        quote: int,
        fees: tuple[int, int] = (0, 0),
        signatures: tuple[bytes, bytes] | None = None,
        block: int = BLOCK,
    ) -> list[str]:
        """Verifies a batch of one trade; returns the kinds of the failing findings it added."""
        sigs = signatures if signatures is not None else (sign(SELLER, maker), sign(BUYER, taker))
        by_order = dict(zip((maker, taker), sigs, strict=True))
        return self.settle_trades([(maker, taker, base, quote, fees)], by_order, block)

    def settle_trades(
        self,
        trades: list[tuple[Order, Order, int, int, tuple[int, int]]],
        signatures: dict[Order, bytes] | None = None,
        block: int = BLOCK,
        emitted: Callable[[list[Event]], list[Event]] = lambda events: events,
    ) -> list[str]:
        """Verifies a batch of (maker, taker, base, quote, fees) trades, each order signed by its wallet unless
        `signatures` says otherwise, with the events the contract would have emitted (as `emitted` changes them);
        returns the kinds of the failing findings it added."""
        before = len(self.state.findings)
        orders = tuple(dict.fromkeys(o for maker, taker, *_ in trades for o in (maker, taker)))
        sigs = signatures or {o: sign(SELLER if o.maker == SELLER.address else BUYER, o) for o in orders}
        filled = {o: self.state.fills.get(DOMAIN.digest(o), 0) for o in orders}
        tx_hash = "0x" + block.to_bytes(32).hex()
        events: list[Event] = []
        collected = {USDC: 0, WETH: 0}
        for maker, taker, base, quote, fees in trades:
            filled[maker] += base
            filled[taker] += base
            events.append(Event("TradeSettled", block, len(events), tx_hash, {
                "maker": maker.maker, "taker": taker.maker, "makerOrderHash": DOMAIN.digest(maker),
                "takerOrderHash": DOMAIN.digest(taker), "baseToken": WETH, "quoteToken": USDC,
                "makerSide": maker.side, "baseAmount": base, "quoteAmount": quote, "makerFee": fees[0],
                "takerFee": fees[1], "makerFilled": filled[maker], "takerFilled": filled[taker],
            }))  # fmt: skip
            collected[USDC] += fees[0]
            collected[WETH] += fees[1]
        events += [
            Event("FeesCollected", block, len(events) + i, tx_hash, {"token": t, "amount": a})
            for i, (t, a) in enumerate((t, a) for t, a in collected.items() if a)
        ]
        index = {o: i for i, o in enumerate(orders)}
        call = SettleCall(
            orders,
            tuple(sigs[o] for o in orders),
            tuple(Trade(index[m], index[t], base, quote, *fees) for m, t, base, quote, fees in trades),
        )
        self.verifier.verify(self.state, call, emitted(events))
        return [f.kind for f in self.state.findings[before:] if f.failing]

    def record(self, name: str, **args: Any) -> None:
        """An Exchange event of another transaction (a cancel, a nonce floor, an exit), recorded as `run` does."""
        record_revocation(self.state, Event(name, BLOCK - 1, 0, "0x" + "02" * 32, args))


@dataclass
class Chain:
    """The chain's answers beyond the events, as a test sets them: the block from which each contract's address holds
    code, after which blocks contract wallets accept a signature through EIP-1271 (all: every block), each market's
    price source (none unless set) and what its feed answers after a block; each question asked is kept."""

    code_from: dict[str, int] = field(default_factory=dict)
    accepting_after: Callable[[int], bool] = lambda block: True
    sources: dict[tuple[str, str], PriceSource] = field(default_factory=dict)
    rounds: Callable[[str, int], tuple[int, int] | None] = lambda feed, block: None
    asked: list[tuple[str, str, int]] = field(default_factory=list)

    def has_code(self, address: str, block: int) -> bool:
        self.asked.append(("code", address, block))
        return address in self.code_from and block >= self.code_from[address]

    def accepts(self, wallet: str, digest: str, signature: bytes, block: int) -> bool:
        self.asked.append(("accepts", wallet, block))
        return self.accepting_after(block)

    def price_source(self, base_token: str, quote_token: str, block: int) -> PriceSource:
        self.asked.append(("price source", base_token, block))
        return self.sources.get((base_token, quote_token), PriceSource(NO_FEED, 0, 0, 0))

    def latest_round(self, feed: str, block: int) -> tuple[int, int] | None:
        self.asked.append(("round", feed, block))
        return self.rounds(feed, block)


def batch(
    chain: Chain | None = None,
    opening: OpeningOrder = lambda order, order_hash: (0, False, False),
    opening_wallet: OpeningWallet = lambda wallet: (0, 0),
    block_time: BlockTime = lambda block: BLOCK_TIME,
) -> Batch:
    verifier = SettlementVerifier(DOMAIN, opening, opening_wallet, chain or Chain(), block_time)
    state = AuditState(last_block=0, fee_schedule=(1_000, 2_000))
    return Batch(verifier, state)
