"""The client's withdrawal signing and the helpers its deposit and withdrawal waits rely on."""

from __future__ import annotations

from backend.api.routes.withdrawals import parse_withdrawal
from backend.chain.devkeys import DEV_KEYS
from backend.client.core import Signer, balances_by_token, credited, withdrawal_fee
from backend.signing import Domain, recover_signer, withdrawal_digest

DOMAIN = Domain(31337, "0x" + "e1" * 20)
USDC = "0x" + "0b" * 20


def test_a_signed_withdrawal_body_parses_on_the_server_and_recovers_to_the_wallet() -> None:
    signer = Signer(DEV_KEYS[5], DOMAIN)
    withdrawal_hash, body = signer.withdrawal_body(USDC, 5 * 10**6, 500, nonce=7, expiry=2**40)
    withdrawal, signature = parse_withdrawal(body)
    assert withdrawal.wallet == withdrawal.recipient == signer.address.lower()  # to itself by default
    assert (withdrawal.amount, withdrawal.maxFee, withdrawal.nonce, withdrawal.expiry) == (5 * 10**6, 500, 7, 2**40)
    assert "0x" + withdrawal_digest(DOMAIN, withdrawal).hex() == withdrawal_hash
    assert recover_signer(bytes.fromhex(withdrawal_hash[2:]), signature) == signer.address.lower()


def test_the_default_max_fee_is_the_fee_the_server_charges_rounded_down_and_at_most_the_amount() -> None:
    assert withdrawal_fee(10**6, {"withdrawalFeeRate": 500}) == 500
    assert withdrawal_fee(1_999, {"withdrawalFeeRate": 500}) == 0
    assert withdrawal_fee(10, {"withdrawalFeeRate": 0}) == 0


def test_a_deposit_counts_as_credited_only_once_final() -> None:
    page = {"deposits": [{"txHash": "0xAB", "status": "pending"}, {"txHash": "0xcd", "status": "confirmed"}]}
    assert credited(page, "0xab") is None
    assert credited(page, "0xCD") == {"txHash": "0xcd", "status": "confirmed"}


def test_balances_become_ints_and_keep_their_symbol_and_decimals() -> None:
    body = {"balances": [{"token": USDC, "symbol": "USDC", "decimals": 6, "balance": "5", "reserved": "2"}]}
    assert balances_by_token(body) == {USDC: {"symbol": "USDC", "decimals": 6, "balance": 5, "reserved": 2}}
