"""Stop orders on the real Exchange with the dev price feed as WETH/USDC's source: one triggered settles, one not
yet triggered is skipped by the contract, and `hdex audit` reads the source and the feed as the contract did and
passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.abi import ExchangeAbi
from auditor.chain import ChainReader
from auditor.stops import PriceSource
from backend.chain.deploy import DEV_FEED_ANSWER, attach_dev_price_feed

from ..devchain import DevChain
from .conftest import hdex_audit
from .settlement import Fill, quote_for, settle, signed_order

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6
WEI = 10**18
PRICE = 2_000 * 10**6  # the dev feed's answer, in USDC base units per WETH
STOP = 2


def test_stop_orders_settled_or_skipped_as_the_feed_says_audit_clean(devchain: DevChain, tmp_path: Path) -> None:
    contracts = devchain.stack.contracts
    attach_dev_price_feed(
        devchain.w3, devchain.contract("Custody", contracts["Custody"]), devchain.exchange,
        contracts["WETH"], contracts["USDC"], contracts["DevPriceFeed"],
    )  # fmt: skip
    devchain.deposit(ALICE, "WETH", 2 * WEI)
    devchain.deposit(BOB, "USDC", 10_000 * 10**6)
    seller = signed_order(devchain, ALICE, 1, 2 * WEI, PRICE, nonce=1)
    triggered = signed_order(devchain, BOB, 0, WEI, PRICE, nonce=1, flags=STOP, triggerPrice=PRICE - 100 * 10**6)
    waiting = signed_order(devchain, BOB, 0, WEI, PRICE, nonce=2, flags=STOP, triggerPrice=PRICE + 100 * 10**6)
    quote = quote_for(WEI, PRICE)
    settle(devchain, [Fill(seller, triggered, WEI, quote)])
    skipped = settle(devchain, [Fill(seller, waiting, WEI, quote)], signed=True)
    assert devchain.exchange.events.TradeSkipped().process_receipt(skipped)  # the contract waits for the feed

    run = hdex_audit(devchain.url, devchain.exchange.address, tmp_path / "report")
    assert run.exit_code == 0, run.stdout
    assert (run.report["counts"]["trades_verified"], run.report["counts"]["trades_skipped"]) == (1, 1)

    reader = ChainReader(devchain.url, devchain.exchange.address, ExchangeAbi.load())
    head, feed = devchain.head(), contracts["DevPriceFeed"]
    # 18 + 6 - 18 - 8 decimals: the reference price is the answer / 10^2
    assert reader.price_source(contracts["WETH"], contracts["USDC"], head) == PriceSource(feed, 3_600, 0, 2)
    answer, updated_at = reader.latest_round(feed, head) or (0, 0)
    assert answer == DEV_FEED_ANSWER and 0 < updated_at <= devchain.w3.eth.get_block(head)["timestamp"]
    assert reader.latest_round(devchain.exchange.address, head) is None  # not a feed: no usable answer
    assert reader.price_source(contracts["USDC"], contracts["WETH"], head).feed == "0x" + "00" * 20
