"""On the real Exchange, cancels, nonce floors and exits refuse exactly the orders the contract refuses: an order
trading on from its fill counter after another order with its nonce was cancelled, a wallet whose floor stays below
its orders and a wallet that cancelled its exit all settle, and `hdex audit` passes, over the whole chain and from
a block after the revocations (which it then reads from the contract's views)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.abi import ExchangeAbi
from auditor.chain import ChainReader

from ..devchain import DevChain, address_of
from .conftest import hdex_audit
from .settlement import Fill, quote_for, settle, signed_order

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6
WEI = 10**18
PRICE = 3_000 * 10**6


def test_orders_the_contract_still_accepts_after_revocations_audit_clean(devchain: DevChain, tmp_path: Path) -> None:
    devchain.deposit(ALICE, "WETH", 4 * WEI)
    devchain.deposit(BOB, "USDC", 20_000 * 10**6)
    seller = signed_order(devchain, ALICE, 1, 2 * WEI, PRICE, nonce=1)
    buyer = signed_order(devchain, BOB, 0, 4 * WEI, PRICE, nonce=1)
    twin = signed_order(devchain, ALICE, 1, WEI, PRICE + 1, nonce=1)  # never traded; same nonce as `seller`
    quote = quote_for(WEI, PRICE)
    settle(devchain, [Fill(seller, buyer, WEI, quote)])

    exchange = devchain.exchange.functions
    devchain.send(ALICE, exchange.cancelOrders([tuple(twin.fields.values())]))
    devchain.send(BOB, exchange.raiseNonceFloor(1))
    devchain.send(ALICE, exchange.requestExit())
    devchain.send(ALICE, exchange.cancelExit())
    after = devchain.head() + 1
    settle(devchain, [Fill(seller, buyer, WEI, quote)], signed=False)  # both trade on from their counters
    skipped = settle(devchain, [Fill(twin, buyer, WEI, quote)])  # cancelled: the contract skips it

    reader = ChainReader(devchain.url, devchain.exchange.address, ExchangeAbi.load())
    block = int(skipped["blockNumber"])
    assert reader.wallet_state(address_of(BOB), block) == (1, 0)
    assert reader.order_status("0x" + twin.digest.hex(), block) == (0, False, True)
    read: list[int] = []
    get_block = reader.w3.eth.get_block
    reader.w3.eth.get_block = lambda number, *rest: read.append(number) or get_block(number, *rest)  # type: ignore[method-assign]
    for asked in (block, block, block - 1):  # a block's settlements, withdrawals and exits ask in turn
        assert reader.block_timestamp(asked) == devchain.w3.eth.get_block(asked)["timestamp"]
    assert read == [block, block - 1]  # once per block

    for name, extra in (("whole", ()), ("later", ("--from-block", str(after)))):
        run = hdex_audit(devchain.url, devchain.exchange.address, tmp_path / name, *extra)
        assert run.exit_code == 0, run.stdout
        assert run.report["counts"]["trades_skipped"] == 1
    assert run.report["counts"]["trades_verified"] == 1
