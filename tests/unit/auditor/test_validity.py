"""A settled order must still have been valid in its batch, as the Exchange judges it before the batch's trades:
not expired at the block's timestamp, not cancelled by its maker, its nonce not used by another order nor below its
maker's floor, its maker not exiting. The real contract skips such trades, so these batches are hand-made."""

from __future__ import annotations

from auditor.abi import Event, Order
from auditor.state import AuditState
from auditor.validity import early_exit_withdrawal, record_revocation

from .batches import BLOCK, BLOCK_TIME, BUYER, DOMAIN, PRICE, SELLER, USDC, WEI, batch, order

QUOTE = 3_000 * 10**6


def digest(signed: Order) -> str:
    return DOMAIN.digest(signed)


def test_an_order_is_valid_through_its_expiry_second_and_reported_once_the_block_is_later() -> None:
    seller, buyer = order(SELLER, 1, expiry=BLOCK_TIME), order(BUYER, 0)
    assert batch(block_time=lambda block: BLOCK_TIME).settle(seller, buyer, WEI, QUOTE) == []
    assert batch(block_time=lambda block: BLOCK_TIME + 1).settle(seller, buyer, WEI, QUOTE) == ["order-expired"]


def test_an_order_its_maker_cancelled_on_chain_is_reported_whether_new_or_partly_filled() -> None:
    run = batch()
    seller, buyer = order(SELLER, 1, amount=2 * WEI), order(BUYER, 0, amount=2 * WEI)
    assert run.settle(seller, buyer, WEI, QUOTE) == []
    run.record("OrderCancelledByMaker", maker=SELLER.address, orderHash=digest(seller), nonce=seller.nonce)
    assert run.settle(seller, buyer, WEI, QUOTE, signatures=(b"", b"")) == ["order-cancelled"]

    fresh = batch()
    fresh.record("OrderCancelledByMaker", maker=BUYER.address, orderHash=digest(buyer), nonce=buyer.nonce)
    assert fresh.settle(seller, buyer, WEI, QUOTE) == ["order-cancelled"]


def test_a_nonce_another_order_used_refuses_a_new_order_but_not_one_trading_on_from_its_own_fill() -> None:
    run = batch()
    first, buyer = order(SELLER, 1, amount=2 * WEI, nonce=5), order(BUYER, 0, amount=4 * WEI)
    same_nonce = order(SELLER, 1, amount=WEI, price=PRICE - 1, nonce=5)
    assert run.settle(first, buyer, WEI, QUOTE) == []
    assert run.settle(same_nonce, buyer, WEI, QUOTE) == ["nonce-reused"]
    # The first order holds a fill counter: the contract lets it trade on, even after a cancel of another order
    # with its nonce.
    run.record("OrderCancelledByMaker", maker=SELLER.address, orderHash="0x" + "99" * 32, nonce=5)
    assert run.settle(first, buyer, WEI, QUOTE, signatures=(b"", b"")) == []


def test_two_orders_of_one_maker_with_one_nonce_both_trade_in_the_batch_that_uses_it() -> None:
    run = batch()
    one, other = order(SELLER, 1, nonce=9), order(SELLER, 1, price=PRICE - 1, nonce=9)
    buyer = order(BUYER, 0, amount=2 * WEI)
    no_fee = (0, 0)
    assert run.settle_trades([(one, buyer, WEI, QUOTE, no_fee), (other, buyer, WEI, QUOTE, no_fee)]) == []
    assert (SELLER.address, 9) in run.state.used_nonces


def test_an_order_below_its_makers_nonce_floor_is_reported() -> None:
    run = batch()
    run.record("NonceFloorRaised", wallet=SELLER.address, nonceFloor=2)
    buyer = order(BUYER, 0, amount=2 * WEI)
    assert run.settle(order(SELLER, 1, nonce=1), buyer, WEI, QUOTE) == ["nonce-below-floor"]
    assert run.settle(order(SELLER, 1, nonce=2), buyer, WEI, QUOTE) == []


def test_a_wallet_that_requested_an_exit_cannot_trade_until_it_cancels_the_exit() -> None:
    run = batch()
    seller, buyer = order(SELLER, 1, amount=3 * WEI), order(BUYER, 0, amount=3 * WEI)
    run.record("ExitRequested", wallet=BUYER.address, availableAt=BLOCK_TIME + 3_600)
    assert run.settle(seller, buyer, WEI, QUOTE) == ["wallet-exited"]
    run.record("ExitCancelled", wallet=BUYER.address)
    assert run.settle(seller, buyer, WEI, QUOTE, signatures=(b"", b"")) == []


def test_a_range_that_starts_later_opens_cancels_floors_and_exits_from_the_contract() -> None:
    seller, buyer = order(SELLER, 1, amount=2 * WEI), order(BUYER, 0, amount=2 * WEI)
    # Cancelled before the range, never traded: no fill, nothing verified, the cancel flag set.
    cancelled = batch(opening=lambda signed, h: (0, False, h == digest(seller)))
    assert cancelled.settle(seller, buyer, WEI, QUOTE) == ["order-cancelled"]

    read: list[str] = []
    floors = {SELLER.address: (2, 0), BUYER.address: (0, BLOCK_TIME)}

    def opening_wallet(wallet: str) -> tuple[int, int]:
        read.append(wallet)
        return floors[wallet]

    run = batch(opening_wallet=opening_wallet)
    revoked = ["nonce-below-floor", "wallet-exited"]
    assert sorted(run.settle(seller, buyer, WEI, QUOTE)) == revoked
    assert sorted(run.settle(seller, buyer, WEI, QUOTE, signatures=(b"", b""))) == revoked
    assert sorted(read) == sorted(floors)  # each wallet read once, then kept in the state


def test_an_exit_withdrawal_before_its_exit_opened_is_reported() -> None:
    """The contract pays out through the exit hatch only from `availableAt` of an exit requested and not cancelled."""
    state, wallet = AuditState(last_block=0), SELLER.address
    withdrawn = Event("ExitWithdrawn", BLOCK, 0, "0x" + "03" * 32, {"wallet": wallet, "token": USDC, "amount": 1})
    never = early_exit_withdrawal(state, withdrawn, BLOCK_TIME, lambda wallet: (0, 0))
    assert never is not None and never.kind == "exit-withdrawn-early" and "none requested" in never.message
    record_revocation(state, Event("ExitRequested", BLOCK, 1, "0x" + "04" * 32, {"wallet": wallet, "availableAt": 100}))
    assert early_exit_withdrawal(state, withdrawn, 99, lambda wallet: (0, 0)) is not None
    assert early_exit_withdrawal(state, withdrawn, 100, lambda wallet: (0, 0)) is None
    opened_before_the_range = AuditState(last_block=0)
    assert early_exit_withdrawal(opened_before_the_range, withdrawn, 100, lambda wallet: (0, 50)) is None
