"""AccountBook: withdrawal holds and balance reads, so a withdrawal is counted exactly once."""

from __future__ import annotations

import pytest

from backend.errors import HdexError
from backend.trading.rules.accounts import AccountBook, available

WALLET, TOKEN = "0x" + "aa" * 20, "0x" + "bb" * 20


def book(balance: int) -> AccountBook:
    accounts = AccountBook()
    accounts.set_wallet_balances(WALLET, {TOKEN: balance})
    return accounts


def test_available_is_the_balance_less_every_hold_and_never_below_zero() -> None:
    assert available(100, 30, 20) == 50
    assert available(100, 80, 40) == 0
    accounts = book(100)
    accounts.hold(WALLET, TOKEN, 30)
    accounts.hold_withdrawal("0x01", WALLET, TOKEN, 20)
    assert accounts.available(WALLET, TOKEN) == 50


def test_a_withdrawal_of_more_than_is_available_is_refused_and_holds_nothing() -> None:
    accounts = book(100)
    accounts.hold(WALLET, TOKEN, 60)
    with pytest.raises(HdexError) as refused:
        accounts.hold_withdrawal("0x01", WALLET, TOKEN, 41)
    assert refused.value.code == "INSUFFICIENT_BALANCE"
    assert accounts.available(WALLET, TOKEN) == 40


def test_a_stored_withdrawal_holds_until_a_read_begun_after_its_storage_counts_it() -> None:
    accounts = book(100)
    before_storage = accounts.begin_read()  # a sync read that began while the request was stored
    accounts.hold_withdrawal("0x01", WALLET, TOKEN, 70)
    accounts.withdrawal_stored("0x01")
    after_storage = accounts.begin_read()
    accounts.apply_read(before_storage, {WALLET: {TOKEN: 100}})  # does not see the request
    assert accounts.available(WALLET, TOKEN) == 30
    accounts.apply_read(after_storage, {WALLET: {TOKEN: 30}})  # counts it: the hold ends
    assert accounts.available(WALLET, TOKEN) == 30
    assert accounts.withheld[(WALLET, TOKEN)] == 0


def test_an_older_read_applied_late_does_not_bring_back_money_since_withdrawn() -> None:
    accounts = book(100)
    older, newer = accounts.begin_read(), accounts.begin_read()
    accounts.apply_read(newer, {WALLET: {TOKEN: 30}})
    accounts.apply_read(older, {WALLET: {TOKEN: 100}})
    assert accounts.available(WALLET, TOKEN) == 30


def test_a_refused_withdrawal_gives_its_hold_back() -> None:
    accounts = book(100)
    accounts.hold_withdrawal("0x01", WALLET, TOKEN, 70)
    accounts.release_withdrawal("0x01")
    assert accounts.available(WALLET, TOKEN) == 100


def test_a_twin_of_a_withdrawal_still_holding_is_a_duplicate_and_holds_nothing_more() -> None:
    accounts = book(100)
    accounts.hold_withdrawal("0x01", WALLET, TOKEN, 30)
    with pytest.raises(HdexError) as refused:
        accounts.hold_withdrawal("0x01", WALLET, TOKEN, 30)
    assert refused.value.code == "DUPLICATE_WITHDRAWAL"
    accounts.release_withdrawal("0x01")
    assert accounts.available(WALLET, TOKEN) == 100


def test_a_settled_fills_hold_outlives_balances_kept_from_a_later_begun_read_until_a_read_carries_the_fill() -> None:
    accounts = book(100)
    accounts.hold(WALLET, TOKEN, 60)  # a fill's payment, awaiting settlement
    sync = accounts.begin_read()  # claims the fill as settled, then reads the balances: 40
    withdrawal = accounts.begin_read()  # a withdrawal's balance load, which read the ledger before the settlement
    accounts.apply_read(withdrawal, {WALLET: {TOKEN: 100}})
    accounts.apply_read(sync, {WALLET: {TOKEN: 40}}, released=[(WALLET, TOKEN, 60)])  # its balances give way
    assert accounts.available(WALLET, TOKEN) == 40  # 100 kept, less the hold still there: the truth
    accounts.apply_read(accounts.begin_read(), {WALLET: {TOKEN: 40}})  # the next read carries the settlement
    assert accounts.available(WALLET, TOKEN) == 40
    assert accounts.reserved[(WALLET, TOKEN)] == 0


def test_a_settled_fills_hold_ends_at_once_with_the_balances_of_the_read_that_claimed_it() -> None:
    accounts = book(100)
    accounts.hold(WALLET, TOKEN, 60)
    accounts.apply_read(accounts.begin_read(), {WALLET: {TOKEN: 40}}, released=[(WALLET, TOKEN, 60)])
    assert accounts.available(WALLET, TOKEN) == 40
    assert accounts.reserved[(WALLET, TOKEN)] == 0


def test_a_read_begun_before_a_settled_fills_hold_ended_does_not_bring_back_its_payment() -> None:
    accounts = book(100)
    accounts.hold(WALLET, TOKEN, 60)
    sync = accounts.begin_read()
    withdrawal = accounts.begin_read()  # read the ledger before the settlement, applied after the sync
    accounts.apply_read(sync, {WALLET: {TOKEN: 40}}, released=[(WALLET, TOKEN, 60)])
    accounts.apply_read(withdrawal, {WALLET: {TOKEN: 100}})
    assert accounts.available(WALLET, TOKEN) == 40
