"""What the page refuses, and how: an off-tick price, an order below the minimum, one larger than the
balance, the wallet on the wrong chain, and a signature the user declines. Each is said in words where the
person is looking, and nothing is signed or sent: the wallet gets no signing request (or, when the user
declines one, only that one) and no order reaches the API.

Dev account 8 with 10,000 USDC on the exchange; the tests share its page and leave the form as they
found it usable (right chain, dialog closed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

import pytest
from playwright.sync_api import expect

from .flows import (
    ApiTraffic,
    api_get,
    connect,
    fill_order,
    fund_exchange,
    order_form,
    review_dialog,
    signing_requests,
    submit_order,
    wallet_page,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from .browser_kit import Dapp
    from .stack import Stack

TRADER = 8


class Trader(NamedTuple):
    dapp: Dapp
    traffic: ApiTraffic


@pytest.fixture(scope="module")
def trader(browser: Browser, stack: Stack) -> Iterator[Trader]:
    fund_exchange(stack, TRADER, {"USDC": 10_000 * 10**6})
    with wallet_page(browser, stack, TRADER) as dapp:
        traffic = ApiTraffic(dapp.page)
        connect(dapp)
        yield Trader(dapp, traffic)


class Sent(NamedTuple):
    signing_requests: int
    orders_posted: int


def sent_so_far(trader: Trader) -> Sent:
    return Sent(len(signing_requests(trader.dapp)), trader.traffic.count("POST", "/v1/orders"))


def assert_no_order_reached_the_api(trader: Trader, stack: Stack, before: Sent) -> None:
    assert trader.traffic.count("POST", "/v1/orders") == before.orders_posted
    for status in ("open", "closed"):
        path = f"/v1/accounts/{trader.dapp.wallet.address}/orders"
        assert api_get(stack, path, status=status)["orders"] == [], status


@pytest.mark.parametrize(
    ("amount", "price", "field", "message"),
    [
        pytest.param(
            "1", "2000.005", "Price", "Prices move in steps of 0.01 USDC: use 2,000.00 USDC or 2,000.01 USDC.",
            id="off-tick price",
        ),
        pytest.param(
            "0.001", "2000", "Amount",
            "An order must be worth at least 10 USDC: at this price, buy or sell at least 0.005 WETH.",
            id="below the minimum",
        ),
        pytest.param(
            "10", "2000", "Amount",
            "This order needs 20,000 USDC, but only 10,000 USDC is available. Deposit more or lower the amount.",
            id="above the available balance",
        ),
    ],
)  # fmt: skip
def test_an_order_the_form_refuses_is_explained_next_to_its_field_and_nothing_is_signed(
    trader: Trader, stack: Stack, amount: str, price: str, field: str, message: str
) -> None:
    page = trader.dapp.page
    before = sent_so_far(trader)

    fill_order(page, "Buy", amount, price=price)
    submit_order(page, "Buy")

    box = order_form(page).get_by_role("textbox", name=field, exact=True)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description(message)
    expect(review_dialog(page)).to_have_count(0)
    assert sent_so_far(trader) == before
    assert_no_order_reached_the_api(trader, stack, before)


def test_on_the_wrong_chain_the_page_says_so_and_signs_nothing_until_switched_back(
    trader: Trader, stack: Stack
) -> None:
    dapp = trader.dapp
    page = dapp.page
    form = fill_order(page, "Buy", "1", price="2000")
    before = sent_so_far(trader)

    dapp.wallet.switch_chain(1)

    banner = page.get_by_role("alert").filter(has=page.get_by_role("button", name="Switch network"))
    expect(banner).to_contain_text("Your wallet is on chain 1, but HDEX runs on HDEX development (anvil)")
    expect(form.get_by_role("alert").filter(has_text="Your wallet is on another network.")).to_have_text(
        "Your wallet is on another network. Switch network to trade."
    )
    expect(form.get_by_role("button", name="Buy", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Sign in")).to_be_disabled()
    assert sent_so_far(trader) == before

    banner.get_by_role("button", name="Switch network").click()

    expect(banner).to_have_count(0)
    expect(form.get_by_role("button", name="Buy", exact=True)).to_be_enabled()
    assert "wallet_switchEthereumChain" in dapp.wallet.requests()
    assert sent_so_far(trader) == before
    assert_no_order_reached_the_api(trader, stack, before)


def test_declining_the_order_signature_says_so_and_sends_nothing(trader: Trader, stack: Stack) -> None:
    dapp = trader.dapp
    page = dapp.page
    fill_order(page, "Buy", "1", price="2000")
    submit_order(page, "Buy")
    dialog = review_dialog(page)
    before = sent_so_far(trader)

    dapp.wallet.reject_next()
    dialog.get_by_role("button", name="Sign and place").click()

    expect(dialog.get_by_role("alert")).to_have_text("You declined the request in your wallet. Nothing was sent.")
    assert signing_requests(dapp)[before.signing_requests :] == ["eth_signTypedData_v4"]  # asked once: declined
    assert_no_order_reached_the_api(trader, stack, before)
    dialog.get_by_role("button", name="Back").click()
    expect(dialog).to_have_count(0)


def test_declining_the_sign_in_signature_says_so_and_starts_no_session(trader: Trader) -> None:
    dapp = trader.dapp
    page = dapp.page
    before = sent_so_far(trader)

    dapp.wallet.reject_next()
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert").filter(has_text=re.compile("declined"))).to_have_text(
        "You declined the request in your wallet. Nothing was sent."
    )
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    assert signing_requests(dapp)[before.signing_requests :] == ["personal_sign"]
    assert trader.traffic.count("POST", "/v1/auth/siwe") == 0
    assert page.request.get("/v1/auth/session").status == 401  # with this browser's cookies


def test_refusals_logged_no_error_in_the_browser_console(trader: Trader) -> None:
    assert trader.dapp.console_errors == []
