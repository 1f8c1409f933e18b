"""Each `withdraw` transaction re-verified from its calldata against the rules of IExchange.sol: the wallet signed
the withdrawal (as an EOA, or as a contract wallet through EIP-1271), it had not expired, it is paid once, the fee is
within the signed maximum, and the `Withdrawn` event says what the signed withdrawal and the call say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from auditor.abi import Call, Event, UndecodableCall, WithdrawCall
from auditor.orders import ContractWallets, Domain, judge_signature
from auditor.settlements import BlockTime
from auditor.state import ETHER, AuditState, Check

# Whether a withdrawal (by its hash) was paid before the audited range (never, for a range from genesis).
PaidBefore = Callable[[str], bool]


class WithdrawalVerifier:
    """Verifies `withdraw` transactions in chain order, keeping the hashes of those paid in the state."""

    def __init__(
        self, domain: Domain, paid_before: PaidBefore, wallets: ContractWallets, block_time: BlockTime
    ) -> None:
        self.domain = domain
        self.paid_before = paid_before
        self.wallets = wallets
        self.block_time = block_time

    def verify(self, state: AuditState, call: Call, events: Sequence[Event]) -> None:
        """Checks the withdrawal of one transaction with a `Withdrawn` event (its Exchange `events` in log
        order)."""
        withdrawn = [e for e in events if e.name == "Withdrawn"]
        check = Check(state, withdrawn[0])
        state.count("withdrawals")
        if isinstance(call, UndecodableCall) and call.function == "withdraw":
            check.fail("withdrawal-undecodable", f"the withdraw call's arguments do not decode as the ABI encodes "
                                                 f"them ({call.reason}): the withdrawal cannot be checked")  # fmt: skip
            return
        if not isinstance(call, WithdrawCall) or len(withdrawn) != 1:
            check.fail("withdrawal-undecodable", "the transaction's input is not a direct call of withdraw paying "
                                                 "one withdrawal")  # fmt: skip
            return
        event, withdrawal = withdrawn[0], call.withdrawal
        digest = self.domain.digest(withdrawal)
        expected = {
            "wallet": withdrawal.wallet, "token": withdrawal.token, "withdrawalHash": digest,
            "recipient": withdrawal.recipient, "amount": withdrawal.amount, "fee": call.fee,
        }  # fmt: skip
        differing = sorted(k for k, v in expected.items() if event.args[k] != v)
        if differing:
            check.fail("withdrawal-event-mismatch", f"Withdrawn differs from the signed withdrawal and the call in "
                                                    f"{differing}")  # fmt: skip
        judge_signature(check, self.wallets, f"withdrawal {digest}", withdrawal.wallet, digest, call.signature)
        timestamp = self.block_time(event.block)
        if timestamp > withdrawal.expiry:
            check.fail("withdrawal-expired", f"withdrawal {digest} paid at block time {timestamp}, after its expiry "
                                             f"{withdrawal.expiry}", withdrawal=digest)  # fmt: skip
        if call.fee > min(withdrawal.max_fee, withdrawal.amount):
            check.fail("withdrawal-fee-above-max", f"withdrawal {digest} paid fee {call.fee}, above its signed "
                       f"maximum {withdrawal.max_fee} or its amount {withdrawal.amount}", withdrawal=digest,
                       fee=str(call.fee), max_fee=str(withdrawal.max_fee))  # fmt: skip
        if withdrawal.amount == 0:
            check.fail("zero-amount-withdrawal", f"withdrawal {digest} moves nothing")
        if withdrawal.recipient in (ETHER, self.domain.exchange):
            check.fail("withdrawal-recipient-invalid", f"withdrawal {digest} pays {withdrawal.recipient}")
        if digest in state.withdrawals or self.paid_before(digest):
            check.fail("withdrawal-replayed", f"withdrawal {digest} was already paid", withdrawal=digest)
        state.withdrawals.add(digest)
        state.count("withdrawals_verified")
