"""Browser tests: the dApp in Debian's Chromium, against `hdex up`'s whole stack, through a test wallet.

- Without /usr/bin/chromium or the playwright package, the browser tests are left out with one loud
  line saying how to enable them; `HDEX_REQUIRE_BROWSER=1` (set by `.ci/run`) makes that a failure.
- `stack` (package): `hdex up` on free ports and a fresh data folder (`stack.py`): anvil, the
  contracts, the API serving `dapp/dist`, the indexer and the relayer, with fast blocks and polling.
- The stack, Playwright and Chromium last as long as the browser tests, not the session: Playwright's sync
  API keeps an asyncio loop running on the main thread while it is open, so tests run after these in the
  same process (the rest of an xdist worker's share) could not start a loop of their own.
- `open_dapp(account_index=5)`: a page in a fresh browser context (own cookies and storage) with the
  test wallet (`wallet.js`) of that dev account injected before the page loads, not yet connected;
  `dapp` is dev account 5's. Console errors and uncaught exceptions land in `Dapp.console_errors`.
- `browser_kit`: `screenshot(page, name)` (var/screenshots/, 1440x900 and 390x844) and
  `axe_violations(page)` (axe-core from node_modules: the serious and critical violations).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .browser_kit import CHROMIUM, Dapp, launch_chromium, wallet_context, wallet_dapp
from .stack import Stack, StackError, running_stack

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright

HERE = Path(__file__).parent


NOT_RUN = pytest.StashKey[str]()
WORKER_OUTPUT_KEY = "browser_tests_not_run"


def _missing_browser() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing from .venv (make setup installs it)"
    return None


def _required() -> bool:
    return os.environ.get("HDEX_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the browser tests; without Chromium, leave them out (one line in the summary says how to
    enable them) unless HDEX_REQUIRE_BROWSER=1, where `browser_available` fails each one instead."""
    ours = [item for item in items if item.path.is_relative_to(HERE)]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    missing = _missing_browser()
    if not ours or missing is None or _required():
        return
    items[:] = [item for item in items if not item.path.is_relative_to(HERE)]
    config.hook.pytest_deselected(items=ours)
    config.stash[NOT_RUN] = (
        f"BROWSER TESTS SKIPPED ({len(ours)}): {missing}. Enable them with Debian's Chromium: "
        "`sudo apt-get install -y chromium` (HDEX_REQUIRE_BROWSER=1 makes this a failure)"
    )
    if hasattr(config, "workeroutput"):  # an xdist worker: its controller writes the summary
        config.workeroutput[WORKER_OUTPUT_KEY] = config.stash[NOT_RUN]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist's controller keeps what a worker left out (workers collect; the controller prints the summary)."""
    not_run = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
    if not_run is not None:
        node.config.stash[NOT_RUN] = not_run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if NOT_RUN in config.stash:
        terminalreporter.write_line(config.stash[NOT_RUN], yellow=True, bold=True)


@pytest.fixture(scope="package", autouse=True)
def browser_available() -> None:
    """With HDEX_REQUIRE_BROWSER=1 and no Chromium, every browser test fails here (CI must run them)."""
    missing = _missing_browser()
    if missing is not None:
        pytest.fail(f"HDEX_REQUIRE_BROWSER=1 but the browser tests cannot run: {missing}. "
                    "Install Debian's Chromium: `apt-get install -y chromium`", pytrace=False)  # fmt: skip


@pytest.fixture(scope="package")
def stack(browser_available: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole exchange as `hdex up` starts it, shared by the session's browser tests."""
    try:
        with running_stack(tmp_path_factory.mktemp("stack")) as running:
            yield running
    except StackError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="package")
def playwright_driver(browser_available: None) -> Iterator[Playwright]:
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as the pages' actions do (15 s), not Playwright's 5 s: with the other test worker
    # busy, a staff reply with an attachment took longer than 5 s to show in a CI run. Each still fails if what
    # it waits for never comes.
    expect.set_options(timeout=15_000)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = launch_chromium(playwright_driver)
    yield chromium
    chromium.close()


@pytest.fixture
def open_dapp(browser: Browser, stack: Stack) -> Iterator[Callable[..., Dapp]]:
    """Opens the dApp's browser context for dev account `account_index` (default 5); closed after the test."""
    contexts: list[BrowserContext] = []

    def open_one(account_index: int = 5) -> Dapp:
        context = wallet_context(browser, stack.url, stack.rpc_url, stack.chain_id, account_index)
        contexts.append(context)
        return wallet_dapp(context, account_index, stack.url)

    yield open_one
    for context in contexts:
        context.close()


@pytest.fixture
def dapp(open_dapp: Callable[..., Dapp]) -> Dapp:
    """The dApp in a fresh context with dev account 5's wallet."""
    return open_dapp(5)
