"""The statistics from real trades: two dev wallets trade on WETH-USDC (signed orders, as bots), the worker
under `hdex up` rolls them up, and /stats shows its plots (canvases inside the figures named "Daily volume" and
"Trades per day") and, in its table, today's volume equal to the sum of the raw fills. Connecting a wallet on
the page records the first-party `wallet_connected` event (and nothing goes to a third party). An auditor sees
the back office's statistics (active wallets and fee revenue plots, funnel, cohorts) and downloads a CSV export
that the audit log records."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pyotp
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from backend.chain.devkeys import DEV_KEYS
from backend.client.sync import HdexClient
from backend.db.models import AuditLogEntry, Fill, StatsEvent
from tests.processes import without_hdex_settings

from ..clock import start_within_one_utc_day
from .browser_kit import DESKTOP, PHONE, axe_violations, screenshot
from .flows import CHAIN_TIMEOUT_MS, MARKET, api_get, connect, fund_exchange, price_units
from .stack import FAST_SETTINGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from .browser_kit import Dapp
    from .stack import Stack

AUDITOR, AUDITOR_PASSWORD = "stats.auditor@hdex.example", "a long statistics passphrase"

MAKER, TAKER = 6, 7
# whether every canvas of an element is still fully transparent (nothing drawn)
BLANK = (
    "f => [...f.querySelectorAll('canvas')]"
    ".every(c => !c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v !== 0))"
)
WETH = 10**18
USDC = 10**6


def stack_session(stack: Stack) -> Session:
    return Session(create_engine(f"sqlite:///{(stack.log.parent / 'hdex.db').resolve()}"))


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def raw_volume_today(stack: Stack) -> tuple[int, int]:
    """(trades, quote volume) of today's WETH-USDC fills that did not fail, summed from the raw rows."""
    start = int(datetime.fromisoformat(today()).replace(tzinfo=UTC).timestamp() * 1000)
    with stack_session(stack) as session:
        fills = session.scalars(select(Fill).where(Fill.market == MARKET, Fill.created_at_ms >= start)).all()
    kept = [f for f in fills if f.status != "failed"]
    return len(kept), sum(f.quote_amount for f in kept)


def rolled_up_today(stack: Stack) -> tuple[int, int]:
    rows = api_get(stack, "/v1/stats/markets", **{"from": today(), "to": today()})["days"]
    row = next((r for r in rows if r["market"] == MARKET), None)
    return (0, 0) if row is None else (row["trades"], int(row["quoteVolume"]))


def usdc_text(amount: int) -> str:
    """As the page writes it: at most 2 decimals, half away from zero, no trailing zeros, grouped."""
    value = (Decimal(amount) / USDC).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} USDC"


def test_the_stats_page_plots_the_volume_of_trades_made_in_the_test(
    stack: Stack, open_dapp: Callable[..., Dapp]
) -> None:
    start_within_one_utc_day()  # the trades below and the "today" read after them are one day
    fund_exchange(stack, MAKER, {"WETH": WETH})
    fund_exchange(stack, TAKER, {"USDC": 2_000 * USDC})
    trades_before, volume_before = raw_volume_today(stack)
    with HdexClient(stack.url, DEV_KEYS[MAKER]) as maker, HdexClient(stack.url, DEV_KEYS[TAKER]) as taker:
        for amount in (WETH // 4, WETH // 8):  # two trades at 1,990 USDC
            maker.place_order(MARKET, "sell", amount, price_units("1990"))
            taker.place_order(MARKET, "buy", amount, price_units("1990"))
    ours = 1_990 * USDC * 3 // 8

    # the worker under `hdex up` rolls them up: the API's figure becomes the raw fills' sum, ours included
    deadline = time.monotonic() + CHAIN_TIMEOUT_MS / 1000
    expected = raw_volume_today(stack)
    while rolled_up_today(stack) != expected and time.monotonic() < deadline:
        time.sleep(0.25)
        expected = raw_volume_today(stack)
    assert rolled_up_today(stack) == expected
    assert expected[0] >= trades_before + 2 and expected[1] >= volume_before + ours

    visitor = open_dapp(MAKER)
    sent_to: set[str] = set()
    visitor.page.on("request", lambda request: sent_to.add(urlparse(request.url).netloc))
    page = visitor.page
    with page.expect_response(lambda answer: urlparse(answer.url).path == "/v1/stats/events") as reported:
        connect(visitor, "/stats")
    assert reported.value.ok
    expect(page.get_by_role("heading", name="Statistics", level=1)).to_be_visible()
    for name in ("Daily volume", "Trades per day"):
        figure = page.get_by_role("figure", name=name)
        expect(figure).to_be_visible()
        expect(figure.locator("canvas").first).to_be_visible()
    expect(page.get_by_role("figure", name="Daily volume")).to_contain_text(MARKET)
    table = page.get_by_role("table", name="Markets per day")
    row = table.get_by_role("row").filter(has_text=today()).filter(has_text=MARKET)
    expect(row).to_contain_text(usdc_text(expected[1]))
    expect(row.get_by_role("cell", name=str(expected[0]), exact=True).first).to_be_visible()
    # painted: the volume histogram's canvases are not blank
    blank = page.get_by_role("figure", name="Daily volume").evaluate(BLANK)
    assert blank is False
    screenshot(page, "stats")  # the README's picture of the statistics page
    # on a phone the page is no wider than the screen: the wide table scrolls within its own frame
    page.set_viewport_size(PHONE)
    expect(table).to_be_visible()
    assert page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]") == [PHONE["width"]] * 2
    page.set_viewport_size(DESKTOP)

    # connecting the wallet recorded the first-party event, and the page spoke to nobody but HDEX
    with stack_session(stack) as session:
        wallets = set(session.scalars(select(StatsEvent.wallet).where(StatsEvent.event == "wallet_connected")))
    assert visitor.wallet.address in wallets
    assert sent_to <= {urlparse(stack.url).netloc, urlparse(stack.rpc_url).netloc}, sent_to
    assert visitor.console_errors == []


def make_auditor(stack: Stack) -> pyotp.TOTP:
    """`hdex staff create --role auditor` against the stack's database; the authenticator its secret sets up."""
    data_dir = stack.log.parent
    env = without_hdex_settings(**FAST_SETTINGS, HDEX_DATA_DIR=str(data_dir))
    command = ["staff", "create", "--email", AUDITOR, "--role", "auditor", "--password", AUDITOR_PASSWORD]
    created = subprocess.run(
        [sys.executable, "-m", "backend.cli", *command],
        cwd=data_dir, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    secret = re.search(r"TOTP secret: +([A-Z2-7]+)", created.stdout)
    assert secret, created.stdout
    return pyotp.TOTP(secret.group(1))


def test_an_auditor_reads_the_staff_statistics_and_exports_a_table_as_csv(browser: Browser, stack: Stack) -> None:
    authenticator = make_auditor(stack)
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP, accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/backoffice")
        page.get_by_role("textbox", name="E-mail address").fill(AUDITOR)
        page.get_by_label("Password", exact=True).fill(AUDITOR_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_role("textbox", name="Authentication code").fill(authenticator.now())
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        page.get_by_role("tab", name="Statistics").click()

        for name in ("Active wallets", "Fee revenue"):
            expect(page.get_by_role("figure", name=name).locator("canvas").first).to_be_visible()
        funnel = page.get_by_role("table", name="Funnel of the wallets first seen in the range")
        expect(funnel.get_by_role("row").filter(has_text="Traded")).to_be_visible()
        expect(
            page.get_by_role("table", name="Retention by week of first trade").get_by_role("row").nth(1)
        ).to_be_visible()
        users = page.get_by_role("table", name="Wallets per day")
        expect(users.get_by_role("row").filter(has_text=today())).to_be_visible()

        with page.expect_download() as download:
            page.get_by_role("link", name="Fees (CSV)").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert text.startswith("day,market,token,symbol,decimals,makerFee,takerFee,total"), text[:200]
        assert MARKET in text
        with stack_session(stack) as session:
            actions = session.scalars(select(AuditLogEntry.action).where(AuditLogEntry.target == "stats:fees")).all()
        assert actions == ["stats.export"]
        assert [v["id"] for v in axe_violations(page)] == []
    finally:
        context.close()
