"""The settlement checks on hand-made batches: signatures, limit prices at the rounding edge, fills across
batches, fees, all judged from calldata and events alone."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils.address import to_checksum_address

from auditor.abi import Event, Order, SettleCall, Trade
from auditor.orders import Domain, recover
from auditor.settlements import OpeningOrder, SettlementVerifier
from auditor.state import AuditState

SELLER = Account.from_key("0x" + "11" * 32)
BUYER = Account.from_key("0x" + "22" * 32)
STRANGER = Account.from_key("0x" + "33" * 32)
WETH, USDC = to_checksum_address("0x" + "aa" * 20), to_checksum_address("0x" + "bb" * 20)
DOMAIN = Domain(31337, to_checksum_address("0x" + "ee" * 20))
WEI, PRICE = 10**18, 3_000 * 10**6


def order(account: Any, side: int, amount: int = WEI, price: int = PRICE, max_fee_rate: int = 3_000) -> Order:
    return Order(account.address, WETH, USDC, side, amount, price, 0, max_fee_rate, 1, 2**40, 0)


def sign(account: Any, signed: Order) -> bytes:
    from eth_account.messages import encode_typed_data

    return bytes(Account.sign_message(encode_typed_data(full_message=DOMAIN.typed_data(signed)), account.key).signature)


class Batch:
    """One settle call of seller-maker/buyer-taker trades and the events the contract would have emitted."""

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
    ) -> list[str]:
        """Verifies the batch; returns the kinds of the failing findings it added."""
        before = len(self.state.findings)
        maker_hash, taker_hash = DOMAIN.order_digest(maker), DOMAIN.order_digest(taker)
        filled = (self.state.fills.get(maker_hash, 0) + base, self.state.fills.get(taker_hash, 0) + base)
        sigs = signatures if signatures is not None else (sign(SELLER, maker), sign(BUYER, taker))
        call = SettleCall((maker, taker), sigs, (Trade(0, 1, base, quote, *fees),))
        args = {
            "maker": maker.maker, "taker": taker.maker, "makerOrderHash": maker_hash, "takerOrderHash": taker_hash,
            "baseToken": WETH, "quoteToken": USDC, "makerSide": maker.side, "baseAmount": base, "quoteAmount": quote,
            "makerFee": fees[0], "takerFee": fees[1], "makerFilled": filled[0], "takerFilled": filled[1],
        }  # fmt: skip
        events = [Event("TradeSettled", 7, 0, "0x" + "01" * 32, args)]
        collected = {USDC: fees[0], WETH: fees[1]}
        events += [
            Event("FeesCollected", 7, i + 1, "0x" + "01" * 32, {"token": t, "amount": a})
            for i, (t, a) in enumerate((t, a) for t, a in collected.items() if a)
        ]
        self.verifier.verify(self.state, call, events)
        return [f.kind for f in self.state.findings[before:] if f.failing]


def batch(has_code: bool = False, opening: OpeningOrder = lambda order, order_hash: (0, False)) -> Batch:
    verifier = SettlementVerifier(DOMAIN, opening, lambda address: has_code)
    state = AuditState(last_block=0, fee_schedule=(1_000, 2_000))
    return Batch(verifier, state)


def test_a_trade_at_both_limits_passes_and_one_quote_unit_either_way_fails_the_signer_it_hurts() -> None:
    seller, buyer = order(SELLER, 1, price=PRICE), order(BUYER, 0, price=PRICE)
    exact = 3_000 * 10**6
    assert batch().settle(seller, buyer, WEI, exact) == []
    assert batch().settle(seller, buyer, WEI, exact + 1) == ["limit-price-violated"]  # the buyer pays more
    assert batch().settle(seller, buyer, WEI, exact - 1) == ["limit-price-violated"]  # the seller gets less


def test_a_price_that_does_not_divide_evenly_is_judged_on_the_exact_inequality() -> None:
    # 3 base units at 1.5 quote per unit: 4.5 quote. The buyer may pay 4 (not 5), the seller must get 5 (not 4).
    price = 15 * 10**17
    assert batch().settle(order(SELLER, 1, 3, price), order(BUYER, 0, 3, 2 * price), 3, 5) == []
    assert batch().settle(order(SELLER, 1, 3, price), order(BUYER, 0, 3, 2 * price), 3, 4) == ["limit-price-violated"]
    assert batch().settle(order(SELLER, 1, 3, price // 2), order(BUYER, 0, 3, price), 3, 5) == ["limit-price-violated"]


def test_an_order_filled_beyond_its_amount_across_two_batches_is_reported() -> None:
    run = batch()
    seller, buyer = order(SELLER, 1, amount=WEI), order(BUYER, 0, amount=2 * WEI)
    assert run.settle(seller, buyer, WEI // 2, 1_500 * 10**6) == []
    assert run.settle(seller, buyer, WEI, 3_000 * 10**6, signatures=(b"", b"")) == ["overfilled"]


def test_an_order_that_opens_filled_completely_is_reported_when_it_trades_again() -> None:
    # Before the range the seller's order was filled completely in one batch: no counter, its nonce's bit set, so
    # the chain reader opens it at its whole amount (ChainReader.opening_fill).
    seller, buyer = order(SELLER, 1, amount=WEI), order(BUYER, 0, amount=2 * WEI)
    done = DOMAIN.order_digest(seller)
    run = batch(opening=lambda signed, order_hash: (signed.base_amount, False) if order_hash == done else (0, False))
    assert "overfilled" in run.settle(seller, buyer, 1, 3_000)


def test_an_order_never_verified_cannot_trade_without_a_signature_but_a_cached_one_can() -> None:
    run = batch()
    seller, buyer = order(SELLER, 1, amount=2 * WEI), order(BUYER, 0, amount=2 * WEI)
    assert run.settle(seller, buyer, WEI, 3_000 * 10**6, signatures=(b"", sign(BUYER, buyer))) == ["signature-missing"]
    assert batch().settle(seller, buyer, WEI, 3_000 * 10**6) == []
    assert run.state.fills  # the first batch still counted its fill


def test_a_signature_by_someone_else_fails_unless_the_maker_is_a_contract_wallet() -> None:
    seller, buyer = order(SELLER, 1), order(BUYER, 0)
    forged = (sign(STRANGER, seller), sign(BUYER, buyer))
    assert batch().settle(seller, buyer, WEI, 3_000 * 10**6, signatures=forged) == ["signature-invalid"]
    wallet = batch(has_code=True)
    assert wallet.settle(seller, buyer, WEI, 3_000 * 10**6, signatures=forged) == []
    assert [f.kind for f in wallet.state.findings] == ["eip1271-not-verified-offchain"]


def test_fees_above_the_signed_maximum_the_schedule_or_the_hard_cap_are_reported() -> None:
    quote = 3_000 * 10**6
    seller, buyer = order(SELLER, 1, max_fee_rate=500), order(BUYER, 0, max_fee_rate=50_000)
    assert batch().settle(seller, buyer, WEI, quote, fees=(quote * 500 // 10**6, 0)) == []
    assert batch().settle(seller, buyer, WEI, quote, fees=(quote * 500 // 10**6 + 1, 0)) == ["fee-above-signed-max"]
    # The buyer signed 5%: the schedule (0.2%) and the hard cap (1%) still bind.
    assert batch().settle(seller, buyer, WEI, quote, fees=(0, WEI * 2_000 // 10**6 + 1)) == ["fee-above-schedule"]
    assert sorted(batch().settle(seller, buyer, WEI, quote, fees=(0, WEI // 50))) == [
        "fee-above-hard-cap", "fee-above-schedule",
    ]  # fmt: skip


def test_a_high_s_signature_recovers_to_nobody() -> None:
    digest = DOMAIN.order_digest(order(SELLER, 1))
    signature = sign(SELLER, order(SELLER, 1))
    assert recover(digest, signature) == SELLER.address
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(signature[32:64])
    flipped = signature[:32] + (n - s).to_bytes(32) + bytes([55 - signature[64]])
    assert recover(digest, flipped) is None
