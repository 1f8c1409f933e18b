"""The trading page in Chromium against the real stack: it loads without console errors, the test wallet
connects through the EIP-6963 list, and "Sign in" completes a SIWE round trip with the server."""

from __future__ import annotations

from playwright.sync_api import expect

from .browser_kit import Dapp, screenshot


def test_the_trading_page_loads_connects_the_wallet_and_signs_in(dapp: Dapp) -> None:
    page = dapp.page
    dapp.open("/")
    page.get_by_role("button", name="Connect wallet").click()
    page.get_by_role("button", name="HDEX Test Wallet").click()
    sign_in = page.get_by_role("button", name="Sign in")
    expect(sign_in).to_be_visible()

    sign_in.click()

    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    # The session is the server's: the page's own cookie (HttpOnly, so only a request can show it) signs it in.
    session = page.evaluate("fetch('/v1/auth/session').then(answer => answer.json())")
    assert session["address"] == dapp.wallet.address
    assert "personal_sign" in dapp.wallet.requests()
    screenshot(page, "trading-signed-in")
    assert dapp.console_errors == []
