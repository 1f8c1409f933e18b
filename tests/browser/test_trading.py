"""Two wallets trade from the page: dev account 6 (the maker) and 7 (the taker), each in its own browser
context, both with tokens on the exchange. The tests run in file order on one shared book, each starting
from the prices the one before left: a limit trade at 2000, cancels, a stop that fires at 2010 and trades
at 2015, a market order against what rests at 2015."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

import pytest
from playwright.sync_api import expect

from .browser_kit import DESKTOP, PHONE, screenshot
from .flows import (
    CHAIN_TIMEOUT_MS,
    MARKET,
    Chain,
    account_table,
    api_get,
    book_level,
    cancel_order_button,
    chart_pixels,
    connect,
    dismiss_notifications,
    fund_exchange,
    place_order,
    price_units,
    recent_trades,
    signing_requests,
    table_row,
    wait_for_chart_change,
    wallet_page,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from .browser_kit import Dapp
    from .stack import Stack

MAKER, TAKER = 6, 7
WETH = 10**18
USDC = 10**6


class Traders(NamedTuple):
    maker: Dapp
    taker: Dapp


@pytest.fixture(scope="module")
def traders(browser: Browser, stack: Stack) -> Iterator[Traders]:
    """Both wallets with 20 WETH and 100,000 USDC on the exchange, connected on the trading page."""
    for account in (MAKER, TAKER):
        fund_exchange(stack, account, {"WETH": 20 * WETH, "USDC": 100_000 * USDC})
    with wallet_page(browser, stack, MAKER) as maker, wallet_page(browser, stack, TAKER) as taker:
        connect(maker)
        connect(taker)
        yield Traders(maker, taker)


def fills_of(stack: Stack, dapp: Dapp) -> list[dict[str, str]]:
    """The wallet's fills as the API reports them, newest first."""
    fills: list[dict[str, str]] = api_get(stack, f"/v1/accounts/{dapp.wallet.address}/fills")["fills"]
    return fills


def test_crossing_limit_orders_from_two_wallets_trade_show_everywhere_and_settle_on_chain(
    traders: Traders, stack: Stack
) -> None:
    maker, taker = traders
    chain = Chain(stack)
    maker_address, taker_address = maker.wallet.address, taker.wallet.address
    vault_before = {
        (address, symbol): chain.vault_balance(address, symbol)
        for address in (maker_address, taker_address)
        for symbol in ("WETH", "USDC")
    }
    place_order(maker.page, "Sell", "1", price="2000")
    for dapp in traders:
        expect(book_level(dapp.page, "Ask", "2,000.00", "1.000")).to_be_visible()
    chart_before = chart_pixels(taker.page)

    place_order(taker.page, "Buy", "1", price="2000")

    for dapp in traders:
        expect(book_level(dapp.page, "Ask", "2,000.00", "1.000")).to_have_count(0)
        expect(table_row(recent_trades(dapp.page), re.compile(r"^2,000\.00"), "1.000")).to_have_count(1)
    wait_for_chart_change(taker.page, chart_before)
    for dapp, side, role in ((maker, "Sell", "maker"), (taker, "Buy", "taker")):
        fills = account_table(dapp.page, "Fills")
        row = table_row(fills, MARKET, side, role, "2,000.00", "1.000")
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell", name="settled", exact=True)).to_be_visible(timeout=CHAIN_TIMEOUT_MS)
    # Settled means the Exchange's vault moved: the base to the buyer, the quote to the seller, less fees.
    maker_fee = int(fills_of(stack, maker)[0]["fee"])  # in USDC: a seller receives quote
    taker_fee = int(fills_of(stack, taker)[0]["fee"])  # in WETH: a buyer receives base
    moved = {
        (maker_address, "WETH"): -1 * WETH,
        (maker_address, "USDC"): 2_000 * USDC - maker_fee,
        (taker_address, "WETH"): 1 * WETH - taker_fee,
        (taker_address, "USDC"): -2_000 * USDC,
    }
    for (address, symbol), change in moved.items():
        assert chain.vault_balance(address, symbol) == vault_before[(address, symbol)] + change, (address, symbol)


def test_a_wallet_cancels_one_open_order_then_all_the_others(traders: Traders, stack: Stack) -> None:
    page = traders.maker.page
    for price in ("1900", "1910", "1920"):
        place_order(page, "Buy", "0.1", price=price)
    account_table(page, "Open orders")
    for price in ("1,900.00", "1,910.00", "1,920.00"):
        expect(cancel_order_button(page, "Buy", "0.100", price)).to_be_visible()
    signed = len(signing_requests(traders.maker))

    cancel_order_button(page, "Buy", "0.100", "1,900.00").click()

    expect(cancel_order_button(page, "Buy", "0.100", "1,900.00")).to_have_count(0)
    expect(cancel_order_button(page, "Buy", "0.100", "1,910.00")).to_be_visible()
    expect(book_level(page, "Bid", "1,900.00", "0.100")).to_have_count(0)
    assert signing_requests(traders.maker)[signed:] == ["eth_signTypedData_v4"]

    page.get_by_role("button", name="Cancel all", exact=True).click()

    expect(page.get_by_role("region", name="Open orders").get_by_role("status")).to_have_text("No open orders.")
    expect(page.get_by_role("status").get_by_text("Cancelled 2 orders")).to_be_visible()
    assert signing_requests(traders.maker)[signed:] == ["eth_signTypedData_v4"] * 2
    history = account_table(page, "Order history")
    for price in ("1,900.00", "1,910.00", "1,920.00"):
        expect(table_row(history, "Buy", price, "cancelled (cancelled by you)")).to_have_count(1)
    assert api_get(stack, f"/v1/accounts/{traders.maker.wallet.address}/orders", status="open")["orders"] == []


def test_a_wallet_cancels_an_order_on_chain_and_the_book_follows(traders: Traders, stack: Stack) -> None:
    """"Cancel on-chain" sends the order to the Exchange's `cancelOrders` from the wallet: the contract refuses it
    from then on, whatever the operator does, and HDEX's book follows once its indexer has seen the event."""
    maker = traders.maker
    page = maker.page
    place_order(page, "Buy", "0.1", price="1930")
    [order] = api_get(stack, f"/v1/accounts/{maker.wallet.address}/orders", status="open")["orders"]
    account_table(page, "Open orders")
    sent = maker.wallet.requests().count("eth_sendTransaction")

    page.get_by_role("button", name=f"Cancel on-chain: Buy 0.100 at 1,930.00 on {MARKET}").click()

    # mined: the page says so (a notification may say the order was cancelled on-chain too, once HDEX saw it)
    mined = page.get_by_role("status").get_by_text(
        re.compile(rf"^Cancelled on-chain: Buy 0\.100 at 1,930\.00 on {MARKET}\. The contract refuses it now")
    )
    expect(mined).to_be_visible(timeout=CHAIN_TIMEOUT_MS)
    assert Chain(stack).cancelled(order["hash"])
    assert maker.wallet.requests().count("eth_sendTransaction") == sent + 1  # the wallet's own transaction
    expect(cancel_order_button(page, "Buy", "0.100", "1,930.00")).to_have_count(0, timeout=CHAIN_TIMEOUT_MS)
    expect(book_level(page, "Bid", "1,930.00", "0.100")).to_have_count(0)
    history = account_table(page, "Order history")
    expect(table_row(history, "Buy", "1,930.00", "cancelled (cancelled on-chain)")).to_have_count(1)


def test_a_wallet_cancels_all_its_orders_on_chain_by_raising_its_nonce_floor(traders: Traders, stack: Stack) -> None:
    """"Cancel all on-chain" raises the wallet's nonce floor on the Exchange to its next nonce, from the wallet:
    every order it signed so far is void on the contract, and HDEX cancels them once its indexer saw it."""
    maker = traders.maker
    page, address = maker.page, maker.wallet.address
    for price in ("1940", "1950"):
        place_order(page, "Buy", "0.1", price=price)
    account_table(page, "Open orders")
    for price in ("1,940.00", "1,950.00"):
        expect(cancel_order_button(page, "Buy", "0.100", price)).to_be_visible()
    next_nonce = int(api_get(stack, "/v1/nonce", maker=address)["nonce"])
    sent = maker.wallet.requests().count("eth_sendTransaction")

    page.get_by_role("button", name="Cancel all on-chain").click()

    raised = page.get_by_role("status").get_by_text(re.compile(r"^Nonce floor raised on-chain"))
    expect(raised).to_be_visible(timeout=CHAIN_TIMEOUT_MS)
    assert Chain(stack).nonce_floor(address) == next_nonce
    assert maker.wallet.requests().count("eth_sendTransaction") == sent + 1
    expect(page.get_by_role("region", name="Open orders").get_by_role("status")).to_have_text(
        "No open orders.", timeout=CHAIN_TIMEOUT_MS
    )
    history = account_table(page, "Order history")
    for price in ("1,940.00", "1,950.00"):
        expect(table_row(history, "Buy", price, "cancelled (nonce floor raised on-chain)")).to_have_count(1)


def test_a_stop_limit_order_waits_for_its_trigger_then_trades(traders: Traders) -> None:
    maker, taker = traders
    place_order(maker.page, "Sell", "0.1", price="2010")
    place_order(maker.page, "Sell", "1", price="2015")
    place_order(taker.page, "Buy", "0.5", order_type="Stop limit", trigger="2010", price="2020")
    open_orders = account_table(taker.page, "Open orders")
    expect(table_row(open_orders, "Stop limit", "2,020.00", "2,010.00", "0.500")).to_have_count(1)
    # Waiting for its trigger, the stop is not in the book: the ask it could take is untouched.
    expect(book_level(taker.page, "Ask", "2,015.00", "1.000")).to_be_visible()

    place_order(taker.page, "Buy", "0.1", price="2010")  # this trade at 2010 reaches the trigger

    expect(book_level(taker.page, "Ask", "2,015.00", "0.500")).to_be_visible()
    expect(table_row(account_table(taker.page, "Fills"), "Buy", "taker", "2,015.00", "0.500")).to_have_count(1)
    history = account_table(taker.page, "Order history")
    expect(table_row(history, "Stop limit", "2,020.00", "2,010.00", "0.500", "filled")).to_have_count(1)


def test_a_market_order_fills_no_worse_than_the_worst_price_it_showed(traders: Traders, stack: Stack) -> None:
    taker = traders.taker
    fills_before = len(fills_of(stack, taker))

    reviewed = place_order(taker.page, "Buy", "0.2", order_type="Market")

    worst = price_units(reviewed["Worst price"].removesuffix(" USDC"))
    assert worst >= price_units("2015"), reviewed  # what rests at 2015, with slippage allowed on top
    expect(table_row(account_table(taker.page, "Fills"), "Buy", "taker", "2,015.00", "0.200")).to_have_count(1)
    fills = fills_of(stack, taker)
    new_fills = fills[: len(fills) - fills_before]
    assert new_fills, "the market order did not fill"
    assert all(int(fill["price"]) <= worst for fill in new_fills), (reviewed["Worst price"], new_fills)


def test_the_trading_page_is_photographed_at_desktop_and_phone_widths(traders: Traders) -> None:
    page = traders.maker.page
    place_order(page, "Buy", "0.5", price="2005")  # both sides of the book on show
    # the picture shows the order just placed among the open ones, as a user sees it a moment later
    expect(table_row(account_table(page, "Open orders"), "Buy", "2,005.00", "0.500")).to_have_count(1)
    dismiss_notifications(page)

    paths = screenshot(page, "trading")

    for path, width in zip(paths, (1440, 390), strict=True):
        header = path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", path
        assert struct.unpack(">I", header[16:20])[0] == width, path


def test_at_phone_width_every_account_tab_and_action_is_in_view(traders: Traders) -> None:
    page = traders.maker.page
    page.set_viewport_size(PHONE)
    try:
        panel = page.get_by_role("region", name="Account", exact=True)
        controls = [*panel.get_by_role("tab").all(), panel.get_by_role("button", name="Cancel all", exact=True)]
        controls.append(panel.get_by_role("button", name="Cancel all on-chain"))
        assert len(controls) >= 6
        for control in controls:
            box = control.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
            # in view also inside the tab strip, which scrolls sideways when it must
            assert control.evaluate(
                "e => { const s = e.closest('.tabs__list'); if (!s) return true;"
                " const a = s.getBoundingClientRect(), b = e.getBoundingClientRect();"
                " return b.left >= a.left && b.right <= a.right + 0.5; }"
            ), control
    finally:
        page.set_viewport_size(DESKTOP)


def test_trading_logged_no_error_in_either_browser_console(traders: Traders) -> None:
    assert traders.maker.console_errors == []
    assert traders.taker.console_errors == []
