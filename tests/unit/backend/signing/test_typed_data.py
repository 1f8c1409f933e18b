"""Our EIP-712 digests and recovery are byte-identical to eth-account's, at every edge of every field."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.chain.devkeys import DEV_KEYS
from backend.paths import CONTRACTS_DIR
from backend.signing import (
    CANCEL_TYPE,
    ORDER_TYPE,
    WITHDRAWAL_TYPE,
    Cancel,
    Domain,
    Order,
    SignatureError,
    Withdrawal,
    cancel_digest,
    order_digest,
    recover_signer,
    sign_digest,
    typed_data_json,
    withdrawal_digest,
)
from backend.signing.typed_data import (
    CANCEL_TYPEHASH,
    DOMAIN_TYPE,
    DOMAIN_TYPEHASH,
    ORDER_TYPEHASH,
    WITHDRAWAL_TYPEHASH,
    keccak,
    signing_forms,
)

DOMAIN = Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
KEY = DEV_KEYS[5]
MAKER = Account.from_key(KEY).address
EDGES = [0, 1, 2**53 + 1, 2**64 - 1, 2**128 - 1, 2**256 - 1]
UINT_BITS = {"side": 8, "baseAmount": 128, "limitPrice": 256, "triggerPrice": 256, "maxFeeRate": 32,
             "nonce": 64, "expiry": 64, "flags": 32}  # fmt: skip


def eth_account_digest(primary: str, message: dict[str, Any]) -> bytes:
    document = typed_data_json(DOMAIN, primary, message)
    signable = encode_typed_data(full_message=document)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def an_order(**fields: Any) -> Order:
    values: dict[str, Any] = dict(
        maker=MAKER, baseToken="0x" + "0a" * 20, quoteToken="0x" + "0B" * 20, side=1, baseAmount=10**18,
        limitPrice=3_000 * 10**6, triggerPrice=0, maxFeeRate=2_000, nonce=7, expiry=2_000_000_000, flags=4,
    )  # fmt: skip
    values.update(fields)
    return Order(**values)


def test_the_precomputed_type_hashes_are_the_hashes_of_the_contracts_type_strings() -> None:
    assert keccak(DOMAIN_TYPE.encode()) == DOMAIN_TYPEHASH
    assert keccak(ORDER_TYPE.encode()) == ORDER_TYPEHASH
    assert keccak(CANCEL_TYPE.encode()) == CANCEL_TYPEHASH
    assert keccak(WITHDRAWAL_TYPE.encode()) == WITHDRAWAL_TYPEHASH


def test_the_type_strings_are_exactly_those_of_the_exchange_interface() -> None:
    source = (CONTRACTS_DIR / "interfaces" / "IExchange.sol").read_text()
    for type_string in (ORDER_TYPE, CANCEL_TYPE, WITHDRAWAL_TYPE, DOMAIN_TYPE):
        assert type_string in source


@pytest.mark.parametrize(
    ("field", "value"),
    [(field, value) for field, bits in sorted(UINT_BITS.items()) for value in EDGES if value.bit_length() <= bits],
)
def test_an_order_digest_equals_eth_accounts_at_every_edge_value(field: str, value: int) -> None:
    order = an_order(**{field: value})
    assert order_digest(DOMAIN, order) == eth_account_digest("Order", order._asdict())


@settings(max_examples=60, deadline=None)
@given(
    st.fixed_dictionaries({name: st.integers(0, 2**bits - 1) for name, bits in UINT_BITS.items()}),
    st.binary(min_size=20, max_size=20),
)
def test_any_order_digest_equals_eth_accounts(fields: dict[str, int], token: bytes) -> None:
    order = an_order(**fields, baseToken="0x" + token.hex())
    assert order_digest(DOMAIN, order) == eth_account_digest("Order", order._asdict())


def test_cancel_and_withdrawal_digests_equal_eth_accounts() -> None:
    cancel = Cancel(MAKER, bytes(range(32)))
    assert cancel_digest(DOMAIN, cancel) == eth_account_digest("Cancel", cancel._asdict())
    for amount in EDGES:
        withdrawal = Withdrawal(MAKER, "0x" + "0a" * 20, amount, amount, MAKER, 2**64 - 1, 0)
        assert withdrawal_digest(DOMAIN, withdrawal) == eth_account_digest("Withdrawal", withdrawal._asdict())


def test_a_signature_by_eth_account_recovers_to_its_signer() -> None:
    order = an_order()
    signed = Account.sign_typed_data(KEY, full_message=typed_data_json(DOMAIN, "Order", order._asdict()))
    assert recover_signer(order_digest(DOMAIN, order), bytes(signed.signature)) == MAKER.lower()


def test_our_signature_is_the_same_bytes_as_eth_accounts() -> None:
    digest = order_digest(DOMAIN, an_order())
    ours = sign_digest(bytes.fromhex(KEY[2:]), digest)
    theirs = Account.unsafe_sign_hash(digest, KEY).signature
    assert ours == bytes(theirs)


def test_v_may_be_zero_or_one_as_well_as_27_or_28() -> None:
    digest = order_digest(DOMAIN, an_order())
    signature = sign_digest(bytes.fromhex(KEY[2:]), digest)
    lowered = signature[:64] + bytes([signature[64] - 27])
    assert recover_signer(digest, lowered) == recover_signer(digest, signature) == MAKER.lower()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda sig: sig[:64],  # too short
        lambda sig: sig[:64] + b"\x1d",  # v = 29
        lambda sig: bytes(32) + sig[32:],  # r = 0
        lambda sig: sig[:32] + (2**256 - 1).to_bytes(32, "big") + sig[64:],  # s out of range
    ],
    ids=["short", "bad-v", "zero-r", "huge-s"],
)
def test_a_malformed_signature_is_refused(mangle: Any) -> None:
    digest = order_digest(DOMAIN, an_order())
    with pytest.raises(SignatureError):
        recover_signer(digest, mangle(sign_digest(bytes.fromhex(KEY[2:]), digest)))


def test_the_high_s_twin_of_a_valid_signature_is_refused_like_the_contract_does() -> None:
    digest = order_digest(DOMAIN, an_order())
    signature = sign_digest(bytes.fromhex(KEY[2:]), digest)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    twin = (
        signature[:32] + (n - int.from_bytes(signature[32:64], "big")).to_bytes(32, "big") + bytes([55 - signature[64]])
    )
    with pytest.raises(SignatureError):
        recover_signer(digest, twin)


def test_a_value_that_does_not_fit_32_bytes_cannot_be_hashed() -> None:
    with pytest.raises(OverflowError):
        order_digest(DOMAIN, an_order(limitPrice=2**256))


def test_each_served_form_lists_only_the_types_its_signer_takes() -> None:
    forms = signing_forms(DOMAIN)
    assert set(forms) == {"Order", "Cancel", "Withdrawal"}
    for primary, form in forms.items():
        assert set(form["signTypedDataV4"]["types"]) == {"EIP712Domain", primary}  # MetaMask needs EIP712Domain
        assert set(form["ethers"]["types"]) == {primary}  # ethers refuses EIP712Domain and unused types
        assert form["signTypedDataV4"]["primaryType"] == form["ethers"]["primaryType"] == primary
        assert form["signTypedDataV4"]["domain"] == form["ethers"]["domain"]
