"""A partial-range audit opens each order from the contract's two fill records: an order filled completely in one
batch keeps no counter, only its nonce's bit, and must open as filled, not as new."""

from __future__ import annotations

import pytest

from auditor.abi import ExchangeAbi, Order
from auditor.chain import ChainReader

from ..devchain import DevChain
from .settlement import Fill, SignedOrder, quote_for, settle, signed_order

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6
WEI = 10**18
PRICE = 3_000 * 10**6


def _order(signed: SignedOrder) -> Order:
    return Order(*signed.fields.values())  # the fields are in IExchange's order, as the auditor's Order's are


def test_orders_open_filled_from_their_bit_partly_filled_from_their_counter_and_new_from_nothing(
    devchain: DevChain,
) -> None:
    devchain.deposit(ALICE, "WETH", 2 * WEI)
    devchain.deposit(BOB, "USDC", 10_000 * 10**6)
    full = signed_order(devchain, ALICE, 1, WEI, PRICE, nonce=1)
    partial = signed_order(devchain, BOB, 0, 2 * WEI, PRICE, nonce=1)
    untouched = signed_order(devchain, ALICE, 1, WEI, PRICE, nonce=2)
    receipt = settle(devchain, [Fill(full, partial, WEI, quote_for(WEI, PRICE))])
    reader = ChainReader(devchain.url, devchain.exchange.address, ExchangeAbi.load())
    block = int(receipt["blockNumber"])

    assert reader.order_status("0x" + full.digest.hex(), block) == (0, False, False)  # no counter of its own
    assert reader.opening_fill(_order(full), "0x" + full.digest.hex(), block) == (WEI, False, False)
    assert reader.opening_fill(_order(partial), "0x" + partial.digest.hex(), block) == (WEI, True, False)
    assert reader.opening_fill(_order(untouched), "0x" + untouched.digest.hex(), block) == (0, False, False)
    assert reader.opening_fill(_order(full), "0x" + full.digest.hex(), block - 1) == (0, False, False)  # before
