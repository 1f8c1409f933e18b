"""What browser tests and `make bench-dapp` share: Chromium launched without any download, a context with
the test wallet injected, the wallet's Python handle, screenshots at both widths, and axe-core.

Playwright is imported for types only: without it, conftest skips every browser test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_account import Account

from backend.chain.devkeys import DEV_KEYS
from backend.paths import PROJECT_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright never downloads one here
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
WALLET_JS = Path(__file__).with_name("wallet.js")
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def dev_address(account_index: int) -> str:
    return str(Account.from_key(DEV_KEYS[account_index]).address)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def wallet_context(browser: Browser, base_url: str, rpc_url: str, chain_id: int, account_index: int) -> BrowserContext:
    """A fresh context (own cookies and storage) at desktop size whose pages get the test wallet of dev
    account `account_index` before any script of theirs runs."""
    context = browser.new_context(viewport=DESKTOP, base_url=base_url)
    config = {"rpcUrl": rpc_url, "chainId": chain_id, "account": dev_address(account_index)}
    context.add_init_script(script=f"window.__hdexTestWalletConfig = {json.dumps(config)};\n{WALLET_JS.read_text()}")
    return context


def wallet_dapp(context: BrowserContext, account_index: int, base_url: str) -> Dapp:
    """A new page of `context` (made by `wallet_context` for `account_index`) as a `Dapp`, with its
    console errors and uncaught exceptions recorded in `Dapp.console_errors`."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    dapp = Dapp(page, TestWallet(page, account_index), base_url)

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            dapp.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", record)
    page.on("pageerror", lambda error: dapp.console_errors.append(f"uncaught: {error}"))
    return dapp


class TestWallet:
    """Python's handle on the injected wallet of one page (`wallet.js`)."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, page: Page, account_index: int) -> None:
        self.page = page
        self.address = dev_address(account_index)

    def reject_next(self) -> None:
        """The next request a user would approve (connect, sign, send, switch) is refused: 4001."""
        self.page.evaluate("window.__hdexTestWallet.rejectNext()")

    def switch_chain(self, chain_id: int) -> None:
        """Move the wallet to `chain_id` (as a user would in the wallet), emitting chainChanged."""
        self.page.evaluate("id => window.__hdexTestWallet.switchChain(id)", chain_id)

    def use_account(self, account_index: int) -> None:
        """Switch to dev account `account_index`, emitting accountsChanged when connected."""
        self.address = dev_address(account_index)
        self.page.evaluate("address => window.__hdexTestWallet.useAccount(address)", self.address)

    def requests(self) -> list[str]:
        """The methods the page asked the wallet for, in order."""
        methods: list[str] = self.page.evaluate("window.__hdexTestWallet.requests.map(r => r.method)")
        return methods


@dataclass
class Dapp:
    """One browser context on the dApp with its own wallet, cookies and storage."""

    page: Page
    wallet: TestWallet
    url: str
    console_errors: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.url + path)


def screenshot(page: Page, name: str) -> list[Path]:
    """Full-page screenshots of `page` at desktop (1440x900) and phone (390x844) widths, under
    var/screenshots/; the viewport is restored afterwards."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or DESKTOP
    paths = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(before)
    return paths


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, of the given impacts."""
    # Evaluated by the browser's debugging protocol, not added as a <script>: the pages' Content-Security-Policy
    # refuses inline scripts, as it should (`;undefined`: the script's last value need not cross back).
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate("async () => (await window.axe.run(document)).violations")
    return [violation for violation in violations if violation.get("impact") in impacts]
