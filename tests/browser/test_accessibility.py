"""axe-core on the trading page with a wallet connected, at desktop and phone widths, with a refusal
on show in the order form: no critical or serious violation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import expect

from .browser_kit import DESKTOP, PHONE, axe_violations
from .flows import connect, fill_order, order_form, submit_order

if TYPE_CHECKING:
    from .browser_kit import Dapp


def test_axe_finds_no_serious_or_critical_violation_on_the_trading_page(dapp: Dapp) -> None:
    page = dapp.page
    connect(dapp)
    fill_order(page, "Sell", "0.0001", price="1")  # off the lot and below the minimum: errors in words
    submit_order(page, "Sell")
    expect(order_form(page).get_by_role("textbox", name="Amount", exact=True)).to_have_attribute("aria-invalid", "true")

    found = {}
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        found[size["width"]] = [
            f"{violation['impact']} {violation['id']}: {violation['help']} ({len(violation['nodes'])} elements)"
            for violation in axe_violations(page)
        ]

    assert found == {DESKTOP["width"]: [], PHONE["width"]: []}
