"""The settlement checks on hand-made batches: signatures, limit prices at the rounding edge, fills across
batches, fees, all judged from calldata and events alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from auditor.abi import Event, UndecodableCall
from auditor.orders import recover

from .batches import BLOCK, BUYER, DOMAIN, PRICE, SELLER, STRANGER, WEI, Chain, batch, order, sign


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
    done = DOMAIN.digest(seller)
    run = batch(opening=lambda signed, order_hash: (signed.base_amount if order_hash == done else 0, False, False))
    assert "overfilled" in run.settle(seller, buyer, 1, 3_000)


def test_an_order_never_verified_cannot_trade_without_a_signature_but_a_cached_one_can() -> None:
    run = batch()
    seller, buyer = order(SELLER, 1, amount=2 * WEI), order(BUYER, 0, amount=2 * WEI)
    assert run.settle(seller, buyer, WEI, 3_000 * 10**6, signatures=(b"", sign(BUYER, buyer))) == ["signature-missing"]
    assert batch().settle(seller, buyer, WEI, 3_000 * 10**6) == []
    assert run.state.fills  # the first batch still counted its fill


def test_a_signature_by_someone_else_fails_unless_the_maker_is_a_contract_wallet_that_accepts_it() -> None:
    seller, buyer = order(SELLER, 1), order(BUYER, 0)
    forged = (sign(STRANGER, seller), sign(BUYER, buyer))
    quote = 3_000 * 10**6
    assert batch().settle(seller, buyer, WEI, quote, signatures=forged) == ["signature-invalid"]
    accepting = batch(Chain({SELLER.address: 0}))
    assert accepting.settle(seller, buyer, WEI, quote, signatures=forged) == []
    assert accepting.state.counts["signatures_eip1271"] == 1 and accepting.state.findings == []
    refusing = batch(Chain({SELLER.address: 0}, accepting_after=lambda block: False))
    assert refusing.settle(seller, buyer, WEI, quote, signatures=forged) == ["signature-invalid"]
    assert "refused by contract wallet" in refusing.state.findings[0].message
    # The transaction ran between the states after the block before and after its own: either one's yes stands.
    for accepting_after in (BLOCK - 1, BLOCK):
        wallets = Chain({SELLER.address: 0}, accepting_after={accepting_after}.__contains__)
        assert batch(wallets).settle(seller, buyer, WEI, quote, signatures=forged) == []
        assert [(what, block) for what, _address, block in wallets.asked][-1] == ("accepts", accepting_after)


def test_a_contract_wallet_is_judged_by_its_code_at_the_settlement_block_not_later() -> None:
    seller, buyer = order(SELLER, 1, amount=2 * WEI), order(BUYER, 0, amount=2 * WEI)
    forged = (sign(STRANGER, seller), sign(BUYER, buyer))
    # The maker's address gets code at block 10, after a forged order of it settled at block 7.
    wallets = Chain({SELLER.address: 10})
    quote = 3_000 * 10**6
    assert batch(wallets).settle(seller, buyer, WEI, quote, signatures=forged, block=7) == ["signature-invalid"]
    assert wallets.asked == [("code", SELLER.address, 7)]
    assert batch(wallets).settle(seller, buyer, WEI, quote, signatures=forged, block=10) == []


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


def test_fees_collected_twice_for_one_token_do_not_pass_as_the_batchs_fees() -> None:
    """Both events credit the fee recipient, so they are summed: the last alone would equal the trades' fees."""
    quote = 3_000 * 10**6
    seller, buyer = order(SELLER, 1), order(BUYER, 0)
    fees = (quote * 1_000 // 10**6, 0)
    assert batch().settle_trades([(seller, buyer, WEI, quote, fees)]) == []

    def twice(events: list[Event]) -> list[Event]:
        return events + [e for e in events if e.name == "FeesCollected"]

    assert batch().settle_trades([(seller, buyer, WEI, quote, fees)], emitted=twice) == ["fees-collected-mismatch"]


def test_a_high_s_signature_recovers_to_nobody() -> None:
    digest = DOMAIN.digest(order(SELLER, 1))
    signature = sign(SELLER, order(SELLER, 1))
    assert recover(digest, signature) == SELLER.address
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(signature[32:64])
    flipped = signature[:32] + (n - s).to_bytes(32) + bytes([55 - signature[64]])
    assert recover(digest, flipped) is None


def test_a_settle_call_that_does_not_decode_is_a_failing_finding_and_the_audit_goes_on() -> None:
    checked = batch()
    settled = Event("TradeSettled", BLOCK, 0, "0x" + "01" * 32, {})
    checked.verifier.verify(
        checked.state, UndecodableCall("settle", "NonEmptyPaddingBytes: padding bytes were not empty"), [settled]
    )
    [finding] = checked.state.findings
    assert (finding.kind, finding.failing) == ("settlement-undecodable", True)
    assert "NonEmptyPaddingBytes" in finding.message and finding.tx_hash == "0x" + "01" * 32


def test_terms_the_contract_would_skip_are_reported() -> None:
    """A contract with a bug in these paths would settle them, and balances would still agree with its events."""
    seller, buyer = order(SELLER, 1), order(BUYER, 0)
    exact = 3_000 * 10**6
    fok_maker = replace(seller, flags=8)
    assert batch().settle(fok_maker, buyer, WEI, exact) == ["fill-or-kill-made"]
    assert batch().settle(replace(seller, flags=1 << 7), buyer, WEI, exact) == ["unknown-flags"]
    assert batch().settle(seller, replace(buyer, side=2), WEI, exact) == ["invalid-market"]


def test_a_fill_or_kill_taker_must_settle_whole_in_one_batch() -> None:
    seller, fok = order(SELLER, 1, amount=2 * WEI), replace(order(BUYER, 0, amount=2 * WEI), flags=8)
    exact = 3_000 * 10**6
    assert batch().settle(seller, fok, 2 * WEI, 2 * exact) == []
    half = batch()
    assert half.settle(seller, fok, WEI, exact) == ["fill-or-kill-not-whole"]
    assert half.settle(seller, fok, WEI, exact) == ["fill-or-kill-not-whole"]  # the rest, in a later batch


def test_a_fill_or_kill_taker_must_settle_in_one_run_of_consecutive_trades() -> None:
    seller = order(SELLER, 1, amount=2 * WEI)
    fok = replace(order(BUYER, 0, amount=2 * WEI), flags=8)
    other_seller, other_buyer = order(SELLER, 1, nonce=2), order(BUYER, 0, nonce=3)
    exact = 3_000 * 10**6
    split = [(seller, fok, WEI, exact, (0, 0)), (other_seller, other_buyer, WEI, exact, (0, 0)),
             (seller, fok, WEI, exact, (0, 0))]  # fmt: skip
    assert batch().settle_trades(split) == ["fill-or-kill-not-whole"]
    together = [split[0], split[2], split[1]]
    assert batch().settle_trades(together) == []


def test_a_fill_or_kill_run_is_cut_in_the_calldata_with_the_skipped_trades() -> None:
    """The contract cuts runs in the call, skipped trades included: split by another taker's trade the order has two
    runs, each short of its amount, and with a third trade of its own one run over it, so none settles. A faulty
    contract settling the rest would fill the order exactly: only the runs tell."""
    seller = order(SELLER, 1, amount=2 * WEI)
    fok = replace(order(BUYER, 0, amount=2 * WEI), flags=8)
    other_seller, other_buyer = order(SELLER, 1, nonce=2), order(BUYER, 0, nonce=3)
    exact = 3_000 * 10**6
    half, other = (seller, fok, WEI, exact, (0, 0)), (other_seller, other_buyer, WEI, exact, (0, 0))
    assert batch().settle_trades([half, other, half], emitted=_skipping(1)) == ["fill-or-kill-not-whole"]
    assert batch().settle_trades([half, half, half], emitted=_skipping(2)) == ["fill-or-kill-not-whole"]
    assert batch().settle_trades([half, half, other], emitted=_skipping(2)) == []


def _skipping(place: int) -> Callable[[list[Event]], list[Event]]:
    """The events of a fee-free batch had the contract skipped its trade at `place` and settled the others."""

    def emitted(events: list[Event]) -> list[Event]:
        settled = events[place]
        skipped = Event("TradeSkipped", settled.block, settled.log_index, settled.tx_hash, {"tradeIndex": place})
        return [*events[:place], skipped, *events[place + 1 :]]

    return emitted
