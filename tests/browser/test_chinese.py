"""The trading page in Simplified Chinese: after the switch, no text on the page (visible, or read to
screen readers) is an English catalogue message that Chinese words differently, and no raw catalogue
key shows; the choice survives a reload. Every tab of the account panel and of the order form is opened,
and a refusal is shown, so their strings are on the page when it is read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from .flows import MARKET, catalogue, connect

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .browser_kit import Dapp

EN, ZH = catalogue("en"), catalogue("zh-CN")
# The switcher names each language in itself, English included, whatever the page's language.
SAME_IN_EVERY_LANGUAGE = {"app.languageName"}

# Text nodes whose element is rendered (visually hidden text counts: screen readers say it), the
# options of the selects on show, and the attributes that give an element its name or hint.
_PAGE_TEXTS = """() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (text && node.parentElement.checkVisibility()) texts.push(text);
  }
  for (const select of document.querySelectorAll("select")) {
    if (select.checkVisibility()) texts.push(...[...select.options].map((option) => option.text.trim()));
  }
  for (const element of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    if (!element.checkVisibility()) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      const value = element.getAttribute(name);
      if (value && value.trim()) texts.push(value.trim());
    }
  }
  return texts;
}"""


def _english_pattern(message: str) -> re.Pattern[str] | None:
    """A message as it can appear once its placeholders are filled in; None when only placeholders and
    punctuation are left (it would match anything)."""
    fixed = re.sub(r"\{\w+\}", "", message)
    if not re.search(r"[A-Za-z]{2}", fixed):
        return None
    parts = re.split(r"\{\w+\}", message)
    return re.compile("^" + ".+".join(re.escape(part) for part in parts) + "$", re.DOTALL)


UNTRANSLATED = {
    key: pattern
    for key, message in EN.items()
    if key not in SAME_IN_EVERY_LANGUAGE and ZH.get(key) != message and (pattern := _english_pattern(message))
}


def untranslated_texts(page: Page) -> list[str]:
    """Texts on the page that are an English message Chinese says otherwise, or a catalogue key."""
    found = []
    for text in page.evaluate(_PAGE_TEXTS):
        english = [key for key, pattern in UNTRANSLATED.items() if pattern.match(text)]
        keys = [key for key in EN if key in text]
        if english or keys:
            found.append(f"{text!r} (English of {english}, keys {keys})")
    return found


def test_the_trading_page_in_chinese_shows_no_english_catalogue_text_and_no_raw_key(dapp: Dapp) -> None:
    page = dapp.page
    connect(dapp)
    assert untranslated_texts(page), "the check sees nothing on the English page: it would pass vacuously"

    page.get_by_role("combobox", name="Language").select_option(label="简体中文")

    expect(page.get_by_role("button", name=ZH["wallet.disconnect"])).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    problems = untranslated_texts(page)
    account = page.get_by_role("tablist", name=ZH["account.title"])
    for tab in ("account.tab.history", "account.tab.fills", "account.tab.balances", "account.tab.open"):
        account.get_by_role("tab", name=ZH[tab]).click()
        problems += untranslated_texts(page)
    form = page.get_by_role("region", name=ZH["order.title"].replace("{market}", MARKET))
    for kind in ("order.kind.market", "order.kind.stopMarket", "order.kind.stopLimit"):
        form.get_by_role("tab", name=ZH[kind], exact=True).click()
        problems += untranslated_texts(page)
    form.get_by_role("button", name=ZH["order.buy"], exact=True).click()  # empty fields: refused, in words
    expect(form.get_by_role("textbox", name=ZH["order.amount"], exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_text(ZH["faucet.guideTitle"]).click()  # the add-the-chain guide, folded until asked for
    problems += untranslated_texts(page)
    assert sorted(set(problems)) == []

    page.reload()
    expect(page.get_by_role("combobox", name=ZH["app.language"])).to_have_value("zh-CN")
