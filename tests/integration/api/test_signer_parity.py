"""Our digests equal ethers v6's and anvil's `eth_signTypedData_v4`, at the edges of every amount."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account

from backend.chain.devkeys import DEV_KEYS
from backend.chain.node import AnvilNode
from backend.signing import (
    Cancel,
    Domain,
    Order,
    Withdrawal,
    cancel_digest,
    order_digest,
    recover_signer,
    typed_data_json,
    withdrawal_digest,
)
from backend.trading.orders import order_to_json

from .signers import ethers_sign, sign_with_anvil

DOMAIN = Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
EDGES = [0, 2**53 + 1, 2**64 - 1, 2**128 - 1, 2**256 - 1]


def orders() -> list[Order]:
    maker = Account.from_key(DEV_KEYS[5]).address
    cases = []
    for value in EDGES:
        cases.append(
            Order(maker, "0x" + "0a" * 20, "0x" + "0b" * 20, 1, min(value, 2**128 - 1), value, value,
                  min(value, 2**32 - 1), min(value, 2**64 - 1), min(value, 2**64 - 1), min(value, 2**32 - 1))
        )  # fmt: skip
    return cases


def documents() -> list[tuple[str, dict[str, Any], bytes]]:
    """(label, eth_signTypedData_v4 document, our digest) for orders, a cancel and withdrawals."""
    out = [(f"order-{i}", typed_data_json(DOMAIN, "Order", order_to_json(o)), order_digest(DOMAIN, o))
           for i, o in enumerate(orders())]  # fmt: skip
    maker = Account.from_key(DEV_KEYS[5]).address
    cancel = Cancel(maker, bytes(range(32)))
    out.append(
        ("cancel", typed_data_json(DOMAIN, "Cancel", {"maker": maker, "orderHash": "0x" + bytes(range(32)).hex()}),
         cancel_digest(DOMAIN, cancel))
    )  # fmt: skip
    for value in EDGES:
        withdrawal = Withdrawal(maker, "0x" + "0a" * 20, value, value, maker, min(value, 2**64 - 1), 0)
        message = {k: v if isinstance(v, str) else str(v) for k, v in withdrawal._asdict().items()}
        out.append(
            (
                f"withdrawal-{value}",
                typed_data_json(DOMAIN, "Withdrawal", message),
                withdrawal_digest(DOMAIN, withdrawal),
            )
        )
    return out


def test_ethers_computes_the_same_digests_and_its_signatures_recover_to_the_signer() -> None:
    cases = documents()
    results = ethers_sign([(5, document) for _, document, _ in cases])
    signer = Account.from_key(DEV_KEYS[5]).address.lower()
    for (label, _, ours), (digest, signature) in zip(cases, results, strict=True):
        assert digest == ours, label
        assert recover_signer(ours, signature) == signer, label


@pytest.mark.chain
def test_anvils_sign_typed_data_v4_signs_our_digests(anvil: AnvilNode) -> None:
    signer = Account.from_key(DEV_KEYS[6]).address.lower()
    for label, document, ours in documents():
        signature = sign_with_anvil(anvil.url, 6, document)
        assert recover_signer(ours, signature) == signer, label
