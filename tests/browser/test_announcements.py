"""Announcements and the help center in the browser (issue 16): a member of support publishes two banners
whose window is now and one whose window is next week through the back office; the trading app shows the two
current ones (the title as text, the Markdown body rendered) and not the future one, and a dialog for one placed
so; one was written in Chinese too, and the app in Chinese shows that text (the other stays English, marked so);
support moves one's end
into the past, and after a reload the app no longer shows it while the other still shows; the other and the
future one are withdrawn, so later tests see no banner. Support writes, previews and publishes a help article and
translates it into Chinese (marked outdated when the English changes, until saved again); the help center's search
finds it, and a starter article, which opens; in Chinese, the
starter says it is shown in English, and the search finds the new article by its Chinese words and shows it in
Chinese.

Staff are made as an operator makes them (`hdex staff create`, as in test_risk_cases). The staff page runs in
UTC, so the datetime-local fields are filled with UTC times.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from backend.db.models import Announcement

from .browser_kit import DESKTOP, axe_violations
from .flows import catalogue
from .test_risk_cases import audit_actions, make_staff, stack_session, staff_sign_in

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Locator, Page

    from .browser_kit import Dapp
    from .stack import Stack

DESK = "support.desk@hdex.example"
DESK_PASSWORD = "a long support desk passphrase"
EDITOR = "announcements.editor@hdex.example"
HELP_ZH = catalogue("zh-CN", "help")
APP_ZH = catalogue("zh-CN")


def local(moment: datetime) -> str:
    """A datetime-local value of `moment` in UTC (the staff page's time zone)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def publish(
    page: Page, title: str, body: str, start: datetime, end: datetime, placement: str = "banner",
    chinese: tuple[str, str] | None = None,
) -> None:  # fmt: skip
    form = page.get_by_role("form", name="New announcement")
    form.get_by_role("textbox", name="Title", exact=True).fill(title)
    form.get_by_role("textbox", name="Body", exact=True).fill(body)
    if chinese is not None:
        form.get_by_role("textbox", name="Title in Chinese (China)").fill(chinese[0])
        form.get_by_role("textbox", name="Body in Chinese (China)").fill(chinese[1])
    form.get_by_role("combobox", name="Severity").select_option("warning")
    form.get_by_role("combobox", name="Placement").select_option(placement)
    form.get_by_label("Start").fill(local(start))
    form.get_by_label("End").fill(local(end))
    form.get_by_role("button", name="Publish").click()
    expect(staff_row(page, title)).to_be_visible()


@contextmanager
def announcements_desk(browser: Browser, stack: Stack, email: str) -> Iterator[Page]:
    """A member of staff (role support, made as an operator makes one) signed in on the back office's Announcements
    tab, in a browser context of their own (closed after)."""
    authenticator = make_staff(stack, email, "support", DESK_PASSWORD)
    staff = browser.new_context(base_url=stack.url, viewport=DESKTOP, timezone_id="UTC")
    try:
        page = staff.new_page()
        page.set_default_timeout(15_000)
        staff_sign_in(page, email, DESK_PASSWORD, authenticator)
        page.get_by_role("tab", name="Announcements").click()
        yield page
    finally:
        staff.close()


def staff_row(page: Page, title: str) -> Locator:
    return page.get_by_role("table", name="Announcements").get_by_role("row").filter(has_text=title)


def announcement_id(stack: Stack, title: str) -> int:
    with stack_session(stack) as session:
        found = session.scalar(select(Announcement.id).where(Announcement.title == title))
        assert found is not None
        return found


def reload_announcements(user: Page) -> list[str]:
    """Reload the page; the titles GET /v1/announcements answered with."""
    with user.expect_response(lambda r: urlsplit(r.url).path == "/v1/announcements" and r.ok) as answer:
        user.reload()
    return [item["title"] for item in answer.value.json()["announcements"]]


def withdraw(page: Page, title: str) -> None:
    page.get_by_role("button", name=f"Withdraw “{title}”").click()
    page.get_by_role("dialog").get_by_role("button", name="Withdraw announcement").click()
    expect(staff_row(page, title)).to_contain_text("Withdrawn")


def test_an_announcement_shows_in_its_window_and_not_after_and_the_help_center_finds_an_article(
    browser: Browser, stack: Stack, dapp: Dapp
) -> None:
    tag = uuid.uuid4().hex[:6]
    ending = f"Engine upgrade <b>{tag}</b>"  # markup in a title is text
    staying = f"Fees change {tag}"
    staying_zh = f"费用调整 {tag}"
    future = f"Next week {tag}"
    with announcements_desk(browser, stack, DESK) as page:
        now = datetime.now(UTC)
        publish(page, ending, "Orders pause **briefly** <script>alert(1)</script>.", now - timedelta(minutes=5),
                now + timedelta(hours=1))  # fmt: skip
        publish(page, staying, "Maker fees drop.", now - timedelta(minutes=5), now + timedelta(hours=1),
                chinese=(staying_zh, "挂单**手续费**下调。"))  # fmt: skip
        expect(staff_row(page, staying)).to_contain_text("Chinese (China)")
        publish(page, future, "Not yet.", now + timedelta(days=7), now + timedelta(days=8))
        expect(staff_row(page, ending)).to_contain_text("Live")
        expect(staff_row(page, future)).to_contain_text("Scheduled")

        # the app shows the current ones, not the future one
        user = dapp.page
        dapp.open("/help")
        shown = user.get_by_role("status", name=ending)
        expect(shown).to_be_visible()
        expect(shown).to_contain_text(ending)
        expect(shown.get_by_text("briefly", exact=True)).to_be_visible()
        assert "**" not in shown.inner_text()  # the Markdown, rendered
        expect(shown).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
        expect(user.get_by_role("status", name=staying)).to_be_visible()
        expect(user.get_by_text(future)).to_have_count(0)
        assert [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(user)] == []

        # in Chinese, the translated one speaks Chinese and the other stays English, each marked with its language
        user.get_by_role("combobox", name="Language").select_option(label="简体中文")
        translated = user.get_by_role("status", name=staying_zh)
        expect(translated.locator("strong", has_text="手续费")).to_be_visible()
        expect(translated.locator(".announcement__title")).to_have_attribute("lang", "zh-CN")
        expect(user.get_by_role("status", name=ending).locator(".announcement__title")).to_have_attribute("lang", "en")
        user.get_by_role("combobox", name=APP_ZH["app.language"]).select_option(label="English")
        expect(user.get_by_role("status", name=staying)).to_be_visible()

        # support moves its end into the past: after a reload the app no longer shows it
        page.get_by_role("button", name=f"Edit “{ending}”").click()
        editor = page.get_by_role("form", name=f"Change “{ending}”")
        editor.get_by_label("End").fill(local(datetime.now(UTC) - timedelta(minutes=1)))
        editor.get_by_role("button", name="Save changes").click()
        expect(staff_row(page, ending)).to_contain_text("Ended")
        titles = reload_announcements(user)
        assert ending not in titles and future not in titles and staying in titles
        expect(user.get_by_role("status", name=staying)).to_be_visible()  # the answer is on the page
        expect(user.get_by_role("status", name=ending)).to_have_count(0)
        expect(user.get_by_text(future)).to_have_count(0)

        # dismissing one hides it, and it stays dismissed in this browser
        user.get_by_role("status", name=staying).get_by_role("button", name="Dismiss announcement").click()
        expect(user.get_by_role("status", name=staying)).to_have_count(0)
        assert staying in reload_announcements(user)
        expect(user.get_by_role("heading", name="Help center")).to_be_visible()
        expect(user.get_by_role("status", name=staying)).to_have_count(0)

        # a dialog placement opens a dialog named by its title; "Got it" closes it for good
        popup = f"Read me {tag}"
        publish(page, popup, "A *dialog*.", now - timedelta(minutes=5), now + timedelta(hours=1), "dialog")
        assert popup in reload_announcements(user)
        dialog = user.get_by_role("dialog", name=popup)
        expect(dialog).to_contain_text("A dialog.")
        dialog.get_by_role("button", name="Got it").click()
        expect(dialog).to_have_count(0)
        withdraw(page, popup)

        withdraw(page, staying)
        withdraw(page, future)
        assert audit_actions(stack, f"announcement:{announcement_id(stack, ending)}") == [
            "announcement.publish", "announcement.change",
        ]  # fmt: skip
        assert audit_actions(stack, f"announcement:{announcement_id(stack, future)}") == [
            "announcement.publish", "announcement.withdraw",
        ]  # fmt: skip

        # support writes a help article in Markdown, previews it as the help center will show it, publishes it
        page.get_by_role("tab", name="Help center").click()
        writing = page.get_by_role("form", name="New article")
        writing.get_by_role("textbox", name="Title").fill(f"Gas fees {tag}")
        expect(writing.get_by_role("textbox", name="Slug")).to_have_value(f"gas-fees-{tag}")
        writing.get_by_role("textbox", name="Body").fill("Who pays the **gas**? <script>alert(2)</script>")
        writing.get_by_role("button", name="Preview").click()
        preview = writing.get_by_role("region", name="Preview")
        expect(preview).to_contain_text("Who pays the gas? <script>alert(2)</script>")
        writing.get_by_role("checkbox", name="Published: shown in the help center").check()
        writing.get_by_role("button", name="Save article").click()
        row = page.get_by_role("table", name="Help articles").get_by_role("row").filter(has_text=f"gas-fees-{tag}")
        expect(row).to_contain_text("Published")

        # and translates it into Chinese (the language named in the page's English)
        page.get_by_role("button", name=f"Edit “Gas fees {tag}”").click()
        translating = page.get_by_role("form", name="Chinese (China) translation")
        expect(translating).to_contain_text("Not translated")
        translating.get_by_role("textbox", name="Title in Chinese (China)").fill(f"谁付燃气费 {tag}")
        translating.get_by_role("textbox", name="Body in Chinese (China)").fill("提现的**燃气费**由钱包支付。")
        translating.get_by_role("button", name="Save Chinese (China) translation").click()
        expect(translating.get_by_role("button", name="Remove Chinese (China) translation")).to_be_visible()
        expect(row).to_contain_text("Chinese (China)")

        # the English changes after it: the translation is marked outdated until it is saved again
        changing = page.get_by_role("form", name=f"Change “Gas fees {tag}”")
        changing.get_by_role("textbox", name="Body", exact=True).fill("Who pays the **gas**, and when.")
        changing.get_by_role("button", name="Save article").click()
        expect(row).to_contain_text("Chinese (China) (outdated)")
        page.get_by_role("button", name=f"Edit “Gas fees {tag}”").click()
        translating = page.get_by_role("form", name="Chinese (China) translation")
        expect(translating).to_contain_text("The English title or body changed after this translation was saved")
        translating.get_by_role("button", name="Save Chinese (China) translation").click()
        expect(translating).not_to_contain_text("The English title or body changed")
        expect(row).not_to_contain_text("(outdated)")

    # the help center: search, then read the article
    search = user.get_by_role("searchbox", name="Search help")
    search.fill(f"GAS {tag}")
    expect(user.get_by_role("list", name=f"Articles matching “GAS {tag}”").get_by_role("link")).to_have_text(
        [f"Gas fees {tag}"]
    )
    search.fill("exit DELAY")
    results = user.get_by_role("list", name="Articles matching “exit DELAY”")
    expect(results.get_by_role("link")).to_have_count(1)
    results.get_by_role("link", name="Leaving without the operator (the escape hatch)").click()
    expect(user.get_by_role("heading", name="Leaving without the operator (the escape hatch)")).to_be_visible()
    expect(user.get_by_role("article")).to_contain_text("Request exit")
    assert user.url.endswith("/help/escape-hatch")

    # in Chinese: the untranslated starter says it is in English (and is marked so); the new one is found by its
    # Chinese words and shown in Chinese
    user.get_by_role("combobox", name="Language").select_option(label="简体中文")
    expect(user.get_by_text(HELP_ZH["help.untranslated"])).to_be_visible()
    heading = user.get_by_role("heading", name="Leaving without the operator (the escape hatch)")
    expect(heading).to_have_attribute("lang", "en")
    user.get_by_role("link", name=HELP_ZH["help.back"]).click()
    user.get_by_role("searchbox", name=HELP_ZH["help.search"]).fill(f"燃气费 {tag}")
    found = user.get_by_role("list", name=HELP_ZH["help.results"].format(query=f"燃气费 {tag}")).get_by_role("link")
    expect(found).to_have_text([f"谁付燃气费 {tag}"])
    found.click()
    expect(user.get_by_role("heading", name=f"谁付燃气费 {tag}")).to_have_attribute("lang", "zh-CN")
    expect(user.get_by_role("article").locator("strong")).to_have_text("燃气费")
    expect(user.get_by_text(HELP_ZH["help.untranslated"])).to_have_count(0)
    assert [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(user)] == []
    assert dapp.console_errors == []


def test_a_translation_the_english_moved_away_from_is_marked_outdated_until_staff_rewrite_it_or_say_it_fits(
    browser: Browser, stack: Stack
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"Maintenance {tag}"
    with announcements_desk(browser, stack, EDITOR) as page:
        now = datetime.now(UTC)
        publish(page, title, "At 14:00 UTC.", now - timedelta(minutes=5), now + timedelta(hours=1),
                chinese=(f"维护 {tag}", "14:00 维护。"))  # fmt: skip

        # the maintenance moves; the Chinese text is left as it was: the form asks whether it still fits
        page.get_by_role("button", name=f"Edit “{title}”").click()
        form = page.get_by_role("form", name=f"Change “{title}”")
        still_fits = form.get_by_role("checkbox", name="The Chinese (China) text still says what the English says")
        expect(still_fits).to_have_count(0)
        form.get_by_role("textbox", name="Body", exact=True).fill("At 16:00 UTC.")
        expect(still_fits).not_to_be_checked()
        form.get_by_role("button", name="Save changes").click()
        expect(staff_row(page, title)).to_contain_text("Chinese (China) (outdated)")

        # edited again: it says why; staff say the text still fits (say the English had only fixed a typo)
        page.get_by_role("button", name=f"Edit “{title}”").click()
        form = page.get_by_role("form", name=f"Change “{title}”")
        expect(form.get_by_role("status").filter(has_text="readers in Chinese (China) see the English")).to_be_visible()
        still_fits.check()
        form.get_by_role("button", name="Save changes").click()
        expect(staff_row(page, title)).not_to_contain_text("(outdated)")
        assert [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(page)] == []
