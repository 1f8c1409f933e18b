"""A newcomer's money, from an empty wallet to tokens back in it: "Get test tokens", a deposit of each
token (pending -> mined -> credited), then a withdrawal (accepted -> relayed -> completed) whose tokens
arrive in the wallet on-chain; last, a first order whose answer is lost is placed once.

Dev account 2 (a Custody owner: it has anvil's ETH but no tokens, and no other test moves its money);
the tests run in file order on its one page, each from the money the one before left.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from backend.chain.devkeys import DEV_KEYS
from backend.client.sync import HdexClient

from .flows import (
    CHAIN_TIMEOUT_MS,
    Chain,
    account_table,
    api_get,
    connect,
    fill_order,
    funds_panel,
    get_test_tokens,
    order_form,
    review_dialog,
    reviewed_terms,
    signing_requests,
    submit_order,
    table_row,
    transfer,
    wallet_page,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Route

    from .browser_kit import Dapp
    from .stack import Stack

NEWCOMER = 2
WETH = 10**18
USDC = 10**6


@pytest.fixture(scope="module")
def newcomer(browser: Browser, stack: Stack) -> Iterator[Dapp]:
    with wallet_page(browser, stack, NEWCOMER) as dapp:
        connect(dapp)
        yield dapp


@pytest.fixture(scope="module")
def chain(stack: Stack) -> Chain:
    return Chain(stack)


def expect_every_step_done(entry: Locator) -> None:
    steps = entry.get_by_role("list", name="Steps").get_by_role("listitem")
    expect(steps).to_have_count(3)
    for step in steps.all():
        expect(step).to_contain_text("(done)")


def test_get_test_tokens_fills_an_empty_wallet(newcomer: Dapp, chain: Chain) -> None:
    address = newcomer.wallet.address
    assert (chain.wallet_balance(address, "WETH"), chain.wallet_balance(address, "USDC")) == (0, 0)

    get_test_tokens(newcomer.page)

    balances = account_table(newcomer.page, "Balances")
    expect(table_row(balances, "WETH", "100")).to_have_count(1)
    expect(table_row(balances, "USDC", "300,000")).to_have_count(1)
    assert chain.wallet_balance(address, "WETH") == 100 * WETH
    assert chain.wallet_balance(address, "USDC") == 300_000 * USDC


def test_deposits_of_both_tokens_are_credited_and_become_available(newcomer: Dapp, chain: Chain) -> None:
    page = newcomer.page
    for symbol, quantity, shown in (("WETH", "10", "10 WETH"), ("USDC", "25000", "25,000 USDC")):
        entry = transfer(page, "Deposit", symbol, quantity)
        expect(entry).to_contain_text(f"Deposit of {shown}: credited", timeout=CHAIN_TIMEOUT_MS)
        expect_every_step_done(entry)

    balances = account_table(page, "Balances")
    expect(table_row(balances, "WETH", "90", "10")).to_have_count(1)  # wallet, then available on the exchange
    expect(table_row(balances, "USDC", "275,000", "25,000")).to_have_count(1)
    address = newcomer.wallet.address
    assert (chain.vault_balance(address, "WETH"), chain.vault_balance(address, "USDC")) == (10 * WETH, 25_000 * USDC)
    # approve and deposit, for each token: the wallet sent every transaction itself
    assert newcomer.wallet.requests().count("eth_sendTransaction") == 4


def test_the_transfer_buttons_wait_for_the_exchange_signing_terms(newcomer: Dapp) -> None:
    """A click before the page holds the exchange's EIP-712 terms (GET /v1/eip712) once did nothing at all:
    the buttons now wait, disabled, and work once the terms are in."""
    page = newcomer.page
    held: list[Route] = []
    page.route("**/v1/eip712", lambda route: held.append(route))
    connect(newcomer)  # the page loaded afresh: nothing cached
    funds = funds_panel(page)
    for name in ("Deposit", "Withdraw"):
        expect(funds.get_by_role("button", name=name, exact=True)).to_be_disabled()
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/v1/eip712")
    for name in ("Deposit", "Withdraw"):
        expect(funds.get_by_role("button", name=name, exact=True)).to_be_enabled()


def test_a_withdrawal_is_relayed_and_its_tokens_arrive_in_the_wallet(
    newcomer: Dapp, chain: Chain, stack: Stack
) -> None:
    address = newcomer.wallet.address
    in_wallet = chain.wallet_balance(address, "USDC")
    # Below the minimum (the default 10 USDC): told as the amount is typed, and not sent for a signature.
    funds = funds_panel(newcomer.page)
    funds.get_by_role("combobox", name="Token").select_option(label="USDC")
    expect(funds.get_by_role("button", name=re.compile(r"^25,000 USDC \(Use the whole available"))).to_be_visible()
    funds.get_by_role("textbox", name="Quantity").fill("9.5")
    expect(funds.get_by_text("Withdrawals start at 10")).to_be_visible()
    funds.get_by_role("button", name="Withdraw", exact=True).click()
    expect(funds.get_by_role("textbox", name="Quantity")).to_have_accessible_description(re.compile("start at 10"))
    expect(newcomer.page.get_by_role("dialog")).to_have_count(0)

    entry = transfer(newcomer.page, "Withdraw", "USDC", "5000")

    expect(entry).to_contain_text("Withdrawal of 5,000 USDC: completed", timeout=CHAIN_TIMEOUT_MS)
    expect_every_step_done(entry)
    withdrawal = api_get(stack, f"/v1/accounts/{address}/withdrawals")["withdrawals"][0]
    expect(entry.get_by_role("code")).to_have_text(withdrawal["txHash"])  # the relayer's transaction, shown
    receipt = chain.w3.eth.get_transaction_receipt(withdrawal["txHash"])
    assert receipt["status"] == 1
    arrived = chain.wallet_balance(address, "USDC") - in_wallet
    assert arrived == 5_000 * USDC - int(withdrawal["fee"]), withdrawal
    assert chain.vault_balance(address, "USDC") == 20_000 * USDC


def test_a_page_loaded_before_a_redeployment_signs_for_the_exchange_the_server_checks(
    newcomer: Dapp, stack: Stack
) -> None:
    """The signing terms (GET /v1/eip712) change with a redeployment. A page that kept the terms it loaded with
    signed for the old Exchange (refused: not the maker's signature) and would deposit into it; read again before
    each signature and deposit, they are the server's."""
    page = newcomer.page
    address = newcomer.wallet.address
    stale: list[str] = []

    def terms_of_an_earlier_deployment(route: Route) -> None:
        terms = route.fetch().json()
        earlier = "0x" + "11" * 20
        for domain in (terms["domain"], *(form["signTypedDataV4"]["domain"] for form in terms["typedData"].values())):
            domain["verifyingContract"] = earlier
        stale.append(earlier)
        route.fulfill(json=terms)

    page.route("**/v1/eip712", terms_of_an_earlier_deployment, times=1)
    connect(newcomer)  # the page loads with the earlier terms
    fill_order(page, "Buy", "0.01", price="1000")
    submit_order(page, "Buy")
    dialog = review_dialog(page)
    dialog.get_by_role("button", name="Sign and place").click()
    expect(dialog).to_have_count(0)

    assert len(stale) == 1
    [order] = api_get(stack, f"/v1/accounts/{address}/orders", status="open")["orders"]
    with HdexClient(stack.url, DEV_KEYS[NEWCOMER]) as client:  # the book as the next test expects it
        client.cancel_order(order["hash"])


def test_moving_funds_logged_no_error_in_the_browser_console(newcomer: Dapp) -> None:
    assert newcomer.console_errors == []


def test_an_order_whose_answer_was_lost_is_sent_again_as_signed_never_signed_twice(
    newcomer: Dapp, stack: Stack
) -> None:
    """The newcomer's first order reaches the exchange but its answer is lost (a proxy's 502). Going back and pressing
    Buy again opens the same order, not a new one, and sending it again finds it placed: one signature, one order.
    (Last in this file: the 502 is a console error.)"""
    page = newcomer.page
    address = newcomer.wallet.address
    signatures = len(signing_requests(newcomer))
    lost: list[str] = []

    def place_and_lose_the_answer(route: Route) -> None:
        answer = route.fetch()  # the exchange takes the order...
        lost.append(answer.json()["hash"])
        route.fulfill(status=502, body="Bad Gateway", content_type="text/plain")  # ...and its answer never arrives

    page.route("**/v1/orders", place_and_lose_the_answer)
    fill_order(page, "Buy", "0.01", price="1000")  # 10 USDC: rests far below the market
    submit_order(page, "Buy")
    dialog = review_dialog(page)
    dialog.get_by_role("button", name="Sign and place").click()
    expect(dialog.get_by_role("alert")).to_contain_text("The order may have been placed")
    page.unroute("**/v1/orders")
    dialog.get_by_role("button", name="Back").click()
    expect(dialog).to_have_count(0)

    form = order_form(page)
    expect(form.get_by_role("alert").filter(has_text="Your last order got no answer")).to_be_visible()
    fill_order(page, "Buy", "0.02", price="1000")  # a change of mind does not sign a second order before the first
    submit_order(page, "Buy")
    assert reviewed_terms(dialog)["Amount"] == "0.010 WETH"  # the unanswered order, as signed (not 0.020)
    expect(dialog.get_by_role("alert")).to_contain_text("The exchange did not answer when this order was sent")
    dialog.get_by_role("button", name="Send the signed order again").click()
    expect(dialog).to_have_count(0)
    expect(form.get_by_role("alert").filter(has_text="Your last order got no answer")).to_have_count(0)

    assert len(signing_requests(newcomer)) == signatures + 1
    [order] = api_get(stack, f"/v1/accounts/{address}/orders", status="open")["orders"]
    assert (order["hash"], order["order"]["baseAmount"]) == (lost[0], str(WETH // 100))
    with HdexClient(stack.url, DEV_KEYS[NEWCOMER]) as client:  # the book as the other tests expect it
        client.cancel_order(order["hash"])
