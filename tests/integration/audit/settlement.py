"""Trades settled straight by the operator key (no engine, no relayer): signed orders, sorted batches, `settle`.

The audit tests and the audit benchmark use it to put exactly the settlements they want on a chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_account import Account

from backend.chain.devkeys import DEV_KEYS, OPERATOR_INDEX
from backend.signing import Domain, Order, order_digest, sign_digest

from ..devchain import DevChain, order

PRICE_SCALE = 10**18


@dataclass(frozen=True)
class SignedOrder:
    fields: dict[str, Any]
    digest: bytes
    signature: bytes


@dataclass(frozen=True)
class Fill:
    maker: SignedOrder
    taker: SignedOrder
    base_amount: int
    quote_amount: int
    maker_fee: int = 0
    taker_fee: int = 0


def sign_order(domain: Domain, key_index: int, fields: dict[str, Any]) -> SignedOrder:
    """The order `fields` (IExchange's `Order`, in its field order) signed by dev account `key_index`."""
    digest = order_digest(domain, Order(**fields))
    return SignedOrder(fields, digest, sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), digest))


def signed_order(
    chain: DevChain, key_index: int, side: int, base_amount: int, limit_price: int, **extra: int
) -> SignedOrder:
    """A WETH/USDC order by dev account `key_index`, signed for `chain.exchange`."""
    fields = order(chain, key_index, side, base_amount, limit_price, **extra)
    return sign_order(Domain(chain.w3.eth.chain_id, chain.exchange.address), key_index, fields)


def quote_for(base_amount: int, price: int) -> int:
    return base_amount * price // PRICE_SCALE


def settle(chain: DevChain, fills: Sequence[Fill], gas: int = 2_000_000, signed: bool = True) -> dict[str, Any]:
    """Settles `fills` in one batch from the operator key; returns the mined receipt. `signed=False` sends
    empty signatures (valid only for orders that already traded: the contract cached their check)."""
    unique = {o.digest: o for f in fills for o in (f.maker, f.taker)}
    ordered = sorted(unique)  # the contract wants orders in strictly increasing hash order
    index = {digest: i for i, digest in enumerate(ordered)}
    orders = [tuple(unique[d].fields.values()) for d in ordered]
    signatures = [unique[d].signature if signed else b"" for d in ordered]
    trades = [
        (index[f.maker.digest], index[f.taker.digest], f.base_amount, f.quote_amount, f.maker_fee, f.taker_fee)
        for f in fills
    ]
    operator = Account.from_key(DEV_KEYS[OPERATOR_INDEX])
    tx = chain.exchange.functions.settle(orders, signatures, trades).build_transaction(
        {"from": operator.address, "nonce": chain.w3.eth.get_transaction_count(operator.address), "gas": gas,
         "chainId": chain.w3.eth.chain_id}
    )  # fmt: skip
    tx_hash = chain.w3.eth.send_raw_transaction(operator.sign_transaction(tx).raw_transaction)
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
    assert receipt["status"] == 1, receipt
    return dict(receipt)
