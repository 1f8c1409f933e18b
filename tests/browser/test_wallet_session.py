"""Signing in with Ethereum and what follows the wallet: the server's session belongs to the account that
signed, signing out ends it on the server, and an account switch in the wallet is followed by the page
(the new account is shown and must sign in itself). Dev accounts 3 and 4, which no other test uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from .browser_kit import dev_address
from .flows import connect, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

    from .browser_kit import Dapp

FIRST, SECOND = 3, 4


def session_of(page: Page) -> str | None:
    """The address the server's session cookie of this browser belongs to, or None when signed out."""
    answer = page.request.get("/v1/auth/session")
    if answer.status == 401:
        return None
    address: str = answer.json()["address"]
    return address


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def test_signing_in_and_out_starts_and_ends_the_servers_session(open_dapp: Callable[..., Dapp]) -> None:
    dapp = open_dapp(FIRST)
    connect(dapp)
    assert session_of(dapp.page) is None

    sign_in(dapp)

    assert session_of(dapp.page) == dapp.wallet.address
    assert dapp.wallet.requests().count("personal_sign") == 1

    dapp.page.get_by_role("button", name="Sign out", exact=True).click()

    expect(dapp.page.get_by_role("button", name="Sign in")).to_be_visible()
    assert session_of(dapp.page) is None
    assert dapp.console_errors == []


def test_the_page_follows_an_account_switch_in_the_wallet(open_dapp: Callable[..., Dapp]) -> None:
    dapp = open_dapp(FIRST)
    page = dapp.page
    connect(dapp)
    sign_in(dapp)
    expect(page.get_by_text(short(dev_address(FIRST)))).to_be_visible()

    dapp.wallet.use_account(SECOND)

    expect(page.get_by_text(short(dev_address(SECOND)))).to_be_visible()
    expect(page.get_by_text(short(dev_address(FIRST)))).to_have_count(0)
    # The session is the first account's: the second one is not signed in until it signs.
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    sign_in(dapp)
    assert session_of(page) == dev_address(SECOND)


def test_sign_in_waits_until_the_page_knows_the_exchanges_network(open_dapp: Callable[..., Dapp]) -> None:
    """The wallet connects before `GET /v1/network` has answered on a freshly opened page; "Sign in"
    stays disabled until it has (clicked earlier, it used to answer "connect a wallet first")."""
    dapp = open_dapp(FIRST)
    page = dapp.page
    held: list[Route] = []

    def hold(route: Route) -> None:  # the answer is held back until released below
        held.append(route)

    page.route("**/v1/network", hold)
    connect(dapp)
    sign_in_button = page.get_by_role("button", name="Sign in")
    expect(sign_in_button).to_be_disabled()
    assert held, "the page asked for the network"

    for route in held:
        route.continue_()
    page.unroute("**/v1/network")
    sign_in(dapp)
    assert session_of(page) == dapp.wallet.address
    assert page.get_by_role("alert").filter(has_text="connect a wallet first").count() == 0
