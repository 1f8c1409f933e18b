"""Risk and AML in the browser (issue 14): a compliance officer takes an alert to a closed case through the back
office (open the case, assign, note, investigate, escalate, export the regulator's report, close with a
reason), every step in the audit log; and the trading page shows a market halt, why and until when, with its
order form closed, and stops showing it once staff end the halt.

Staff are made as an operator makes them (`hdex staff create`); the alert is raised in the stack's database
through the alert store, as a monitor raises one. The halt is a real circuit breaker: an admin narrows
WETH-USDC's breaker in the back office, two bots trade 0.5 % apart, the breaker trips; the admin ends the
halt and puts the defaults back, so the market is as the other tests expect it. The bots are dev accounts 3
and 4, custody owners whose other tests (test_wallet_session, test_kyc_and_limits) never look at their fills.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pyotp
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.alerts import AlertKind, Severity
from backend.alerts.store import raise_alert
from backend.chain.devkeys import DEV_KEYS
from backend.client.sync import HdexClient
from backend.db.models.staff import AuditLogEntry
from backend.db.session import make_engine
from tests.processes import without_hdex_settings

from .browser_kit import DESKTOP, axe_violations, dev_address
from .flows import CHAIN_TIMEOUT_MS, MARKET, api_get, fund_exchange, order_form, price_units
from .stack import FAST_SETTINGS

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, Page

    from .browser_kit import Dapp
    from .stack import Stack

OFFICER = "compliance.officer@hdex.example"
OFFICER_PASSWORD = "a long compliance passphrase"
SUSPECT = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"  # dev account 6's address, as an AML rule names a wallet
RISK_ADMIN = "risk.admin@hdex.example"
RISK_ADMIN_PASSWORD = "a long risk admin passphrase"
MAKER, TAKER = 3, 4
WETH = 10**18


def make_staff(stack: Stack, email: str, role: str, password: str) -> pyotp.TOTP:
    """`hdex staff create` against the stack's database; returns the authenticator the printed secret sets up."""
    data_dir = stack.log.parent
    env = without_hdex_settings(**FAST_SETTINGS, HDEX_DATA_DIR=str(data_dir))
    command = ["staff", "create", "--email", email, "--role", role, "--password", password]
    created = subprocess.run(
        [sys.executable, "-m", "backend.cli", *command],
        cwd=data_dir, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    secret = re.search(r"TOTP secret: +([A-Z2-7]+)", created.stdout)
    assert secret, created.stdout
    return pyotp.TOTP(secret.group(1))


def stack_session(stack: Stack) -> Session:
    """A session on the stack's own (SQLite) database, as a monitor in another process has one."""
    return Session(make_engine(f"sqlite:///{(stack.log.parent / 'hdex.db').resolve()}"))


def raise_structuring_alert(stack: Stack) -> tuple[int, str]:
    """A structuring alert about SUSPECT in the alert store, as the AML monitor raises one; its id and message."""
    message = f"{SUSPECT}: 3 withdrawals of 9,900 USDC within 24 h ({uuid.uuid4().hex[:8]})"
    with stack_session(stack) as session:
        row = raise_alert(session, AlertKind.STRUCTURING, Severity.CRITICAL, message, subject=f"wallet:{SUSPECT}",
                          details={"withdrawals": ["9900000000"] * 3})  # fmt: skip
        assert row is not None
        session.commit()
        return row.id, message


def audit_actions(stack: Stack, target: str) -> list[str]:
    """The audit log's actions on `target`, oldest first."""
    with stack_session(stack) as session:
        rows = session.scalars(
            select(AuditLogEntry.action).where(AuditLogEntry.target == target).order_by(AuditLogEntry.seq)
        )
        return list(rows)


def staff_sign_in(page: Page, email: str, password: str, authenticator: pyotp.TOTP) -> None:
    page.goto("/backoffice")
    page.get_by_role("textbox", name="E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("textbox", name="Authentication code").fill(authenticator.now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_compliance_officer_takes_an_alert_to_a_closed_case_and_the_audit_log_holds_every_step(
    browser: Browser, stack: Stack, tmp_path: Path
) -> None:
    authenticator = make_staff(stack, OFFICER, "compliance", OFFICER_PASSWORD)
    alert_id, message = raise_structuring_alert(stack)
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP, accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        staff_sign_in(page, OFFICER, OFFICER_PASSWORD, authenticator)

        # the alert, its severity in words, selected and made a case
        page.get_by_role("tab", name="Alerts").click()
        expect(page.get_by_role("heading", name="Alerts")).to_be_visible()
        alerts = page.get_by_role("table", name="Alerts")
        expect(alerts).to_contain_text(message)
        # live: an alert raised while the page is open appears without a reload (Server-Sent Events)
        expect(page.get_by_text("Live: new alerts appear as they are raised.")).to_be_visible()
        _, later = raise_structuring_alert(stack)
        expect(alerts).to_contain_text(later)
        row = alerts.get_by_role("row").filter(has_text=message)
        expect(row).to_contain_text("Critical")
        expect(row).to_contain_text("Structuring")
        row.get_by_role("checkbox", name=f"Select alert #{alert_id}: {message}").check()
        page.get_by_role("button", name="Open case").click()
        opening = page.get_by_role("dialog", name="Open a case from 1 alert(s)")
        opening.get_by_role("textbox", name="Title").fill("Structuring below the travel-rule threshold")
        opening.get_by_role("button", name="Open case").click()

        # the Cases section shows the new case
        detail = page.get_by_role(
            "article", name=re.compile(r"^Case #\d+: Structuring below the travel-rule threshold$")
        )
        expect(detail).to_be_visible()
        case_id = int(re.search(r"#(\d+)", detail.get_by_role("heading").first.inner_text()).group(1))  # type: ignore[union-attr]
        expect(detail.get_by_role("table", name="Case alerts")).to_contain_text(message)
        expect(detail).to_contain_text("Open")

        detail.get_by_role("combobox", name="Assignee").select_option(OFFICER)
        detail.get_by_role("button", name="Assign").click()
        # the assignee's own field: "Opened by" names the officer too, and matched before the assignment was
        # stored, so the note below could reach the audit log first
        assignee = detail.get_by_role("definition").filter(has_text=re.compile(rf"^{re.escape(OFFICER)}$"))
        expect(assignee).to_be_visible()

        detail.get_by_role("textbox", name="Note").fill("Asked the customer for the source of funds.")
        detail.get_by_role("button", name="Add note").click()
        expect(
            detail.get_by_role("list").filter(has_text="Asked the customer for the source of funds.")
        ).to_be_visible()

        detail.get_by_role("button", name="Start investigation").click()
        expect(
            page.get_by_role("table", name="Cases").get_by_role("row").filter(has_text=f"#{case_id}")
        ).to_contain_text("Investigating")
        detail.get_by_role("button", name="Escalate").click()
        expect(
            page.get_by_role("table", name="Cases").get_by_role("row").filter(has_text=f"#{case_id}")
        ).to_contain_text("Escalated")

        # the regulator's report, both ways
        with page.expect_download() as json_download:
            detail.get_by_role("link", name="Export JSON").click()
        report = json.loads(Path(json_download.value.path()).read_text())
        assert "Structuring below the travel-rule threshold" in json.dumps(report)
        with page.expect_download() as html_download:
            detail.get_by_role("link", name="Export HTML").click()
        assert "Asked the customer for the source of funds." in Path(html_download.value.path()).read_text()

        found = [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(page)]
        assert found == []

        detail.get_by_role("button", name="Close case").click()
        closing = page.get_by_role("dialog", name=f"Close case #{case_id}")
        closing.get_by_role("textbox", name="Reason").fill("Source of funds documented: salary and a house sale.")
        closing.get_by_role("button", name="Close case").click()
        expect(closing).to_be_hidden()
        expect(detail).to_contain_text("Source of funds documented: salary and a house sale.")
        expect(detail.get_by_role("button", name="Escalate")).to_have_count(0)  # a closed case changes no more

        # every step is on the audit trail, in order, and the audit section shows them
        assert audit_actions(stack, f"case:{case_id}") == [
            "case.open", "case.assign", "case.note", "case.status", "case.status", "case.export", "case.export",
            "case.status",
        ]  # fmt: skip
        page.get_by_role("tab", name="Audit log").click()
        log = page.get_by_role("table", name="Audit log")
        for action in ("case.open", "case.assign", "case.note", "case.status", "case.export"):
            expect(log).to_contain_text(action)
    finally:
        context.close()


def trade(stack: Stack, price: str) -> None:
    """The maker rests a 0.01 WETH sell at `price` and the taker buys it (two bots, signed orders)."""
    with HdexClient(stack.url, DEV_KEYS[MAKER]) as maker, HdexClient(stack.url, DEV_KEYS[TAKER]) as taker:
        maker.place_order(MARKET, "sell", WETH // 100, price_units(price))
        taker.place_order(MARKET, "buy", WETH // 100, price_units(price))


def weth_usdc(stack: Stack) -> dict[str, object]:
    market: dict[str, object] = next(m for m in api_get(stack, "/v1/markets")["markets"] if m["name"] == MARKET)
    return market


def fund_bots(stack: Stack) -> None:
    """Demo tokens from the dev faucet (custody owners hold none), then on the exchange."""
    for account in (MAKER, TAKER):
        answer = httpx.post(
            f"{stack.url}/v1/dev/faucet", json={"address": dev_address(account)}, timeout=CHAIN_TIMEOUT_MS / 1000
        )
        answer.raise_for_status()
    fund_exchange(stack, MAKER, {"WETH": WETH})
    fund_exchange(stack, TAKER, {"USDC": 1_000 * 10**6})


def edit_risk(page: Page, values: dict[str, str], reason: str) -> None:
    """In "Market risk", edit WETH-USDC's settings (field name -> text) and save them with `reason`."""
    page.get_by_role("button", name=f"Edit the risk settings of {MARKET}").click()
    form = page.get_by_role("form", name=f"Risk settings: {MARKET}")
    for name, value in values.items():
        form.get_by_role("textbox", name=name, exact=True).fill(value)
    form.get_by_role("textbox", name="Reason").fill(reason)
    form.get_by_role("button", name="Save risk settings").click()
    expect(form).to_be_hidden()


def test_the_trading_page_shows_a_circuit_breaker_halt_and_its_end(
    browser: Browser, stack: Stack, open_dapp: Callable[..., Dapp]
) -> None:
    authenticator = make_staff(stack, RISK_ADMIN, "admin", RISK_ADMIN_PASSWORD)
    fund_bots(stack)
    trader = open_dapp(5)  # a visitor: the page needs no wallet to show the halt
    trader.open(f"/trade/{MARKET}")
    halted = trader.page.get_by_role("status", name="Market halted")
    expect(order_form(trader.page).get_by_role("button", name="Buy", exact=True)).to_be_enabled()
    expect(halted).to_have_count(0)

    context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    try:
        staff = context.new_page()
        staff.set_default_timeout(15_000)
        staff_sign_in(staff, RISK_ADMIN, RISK_ADMIN_PASSWORD, authenticator)
        staff.get_by_role("tab", name="Market risk").click()
        # words before anything is sent: an alert at or above the breaker is refused in the form
        staff.get_by_role("button", name=f"Edit the risk settings of {MARKET}").click()
        form = staff.get_by_role("form", name=f"Risk settings: {MARKET}")
        form.get_by_role("textbox", name="Volatility alert").fill("5000")
        form.get_by_role("textbox", name="Reason").fill("too high on purpose")
        form.get_by_role("button", name="Save risk settings").click()
        expect(form.get_by_text("The volatility alert must be below the circuit breaker")).to_be_visible()
        form.get_by_role("button", name="Cancel").click()
        edit_risk(
            staff, {"Circuit breaker": "20", "Volatility alert": "0"}, "browser test: a breaker that trips at 0.2 %"
        )
        risk_table = staff.get_by_role("table", name="Market risk settings")
        expect(risk_table.get_by_role("row").filter(has_text=MARKET)).to_contain_text("20 bp")

        # two trades 0.5 % apart (one is enough when an older trade is the reference)
        for price in ("2000", "2010"):
            trade(stack, price)
            if weth_usdc(stack)["halt"] is not None:
                break
        market = weth_usdc(stack)
        assert market["state"] == "cancel_only" and market["halt"] is not None, market

        # the trading page says so, why and until when, and its order form is closed
        expect(halted).to_be_visible()
        expect(halted).to_contain_text("circuit breaker")
        expect(halted).to_contain_text("(your local time); you can still cancel orders.")
        form_region = order_form(trader.page)
        expect(form_region.get_by_role("button", name="Buy", exact=True)).to_be_disabled()
        expect(form_region).to_contain_text("The market is halted until")

        # the back office shows the halt; the admin ends it and puts the defaults back
        row = risk_table.get_by_role("row").filter(has_text=MARKET)
        expect(row).to_contain_text("Circuit breaker:")
        assert [v["id"] for v in axe_violations(staff)] == []
        row.get_by_role("button", name="End halt").click()
        ending = staff.get_by_role("dialog", name=f"End the halt of {MARKET}")
        ending.get_by_role("button", name="End halt").click()
        expect(ending).to_be_hidden()
        expect(halted).to_have_count(0)  # the markets stream said so
        expect(form_region.get_by_role("button", name="Buy", exact=True)).to_be_enabled()
        edit_risk(staff, {"Circuit breaker": "", "Volatility alert": ""}, "browser test over: back to the defaults")
        assert weth_usdc(stack)["risk"]["breakerBps"] == 1_000  # type: ignore[index]
        assert audit_actions(stack, f"market:{MARKET}")[-3:] == [
            "market.risk.update",
            "market.halt.clear",
            "market.risk.update",
        ]
    finally:
        context.close()
