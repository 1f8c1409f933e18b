"""The withdrawal checks on hand-made `withdraw` calls and the `Withdrawn` events a contract (maybe a faulty one)
emitted for them: the wallet's signature, the expiry, the signed maximum fee, one payment per withdrawal, and the
event agreeing with what was signed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from auditor.abi import Call, Event, SettleCall, UndecodableCall, Withdrawal, WithdrawCall
from auditor.state import ETHER, AuditState
from auditor.withdrawals import WithdrawalVerifier

from .batches import BLOCK, BLOCK_TIME, BUYER, DOMAIN, SELLER, USDC, Chain, sign

RECIPIENT = "0x" + "Cc" * 20
SIGNED = Withdrawal(SELLER.address, USDC, 1_000 * 10**6, 10**6, RECIPIENT, 1, BLOCK_TIME + 60)


class Payouts:
    """Withdrawals paid one after the other on one state, as `run` verifies them."""

    def __init__(self, paid_before: bool = False, wallets: Chain | None = None, block_time: int = BLOCK_TIME) -> None:
        self.state = AuditState(last_block=0)
        self.verifier = WithdrawalVerifier(
            DOMAIN, lambda digest: paid_before, wallets or Chain(), lambda block: block_time
        )

    def pay(
        self,
        withdrawal: Withdrawal = SIGNED,
        fee: int = 10**6,
        by: Any = SELLER,
        call: Call = None,
        paid: dict[str, Any] | None = None,
    ) -> list[str]:
        """Verifies one `withdraw` of `withdrawal` signed by `by` (the event as the contract emits it, but for
        `paid`); returns the kinds of the failing findings it added."""
        before = len(self.state.findings)
        args = {
            "wallet": withdrawal.wallet, "token": withdrawal.token, "withdrawalHash": DOMAIN.digest(withdrawal),
            "recipient": withdrawal.recipient, "amount": withdrawal.amount, "fee": fee,
            "feeRecipient": "0x" + "fe" * 20, "balance": 0, **(paid or {}),
        }  # fmt: skip
        event = Event("Withdrawn", BLOCK, 0, "0x" + "03" * 32, args)
        self.verifier.verify(self.state, call or WithdrawCall(withdrawal, sign(by, withdrawal), fee), [event])
        return [f.kind for f in self.state.findings[before:] if f.failing]


def test_a_withdrawal_paid_as_its_wallet_signed_it_passes_and_is_counted() -> None:
    payouts = Payouts()
    assert payouts.pay() == []
    assert payouts.state.counts == {"withdrawals": 1, "withdrawals_verified": 1, "signatures_recovered": 1}
    assert payouts.state.withdrawals == {DOMAIN.digest(SIGNED)}


def test_a_withdrawal_signed_by_another_wallet_fails_unless_the_wallet_is_a_contract_that_accepts_it() -> None:
    assert Payouts().pay(by=BUYER) == ["signature-invalid"]
    contract = Payouts(wallets=Chain({SELLER.address: 0}))
    assert contract.pay(by=BUYER) == []
    assert contract.state.counts["signatures_eip1271"] == 1 and contract.state.findings == []
    refusing = Chain({SELLER.address: 0}, accepting_after=lambda block: False)
    assert Payouts(wallets=refusing).pay(by=BUYER) == ["signature-invalid"]


def test_a_withdrawal_paid_after_its_expiry_is_reported_and_one_paid_at_it_is_not() -> None:
    assert Payouts(block_time=SIGNED.expiry).pay() == []
    assert Payouts(block_time=SIGNED.expiry + 1).pay() == ["withdrawal-expired"]


def test_a_fee_above_the_signed_maximum_or_the_amount_is_reported() -> None:
    assert Payouts().pay(fee=SIGNED.max_fee) == []
    assert Payouts().pay(fee=SIGNED.max_fee + 1) == ["withdrawal-fee-above-max"]
    small = replace(SIGNED, amount=5, max_fee=10)
    assert Payouts().pay(small, fee=6) == ["withdrawal-fee-above-max"]


def test_a_withdrawal_paid_twice_or_already_paid_before_the_range_is_reported() -> None:
    payouts = Payouts()
    assert payouts.pay() == []
    assert payouts.pay() == ["withdrawal-replayed"]
    assert payouts.pay(replace(SIGNED, nonce=2)) == []  # another withdrawal: another hash
    assert Payouts(paid_before=True).pay() == ["withdrawal-replayed"]


def test_an_event_that_differs_from_the_signed_withdrawal_is_reported() -> None:
    """The balances are rebuilt from the event: an event paying more than was signed must not pass."""
    assert Payouts().pay(paid={"amount": SIGNED.amount + 1}) == ["withdrawal-event-mismatch"]
    assert Payouts().pay(paid={"recipient": BUYER.address}) == ["withdrawal-event-mismatch"]
    assert Payouts().pay(paid={"fee": 0}) == ["withdrawal-event-mismatch"]  # the event's fee is not the call's


def test_terms_the_contract_would_refuse_are_reported() -> None:
    assert Payouts().pay(replace(SIGNED, amount=0, max_fee=0), fee=0) == ["zero-amount-withdrawal"]
    for recipient in (ETHER, DOMAIN.exchange):
        assert Payouts().pay(replace(SIGNED, recipient=recipient)) == ["withdrawal-recipient-invalid"]


def test_a_withdrawn_event_of_a_call_that_is_not_a_decodable_withdraw_is_a_failing_finding() -> None:
    payouts = Payouts()
    undecodable = UndecodableCall("withdraw", "NonEmptyPaddingBytes: padding bytes were not empty")
    assert payouts.pay(call=undecodable) == ["withdrawal-undecodable"]
    assert "NonEmptyPaddingBytes" in payouts.state.findings[0].message  # the reason is kept
    assert Payouts().pay(call=SettleCall((), (), ())) == ["withdrawal-undecodable"]
