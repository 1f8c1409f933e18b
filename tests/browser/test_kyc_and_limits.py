"""Identity verification raises a wallet's limits at once, end to end in the browser: at level 0 an order
above the maximum notional and a withdrawal above the daily limit are refused with the allowance in words;
the user submits identity data and documents on the account page; a member of staff signs in with a
password and a TOTP code, opens the document and approves; the user's limits change at once and the same
withdrawal goes through.

Dev account 4 (test_wallet_session's second wallet, which only signs in there) with 30,000 USDC on the
exchange (from the dev
faucet); the admin is made as an operator makes the first one, with `hdex staff create`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import pyotp
from playwright.sync_api import expect

from tests.processes import without_hdex_settings

from .browser_kit import screenshot
from .flows import (
    CHAIN_TIMEOUT_MS,
    api_get,
    connect,
    fill_order,
    fund_exchange,
    funds_panel,
    get_test_tokens,
    review_dialog,
    sign_in,
    signing_requests,
    submit_order,
    transfer,
    wallet_page,
)
from .stack import FAST_SETTINGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

    from .stack import Stack

APPLICANT = 4
USDC = 10**6
ADMIN_EMAIL = "first.admin@hdex.example"
ADMIN_PASSWORD = "a long admin passphrase"


def make_admin(stack: Stack) -> pyotp.TOTP:
    """`hdex staff create` against the stack's database, as an operator makes the first admin; returns
    the authenticator the printed secret sets up."""
    data_dir = stack.log.parent
    env = without_hdex_settings(**FAST_SETTINGS, HDEX_DATA_DIR=str(data_dir))
    created = subprocess.run(
        [sys.executable, "-m", "backend.cli", "staff", "create", "--email", ADMIN_EMAIL, "--role", "admin",
         "--password", ADMIN_PASSWORD],
        cwd=data_dir, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    secret = re.search(r"TOTP secret: +([A-Z2-7]+)", created.stdout)
    assert secret, created.stdout
    return pyotp.TOTP(secret.group(1))


def png_file(folder: Path, name: str) -> Path:
    """A real (1x1 pixel) PNG, as a phone's photo of a document would be, for the upload fields."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    path = folder / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def staff_sign_in(page: Page, authenticator: pyotp.TOTP) -> None:
    page.goto("/backoffice")
    page.get_by_role("textbox", name="E-mail address").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("textbox", name="Authentication code").fill(authenticator.now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def approve_pending(page: Page, open_document: str | None = None) -> None:
    """In the KYC queue, review the one pending submission (opening a document first if asked) and approve."""
    page.reload()  # the queue as it is now
    page.get_by_role("tab", name="KYC review").click()
    page.get_by_role("table", name="Submissions").get_by_role("button", name="Review").first.click()
    if open_document is not None:
        page.get_by_role("button", name=f"Open {open_document}").click()
        expect(page.get_by_role("img", name=open_document)).to_be_visible()
        screenshot(page, "backoffice-kyc-review")  # README's picture of the back office
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("table", name="Submissions").get_by_role("button", name="Review")).to_have_count(0)


def daily_withdrawals(page: Page) -> Locator:
    """The account page's meter of the day's withdrawals; it says its amounts in its description."""
    return page.get_by_role("meter", name="Daily withdrawals")


def test_verification_raises_the_limits_at_once_and_a_refused_withdrawal_then_goes_through(
    browser: Browser, stack: Stack, tmp_path: Path
) -> None:
    authenticator = make_admin(stack)
    staff_context = browser.new_context(base_url=stack.url)
    try:
        with wallet_page(browser, stack, APPLICANT) as user:
            connect(user)
            get_test_tokens(user.page)  # a custody owner's dev account holds no demo tokens of its own
            fund_exchange(stack, APPLICANT, {"USDC": 30_000 * USDC})
            connect(user)  # the page opened again, now with the deposit
            sign_in(user)
            page = user.page
            address = user.wallet.address

            # level 0: an order worth 12,000 USDC (or more, at the last trade price) is above the 10,000 USDC
            # maximum: the form says so before anything is signed, and links to where the level is raised
            form = fill_order(page, "Buy", "6", price="2000")
            amount = form.get_by_role("textbox", name="Amount", exact=True)
            amount.blur()  # the field says what is wrong once left, as soon as the wallet's limits are read
            expect(amount).to_have_accessible_description(
                re.compile(
                    r"^This order is worth [\d,.]+ USDC, but at verification \(KYC\) level 0 your largest order is "
                    r"10,000 USDC\. Lower the amount, or raise your level on your account page\.$"
                )
            )
            expect(form.get_by_role("link", name="Raise your order limit on your account page")).to_be_visible()
            signing_before = len(signing_requests(user))
            submit_order(page, "Buy")
            expect(review_dialog(page)).to_have_count(0)
            assert len(signing_requests(user)) == signing_before
            assert api_get(stack, f"/v1/accounts/{address}/orders", status="open")["orders"] == []

            # level 0: 15,000 USDC is above the day's 10,000 USDC, and the message says what is left
            transfer(page, "Withdraw", "USDC", "15000")
            expect(funds_panel(page)).to_contain_text("your remaining allowance is 10,000.00 USDC")
            assert api_get(stack, f"/v1/accounts/{address}/withdrawals")["withdrawals"] == []

            # level 1: identity data on the account page
            page.get_by_role("link", name="Account", exact=True).click()
            expect(page.get_by_role("heading", name="Identity verification")).to_be_visible()
            # a restricted country chosen in the profile is warned of before it is saved (and it is not saved here)
            declared = page.get_by_role("form", name="Profile").get_by_role("combobox", name="Country")
            declared.select_option("KP")
            warning = r"^Residents of North Korea cannot be verified on HDEX: saving it keeps your account at level 0"
            expect(declared).to_have_accessible_description(re.compile(warning))
            expect(daily_withdrawals(page)).to_have_accessible_description(re.compile(r"of 10,000 USDC"))
            form = page.get_by_role("form", name="Level 1: identity data")
            form.get_by_role("textbox", name="Legal name").fill("Ada <b>Lovelace</b>")
            form.get_by_label("Date of birth").fill("1990-12-10")
            form.get_by_role("combobox", name="Country").select_option("GB")
            form.get_by_role("textbox", name="Street and number").fill("12 St James's Square")
            form.get_by_role("textbox", name="City").fill("London")
            form.get_by_role("textbox", name="Postal code").fill("SW1Y 4JH")
            form.get_by_role("button", name="Submit level 1").click()
            expect(page.get_by_role("table", name="Your submissions")).to_contain_text("Waiting for review")

            staff = staff_context.new_page()
            staff_sign_in(staff, authenticator)
            approve_pending(staff)

            # the user's limits change at once: no new sign-in, no wait for a job
            connect(user, "/account")  # the page loaded afresh
            expect(daily_withdrawals(page)).to_have_accessible_description(re.compile(r"of 50,000 USDC"))

            # level 2: documents, checked by their content on the server, opened by staff
            documents = page.get_by_role("form", name="Level 2: documents")
            documents.get_by_label("Identity document").set_input_files(png_file(tmp_path, "passport.png"))
            documents.get_by_label("Proof of address").set_input_files(png_file(tmp_path, "utility-bill.png"))
            documents.get_by_role("button", name="Upload documents").click()
            expect(page.get_by_role("table", name="Your submissions")).to_contain_text("Waiting for review")
            approve_pending(staff, open_document="Identity document")
            connect(user, "/account")  # the page loaded afresh
            expect(daily_withdrawals(page)).to_have_accessible_description(re.compile(r"of 500,000 USDC"))
            screenshot(page, "account")
            assert api_get_limits(user.page, address)["level"] == 2

            # the withdrawal refused at level 0 now goes through
            page.get_by_role("link", name="Trade").click()
            entry = transfer(page, "Withdraw", "USDC", "15000")
            expect(entry).to_contain_text("Withdrawal of 15,000 USDC: completed", timeout=CHAIN_TIMEOUT_MS)

            # every staff step is on the audit trail
            staff.get_by_role("tab", name="Audit log").click()
            log = staff.get_by_role("table", name="Audit log")
            expect(log).to_contain_text("kyc.approve")
            expect(log).to_contain_text("kyc.document_view")
            # the browser logs the withdrawal refusal's 422 answer (the order was refused in the form, never sent),
            # and nothing else went wrong
            refused = [e for e in user.console_errors if "status of 422" in e]
            assert [e.rsplit("/", 1)[-1] for e in refused] == ["withdrawals)"]
            assert len(user.console_errors) == len(refused), user.console_errors
    finally:
        staff_context.close()


def api_get_limits(page: Page, address: str) -> dict[str, object]:
    """`GET /v1/accounts/{address}/limits` with the page's own session (the endpoint serves only its wallet)."""
    answer = page.request.get(f"/v1/accounts/{address}/limits")
    assert answer.ok, answer.text()
    body: dict[str, object] = answer.json()
    return body
