"""The escape hatch from the page: request an exit, see the countdown, and once the exit delay has passed
on the chain's clock, take the tokens out of the contract directly, without the operator.

The contract's shortest exit delay is an hour, so the test moves anvil's clock forward. Every test of
the session shares that chain, so the wallet is one no other test uses (dev account 9), and nothing else
the suite signs expires within hours (orders: 30 days, withdrawals: 24 h; sessions use the server's clock).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from .flows import CHAIN_TIMEOUT_MS, Chain, account_table, connect, fund_exchange, table_row, wallet_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from .stack import Stack

LEAVER = 9
EXIT_DELAY_S = 3_600  # the dev Exchange's exit delay, the contract's minimum
# The panel reads the contract every 10 s: after the clock jump, allow two reads.
PANEL_REFRESH_MS = 25_000


def test_a_wallet_exits_and_after_the_delay_withdraws_directly_from_the_contract(
    browser: Browser, stack: Stack
) -> None:
    fund_exchange(stack, LEAVER, {"WETH": 5 * 10**18})
    chain = Chain(stack)
    with wallet_page(browser, stack, LEAVER) as dapp:
        connect(dapp)
        address = dapp.wallet.address
        hatch = dapp.page.get_by_role("region", name="Escape hatch: leave without the operator")
        expect(hatch).to_contain_text("After you request an exit, the contract opens it in 01:00:00.")

        hatch.get_by_role("button", name="Request exit").click()
        # asked first: what requesting does to the wallet's orders, which the wallet's own prompt cannot say
        asked = dapp.page.get_by_role("dialog", name="Request an exit?")
        expect(asked).to_contain_text("The exchange takes no orders from this wallet until you cancel the exit.")
        assert dapp.wallet.requests().count("eth_sendTransaction") == 0
        asked.get_by_role("button", name="Request exit").click()

        countdown = hatch.get_by_role("timer", name="Time until your exit opens")
        expect(countdown).to_have_text(re.compile(r"^(01:00:00|00:5\d:\d\d)$"))
        claim = dapp.page.get_by_role("button", name="Claim WETH from the contract")
        expect(claim).to_have_count(0)

        chain.advance_time(EXIT_DELAY_S)

        expect(claim).to_be_enabled(timeout=PANEL_REFRESH_MS)
        in_wallet = chain.wallet_balance(address, "WETH")
        claim.click()

        # The panel shows the contract's balance for the wallet: nothing left to claim.
        expect(hatch.get_by_role("listitem").filter(has=claim)).to_have_text(re.compile(r"^0 WETH"))
        expect(claim).to_be_disabled()
        assert chain.vault_balance(address, "WETH") == 0
        # Nothing left on the exchange either, once the indexer made the withdrawal final and told the page so
        balances = account_table(dapp.page, "Balances")
        available = table_row(balances, "WETH").get_by_role("cell").nth(2)  # token, wallet, available
        expect(available).to_have_text("0", timeout=CHAIN_TIMEOUT_MS)
        assert chain.wallet_balance(address, "WETH") == in_wallet + 5 * 10**18
        # requestExit and withdrawExited: the wallet's own transactions, no operator in between
        assert dapp.wallet.requests().count("eth_sendTransaction") == 2
        assert dapp.console_errors == []
