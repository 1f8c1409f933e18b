"""What a person does on the trading page, step by step, by role and accessible name (never by CSS):
connect the wallet, sign in, get test tokens, deposit, withdraw, place and cancel orders, read the
account tables. Beside the page: `Chain` (what the chain itself says: wallet and vault balances, its
clock) and `fund_exchange` (a deposit made the way a bot makes it, for tests about something else).

Names are the app's English catalogue (dapp/src/i18n/locales/en.json); the Chinese test reads both.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

import httpx
from playwright.sync_api import expect
from web3 import Web3
from web3.types import RPCEndpoint

from backend.chain.devkeys import DEV_KEYS
from backend.client.core import units
from backend.client.sync import HdexClient
from backend.paths import PROJECT_ROOT

from .browser_kit import wallet_context, wallet_dapp

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Locator, Page

    from .browser_kit import Dapp
    from .stack import Stack

MARKET = "WETH-USDC"
PRICE_DECIMALS = 6  # the dev market's prices: USDC base units (6) per 1e18 WETH base units
# Wallet requests that sign or send something: a refused order must cause none of them.
SIGNING_METHODS = frozenset({"eth_signTypedData_v4", "personal_sign", "eth_sign", "eth_sendTransaction"})
CATALOGUES = PROJECT_ROOT / "dapp" / "src" / "i18n" / "locales"
# Settling on-chain and crediting a deposit wait for blocks (half a second each) and the indexer.
CHAIN_TIMEOUT_MS = 30_000

Side = Literal["Buy", "Sell"]
OrderType = Literal["Limit", "Market", "Stop limit", "Stop market"]


def catalogue(locale: str, page: str = "") -> dict[str, str]:
    """One of the app's message catalogues (`en`, `zh-CN`): key -> message; of a page loaded on demand (`help`) if
    `page` names it."""
    messages: dict[str, str] = json.loads((CATALOGUES / page / f"{locale}.json").read_text())
    return messages


def price_units(text: str) -> int:
    """A dev-market price as people write it ("2000.5") in the order's units."""
    return units(Decimal(text.replace(",", "")), PRICE_DECIMALS)


# ------------------------------------------------------------------ wallet and session


@contextmanager
def wallet_page(browser: Browser, stack: Stack, account_index: int) -> Iterator[Dapp]:
    """The dApp in its own browser context with dev account `account_index`'s test wallet, for a
    fixture that outlives one test (conftest's `open_dapp` is per test); the context closes after."""
    context = wallet_context(browser, stack.url, stack.rpc_url, stack.chain_id, account_index)
    try:
        yield wallet_dapp(context, account_index, stack.url)
    finally:
        context.close()


def connect(dapp: Dapp, path: str = "/") -> None:
    """Open the page and connect the test wallet from the EIP-6963 list."""
    page = dapp.page
    dapp.open(path)
    page.get_by_role("button", name="Connect wallet").click()
    page.get_by_role("button", name="HDEX Test Wallet").click()
    expect(page.get_by_role("button", name="Disconnect")).to_be_visible()


def sign_in(dapp: Dapp) -> None:
    """Sign in with Ethereum (one personal_sign) and see the session."""
    dapp.page.get_by_role("button", name="Sign in").click()
    expect(dapp.page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def signing_requests(dapp: Dapp) -> list[str]:
    """The wallet requests so far that would sign or send something."""
    return [method for method in dapp.wallet.requests() if method in SIGNING_METHODS]


class ApiTraffic:
    """Every request the page sent to the API since it was created, as "METHOD /path"."""

    def __init__(self, page: Page) -> None:
        self.sent: list[str] = []
        page.on("request", lambda request: self.sent.append(f"{request.method} {urlparse(request.url).path}"))

    def count(self, method: str, path: str) -> int:
        return self.sent.count(f"{method} {path}")


# ------------------------------------------------------------------ orders


def order_form(page: Page) -> Locator:
    return page.get_by_role("region", name=f"Place order: {MARKET}")


def fill_order(
    page: Page,
    side: Side,
    amount: str,
    *,
    order_type: OrderType = "Limit",
    price: str | None = None,
    trigger: str | None = None,
) -> Locator:
    """Fill the order form as a person would (type, side, prices, amount); returns the form."""
    form = order_form(page)
    form.get_by_role("tablist", name="Order type").get_by_role("tab", name=order_type, exact=True).click()
    form.get_by_role("radiogroup", name="Side").get_by_role("radio", name=side).check()
    if trigger is not None:
        form.get_by_role("textbox", name="Trigger price").fill(trigger)
    if price is not None:
        form.get_by_role("textbox", name="Price", exact=True).fill(price)
    form.get_by_role("textbox", name="Amount", exact=True).fill(amount)
    return form


def submit_order(page: Page, side: Side) -> None:
    """Press the form's "Buy" or "Sell" button."""
    order_form(page).get_by_role("button", name=side, exact=True).click()


def review_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog", name=re.compile(r"^Confirm: "))


def reviewed_terms(dialog: Locator) -> dict[str, str]:
    """What the confirmation says will be signed: its terms and their values."""
    expect(dialog.get_by_role("term").first).to_be_visible()
    terms = dialog.get_by_role("term").all_inner_texts()
    values = dialog.get_by_role("definition").all_inner_texts()
    return dict(zip(terms, values, strict=True))


def place_order(
    page: Page,
    side: Side,
    amount: str,
    *,
    order_type: OrderType = "Limit",
    price: str | None = None,
    trigger: str | None = None,
) -> dict[str, str]:
    """Fill the form, press the side's button, read the confirmation, sign in the wallet, and see the
    API accept the order (the confirmation closes only then); returns what the confirmation showed."""
    fill_order(page, side, amount, order_type=order_type, price=price, trigger=trigger)
    submit_order(page, side)
    dialog = review_dialog(page)
    terms = reviewed_terms(dialog)
    dialog.get_by_role("button", name="Sign and place").click()
    expect(dialog).to_be_hidden()
    return terms


def book_level(page: Page, side: Literal["Ask", "Bid"], price: str, amount: str) -> Locator:
    """The order book's button for one aggregated level, named by its side, price, amount and running
    total ("Ask 2,000.00 1.000 1.000")."""
    name = re.compile(rf"^{side} {re.escape(price)} {re.escape(amount)} ")
    return page.get_by_role("region", name="Order book").get_by_role("button", name=name)


def recent_trades(page: Page) -> Locator:
    return page.get_by_role("region", name="Recent trades").get_by_role("table")


def price_chart(page: Page) -> Locator:
    return page.get_by_role("region", name=f"{MARKET} price chart")


_CHART_PIXELS = "element => [...element.querySelectorAll('canvas')].map(canvas => canvas.toDataURL()).join('|')"


def chart_pixels(page: Page) -> str:
    """What the chart draws now (its canvases as data URLs), to tell that it changed."""
    pixels: str = price_chart(page).evaluate(_CHART_PIXELS)
    return pixels


def wait_for_chart_change(page: Page, before: str, timeout_ms: float = 15_000) -> None:
    """Wait until the chart draws something else than `before` (from `chart_pixels`)."""
    handle = price_chart(page).element_handle()
    page.wait_for_function(
        f"([element, before]) => ({_CHART_PIXELS})(element) !== before",
        arg=[handle, before],
        polling=250,
        timeout=timeout_ms,
    )


def dismiss_notifications(page: Page, timeout_s: float = 15.0) -> None:
    """Close every notice on show (at once: one may time out while another is being closed), again while new
    ones come (a fill's notice can arrive just after the others were closed), until none is left."""
    dismiss = page.get_by_role("region", name="Notifications").get_by_role("button", name="Dismiss")
    deadline = time.monotonic() + timeout_s
    while True:
        dismiss.evaluate_all("buttons => buttons.forEach(button => button.click())")
        try:
            expect(dismiss).to_have_count(0, timeout=1_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


# ------------------------------------------------------------------ account tables


def account_table(page: Page, tab: Literal["Open orders", "Order history", "Fills", "Balances"]) -> Locator:
    """Select one of the account tabs and return its table."""
    page.get_by_role("tablist", name="Account").get_by_role("tab", name=tab, exact=True).click()
    return page.get_by_role("table", name=tab, exact=True)


def table_row(table: Locator, *cells: str | re.Pattern[str]) -> Locator:
    """The rows of `table` holding every one of `cells` (each an exact cell text or a pattern)."""
    rows = table.get_by_role("row")
    for cell in cells:
        rows = rows.filter(has=table.page.get_by_role("cell", name=cell, exact=isinstance(cell, str)))
    return rows


def cancel_order_button(page: Page, side: Side, amount: str, price: str) -> Locator:
    """The open-orders table's cancel button of one order."""
    name = f"Cancel {side} {amount} at {price} on {MARKET}"
    return page.get_by_role("table", name="Open orders").get_by_role("button", name=name, exact=True)


# ------------------------------------------------------------------ funds


def funds_panel(page: Page) -> Locator:
    return page.get_by_role("region", name="Funds", exact=True)


def get_test_tokens(page: Page) -> None:
    """Press "Get test tokens" and see the faucet's transactions mined."""
    page.get_by_role("button", name="Get test tokens").click()
    expect(page.get_by_text(re.compile(r"^Sent: \d+ transactions mined\.$"))).to_be_visible(timeout=CHAIN_TIMEOUT_MS)


def transfer(page: Page, action: Literal["Deposit", "Withdraw"], symbol: str, quantity: str) -> Locator:
    """Deposit or withdraw `quantity` of `symbol` from the Funds panel; returns the transfer's entry in
    "Your transfers" (newest first; each entry lists its steps) for the caller to follow."""
    funds = funds_panel(page)
    funds.get_by_role("combobox", name="Token").select_option(label=symbol)
    funds.get_by_role("textbox", name="Quantity").fill(quantity)
    funds.get_by_role("button", name=action, exact=True).click()
    if action == "Withdraw":  # reviewed in token units before the wallet is asked
        review = page.get_by_role("dialog", name="Confirm: withdraw " + symbol)
        review.get_by_role("button", name="Sign and request").click()
    entries = funds.get_by_role("list", name="Your transfers").get_by_role("listitem")
    return entries.filter(has=page.get_by_role("list", name="Steps")).first


# ------------------------------------------------------------------ the chain itself


_ERC20_BALANCE = [
    {"name": "balanceOf", "type": "function", "stateMutability": "view",
     "inputs": [{"name": "owner", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]},
]  # fmt: skip
_EXCHANGE_VIEWS = [
    {"name": "balanceOf", "type": "function", "stateMutability": "view",
     "inputs": [{"name": "wallet", "type": "address"}, {"name": "token", "type": "address"}],
     "outputs": [{"name": "", "type": "uint256"}]},
    {"name": "orderStatus", "type": "function", "stateMutability": "view",
     "inputs": [{"name": "orderHash", "type": "bytes32"}],
     "outputs": [{"name": "filled", "type": "uint128"}, {"name": "verified", "type": "bool"},
                 {"name": "cancelled", "type": "bool"}]},
    {"name": "walletState", "type": "function", "stateMutability": "view",
     "inputs": [{"name": "wallet", "type": "address"}],
     "outputs": [{"name": "nonceFloor", "type": "uint64"}, {"name": "exitAvailableAt", "type": "uint64"}]},
]  # fmt: skip


class Chain:
    """The stack's anvil, read directly: what a wallet holds, what the Exchange's vault holds for it."""

    def __init__(self, stack: Stack) -> None:
        self.w3 = Web3(Web3.HTTPProvider(stack.rpc_url, request_kwargs={"timeout": 10}))
        self.contracts = stack.contracts
        self.exchange = self.w3.eth.contract(
            address=Web3.to_checksum_address(stack.contracts["Exchange"]), abi=_EXCHANGE_VIEWS
        )

    def wallet_balance(self, address: str, symbol: str) -> int:
        token = self.w3.eth.contract(address=Web3.to_checksum_address(self.contracts[symbol]), abi=_ERC20_BALANCE)
        return int(token.functions.balanceOf(address).call())

    def vault_balance(self, address: str, symbol: str) -> int:
        return int(self.exchange.functions.balanceOf(address, self.contracts[symbol]).call())

    def cancelled(self, order_hash: str) -> bool:
        """Whether the Exchange refuses the order as cancelled by its maker."""
        return bool(self.exchange.functions.orderStatus(order_hash).call()[2])

    def nonce_floor(self, address: str) -> int:
        """The wallet's nonce floor on the Exchange: every order with a lower nonce is refused."""
        return int(self.exchange.functions.walletState(address).call()[0])

    def advance_time(self, seconds: int) -> None:
        """Move the chain's clock forward and mine a block at the new time (anvil)."""
        self.w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
        self.w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def fund_exchange(stack: Stack, account_index: int, amounts: dict[str, int]) -> None:
    """Deposit `amounts` (symbol -> base units) of dev account `account_index`'s own tokens into the
    Exchange as a bot does (signed locally, sent to anvil) and wait until the API credits them."""
    with HdexClient(stack.url, DEV_KEYS[account_index], rpc_url=stack.rpc_url) as client:
        deposits = [client.deposit(stack.contracts[symbol], amount, timeout=30) for symbol, amount in amounts.items()]
        for tx_hash in deposits:
            client.wait_for_deposit(tx_hash, timeout=CHAIN_TIMEOUT_MS / 1000, poll_s=0.25)


def api_get(stack: Stack, path: str, **params: str | int) -> Any:
    """A read of the API as any client makes it; raises on an error answer."""
    answer = httpx.get(f"{stack.url}{path}", params=params, timeout=10)
    answer.raise_for_status()
    return answer.json()
