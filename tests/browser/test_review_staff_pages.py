"""What a review of the back office and the community pages found in Chromium: the public statistics page's
period tabs named a panel that did not exist (axe: critical), a link in a warning announcement was too faint to
read (axe: serious), the back office's Statistics section and a ticket's conversation were wider than a phone, and
the statistics export of the volume per quote token was labelled "per market".

Staff are made as an operator makes them (`hdex staff create`, as in test_risk_cases); each test's member is its own.
"""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from .browser_kit import DESKTOP, PHONE, axe_violations
from .flows import connect, sign_in
from .test_announcements import local, staff_row, withdraw
from .test_risk_cases import make_staff, staff_sign_in

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import Browser, Page

    from .browser_kit import Dapp
    from .stack import Stack

PASSWORD = "a long passphrase for a reviewer"
USER = 8  # test_support's wallet: its tickets are closed by the test that opens them


@contextmanager
def _member(browser: Browser, stack: Stack, role: str) -> Iterator[Page]:
    """A new member of staff of `role`, signed in to the back office in a context of its own."""
    email = f"review.{role}.{uuid.uuid4().hex[:8]}@hdex.example"
    authenticator = make_staff(stack, email, role, PASSWORD)
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP, timezone_id="UTC")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        staff_sign_in(page, email, PASSWORD, authenticator)
        yield page
    finally:
        context.close()


def _page_width(page: Page) -> list[int]:
    widths: list[int] = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return widths


def _serious(page: Page) -> list[str]:
    return [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(page)]


def test_the_public_statistics_page_has_no_serious_or_critical_axe_violation(dapp: Dapp) -> None:
    page = dapp.page
    dapp.open("/stats")
    period = page.get_by_role("tablist", name="Period")
    expect(period.get_by_role("tab", name="Last 30 days")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("table", name="Markets per day")).to_be_visible()
    assert _serious(page) == []
    period.get_by_role("tab", name="Last 7 days").click()
    expect(
        page.get_by_role("tabpanel", name="Last 7 days").get_by_role("table", name="Markets per day")
    ).to_be_visible()
    assert _serious(page) == []


def test_a_link_in_a_warning_or_a_critical_announcement_is_readable(browser: Browser, stack: Stack, dapp: Dapp) -> None:
    tag = uuid.uuid4().hex[:6]
    titles = {"warning": f"Read the notes {tag}", "critical": f"Read the incident {tag}"}
    with _member(browser, stack, "support") as office:
        _publish_and_read(office, dapp, titles)


def _publish_and_read(office: Page, dapp: Dapp, titles: dict[str, str]) -> None:
    office.get_by_role("tab", name="Announcements").click()
    now = datetime.now(UTC)
    try:
        for severity, title in titles.items():
            form = office.get_by_role("form", name="New announcement")
            form.get_by_role("textbox", name="Title", exact=True).fill(title)
            form.get_by_role("textbox", name="Body", exact=True).fill("See [the notes](https://status.example/notes).")
            form.get_by_role("combobox", name="Severity").select_option(severity)
            form.get_by_role("combobox", name="Placement").select_option("banner")
            form.get_by_label("Start").fill(local(now - timedelta(minutes=5)))
            form.get_by_label("End").fill(local(now + timedelta(hours=1)))
            form.get_by_role("button", name="Publish").click()
            expect(staff_row(office, title)).to_contain_text("Live")

        user = dapp.page
        dapp.open("/help")
        for title in titles.values():
            banner = user.get_by_role("status", name=title).or_(user.get_by_role("alert", name=title))
            expect(banner.get_by_role("link", name="the notes")).to_be_visible()
        assert _serious(user) == []
    finally:
        for title in titles.values():  # later tests see no banner
            if staff_row(office, title).get_by_role("button", name=re.compile("^Withdraw")).count():
                withdraw(office, title)


def test_the_back_office_statistics_fit_a_phone_and_name_each_export_for_what_it_saves(
    browser: Browser, stack: Stack
) -> None:
    with _member(browser, stack, "compliance") as office:
        office.set_viewport_size(PHONE)
        office.get_by_role("tab", name="Statistics").click()
        expect(office.get_by_role("table", name="Wallets per day").get_by_role("row").nth(1)).to_be_visible()
        assert _page_width(office) == [PHONE["width"], PHONE["width"]]
        exports = office.get_by_role("navigation", name="CSV exports")
        # the volume table is per day and quote token, summed over the markets quoted in it
        expect(exports.get_by_role("link", name="Volume per quote token (CSV)")).to_have_attribute(
            "href", re.compile(r"^/v1/staff/stats/volume\?")
        )
        expect(exports.get_by_role("link", name=re.compile("per market"))).to_have_count(0)


def test_a_ticket_conversation_in_the_back_office_fits_a_phone(
    browser: Browser, stack: Stack, open_dapp: Callable[..., Dapp]
) -> None:
    """The author line names the wallet in one long word (`wallet:0x…`): it widened the page to 461 px."""
    subject = f"Phone review {uuid.uuid4().hex[:8]}"
    user = open_dapp(USER)
    page = user.page
    connect(user, "/support")
    sign_in(user)
    form = page.get_by_role("form", name="New ticket")
    form.get_by_role("combobox", name="Category").select_option("other")
    form.get_by_role("textbox", name="Subject").fill(subject)
    form.get_by_role("textbox", name="Message").fill("Does the back office fit a phone?")
    form.get_by_role("button", name="Open ticket").click()
    expect(page.get_by_role("heading", name=re.compile(rf"^Ticket #\d+: {subject}$"))).to_be_visible()
    ticket_id = int(page.url.rsplit("/", 1)[1])

    with _member(browser, stack, "support") as office:
        office.set_viewport_size(PHONE)
        office.get_by_role("tab", name="Support").click()
        office.get_by_role("button", name=f"View ticket #{ticket_id}: {subject}").click()
        detail = office.get_by_role("article", name=f"Ticket #{ticket_id}: {subject}")
        expect(detail.get_by_role("list", name="Conversation")).to_contain_text(f"wallet:{user.wallet.address}")
        assert _page_width(office) == [PHONE["width"], PHONE["width"]]
    page.get_by_role("button", name="Close ticket").click()  # leaves no open ticket behind
    page.get_by_role("dialog").get_by_role("button", name="Close ticket").click()
    expect(page.get_by_text("This ticket is closed.")).to_be_visible()


def test_a_moderator_shows_again_a_post_hidden_by_mistake_from_the_closed_reports(
    browser: Browser, stack: Stack, open_dapp: Callable[..., Dapp]
) -> None:
    """The reports queue listed open reports only: once a post was hidden, no page could show it again (the API
    could: POST /v1/staff/forum/posts/{id}/unhide)."""
    tag = uuid.uuid4().hex[:8]
    title, message = f"Withdrawal times {tag}", f"How long does a withdrawal take? {tag}"
    author = open_dapp(5)
    connect(author, "/forum/c/general")
    sign_in(author)
    form = author.page.get_by_role("form", name="New thread")
    form.get_by_role("textbox", name="Title").fill(title)
    form.get_by_role("textbox", name="Message").fill(message)
    form.get_by_role("button", name="Post thread").click()
    expect(author.page.get_by_role("heading", name=title)).to_be_visible()
    thread_path = re.sub(r"^https?://[^/]+", "", author.page.url)
    reporter = open_dapp(7)
    connect(reporter, thread_path)
    sign_in(reporter)
    post = reporter.page.get_by_role("listitem").filter(has_text=message)
    post.get_by_role("button", name=re.compile(r"^Report the post by 0x")).click()
    post.get_by_role("textbox", name="Reason").fill(f"off topic? {tag}")
    post.get_by_role("button", name="Send report").click()
    expect(post.get_by_role("status")).to_have_text("Thank you: the moderators will look at this post.")

    with _member(browser, stack, "support") as office:
        office.get_by_role("tab", name="Forum").click()
        queue = office.get_by_role("table", name="Reported posts")
        queue.get_by_role("row").filter(has_text=tag).get_by_role("button", name=re.compile(r"^Hide post")).click()
        expect(queue.get_by_role("row").filter(has_text=tag)).to_have_count(0)
        office.get_by_role("combobox", name="Show").select_option(label="Closed: post hidden")
        row = queue.get_by_role("row").filter(has_text=tag)
        expect(row.get_by_role("button", name=re.compile(r"^Dismiss"))).to_have_count(0)  # closed already
        row.get_by_role("button", name=re.compile(rf"^Unhide post \d+ in “{title}”")).click()
        expect(office.get_by_text(re.compile(r"^Post \d+ is shown again\.$"))).to_be_visible()
        expect(row.get_by_role("button", name=re.compile(r"^Hide post"))).to_be_visible()
        assert _serious(office) == []

    author.open(thread_path)
    expect(author.page.get_by_role("list", name="Posts")).to_contain_text(message)
