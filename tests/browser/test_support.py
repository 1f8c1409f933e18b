"""The support desk in Chromium (issue 16): a signed-in user opens a ticket with a screenshot from the dApp; a
member of the support staff, signed in to the back office, assigns it, writes an internal note and a public
reply with a guide attached; the user sees the reply and its attachment (and never the note), answers with a
statement attached (a file of the wrong type refused in words first), which staff open, and closes the ticket.
Staff are made as an operator makes them (`hdex staff create`); every staff step is in the audit log.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from .browser_kit import DESKTOP, PHONE
from .flows import connect, sign_in
from .test_risk_cases import audit_actions, make_staff, staff_sign_in

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Browser

    from .browser_kit import Dapp
    from .stack import Stack

USER = 8  # a dev wallet no other browser test signs in with
AGENT = "support.agent@hdex.example"
AGENT_PASSWORD = "a long support agent passphrase"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_user_opens_a_ticket_support_replies_and_the_user_reads_the_reply_and_closes_it(
    browser: Browser, stack: Stack, open_dapp: Callable[..., Dapp], tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    subject = f"Deposit not credited {tag}"
    note = f"Internal: checked the indexer, block seen {tag}"
    answer = f"Your deposit needs **12** confirmations {tag}"

    # the user: signed out first, then signed in, opens a ticket with a screenshot
    user = open_dapp(USER)
    page = user.page
    page.set_default_timeout(15_000)
    connect(user, "/support")
    expect(page.get_by_text("Sign in with your wallet to open a ticket or read the replies.")).to_be_visible()
    expect(page.get_by_role("link", name="Browse the help center")).to_have_attribute("href", "/help")
    sign_in(user)
    form = page.get_by_role("form", name="New ticket")
    form.get_by_role("combobox", name="Category").select_option("deposit")
    form.get_by_role("textbox", name="Subject").fill(subject)
    form.get_by_role("textbox", name="Message").fill("My USDC deposit is **missing**. <script>alert(1)</script>")
    screenshot = tmp_path / "screenshot.png"
    screenshot.write_bytes(PNG)
    form.get_by_label("Attachment").set_input_files(screenshot)
    form.get_by_role("button", name="Open ticket").click()
    heading = page.get_by_role("heading", name=re.compile(rf"^Ticket #\d+: {subject}$"))
    expect(heading).to_be_visible()
    match = re.search(r"/support/(\d+)$", page.url)
    assert match, page.url
    ticket_id = int(match.group(1))
    conversation = page.get_by_role("list", name="Conversation")
    expect(conversation.locator("strong")).to_have_text("missing")  # Markdown rendered by the server
    expect(conversation).to_contain_text("<script>alert(1)</script>")  # typed HTML shown as text, never run
    conversation.get_by_role("button", name="Open attachment (image/png").click()  # the wallet's own file
    expect(conversation.get_by_role("img", name="Attachment")).to_be_visible()

    # support: signs in to the back office, finds the ticket in the queue, assigns it, notes, replies
    authenticator = make_staff(stack, AGENT, "support", AGENT_PASSWORD)
    office_context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    try:
        office = office_context.new_page()
        office.set_default_timeout(15_000)
        staff_sign_in(office, AGENT, AGENT_PASSWORD, authenticator)
        office.get_by_role("tab", name="Support").click()
        expect(office.get_by_role("heading", name="Statistics")).to_be_visible()
        office.get_by_role("button", name=f"View ticket #{ticket_id}: {subject}").click()
        detail = office.get_by_role("article", name=f"Ticket #{ticket_id}: {subject}")
        detail.get_by_role("button", name="Open attachment (image/png").click()  # audit-logged
        expect(detail.get_by_role("img", name="Attachment")).to_be_visible()
        detail.get_by_role("combobox", name="Assignee").select_option(AGENT)
        detail.get_by_role("button", name="Assign", exact=True).click()
        expect(detail.get_by_role("definition").filter(has_text=AGENT)).to_be_visible()

        detail.get_by_role("checkbox", name="Internal note (never shown to the user)").check()
        detail.get_by_role("textbox", name="Answer").fill(note)
        detail.get_by_role("button", name="Add internal note").click()
        expect(detail).to_contain_text(note)
        # the form is cleared once the note's own answer is in: a poll may show the note before, and a reply typed
        # then would be cleared with it (and Send would refuse an empty answer)
        expect(detail.get_by_role("textbox", name="Answer")).to_have_value("")
        detail.get_by_role("checkbox", name="Internal note (never shown to the user)").uncheck()
        detail.get_by_role("textbox", name="Answer").fill(answer)
        guide = tmp_path / "guide.pdf"
        guide.write_bytes(PDF)
        detail.get_by_label("Attach a file").set_input_files(guide)
        detail.get_by_role("button", name="Send reply").click()
        expect(detail.get_by_role("list", name="Conversation").locator("strong")).to_have_text(["missing", "12"])
        expect(detail.get_by_role("button", name="Open attachment (application/pdf")).to_be_visible()
        expect(detail.get_by_label("Attach a file")).to_have_value("")
        expect(detail.get_by_text("Time to first response")).to_be_visible()

        # the user: sees the public reply and not the note, answers with a statement attached
        page.get_by_role("link", name="Back to your tickets").click()
        page.get_by_role("link", name=f"Open ticket #{ticket_id}: {subject}").click()
        conversation = page.get_by_role("list", name="Conversation")
        expect(conversation).to_contain_text(f"Your deposit needs 12 confirmations {tag}")
        expect(conversation).to_contain_text("HDEX support")
        expect(conversation).not_to_contain_text(note)
        expect(conversation.get_by_role("listitem")).to_have_count(2)
        support_file = conversation.get_by_role("listitem").last
        support_file.get_by_role("button", name="Open attachment (application/pdf").click()  # support's file
        expect(support_file.get_by_role("link", name="Download the attachment")).to_have_attribute(
            "download", re.compile(rf"^ticket-{ticket_id}-\d+\.pdf$")
        )
        attach = page.get_by_label("Attach a file")
        expect(page.get_by_text("Optional: a PNG, JPEG or PDF file of at most 5 MB.")).to_be_visible()
        notes = tmp_path / "notes.txt"
        notes.write_bytes(b"not a statement")
        attach.set_input_files(notes)
        expect(page.get_by_role("alert").filter(has_text="Attach a PNG, JPEG or PDF file.")).to_be_visible()
        statement = tmp_path / "statement.pdf"
        statement.write_bytes(PDF)
        attach.set_input_files(statement)
        expect(page.get_by_text("Attach a PNG, JPEG or PDF file.")).to_have_count(0)
        page.get_by_role("textbox", name="Your reply").fill(f"Here is my bank statement {tag}")
        page.get_by_role("button", name="Send reply").click()
        expect(conversation.get_by_role("listitem")).to_have_count(3)
        expect(conversation.get_by_role("listitem").last).to_contain_text(f"Here is my bank statement {tag}")
        expect(
            conversation.get_by_role("listitem").last.get_by_role("button", name="Open attachment (application/pdf")
        ).to_be_visible()
        expect(page.get_by_role("textbox", name="Your reply")).to_have_value("")

        # support: opens the reply's attachment (audit-logged)
        office.reload()
        office.get_by_role("tab", name="Support").click()
        office.get_by_role("button", name=f"View ticket #{ticket_id}: {subject}").click()
        detail = office.get_by_role("article", name=f"Ticket #{ticket_id}: {subject}")
        detail.get_by_role("button", name="Open attachment (application/pdf").last.click()  # the user's statement
        expect(detail.get_by_role("link", name="Download the attachment")).to_be_visible()
    finally:
        office_context.close()

    # the user closes the ticket, after saying yes to a dialog: a wallet cannot reopen a closed ticket
    page.get_by_role("button", name="Close ticket").click()
    closing = page.get_by_role("dialog", name=f"Close ticket #{ticket_id}?")
    expect(closing).to_contain_text("cannot be reopened")
    closing.get_by_role("button", name="Close ticket").click()
    expect(page.get_by_text("This ticket is closed. Open a new one if you need more help.")).to_be_visible()
    expect(page.get_by_role("button", name="Close ticket")).to_have_count(0)
    page.get_by_role("link", name="Back to your tickets").click()
    tickets = page.get_by_role("table", name="Your tickets")
    expect(tickets.get_by_role("row", name=re.compile(rf"#{ticket_id} .*Closed"))).to_be_visible()

    assert audit_actions(stack, f"ticket:{ticket_id}") == [
        "ticket.attachment_view", "ticket.assign", "ticket.note", "ticket.reply", "ticket.attachment_view",
    ]  # fmt: skip


def test_a_ticket_about_a_transaction_hash_fits_a_phone_screen(open_dapp: Callable[..., Dapp]) -> None:
    """A subject that is a hash (one long word) wraps in the ticket's heading rather than widening the page past a
    phone's screen (it made the page 639 px wide)."""
    tx_hash = "0x" + uuid.uuid4().hex * 2
    user = open_dapp(USER)
    page = user.page
    page.set_default_timeout(15_000)
    connect(user, "/support")
    sign_in(user)
    form = page.get_by_role("form", name="New ticket")
    form.get_by_role("combobox", name="Category").select_option("trading")
    form.get_by_role("textbox", name="Subject").fill(f"Fill {tx_hash}")
    form.get_by_role("textbox", name="Message").fill(f"Not settled: {tx_hash}{tx_hash}")
    form.get_by_role("button", name="Open ticket").click()
    expect(page.get_by_role("heading", name=re.compile(rf"^Ticket #\d+: Fill {tx_hash}$"))).to_be_visible()
    page.set_viewport_size(PHONE)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths == [PHONE["width"], PHONE["width"]]
    page.get_by_role("button", name="Close ticket").click()  # leaves no open ticket behind
    page.get_by_role("dialog").get_by_role("button", name="Close ticket").click()
    expect(page.get_by_text("This ticket is closed.")).to_be_visible()
    assert not user.console_errors
