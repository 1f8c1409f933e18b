"""Our digests equal ethers v6's and anvil's `eth_signTypedData_v4`, at the edges of every amount, and
each signer library signs with the forms `GET /v1/eip712` serves, unchanged."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
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
from backend.trading.rules.orders import order_to_json

from .exchange_fixtures import PRICE, QTY, USDC, WETH, prepare, wallet
from .live_server import serving
from .signers import eth_account_sign, ethers_sign, ethers_sign_forms, sign_with_anvil

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


def served_signing(
    signer: str, rpc_url: str, key_index: int, forms: dict[str, Any], message: dict[str, Any]
) -> tuple[str, str]:
    """(digest, signature) of `message`, each library fed a served form as is plus the message: the
    digest by eth-account and by ethers (they must agree), the signature by `signer`."""
    v4_document = {**forms["signTypedDataV4"], "message": message}
    digest, by_eth_account = eth_account_sign(key_index, v4_document)
    [(ethers_digest, by_ethers)] = ethers_sign_forms([(key_index, forms["ethers"], message)])
    assert ethers_digest == digest
    signature = {"eth-account": by_eth_account, "ethers": by_ethers}.get(signer)
    if signature is None:
        signature = sign_with_anvil(rpc_url, key_index, v4_document)
    assert recover_signer(digest, signature) == wallet(key_index).lower(), signer
    return "0x" + digest.hex(), "0x" + signature.hex()


def order_message(key_index: int) -> dict[str, Any]:
    """A resting buy of 1 WETH in the wire form: numbers as decimal strings."""
    return {
        "maker": wallet(key_index), "baseToken": WETH, "quoteToken": USDC, "side": "0", "baseAmount": str(QTY),
        "limitPrice": str(PRICE), "triggerPrice": "0", "maxFeeRate": "2000", "nonce": str(time.time_ns()),
        "expiry": str(int(time.time()) + 3600), "flags": "0",
    }  # fmt: skip


@pytest.mark.chain
def test_each_signer_signs_the_served_forms_unchanged_and_the_api_accepts_its_order_cancel_and_withdrawal(
    sqlite_url: str, tmp_path: Path, anvil: AnvilNode
) -> None:
    container = prepare(sqlite_url, tmp_path)
    with serving(container) as url, httpx.Client(base_url=url, timeout=30) as client:
        served = client.get("/v1/eip712").json()["typedData"]
        for key_index, signer in ((5, "eth-account"), (6, "ethers"), (7, "anvil")):
            maker = wallet(key_index)

            order = order_message(key_index)
            digest, signature = served_signing(signer, anvil.url, key_index, served["Order"], order)
            placed = client.post("/v1/orders", json={"order": order, "signature": signature})
            assert placed.status_code == 201, (signer, placed.text)
            assert placed.json()["hash"] == digest

            cancel = {"maker": maker, "orderHash": digest}
            _, signature = served_signing(signer, anvil.url, key_index, served["Cancel"], cancel)
            cancelled = client.request("DELETE", f"/v1/orders/{digest}", json={"signature": signature})
            assert cancelled.status_code == 200, (signer, cancelled.text)
            assert cancelled.json()["status"] == "cancelled"

            withdrawal = {"wallet": maker, "token": USDC, "amount": "1000000", "maxFee": "0", "recipient": maker,
                          "nonce": str(key_index), "expiry": str(int(time.time()) + 3600)}  # fmt: skip
            digest, signature = served_signing(signer, anvil.url, key_index, served["Withdrawal"], withdrawal)
            accepted = client.post("/v1/withdrawals", json={"withdrawal": withdrawal, "signature": signature})
            assert accepted.status_code == 202, (signer, accepted.text)
            assert accepted.json()["hash"] == digest
    container.db_engine.dispose()
