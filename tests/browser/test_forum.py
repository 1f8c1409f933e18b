"""The forum in the browser (issue 16): a user starts a thread, another user replies (each in a browser context
of their own, signed in with their wallet), a third reports the reply with a reason, a moderator hides the
reported post from the back office's reports queue, and the post is gone for users. A reader in Chinese sees the
categories named in Chinese, and one a moderator added and renamed in the back office.

The moderator is made as an operator makes staff (`hdex staff create`, role support: it holds
forum.moderate). Dev accounts 5, 6 and 7 post; posting changes nothing the trading tests look at.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from .browser_kit import DESKTOP, PHONE, axe_violations
from .flows import catalogue, connect, sign_in
from .test_risk_cases import audit_actions, make_staff, staff_sign_in

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser

    from .browser_kit import Dapp
    from .stack import Stack

MODERATOR = "forum.moderator@hdex.example"
MODERATOR_PASSWORD = "a long forum moderator passphrase"
EDITOR = "forum.categories@hdex.example"
AUTHOR, REPLIER, REPORTER = 5, 6, 7
# Widths of the page and of the window: the page is wider when something cannot wrap and scrolls sideways.
PAGE_AND_WINDOW_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
FORUM_ZH = catalogue("zh-CN", "forum")


def test_a_user_posts_another_replies_a_third_reports_and_a_moderator_hides_the_reply(
    browser: Browser, stack: Stack, open_dapp: Callable[..., Dapp]
) -> None:
    tag = uuid.uuid4().hex[:8]  # the session's other tests may post too
    title, rude = f"Market makers wanted {tag}", f"Buy my airdrop token now {tag}"

    # the author starts a thread in General
    author = open_dapp(AUTHOR)
    page = author.page
    page.set_default_timeout(15_000)
    connect(author, "/forum/c/general")
    expect(page.get_by_text("Connect your wallet and sign in (at the top of the page) to start")).to_be_visible()
    sign_in(author)
    form = page.get_by_role("form", name="New thread")
    form.get_by_role("textbox", name="Title").fill(title)
    form.get_by_role("textbox", name="Message").fill("Who provides **liquidity** here? <script>alert(1)</script>")
    form.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    thread_path = re.sub(r"^https?://[^/]+", "", page.url)
    assert re.fullmatch(r"/forum/t/\d+", thread_path), page.url
    posts = page.get_by_role("list", name="Posts")
    expect(posts.locator("strong")).to_have_text("liquidity")  # Markdown rendered by the server
    expect(posts).to_contain_text("<script>alert(1)</script>")  # typed HTML shown as text, never run
    assert [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(page)] == []

    # another wallet replies
    replier = open_dapp(REPLIER)
    replier.page.set_default_timeout(15_000)
    connect(replier, thread_path)
    sign_in(replier)
    replier.page.get_by_role("textbox", name="Reply").fill(rude)
    replier.page.get_by_role("button", name="Send reply").click()
    replier_posts = replier.page.get_by_role("list", name="Posts")
    expect(replier_posts.get_by_role("listitem")).to_have_count(2)
    expect(replier_posts).to_contain_text(rude)

    # a third wallet reports the reply with a reason
    reporter = open_dapp(REPORTER)
    reporter.page.set_default_timeout(15_000)
    connect(reporter, thread_path)
    sign_in(reporter)
    reply_item = reporter.page.get_by_role("listitem").filter(has_text=rude)
    reply_item.get_by_role("button", name=re.compile(r"^Report the post by 0x")).click()  # whose post, spoken
    reply_item.get_by_role("textbox", name="Reason").fill("spam: an airdrop scam")
    reply_item.get_by_role("button", name="Send report").click()
    expect(reply_item.get_by_role("status")).to_have_text("Thank you: the moderators will look at this post.")

    # search finds the reply while users see it
    search = f"/forum/search?q=airdrop%20{tag}"
    author.open(search)
    results = page.get_by_role("region", name=f"Results for “airdrop {tag}”")
    expect(results).to_contain_text(rude)
    expect(results.get_by_label("Order")).to_have_value("relevance")
    results.get_by_label("Order").select_option("newest")  # the same hits, newest first, and a link to share
    expect(page).to_have_url(re.compile(r"/forum/search\?q=airdrop%20\w+&sort=newest$"))
    expect(page.get_by_role("region", name=f"Results for “airdrop {tag}”")).to_contain_text(rude)

    # the moderator hides the reported post from the reports queue
    authenticator = make_staff(stack, MODERATOR, "support", MODERATOR_PASSWORD)
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    try:
        office = context.new_page()
        office.set_default_timeout(15_000)
        staff_sign_in(office, MODERATOR, MODERATOR_PASSWORD, authenticator)
        office.get_by_role("tab", name="Forum").click()
        queue = office.get_by_role("table", name="Reported posts")
        row = queue.get_by_role("row").filter(has_text="spam: an airdrop scam")
        expect(row).to_contain_text(rude)
        expect(row).to_contain_text(title)
        hide = row.get_by_role("button", name=re.compile(r"^Hide post \d+ in "))  # named by post, thread and words
        named = re.match(r"^Hide post (\d+) in ", hide.get_attribute("aria-label") or "")
        assert named, "the Hide button names its post"
        post_id = int(named.group(1))
        hide.click()
        expect(queue.get_by_role("row").filter(has_text="spam: an airdrop scam")).to_have_count(0)
        assert [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(office)] == []
    finally:
        context.close()

    # gone for users: the thread shows the first post only, and search does not find the reply
    for user in (author, replier):
        user.open(thread_path)
        shown = user.page.get_by_role("list", name="Posts")
        expect(shown.get_by_role("listitem")).to_have_count(1)
        expect(shown).not_to_contain_text(rude)
    author.open(search)
    expect(page.get_by_text(f"No post matches “airdrop {tag}”.")).to_be_visible()
    assert audit_actions(stack, f"forum_post:{post_id}") == ["forum.post.hide"]
    assert not author.console_errors and not replier.console_errors and not reporter.console_errors


def test_a_thread_about_a_transaction_hash_fits_a_phone_screen(open_dapp: Callable[..., Dapp]) -> None:
    """A hash or an address is one long word: in a thread's title, its post, the category's list and the search
    results it wraps, rather than widening the page past a phone's screen (it made the page 983 px wide)."""
    tx_hash = "0x" + uuid.uuid4().hex * 2
    title = f"Settlement stuck {tx_hash}"
    author = open_dapp(AUTHOR)
    page = author.page
    page.set_default_timeout(15_000)
    connect(author, "/forum/c/trading")
    sign_in(author)
    form = page.get_by_role("form", name="New thread")
    form.get_by_role("textbox", name="Title").fill(title)
    form.get_by_role("textbox", name="Message").fill(f"My fill in {tx_hash} did not settle: {tx_hash}{tx_hash}")
    form.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    thread_path = re.sub(r"^https?://[^/]+", "", page.url)
    for path in (thread_path, "/forum/c/trading", f"/forum/search?q={tx_hash}"):
        author.open(path)
        expect(page.get_by_text(title).first).to_be_visible()
        page.set_viewport_size(PHONE)
        assert page.evaluate(PAGE_AND_WINDOW_WIDTH) == [PHONE["width"], PHONE["width"]], path
        page.set_viewport_size(DESKTOP)
    assert not author.console_errors


def test_the_categories_are_named_in_chinese_for_a_reader_in_chinese(open_dapp: Callable[..., Dapp]) -> None:
    reader = open_dapp(AUTHOR)
    page = reader.page
    page.set_default_timeout(15_000)
    reader.open("/forum")
    listed = page.get_by_role("list", name="Categories")
    expect(listed.get_by_role("link", name="Trading")).to_have_attribute("lang", "en")
    page.get_by_role("combobox", name="Language").select_option(label="简体中文")
    listed = page.get_by_role("list", name=FORUM_ZH["forum.categories"])
    for name in ["综合", "交易", "反馈"]:  # the seeded three; a moderator may have added more, and moved them
        expect(listed.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(listed.get_by_role("link", name="交易")).to_have_attribute("lang", "zh-CN")
    expect(listed.get_by_text("市场、订单、策略与机器人")).to_be_visible()
    listed.get_by_role("link", name="交易").click()
    expect(page.get_by_role("heading", name="交易", exact=True)).to_have_attribute("lang", "zh-CN")
    page.get_by_role("combobox", name=catalogue("zh-CN")["app.language"]).select_option(label="English")
    expect(page.get_by_role("heading", name="Trading", exact=True)).to_be_visible()
    assert not reader.console_errors


def test_a_moderator_adds_a_category_in_english_and_chinese_renames_it_and_readers_see_it(
    browser: Browser, stack: Stack, open_dapp: Callable[..., Dapp]
) -> None:
    tag = uuid.uuid4().hex[:6]
    slug = f"bots-{tag}"
    authenticator = make_staff(stack, EDITOR, "support", MODERATOR_PASSWORD)
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    try:
        office = context.new_page()
        office.set_default_timeout(15_000)
        staff_sign_in(office, EDITOR, MODERATOR_PASSWORD, authenticator)
        office.get_by_role("tab", name="Forum").click()
        form = office.get_by_role("form", name="Add a category")
        form.get_by_role("textbox", name="Slug").fill("Bots!")
        form.get_by_role("button", name="Add category").click()  # refused in words before any request
        expect(form.get_by_text("Use 1 to 40 lower-case letters, digits and hyphens")).to_be_visible()
        expect(form.get_by_text("Give the category a name.")).to_be_visible()
        form.get_by_role("textbox", name="Slug").fill(slug)
        form.get_by_role("textbox", name="Name", exact=True).fill(f"Bots {tag}")
        form.get_by_role("textbox", name="Description", exact=True).fill("APIs and trading bots")
        form.get_by_role("textbox", name="Name in Chinese (China)").fill(f"机器人 {tag}")
        form.get_by_role("button", name="Add category").click()
        expect(office.get_by_role("status").filter(has_text=f"Category “Bots {tag}” added")).to_be_visible()
        table = office.get_by_role("table", name="Categories")
        row = table.get_by_role("row").filter(has_text=slug)
        expect(row).to_contain_text("Chinese (China)")

        row.get_by_role("button", name=f"Edit category “Bots {tag}”").click()
        form = office.get_by_role("form", name=f"Edit category “Bots {tag}”")
        expect(form.get_by_role("textbox", name="Name", exact=True)).to_be_focused()  # the form below the list
        expect(form.get_by_role("textbox", name="Slug")).to_have_attribute("readonly", "")
        expect(form.get_by_role("textbox", name="Name in Chinese (China)")).to_have_value(f"机器人 {tag}")
        form.get_by_role("textbox", name="Name", exact=True).fill(f"Market bots {tag}")
        form.get_by_role("textbox", name="Name in Chinese (China)").fill(f"做市机器人 {tag}")
        form.get_by_role("button", name="Save category").click()
        expect(table.get_by_role("row").filter(has_text=slug)).to_contain_text(f"Market bots {tag}")
        expect(office.get_by_role("form", name="Add a category")).to_be_visible()  # back to a new one
        # up one place: above the category listed before it, as users see the list
        rows = table.get_by_role("row")
        expect(rows.last).to_contain_text(slug)  # added after the others
        expect(table.get_by_role("button", name=f"Move category “Market bots {tag}” down")).to_be_disabled()
        above = rows.nth(rows.count() - 2).get_by_role("cell").first.inner_text()
        table.get_by_role("button", name=f"Move category “Market bots {tag}” up").click()
        expect(rows.last).to_contain_text(above)
        expect(rows.nth(rows.count() - 2)).to_contain_text(slug)
        # a slug mistyped for good: the category, empty, is deleted after a confirmation
        typo = f"bost-{tag}"
        form = office.get_by_role("form", name="Add a category")
        form.get_by_role("textbox", name="Slug").fill(typo)
        form.get_by_role("textbox", name="Name", exact=True).fill(f"Typo {tag}")
        form.get_by_role("button", name="Add category").click()
        expect(table.get_by_role("row").filter(has_text=typo)).to_be_visible()
        table.get_by_role("button", name=f"Delete category “Typo {tag}”").click()
        dialog = office.get_by_role("dialog", name=f"Delete category “Typo {tag}”?")
        expect(dialog).to_contain_text("no thread was ever posted in")
        dialog.get_by_role("button", name="Delete category").click()
        expect(table.get_by_role("row").filter(has_text=typo)).to_have_count(0)
        assert [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(office)] == []
    finally:
        context.close()
    assert audit_actions(stack, f"forum_category:bost-{tag}") == ["forum.category.create", "forum.category.delete"]
    assert audit_actions(stack, f"forum_category:{slug}") == [
        "forum.category.create", "forum.category.change", "forum.category.move",
    ]  # fmt: skip

    reader = open_dapp(AUTHOR)
    page = reader.page
    page.set_default_timeout(15_000)
    reader.open("/forum")
    links = page.get_by_role("list", name="Categories").get_by_role("link")
    expect(links.filter(has_text=f"Market bots {tag}")).to_be_visible()
    assert links.all_inner_texts()[-2:] == [f"Market bots {tag}", above]  # in the order the moderator set
    page.get_by_role("combobox", name="Language").select_option(label="简体中文")
    listed = page.get_by_role("list", name=FORUM_ZH["forum.categories"])
    expect(listed.get_by_role("link", name=f"做市机器人 {tag}")).to_have_attribute("lang", "zh-CN")
    assert not reader.console_errors
