"""A deposit by a blocked address, frozen and released through the back office: a compliance officer deny-lists a
wallet, the wallet deposits on-chain anyway (the chain cannot refuse it) and the indexer freezes it; the officer's
release is refused while the wallet is still blocked, goes through once it is off the deny-list, and the wallet can
use the funds; the release is on the audit log. The wallet is a fresh key the dev faucet funds, so no other test's
wallet is ever blocked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from eth_account import Account
from playwright.sync_api import expect
from sqlalchemy import select

from backend.client.sync import HdexClient
from backend.db.models import FrozenFunds

from .browser_kit import DESKTOP, axe_violations
from .flows import CHAIN_TIMEOUT_MS, api_get
from .test_risk_cases import audit_actions, make_staff, stack_session, staff_sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

    from .stack import Stack

OFFICER = "frozen.officer@hdex.example"
OFFICER_PASSWORD = "a long compliance passphrase"
DEPOSIT = 250_500_000  # 250.5 USDC


def frozen_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Frozen deposits")


def release(page: Page, wallet: str, reason: str) -> Locator:
    """Open the release dialog of `wallet`'s 250.5 USDC, give `reason`, confirm; the dialog."""
    frozen_table(page).get_by_role("button", name=f"Release 250.5 USDC of {wallet}").click()
    dialog = page.get_by_role("dialog", name=f"Release 250.5 USDC deposited by {wallet}")
    dialog.get_by_role("textbox", name="Reason").fill(reason)
    dialog.get_by_role("button", name="Confirm release").click()
    return dialog


def test_a_frozen_deposit_is_released_only_once_its_wallet_is_off_the_deny_list(browser: Browser, stack: Stack) -> None:
    depositor = Account.create()
    wallet = str(depositor.address)
    httpx.post(f"{stack.url}/v1/dev/faucet", json={"address": wallet}, timeout=60).raise_for_status()
    authenticator = make_staff(stack, OFFICER, "compliance", OFFICER_PASSWORD)
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        staff_sign_in(page, OFFICER, OFFICER_PASSWORD, authenticator)

        page.get_by_role("tab", name="Deny-list").click()
        page.get_by_role("textbox", name="Wallet address").fill(wallet)
        page.get_by_role("textbox", name="Reason").fill("stolen funds, reported by the victim's exchange")
        page.get_by_role("button", name="Add to deny-list").click()
        expect(page.get_by_role("table", name="Deny-list")).to_contain_text(wallet)

        # the chain takes the deposit; the indexer screens the depositor and freezes it
        with HdexClient(stack.url, "0x" + bytes(depositor.key).hex(), rpc_url=stack.rpc_url) as client:
            tx_hash = client.deposit(stack.contracts["USDC"], DEPOSIT, timeout=30)
            assert client.wait_for_deposit(tx_hash, timeout=CHAIN_TIMEOUT_MS / 1000, poll_s=0.25)["status"] == "frozen"

        page.get_by_role("tab", name="Frozen deposits").click()
        row = frozen_table(page).get_by_role("row").filter(has_text=wallet)
        expect(row).to_contain_text("250.5 USDC")
        expect(row).to_contain_text("stolen funds")
        expect(row).to_contain_text("Held")
        assert [f"{v['impact']} {v['id']}" for v in axe_violations(page)] == []

        refused = release(page, wallet, "the victim asked us to")
        expect(refused).to_contain_text("is still blocked")
        refused.get_by_role("button", name="Cancel").click()
        expect(row).to_contain_text("Held")

        page.get_by_role("tab", name="Deny-list").click()
        page.get_by_role("table", name="Deny-list").get_by_role("button", name="Remove").click()
        removal = page.get_by_role("dialog")
        removal.get_by_role("textbox", name="Reason").fill("the wallet is the victim's, not the thief's")
        removal.get_by_role("button", name="Confirm removal").click()
        expect(page.get_by_role("table", name="Deny-list")).not_to_contain_text(wallet)

        page.get_by_role("tab", name="Frozen deposits").click()
        release(page, wallet, "the wallet is the victim's; refund, case 17")
        expect(page.get_by_text(f"250.5 USDC of {wallet} released")).to_be_visible()
        expect(frozen_table(page)).not_to_contain_text(wallet)
        page.get_by_role("combobox", name="Show").select_option("released")
        expect(frozen_table(page).get_by_role("row").filter(has_text=wallet)).to_contain_text(
            f"Released by staff:{OFFICER}"
        )
    finally:
        context.close()

    [usdc] = [b for b in api_get(stack, f"/v1/accounts/{wallet}/balances")["balances"] if b["symbol"] == "USDC"]
    assert (usdc["frozen"], usdc["available"]) == ("0", str(DEPOSIT))
    deposits = api_get(stack, f"/v1/accounts/{wallet}/deposits")["deposits"]
    assert [d["status"] for d in deposits] == ["confirmed"]
    assert "frozen.release" in [a for target in _freezes(stack, wallet) for a in audit_actions(stack, target)]


def _freezes(stack: Stack, wallet: str) -> list[str]:
    """The audit targets of `wallet`'s freezes ("frozen:<id>")."""
    with stack_session(stack) as session:
        ids = session.scalars(select(FrozenFunds.id).where(FrozenFunds.wallet == wallet))
        return [f"frozen:{i}" for i in ids]
